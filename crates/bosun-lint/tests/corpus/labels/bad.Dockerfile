FROM debian:12
LABEL org.opencontainers.image.source="not a url" org.opencontainers.image.version="1.4" org.opencontainers.image.licenses="Nope-1.0" org.opencontainers.image.created="yesterday" org.opencontainers.image.revision="XYZ" maintainer="nobody" team=""
LABEL extra=1
