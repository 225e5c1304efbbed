# Only the two registries in .hadolint.yaml are trusted: a bare name is not.
FROM registry.internal:5000/team/builder:1.4 AS build
RUN make
FROM build AS test
RUN make check
FROM mirror.internal/library/debian:12-slim
COPY --from=build /out /app
FROM untrusted.example/tools:2 AS tools
FROM debian:12
FROM scratch
COPY --from=tools /bin/tool /tool
