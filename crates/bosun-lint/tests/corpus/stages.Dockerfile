FROM debian:12 AS build
RUN make
FROM build AS test
COPY --from=build /out /out
FROM build AS build
COPY --from=missing /a /b
COPY --from=0 /a /b
COPY --from=alpine:3.20 /etc/os-release /tmp/
