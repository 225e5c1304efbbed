FROM ubuntu:latest
RUN touch /1

FROM alpine:latest AS mytarget 
RUN touch /2

FROM busybox:latest AS mytarget2 
RUN touch /3
