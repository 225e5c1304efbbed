FROM ubuntu:latest AS x
FROM --platform=linux/arm64 debian AS x
COPY --from=x a b c
MAINTAINER me
USER root
