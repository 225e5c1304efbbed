FROM registry.internal:5000/base:1
COPY vendor/toolchain.tar.xz /opt/
RUN tar -C /opt -xJf /opt/toolchain.tar.xz && rm /opt/toolchain.tar.xz
COPY release.zip /tmp/
RUN unzip /tmp/release.zip -d /srv
COPY data.tgz /tmp/data
RUN tar xzf /tmp/data
