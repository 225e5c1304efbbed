FROM busybox
COPY . /
