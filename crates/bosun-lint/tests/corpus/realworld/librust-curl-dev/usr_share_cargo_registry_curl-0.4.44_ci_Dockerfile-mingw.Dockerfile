FROM ubuntu:16.04

RUN apt-get update
RUN apt-get install -y --no-install-recommends \
  gcc ca-certificates make libc6-dev \
  gcc-mingw-w64-x86-64 libz-mingw-w64-dev
