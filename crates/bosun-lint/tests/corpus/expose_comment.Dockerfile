FROM debian:12
EXPOSE 80 # web
