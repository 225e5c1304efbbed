FROM debian:12
RUN [[ -f x ]] && echo y
# hadolint shell=bash
RUN [[ -f x ]] && echo z
SHELL ["/bin/bash", "-c"]
RUN [[ -f x ]] && echo w
