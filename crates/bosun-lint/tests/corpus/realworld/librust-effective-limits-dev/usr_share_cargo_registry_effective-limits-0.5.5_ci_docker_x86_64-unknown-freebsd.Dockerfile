FROM rust-x86_64-unknown-freebsd

ENV CC_x86_64_unknown_freebsd=x86_64-unknown-freebsd12-clang \
    CARGO_TARGET_X86_64_UNKNOWN_FREEBSD_LINKER=x86_64-unknown-freebsd12-clang
