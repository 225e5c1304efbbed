FROM debian:12
RUN a
RUN b
# comment
RUN c
ENV X=1
RUN d
RUN e && f && g
RUN h
RUN --mount=type=cache,target=/root/.cache i
RUN j
