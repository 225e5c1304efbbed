FROM debian:12
RUN ln -sf /bin/bash /bin/sh
RUN ln -s /usr/bin/python3 /usr/bin/python
