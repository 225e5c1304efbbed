FROM debian:12
ADD app.py /app/
ADD rootfs.tar.gz /
ADD https://example.org/file /file
ADD a.zip b.txt /x/
COPY a b /dest
COPY a b /dest/
COPY ["a", "b", "/c"]
