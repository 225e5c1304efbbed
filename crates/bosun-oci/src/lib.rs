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

/// Sizes as people read them, the way dive shows them (1000-based, one decimal): `13 B`,
/// `1.2 MB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

/// Errors of the image layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing failed; the message names the file.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A JSON document that does not parse as what it should be.
    #[error("{what}")]
    Json {
        /// The document (a file, a blob, a member of an archive).
        what: String,
        /// The parser's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// A tar archive that cannot be read, or a layer of an image that cannot.
    #[error("{what}")]
    Tar {
        /// The archive or layer.
        what: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An archive member, link or layer entry that would land outside its root.
    #[error("{archive}: {entry} escapes the archive")]
    Escape {
        /// The archive or layer.
        archive: String,
        /// The entry, as written.
        entry: String,
    },
    /// An image's documents disagree with each other or with their blobs, or lack what
    /// they must have.
    #[error("{subject}: {problem}")]
    Inconsistent {
        /// The document, blob or layer.
        subject: String,
        /// What does not hold.
        problem: String,
    },
    /// Something larger than bosun reads for its kind.
    #[error("{what} is larger than {limit} bytes, the most bosun reads of it")]
    TooLarge {
        /// The document or files.
        what: String,
        /// The most bosun reads.
        limit: u64,
    },
    /// A layout or archive that holds several images where one is needed.
    #[error("{reference} holds {} images; name one ({})", names.len(), names.join(", "))]
    Ambiguous {
        /// The layout or archive.
        reference: String,
        /// The names it holds.
        names: Vec<String>,
    },
    /// A reference with a transport bosun does not know.
    #[error(
        "{text}: unknown transport `{transport}:` (use a store name, store:, docker://, oci:, oci-archive: or docker-archive:)"
    )]
    Transport {
        /// The reference.
        text: String,
        /// The transport.
        transport: String,
    },
    /// A destination without a transport.
    #[error(
        "destination {text:?} needs a transport: docker://, oci:, oci-archive:, docker-archive: or store:"
    )]
    NoTransport {
        /// What was given.
        text: String,
    },
    /// A reference this function does not open (a registry image is opened remotely).
    #[error("{reference}: a registry image is opened with open_remote")]
    Remote {
        /// The reference.
        reference: String,
    },
    /// An error reading the image a reference names.
    #[error("{reference}")]
    Image {
        /// The reference.
        reference: String,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
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
    /// A store, layout or archive without the image a name asks for.
    #[error("no image named `{name}` in {place}")]
    NoImage {
        /// The name asked for.
        name: String,
        /// The store, layout or archive.
        place: String,
    },
    /// A store name asked of a directory that holds no store.
    #[error("no image `{name}`: there is no store at {}", root.display())]
    NoStore {
        /// The name asked for.
        name: String,
        /// Where the store should be.
        root: std::path::PathBuf,
    },
    /// A layout or archive that holds no image at all.
    #[error("{reference}: the layout holds no image")]
    Empty {
        /// The layout or archive.
        reference: String,
    },
    /// An index without a manifest for the platform asked for.
    #[error("no manifest for platform {platform} in index {index}{}", if available.is_empty() { String::new() } else { format!(" (it has {})", available.join(", ")) })]
    NoPlatform {
        /// The platform asked for.
        platform: String,
        /// The index.
        index: Digest,
        /// The platforms it has, when known.
        available: Vec<String>,
    },
    /// A directory named as an OCI layout that is not one.
    #[error("{reference}: {} is not an OCI image layout (no index.json)", dir.display())]
    NotLayout {
        /// The reference.
        reference: String,
        /// The directory.
        dir: std::path::PathBuf,
    },
    /// A file a reference names that does not exist.
    #[error("{}: no such file", path.display())]
    NoFile {
        /// The file.
        path: std::path::PathBuf,
    },
    /// An archive without a member its manifest names.
    #[error("{}: no member {member}", archive.display())]
    NoMember {
        /// The archive.
        archive: std::path::PathBuf,
        /// The member.
        member: String,
    },
    /// A registry without the blob or manifest asked for.
    #[error("{reference}: not found")]
    Missing {
        /// What was asked for.
        reference: String,
    },
}

impl Error {
    /// A JSON error about `what`.
    pub(crate) fn json(what: impl Into<String>, source: serde_json::Error) -> Self {
        Error::Json {
            what: what.into(),
            source,
        }
    }

    /// Whether the error already names `reference` as its subject.
    fn names(&self, reference: &str) -> bool {
        match self {
            Error::Ambiguous { reference: r, .. }
            | Error::Remote { reference: r }
            | Error::Image { reference: r, .. } => r == reference,
            Error::Transport { text, .. } => text == reference,
            Error::Inconsistent { subject, .. } => subject == reference,
            _ => false,
        }
    }

    /// The error, about the image `reference` names (I/O errors name their file already).
    pub(crate) fn about(self, reference: &str) -> Self {
        match self {
            Error::Io(_)
            | Error::NoImage { .. }
            | Error::NoStore { .. }
            | Error::Empty { .. }
            | Error::NoPlatform { .. }
            | Error::NoFile { .. }
            | Error::NotLayout { .. }
            | Error::NoMember { .. }
            | Error::Missing { .. }
            | Error::Corrupt { .. } => self,
            e if e.names(reference) => e,
            e => Error::Image {
                reference: reference.to_string(),
                source: Box::new(e),
            },
        }
    }
}
