FROM debian:12
RUN apt-get update && apt-get install -y curl=8.0 git
RUN apt-get update && apt-get install -y --no-install-recommends vim && rm -rf /var/lib/apt/lists/*
RUN apt-get install -t bookworm-backports -y foo/bookworm ./local.deb
RUN apt-get -y install bar
