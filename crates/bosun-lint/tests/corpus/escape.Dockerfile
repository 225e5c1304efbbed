# escape=`
FROM debian:12
WORKDIR `
  rel
MAINTAINER x
