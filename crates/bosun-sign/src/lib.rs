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
    /// A document (a key, an envelope, a bundle, a payload) that is not what it should be.
    #[error("not {expected}")]
    Malformed {
        /// What it should be.
        expected: &'static str,
        /// Why it is not, when a parser says.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// A PEM block of another kind where a private key should be.
    #[error("a {label} PEM block is not a private key")]
    NotPrivate {
        /// Its label.
        label: String,
    },
    /// An encrypted key whose encryption bosun does not read, or reads only within bounds.
    #[error("unsupported key encryption: {what} {value}")]
    Encryption {
        /// The setting.
        what: &'static str,
        /// Its value.
        value: String,
    },
    /// A field that should be base64.
    #[error("{what} is not base64")]
    Base64 {
        /// The field.
        what: &'static str,
    },
    /// The key derivation, encoding or sealing failed.
    #[error("cannot {step}")]
    Crypto {
        /// What failed.
        step: &'static str,
    },
    /// A signature that is not an ECDSA signature.
    #[error("the signature is not an ECDSA signature")]
    NotEcdsa,
    /// A signature that does not verify.
    #[error("the signature does not match the payload and key")]
    Mismatch,
    /// An envelope with no signature.
    #[error("the envelope has no signature")]
    Unsigned,
    /// A simple-signing payload of another type.
    #[error("not a cosign simple-signing payload: its type is {kind:?}")]
    PayloadType {
        /// Its type.
        kind: String,
    },
    /// A message-signature bundle, which names no image.
    #[error("a message-signature bundle does not say which image it signs")]
    MessageSignature,
}
