FROM debian:12
CMD echo one
CMD ["two"]
ENTRYPOINT ["a"]
ENTRYPOINT b
HEALTHCHECK CMD curl -f http://localhost/
HEALTHCHECK NONE
FROM debian:12
CMD ["again"]
