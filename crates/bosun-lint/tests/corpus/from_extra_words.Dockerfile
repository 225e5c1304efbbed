# A templated Dockerfile: FROM with more than IMAGE [AS NAME] is refused on its own line.
FROM debian:12 AS base
RUN echo hi
FROM {{ base_image }} AS final
COPY --from=base /x /x
