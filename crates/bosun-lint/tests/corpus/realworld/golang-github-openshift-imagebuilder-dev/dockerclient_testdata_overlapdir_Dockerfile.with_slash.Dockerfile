FROM busybox
COPY existing/ .