FROM busybox
ENV DIR=/usr
ADD dir2/*.b dir2/*.c $DIR/test/
