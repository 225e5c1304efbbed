FROM debian:12
RUN ./build-toolchains.sh
FROM busybox as base
SHELL ["pwsh", "-c"]
ENV CC_aarch64_unknown_linux_gnu=aarch64-unknown-linux-gnueabi-gcc \
    AR_aarch64_unknown_linux_gnu=aarch64-unknown-linux-gnueabi-ar \
    CXX_aarch64_unknown_linux_gnu=aarch64-unknown-linux-gnueabi-g++
# hadolint shell=bash
COPY --from=s1 /x /y
ENV SCRIPT $WASM_SCRIPT && $NVPTX_SCRIPT && $MUSL_SCRIPT
COPY scripts/cmake.sh /scripts/
RUN wget -nv https://repo.anaconda.com/miniconda/$MC_FILE
COPY --from=s0 /x /y
RUN pip3 install --no-cache-dir flask==3.0 "requests>=2"
