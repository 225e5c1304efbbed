FROM debian:12.1
ARG MY_VALUE=1
ENV FOO_BAR_BAZ=1 version=2
RUN echo "$MYVALUE"
RUN echo "$http_proxi"
RUN echo "$VERSIN" "$versio"
RUN echo "$NO_PROXI"
RUN echo "$FOO_BAR_BA"
RUN FOO_BAR_BAZ=2
RUN unused_var=1
RUN echo "$HTTPS_PROXY_X"
RUN echo "${ftp_proxy}"
RUN echo "$foo_bar_baz"
RUN (( MY_VALU ))
RUN echo "$Version"
