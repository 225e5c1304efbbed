FROM rust-i686-unknown-linux-gnu
