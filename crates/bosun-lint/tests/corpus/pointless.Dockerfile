FROM debian:12
RUN service nginx start
RUN ps aux | grep x
RUN echo ssh
RUN ifconfig
