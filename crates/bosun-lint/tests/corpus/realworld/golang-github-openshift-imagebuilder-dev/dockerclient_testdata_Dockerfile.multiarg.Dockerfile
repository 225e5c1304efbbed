FROM alpine
ARG multivalarg="a=1 b=2 c=3 d=4"
ENV multival="${multivalarg}"
RUN echo $multival
