FROM ubuntu:20.04
RUN npm install -g browser-ui-test@$(head -n 1 /tmp/browser-ui-test.version) --unsafe-perm=true
COPY --from=1 /second.txt /third.txt
RUN (cd /x; ls) && echo "cd is here"
RUN apt-get update && apt-get install -y --no-install-recommends \
  gcc-multilib \
  libc6-dev \
  file \
  make \
  ca-certificates
COPY scripts/sccache.sh /scripts/
