FROM debian:12
RUN curl -fsSL https://example.org/a -o a
RUN wget https://example.org/b
RUN curl -O c
FROM debian:12
RUN wget d
RUN echo $(curl -s e)
