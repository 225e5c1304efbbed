FROM centos:7
SHELL ["/bin/bash", "-xc"]
RUN env