FROM --platform=$TARGETPLATFORM debian:12 AS a
USER app
FROM debian:12
# hadolint ignore=DL3006
COPY --from=a / /
COPY x.tar.gz /tmp/
