FROM debian
# hadolint ignore=DL3000
WORKDIR rel
# hadolint ignore=DL3000

WORKDIR rel2
# hadolint ignore=DL4000,DL3011
MAINTAINER me
# bosun ignore=DL3011
EXPOSE 99999
# hadolint ignore=DL3011 
EXPOSE 99998
#hadolint ignore=DL3011
EXPOSE 99997
# hadolint ignore = DL3011 , DL3000
EXPOSE 99996
