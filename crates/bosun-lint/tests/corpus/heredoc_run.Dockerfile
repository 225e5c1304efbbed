FROM debian:12
RUN <<EOF
cd /x
apt-get update
apt-get install -y curl
EOF

RUN echo ok
