FROM busybox
COPY . /
COPY . dir
COPY subdir/ test/
