FROM debian:12 AS base
RUN apt-get update
FROM debian:12 AS build
RUN apt-get update && apt-get install -y gcc
FROM base
RUN echo done
