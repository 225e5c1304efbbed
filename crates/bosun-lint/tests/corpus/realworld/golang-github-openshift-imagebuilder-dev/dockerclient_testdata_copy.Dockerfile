FROM centos:7
COPY script /usr/bin
RUN ls -al /usr/bin/script