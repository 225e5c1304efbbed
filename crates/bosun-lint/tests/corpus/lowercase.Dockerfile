from debian
workdir rel
maintainer me
expose 99999
