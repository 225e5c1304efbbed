FROM debian:12
COPY <<EOF /etc/app.conf
key=value
EOF
WORKDIR rel
