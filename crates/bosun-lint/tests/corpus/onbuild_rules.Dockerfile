FROM debian:12
ONBUILD RUN cd /x
ONBUILD RUN sudo x
ONBUILD RUN apt-get install curl
ONBUILD RUN apt-get update
ONBUILD RUN pip install flask
ONBUILD RUN npm install express
ONBUILD RUN apk add curl
ONBUILD RUN wget x
ONBUILD RUN curl y
ONBUILD RUN apt install foo
ONBUILD RUN gem install rails
ONBUILD RUN yum install foo
ONBUILD RUN zypper install foo
ONBUILD RUN zypper dup
ONBUILD RUN dnf install foo
ONBUILD RUN useradd -u 1000000 x
ONBUILD RUN ssh x
ONBUILD RUN yarn install
ONBUILD RUN go install example.org/x
ONBUILD RUN ln -s /bin/bash /bin/sh
ONBUILD RUN a | b
ONBUILD ARG GITHUB_TOKEN
ONBUILD WORKDIR rel
ONBUILD CMD echo
ONBUILD COPY a b c
ONBUILD ADD x.py /x
ONBUILD USER root
ONBUILD EXPOSE 99999
ONBUILD LABEL BAD=1
ONBUILD ENV A=1 B=$A
ONBUILD COPY --from=nope a /b
