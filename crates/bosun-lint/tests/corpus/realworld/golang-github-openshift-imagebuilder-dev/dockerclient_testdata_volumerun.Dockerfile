FROM busybox

ADD file /var/www/
VOLUME /var/www
ADD file2 /var/www/
RUN touch /var/www/file3
ADD file4 /var/www/