FROM alpine
# hadolint ignore=DL3003
RUN cd /x && apt-get install -y curl
RUN echo a
# hadolint global ignore=DL3015
FROM debian:12 AS b
HEALTHCHECK CMD ["true"]
FROM b
