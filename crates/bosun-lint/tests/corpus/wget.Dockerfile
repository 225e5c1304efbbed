FROM debian:12
RUN wget https://example.org/a
RUN wget -q https://example.org/b
RUN wget -nv c
RUN wget --progress=dot:giga d
RUN wget -O out e
RUN wget -o log f
