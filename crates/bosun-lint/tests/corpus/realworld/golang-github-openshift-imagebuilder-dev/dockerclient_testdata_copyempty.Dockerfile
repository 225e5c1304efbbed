FROM centos:7
COPY "" /usr/local/tmp/
