FROM centos:7
COPY dir /dir
RUN ls -al /dir/file