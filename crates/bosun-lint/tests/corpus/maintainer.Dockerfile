FROM debian:12
MAINTAINER someone <someone@example.org>
