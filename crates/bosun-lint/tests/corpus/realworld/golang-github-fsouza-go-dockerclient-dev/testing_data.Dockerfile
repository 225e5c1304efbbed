from	ubuntu
run	apt-get install wget -y --force-yes
