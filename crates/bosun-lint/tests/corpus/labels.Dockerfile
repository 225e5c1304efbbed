FROM debian:12
LABEL Maintainer="me"
LABEL org.opencontainers.image.title="x" version=1
LABEL com.docker.thing=1
LABEL bad..key=1 good-key=2
LABEL trailing-=1
LABEL legacy value with spaces
