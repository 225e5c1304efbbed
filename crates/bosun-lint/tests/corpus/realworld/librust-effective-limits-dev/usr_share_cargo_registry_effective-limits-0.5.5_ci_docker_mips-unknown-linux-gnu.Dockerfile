FROM rust-mips-unknown-linux-gnu

ENV CC_mips_unknown_linux_gnu=mips-linux-gnu-gcc \
    CARGO_TARGET_MIPS_UNKNOWN_LINUX_GNU_LINKER=mips-linux-gnu-gcc
