FROM centos:7

RUN yum update -y
RUN yum install -y \
  gcc ca-certificates make \
  openssl-devel \
  pkgconfig
