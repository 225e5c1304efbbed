FROM alpine
ENV TARGETS=$TARGETS,riscv32imc-unknown-none-elf
RUN /scripts/cmake.sh
ENV APACHE_RUN_USER nagios
RUN apt update && \
    apt install --no-install-recommends -q -y gnupg wget software-properties-common && \
    wget https://repositories.intel.com/graphics/intel-graphics.key && \
    apt-key add intel-graphics.key && \
    apt-add-repository 'deb [arch=amd64] https://repositories.intel.com/graphics/ubuntu focal main' && \
    apt update && \
    apt install --no-install-recommends -q -y libmfxgen1 intel-media-va-driver-non-free libmfx1 libva-dev libva-drm2 vainfo && \
    apt install -y cmake build-essential pkg-config
RUN echo "use_timezone=$NAGIOS_TIMEZONE" >> ${NAGIOS_HOME}/etc/nagios.cfg && echo "SetEnv TZ \"${NAGIOS_TIMEZONE}\"" >> /etc/apache2/conf.d/nagios.conf
RUN sh /scripts/sccache.sh
# hadolint ignore=DL3013
ENV RUST_CONFIGURE_ARGS --enable-full-tools --disable-docs
FROM mpich
COPY --chown=1:adm   script /usr/bin/script.1-adm
ONBUILD RUN patch -p1 -d / < /lammps/examples/melt/melt.patch
env name='a\"b'
