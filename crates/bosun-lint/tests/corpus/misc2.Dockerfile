FROM node:20
RUN yarn install
RUN yarn install && yarn cache clean
RUN go install example.org/x
RUN go install example.org/y@v1
COPY app.tar.gz /tmp/
RUN tar xf /tmp/app.tar.gz
COPY --chmod=777 a /a
ADD --checksum=sha256:abc https://example.org/f /f
RUN --mount=type=secret,id=x cat /run/secrets/x
ENV DEBIAN_FRONTEND=noninteractive
ARG PASSWORD=x
STOPSIGNAL SIGKILL
