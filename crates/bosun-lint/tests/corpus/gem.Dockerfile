FROM ruby:3.3
RUN gem install rails
RUN gem install rails:7.1.0
RUN gem install -v 2.5 bundler
RUN gem i nokogiri --version=1.16
RUN gem install -- pg
