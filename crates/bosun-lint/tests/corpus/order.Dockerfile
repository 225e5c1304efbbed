LABEL maintainer=me
ARG V=1
FROM debian:$V
ENV A=b
