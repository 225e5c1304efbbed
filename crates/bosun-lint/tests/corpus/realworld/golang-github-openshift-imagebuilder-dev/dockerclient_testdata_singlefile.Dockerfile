FROM busybox
COPY . copy