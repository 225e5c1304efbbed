FROM rust-mips64-unknown-linux-gnuabi64

ENV CC_mips64_unknown_linux_gnuabi64=mips64-linux-gnuabi64-gcc \
    CARGO_TARGET_MIPS64_UNKNOWN_LINUX_GNUABI64_LINKER=mips64-linux-gnuabi64-gcc
