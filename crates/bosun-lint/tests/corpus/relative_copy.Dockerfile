FROM debian:12
COPY app.py app/
WORKDIR /srv
COPY app.py app/
FROM debian:12 AS two
COPY x "rel"
COPY x /abs
COPY x $DEST
FROM two
COPY y z
