FROM ubuntu:12.04
ADD nagios.init /etc/sv/nagios/run
RUN ./build-curl.sh
ENV CARGO_TARGET_POWERPC64_UNKNOWN_LINUX_GNU_LINKER=powerpc64-linux-gnu-gcc \
    # TODO: should actually run these tests
RUN wget -nv https://github.com/lammps/lammps/archive/patch_${LAMMPS_VERSION}.tar.gz \
 && tar xf patch_$LAMMPS_VERSION.tar.gz \
 && mkdir lammps-${LAMMPS_VERSION}.build \
 && cd lammps-${LAMMPS_VERSION}.build \
 && cmake -DCMAKE_INSTALL_PREFIX=/usr/local \
          -DCMAKE_BUILD_TYPE=Release \
          -DBUILD_MPI=yes \
          -DBUILD_LIB=on \
          -DBUILD_SHARED_LIBS=on \
          -DPKG_DIPOLE=yes \
          -DPKG_KSPACE=yes \
          -DPKG_POEMS=yes \
          -DPKG_PYTHON=yes \
          -DPKG_USER-REAXC=yes \
          -DPKG_USER-MEAMC=yes \
          -DLAMMPS_MACHINE=mpi \
    ../lammps-patch_${LAMMPS_VERSION}/cmake \
 && make -j $(getconf _NPROCESSORS_ONLN) install \
 && ln -s /usr/local/src/lammps-patch_${LAMMPS_VERSION}/ /lammps \
 && rm -f ../patch_$LAMMPS_VERSION.tar.gz
WORKDIR /build
RUN mkdir dir07c \
 && ln -s dir07c symlink-to-dir07c
FROM busybox as base
LABEL DUEContainerVersion=1
CMD ["/usr/sbin/crond", "-l", "2", "-f"]
ENV TARGETS=$TARGETS,riscv32i-unknown-none-elf
COPY scripts/sccache.sh /scripts/
FROM ubuntu:16.04
RUN npm install
COPY host-x86_64/riscv64gc-linux/0001-Remove-stime-function-calls.patch /build/busybox-1.31.1/
ARG DEBIAN_FRONTEND=noninteractive
COPY fileA dir02/
RUN find $LOCAL
