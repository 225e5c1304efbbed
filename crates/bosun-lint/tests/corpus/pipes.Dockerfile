FROM debian:12
RUN curl -s https://example.org/install.sh | sh
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -s x | bash
FROM alpine:3.20
RUN a | b
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
RUN c | d
FROM debian:12
SHELL ["pwsh", "-c"]
RUN e | f
RUN g || h
