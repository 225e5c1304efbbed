FROM a:1
RUN echo ÿþ
