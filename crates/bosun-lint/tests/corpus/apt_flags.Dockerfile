FROM debian:12
RUN apt-get install curl
RUN apt-get install -qq --no-install-recommends curl=1
RUN apt-get -o APT::Install-Recommends=false install -y curl=1
RUN apt-get --assume-yes install wget=1
