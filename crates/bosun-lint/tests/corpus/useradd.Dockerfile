FROM debian:12
RUN useradd -u 100000 bob
RUN useradd -l -u 100000 alice
RUN useradd --uid 1234567 carol
RUN useradd -u 1000 dave
