FROM debian:12 AS a
USER root
FROM debian:12 AS b
USER 0
USER 1000
FROM debian:12
USER 0:0
