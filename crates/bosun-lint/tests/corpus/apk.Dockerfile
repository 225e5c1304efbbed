FROM alpine:3.20
RUN apk add curl
RUN apk add --no-cache curl=8.9.0-r0 git=2.45.2-r0
RUN apk add --virtual .build-deps gcc=13.2.1-r0
RUN apk update && apk add -U openssl
