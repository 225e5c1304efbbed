FROM ubuntu
ENV SCRIPT python3 ../x.py --stage 2 test distcheck
MAINTAINER maintainer <yourmaintainer@your-organization.org>
COPY --from=1 /second.txt /third.txt
RUN touch /a
