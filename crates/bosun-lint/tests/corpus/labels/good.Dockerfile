FROM debian:12
LABEL org.opencontainers.image.source="https://example.org/app" org.opencontainers.image.version="1.4.2" org.opencontainers.image.licenses="Apache-2.0 OR MIT" org.opencontainers.image.created="2025-03-01T12:00:00Z" org.opencontainers.image.revision="0123456789abcdef0123456789abcdef01234567" maintainer="dev@example.org" team="platform"
