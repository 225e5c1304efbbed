FROM debian:12.1
RUN apt-get update && apt-get install curl &&
RUN apt-get update && apt-get install curl |
RUN if true; then apt-get update && apt-get install curl
RUN (apt-get update && apt-get install curl
RUN apt-get update && apt-get install curl )
RUN for x in a; do apt-get update && apt-get install curl;
RUN apt-get update && apt-get install curl; ;
RUN apt-get update && && apt-get install curl
RUN apt-get update && apt-get install curl; fi
RUN apt-get update && apt-get install curl; done
RUN apt-get update && apt-get install curl && }
RUN { apt-get update && apt-get install curl
RUN apt-get update && apt-get install curl $(
RUN apt-get update && apt-get install curl `echo
RUN apt-get update && apt-get install curl ${x
RUN apt-get update && apt-get install curl >
RUN apt-get update && apt-get install curl &&;
RUN case x in a) apt-get update && apt-get install curl
RUN apt-get update && apt-get install curl ; then
RUN apt-get update && apt-get install curl && # done
RUN apt-get update || apt-get install curl ||
RUN apt-get update ; apt-get install curl &&
RUN [ -f x ] && apt-get install curl ]]
RUN apt-get install curl && echo $((1 +
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 \
    && rm -rf /var/lib/apt/lists/* &&
# a comment where the next command was
USER nobody
RUN apt-get update && apt-get install curl x (a) && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install curl ; fi ; apt-get install wget
RUN apt-get update ; done ; apt-get install wget
RUN apt-get install curl ; ; apt-get install wget | grep x
RUN apt-get install curl ) ; sudo apt-get install wget
RUN pip install flask ; then pip install django
RUN foo \

CMD (bundle check || (gem install bundler && bundle install)) && bundle exec rake
