FROM centos:7
COPY file1 /usr/bin/file2
RUN ls -al /usr/bin/file2 && ! ls -al /usr/bin/file1