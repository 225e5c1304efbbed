FROM centos:7
ADD / /
