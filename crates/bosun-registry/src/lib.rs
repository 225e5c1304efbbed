//! The OCI distribution protocol, spoken the way podman and skopeo speak it.
//!
//! - [`Reference`]: `HOST/REPOSITORY[:TAG][@DIGEST]`, short names through the search list.
//! - [`RegistriesConf`], [`CertFiles`]: the machine's `registries.conf` and `certs.d`.
//! - [`auth`]: auth files, credential helpers, `login`/`logout`, the `WWW-Authenticate` challenge.
//! - [`Client`], [`Repository`]: TLS per host, tokens per scope, retries with backoff, and the
//!   spec's endpoints (manifests, blobs, uploads, mounts, tags).
//! - [`transfer`]: images between the store and registries, verified, blobs before manifests
//!   before tags.
//!
//! Why ureq and not `oci-client`: bosun is synchronous and already speaks HTTP through ureq
//! (the Debian client). `oci-client` brings an async runtime, buffers whole layers in memory
//! on pull, does not retry, and reads neither Docker's config nor credential helpers; each of
//! those is a requirement here. Over ureq every body is a stream (flat memory for any layer
//! size), TLS is rustls with the machine's CA bundle plus `certs.d`, and the protocol logic is
//! a few hundred lines that a review can read.
#![deny(missing_docs)]

mod api;
pub mod auth;
pub mod cache;
mod client;
mod config;
pub mod files;
mod reference;
pub mod transfer;

use std::path::PathBuf;

pub use api::{BlobStream, DOCKER_LIST, DOCKER_MANIFEST, Fetched, Pushed, is_index};
pub use auth::Credential;
pub use client::{Client, Located, Options, Repository};
pub use config::{CertFiles, Endpoint, Mirror, RegistriesConf, RegistryEntry};
pub use reference::{DOCKER_REGISTRY, Reference};

use bosun_oci::Digest;

/// Errors talking to registries. Each names the reference (or file) it is about and never
/// carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not an image reference.
    #[error("invalid image reference {text:?}: {reason}")]
    Reference {
        /// What was given.
        text: String,
        /// Why it is not one.
        reason: String,
    },
    /// The registry could not be reached at all (after every retry).
    #[error("{reference}: cannot reach {host}{}", hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Unreachable {
        /// The repository or image.
        reference: String,
        /// The registry's host.
        host: String,
        /// What to do about it, by the kind of TLS failure.
        hint: Option<String>,
        /// Why.
        #[source]
        source: Option<Box<ureq::Error>>,
    },
    /// A request failed after every retry.
    #[error("{reference}")]
    Http {
        /// The repository or image.
        reference: String,
        /// Why.
        #[source]
        source: Box<ureq::Error>,
    },
    /// A transfer broke off.
    #[error("{reference}: the transfer broke off")]
    Transfer {
        /// The repository or image.
        reference: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The registry refused the credentials (or asked for some).
    #[error("{reference}: {} (HTTP {status}){}", if *had_credentials { "access denied" } else { "authentication required" }, if *had_credentials { "" } else { "; run `bosun login` or set REGISTRY_AUTH_FILE" })]
    Unauthorized {
        /// The repository or image.
        reference: String,
        /// 401 or 403.
        status: u16,
        /// Whether credentials were sent.
        had_credentials: bool,
    },
    /// The token endpoint failed.
    #[error("{reference}: getting a token from {realm} failed: {reason}")]
    Token {
        /// The repository.
        reference: String,
        /// The token endpoint.
        realm: String,
        /// What went wrong.
        reason: String,
    },
    /// No such image, tag or blob.
    #[error("{reference}: not found")]
    NotFound {
        /// What was asked for.
        reference: String,
    },
    /// Another HTTP error, with the registry's own error code and message.
    #[error("{reference}: HTTP {status}{}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Status {
        /// What was asked for.
        reference: String,
        /// The status code.
        status: u16,
        /// The registry's error code and message.
        message: String,
    },
    /// Content that does not match its digest.
    #[error(
        "{reference}: the registry sent content that does not match its digest (expected {expected}, got {actual}); nothing was stored"
    )]
    DigestMismatch {
        /// What was fetched.
        reference: String,
        /// The digest asked for.
        expected: Digest,
        /// The digest of what came.
        actual: Digest,
    },
    /// The registry answered something the protocol does not allow.
    #[error("{reference}: {reason}")]
    Protocol {
        /// What was asked for.
        reference: String,
        /// What was wrong with the answer.
        reason: String,
    },
    /// A file asked of an artifact or an image's filesystem is not there as asked (the
    /// reference is in the message of what asked for it).
    #[error("{reason}")]
    File {
        /// The artifact or image.
        reference: String,
        /// What is missing or wrong.
        reason: String,
    },
    /// registries.conf blocks the registry.
    #[error("{reference}: the registry is blocked in registries.conf")]
    Blocked {
        /// The image.
        reference: String,
    },
    /// A configuration file (registries.conf, an auth file, a certificate) is unusable.
    #[error("{}: {reason}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A credential helper failed.
    #[error("{helper}: {reason}")]
    Helper {
        /// `docker-credential-NAME`.
        helper: String,
        /// What went wrong.
        reason: String,
    },
    /// The store.
    #[error(transparent)]
    Oci(#[from] bosun_oci::Error),
    /// Local I/O (the message names the file).
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
