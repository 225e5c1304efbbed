FROM alpine:3.5
RUN ls -al /b/1 /b/2 /b && ! ls -al /a /b/a /b/b
ENV PATH=$PATH:/x-tools/arm-unknown-linux-gnueabi/bin
RUN \
  echo "# a" >> /usr/local/mips-linux-musl/bin/mips-openwrt-linux-musl-wrapper.sh && \
  echo "# b" >> /usr/local/mipsel-linux-musl/bin/mipsel-openwrt-linux-musl-wrapper.sh
RUN apt-get update && apt-get install -y --no-install-recommends \
  gcc \
  libc6-dev \
  ca-certificates
RUN gem install -- pg
VOLUME ["/test"]
RUN echo "cfg_dir=${NAGIOS_HOME}/etc/conf.d" >> ${NAGIOS_HOME}/etc/nagios.cfg
RUN if [ -d /y ]; then cd /y; fi
FROM ruby:2.0
RUN gem install rails
RUN echo FOO=$FOO BAR=$BAR
FROM ubuntu:18.04
RUN echo '1234' && \
    echo "456" && \
    echo 789
VOLUME	/var/lib/docker
ENV TARGETS=$TARGETS,armv7-unknown-linux-musleabihf
COPY --from=modifier /tmp/bar /bin/baz
COPY fileA symlink-to-dir01d
