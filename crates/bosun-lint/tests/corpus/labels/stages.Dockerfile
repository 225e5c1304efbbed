FROM debian:12 AS base
LABEL team="a"
FROM base AS app
FROM debian:12 AS other
LABEL maintainer="x@example.org"
