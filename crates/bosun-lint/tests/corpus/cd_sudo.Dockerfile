FROM debian:12
RUN cd /tmp && make
RUN sudo make install
RUN (cd /x; ls) && echo "cd is here"
RUN if [ -d /y ]; then cd /y; fi
