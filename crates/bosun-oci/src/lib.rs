//! Container images as the OCI image-spec defines them, written reproducibly.
//!
//! Brief overview:
//! - [`Digest`]: a validated `sha256:` digest; parsing it is the proof it is well formed.
//! - [`model`]: descriptors, manifests, indexes, image configs.
//! - [`layer::LayerBuilder`]: entries in, a byte-for-byte reproducible tarball out.
//! - [`Store`]: the local store, an OCI image layout with names as ref annotations.
//! - [`export`]: OCI directories, OCI archives and Docker archives for other tools.
//! - [`source`]: any image bosun can name (store, layout, archives), streamed layer by layer.
#![deny(missing_docs)]

mod digest;
pub mod export;
pub mod layer;
pub mod model;
pub mod shared;
pub mod source;
pub mod store;

pub use digest::{Digest, DigestError};
pub use store::{GcReport, Store, StoredImage, normalize_name};

/// Errors of the image layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing failed; the message names the file.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A document or layout is malformed.
    #[error("{0}")]
    Invalid(String),
    /// Content does not match its digest.
    #[error("{what}: content does not match its digest (expected {expected}, got {actual})")]
    Corrupt {
        /// The blob.
        what: String,
        /// The digest it should have.
        expected: Digest,
        /// The digest it has.
        actual: Digest,
    },
    /// Something named does not exist.
    #[error("{0}")]
    NotFound(String),
}
