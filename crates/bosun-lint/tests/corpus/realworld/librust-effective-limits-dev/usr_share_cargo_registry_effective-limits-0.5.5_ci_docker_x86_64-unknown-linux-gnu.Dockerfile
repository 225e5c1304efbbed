FROM rust-x86_64-unknown-linux-gnu
