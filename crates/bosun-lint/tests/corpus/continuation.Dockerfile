FROM debian:12
RUN echo a \
  # comment inside
  && echo b
WORKDIR \
  rel
EXPOSE 80 \
   90000
