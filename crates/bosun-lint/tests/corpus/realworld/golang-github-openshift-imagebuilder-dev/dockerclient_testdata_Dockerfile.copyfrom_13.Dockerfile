FROM busybox as base
RUN touch /a
FROM busybox
COPY --from=0 /a /
RUN ls -al /a
