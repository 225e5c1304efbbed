FROM rust-powerpc-unknown-linux-gnu

ENV CC_powerpc_unknown_linux_gnu=powerpc-unknown-linux-gnu-gcc \
    CARGO_TARGET_POWERPC_UNKNOWN_LINUX_GNU_LINKER=powerpc-unknown-linux-gnu-gcc
