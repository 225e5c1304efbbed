FROM busybox
ENV TARGETS=$TARGETS,x86_64-linux-android
# hadolint shell=bash
RUN mkdir workdir
ARG UCX_VERSION=1.11.2
COPY a b /dest
RUN mkdir -m 777 /777 && touch /777/777.txt
COPY fileA symlink-to-dir01h/dir
# hadolint shell=sh
WORKDIR rel
ADD check.sh main.sh /app/
FROM debian:12
SHELL ["/bin/sh", "-c"]
RUN sh /scripts/android-base-apt-get.sh
EXPOSE 8083
COPY scripts/cross-apt-packages.sh /scripts/
ONBUILD ENV SCRIPT python3 ../x.py dist --host $HOSTS --target $HOSTS
workdir /usr/local/src
RUN apt-get update && apt-get install -y --no-install-recommends \
  gcc \
  ca-certificates \
  libc6-dev \
  gcc-aarch64-linux-gnu \
  libc6-dev-arm64-cross \
  qemu-user
WORKDIR /build
EXPOSE 9000 5000 6000
