//! Trust in an image: where its signatures, attestations and Sigstore bundles live, how they
//! are written and found, and what verification makes of them.
//!
//! - [`make`]: signatures (cosign's simple signing, or a Sigstore bundle) and attestations
//!   (DSSE envelopes of in-toto statements), each a [`Stored`] layer and blob.
//! - [`place`]: an image in the store or in a registry, with the signatures kept about it
//!   (store artifacts; a registry's cosign tags and referrers), and verdicts with reasons.
//! - [`store`] and [`registry`]: writing and carrying them in each place.
#![deny(missing_docs)]

pub mod make;
pub mod place;
pub mod registry;
pub mod store;

pub use make::Stored;
pub use place::{Checked, Place};

/// Errors of storing and finding signatures.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The local store.
    #[error(transparent)]
    Oci(#[from] bosun_oci::Error),
    /// A registry.
    #[error(transparent)]
    Registry(#[from] bosun_registry::Error),
    /// No image of that name in the store.
    #[error("no image {name} in the store")]
    NotInStore {
        /// The name asked for.
        name: String,
    },
    /// There is no store yet.
    #[error("no image {name}: the store {} is empty", dir.display())]
    NoStore {
        /// The name asked for.
        name: String,
        /// Where the store would be.
        dir: std::path::PathBuf,
    },
    /// A manifest or document that should be JSON is not.
    #[error("{place} is not JSON")]
    NotJson {
        /// Where it was read.
        place: String,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A manifest names a blob by a malformed digest.
    #[error("{place}: bad blob digest {digest:?}")]
    BadDigest {
        /// The manifest.
        place: String,
        /// The digest as written.
        digest: String,
        /// Why it is not one.
        #[source]
        source: bosun_oci::DigestError,
    },
}

/// The JSON at `place`.
fn json(place: impl FnOnce() -> String, bytes: &[u8]) -> Result<serde_json::Value, Error> {
    serde_json::from_slice(bytes).map_err(|source| Error::NotJson {
        place: place(),
        source,
    })
}

/// A layer's digest, parsed.
fn digest_of(place: impl FnOnce() -> String, digest: &str) -> Result<bosun_oci::Digest, Error> {
    digest.parse().map_err(|source| Error::BadDigest {
        place: place(),
        digest: digest.to_string(),
        source,
    })
}

/// A `subject` descriptor as manifests write it.
fn subject(descriptor: &bosun_oci::model::Descriptor) -> serde_json::Value {
    serde_json::json!({
        "mediaType": descriptor.media_type, "digest": descriptor.digest, "size": descriptor.size,
    })
}
