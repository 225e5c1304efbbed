FROM rust-powerpc64le-unknown-linux-gnu

ENV CC_powerpc64le_unknown_linux_gnu=powerpc64le-linux-gnu-gcc \
    CARGO_TARGET_POWERPC64LE_UNKNOWN_LINUX_GNU_LINKER=powerpc64le-linux-gnu-gcc
