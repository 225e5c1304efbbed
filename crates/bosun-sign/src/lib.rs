//! Signatures in the forms cosign writes and reads.
//!
//! - [`key`]: ECDSA P-256 key pairs; the private key encrypted as cosign encrypts it (scrypt,
//!   then NaCl secretbox, in a PEM block `ENCRYPTED SIGSTORE PRIVATE KEY`), also read from
//!   cosign's older label, plain PKCS#8 and SEC1; public keys as PKIX PEM.
//! - [`payload`]: the simple-signing payload cosign signs (the image's repository and
//!   manifest digest, and optional annotations).
//! - [`manifest`]: where cosign keeps signatures: the `sha256-<hex>.sig` tag's manifest (one
//!   layer per signature, the signature in the layer's annotation) and the OCI 1.1 referrer
//!   form.
#![deny(missing_docs)]

pub mod dsse;
pub mod key;
pub mod manifest;
pub mod payload;

/// Errors of signing and verifying.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A key could not be read.
    #[error("{0}")]
    Key(String),
    /// A key named `env://VAR` whose variable is not set.
    #[error("the key variable {var} is not set")]
    KeyVariable {
        /// The variable.
        var: String,
    },
    /// A key file that cannot be read.
    #[error("cannot read the key {path}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A named key that could not be loaded.
    #[error("cannot read the {half} key {name}")]
    Load {
        /// `private` or `public`.
        half: &'static str,
        /// The key as named (`env://VAR` or a path).
        name: String,
        /// Why.
        #[source]
        source: Box<Error>,
    },
    /// No password could be had for an encrypted key.
    #[error(transparent)]
    NoPassword(key::PasswordError),
    /// The password does not open the key.
    #[error("the password does not decrypt the private key")]
    Password,
    /// A signature does not verify.
    #[error("{0}")]
    Signature(String),
    /// A payload is not a simple-signing payload.
    #[error("not a cosign simple-signing payload: {0}")]
    Payload(String),
}
