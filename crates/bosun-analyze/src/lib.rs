//! What is inside an image, read from any source `bosun_oci::source` opens.
//!
//! Brief overview:
//! - [`layer`]: one streaming pass per layer (entries, secrets, optional content hashes).
//! - [`efficiency`]: dive's efficiency and wasted-bytes figures, to the byte, and corrected ones.
//! - [`view`]: the stacked filesystem with OCI whiteouts; per-layer changes; hidden files.
//! - [`ci`]: dive's CI rules and result listing.
//! - [`secrets`]: secret rules for file contents, file names and config strings.
//! - [`inspect`]: all of the above as one [`inspect::Report`] with findings.
#![deny(missing_docs)]

pub mod ci;
pub mod diff;
pub mod disk;
pub mod efficiency;
pub mod html;
pub mod inspect;
pub mod layer;
pub mod owners;
pub mod sarif;
pub mod text;
pub mod view;

/// The secret rules (their own crate, shared with `bosun lint`).
pub use bosun_secrets as secrets;

/// Errors of analysis.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The image could not be read.
    #[error(transparent)]
    Image(#[from] bosun_oci::Error),
    /// A layer is not a readable tar.
    #[error("{0}: not a readable tar stream: {1}")]
    Layer(String, String),
    /// A layer holds an entry no image should.
    #[error("{0}: refusing hostile layer: {1}")]
    Hostile(String, String),
    /// A configuration file is malformed.
    #[error("{0}: {1}")]
    Config(String, String),
}

pub use bosun_oci::human;
