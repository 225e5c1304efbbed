FROM debian
# hadolint global ignore=DL3006,DL4000
MAINTAINER me
FROM ubuntu
