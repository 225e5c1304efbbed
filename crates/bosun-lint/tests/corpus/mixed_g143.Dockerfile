FROM ruby:3.3
RUN wget -nv ${MPI_URL}/mpich-${MPI_VERSION}.tar.gz \
 && tar xf mpich-${MPI_VERSION}.tar.gz \
 && cd mpich-${MPI_VERSION} \
 && CFLAGS=-O3 \
    CXXFLAGS=-O3 \
    ./configure --prefix=/usr/local \
                --disable-cxx \
                --disable-fortran \
                --disable-threads \
                --disable-rpath \
                --disable-static \
                --disable-wrapper-rpath \
                --with-device=ch3 \
                --without-ibverbs \
                --without-libfabric \
                --without-slurm \
 && make -j$(getconf _NPROCESSORS_ONLN) install \
 && rm -Rf ../mpich-${MPI_VERSION}*
COPY fileA file3
HEALTHCHECK CMD
FROM busybox
COPY app.py app/
USER root
FROM ubuntu:21.10
RUN apt-get install -y --no-install-recommends curl
ENV PATH=$PATH:/emsdk-portable
WORKDIR /
