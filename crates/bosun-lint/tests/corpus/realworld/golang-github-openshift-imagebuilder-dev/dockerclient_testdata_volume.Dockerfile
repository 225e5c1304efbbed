FROM busybox

ADD file /var/www/
VOLUME /var/www
ADD file /var/
VOLUME /var
ADD file2 /var/