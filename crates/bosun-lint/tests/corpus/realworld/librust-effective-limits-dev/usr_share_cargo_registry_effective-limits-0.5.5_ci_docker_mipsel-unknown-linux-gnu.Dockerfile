FROM rust-mipsel-unknown-linux-gnu

ENV CC_mipsel_unknown_linux_gnu=mipsel-linux-gnu-gcc \
    CARGO_TARGET_MIPSEL_UNKNOWN_LINUX_GNU_LINKER=mipsel-linux-gnu-gcc
