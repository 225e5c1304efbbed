FROM rust-s390x-unknown-linux-gnu

ENV CC_s390x_unknown_linux_gnu=s390x-ibm-linux-gnu-gcc \
    CARGO_TARGET_S390X_UNKNOWN_LINUX_GNU_LINKER=s390x-ibm-linux-gnu-gcc
