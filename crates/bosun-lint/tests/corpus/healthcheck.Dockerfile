FROM debian:12 AS base
HEALTHCHECK CMD ["true"]
FROM base AS app
FROM debian:12 AS other
