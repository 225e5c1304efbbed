FROM busybox
COPY existing .