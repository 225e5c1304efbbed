FROM busybox
RUN rm -fr /var/lib/not-in-this-image
VOLUME /var/lib/not-in-this-image
