FROM --platform=linux/amd64 debian:12
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
