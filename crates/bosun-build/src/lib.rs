//! The builder: spec + lockfile -> layers -> image in the store.
//!
//! Brief overview:
//! - [`lock::resolve`]: resolve a [`bosun_spec::Spec`] into a [`bosun_spec::Lockfile`].
//! - [`build_image`]: plan each image's layers (one per `[base.*]` group, one for the image's
//!   own packages, one for app files), reuse cached layers, assemble the rest from `.deb` files
//!   without running anything from them, and commit the image to a [`bosun_oci::Store`].
#![deny(missing_docs)]

pub mod app;
pub mod assemble;
mod context;
pub mod copy;
mod image;
pub mod inputs;
pub mod lock;
pub mod provenance;
mod sbom;
pub mod step;

pub use context::{BuildContext, BuiltImage, BuiltLayer, RemoteLayers, Snapshot};
pub use image::{build_image, deb_request};

/// Errors of the builder.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The repository client failed.
    #[error(transparent)]
    Deb(#[from] bosun_deb::Error),
    /// The store failed.
    #[error(transparent)]
    Oci(#[from] bosun_oci::Error),
    /// An app's dependencies cannot be locked or installed.
    #[error(transparent)]
    Lang(#[from] bosun_lang::Error),
    /// Cataloguing a built image failed.
    #[error(transparent)]
    Sbom(#[from] bosun_sbom::Error),
    /// Writing a layer failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A group's dependencies cannot be satisfied (the cause follows in the error chain).
    #[error("cannot resolve {group}")]
    Resolve {
        /// `base.NAME` or `image.NAME`.
        group: String,
        /// The chain that failed.
        #[source]
        source: bosun_deb::ResolveError,
    },
    /// Two groups need different versions of one package.
    #[error(
        "{package} resolves to {first} in one group and {second} in {group} ({architecture}); pin one version for both"
    )]
    Conflict {
        /// The package.
        package: String,
        /// The version an earlier group chose.
        first: String,
        /// The version `group` chose.
        second: String,
        /// `base.NAME` or `image.NAME`.
        group: String,
        /// Debian architecture.
        architecture: String,
    },
    /// A package could not be read.
    #[error("cannot read package {package}")]
    Package {
        /// `name version`.
        package: String,
        /// Why.
        #[source]
        source: bosun_deb::Error,
    },
    /// A `copy` entry is refused (its source leaves the project, its owner is unknown, an
    /// ignore file is malformed).
    #[error("{0}")]
    Copy(String),
    /// A file the build reads (the spec, its lock) cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file or directory a `copy` entry names cannot be read.
    #[error("cannot copy {}", path.display())]
    CopyRead {
        /// What could not be read.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file of the app's dependencies (its lockfile, a cached wheel or tarball) cannot be
    /// read or written.
    #[error("{}", path.display())]
    AppFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// bosun.lock does not pin an image the spec reads.
    #[error("bosun.lock does not pin {reference}; run `bosun lock`")]
    Unpinned {
        /// The image.
        reference: String,
    },
    /// An image input names something else than the lock pins.
    #[error(
        "{reference} is {now} now, but bosun.lock pins {pinned}; run `bosun lock` to take the new one"
    )]
    InputMoved {
        /// The image.
        reference: String,
        /// What it names now.
        now: String,
        /// What the lock pins.
        pinned: String,
    },
    /// An image input moved between the reads of two architectures.
    #[error("{reference} changed while it was read; try again")]
    InputChanged {
        /// The image.
        reference: String,
    },
    /// An image input built for another platform than an architecture of the spec.
    #[error(
        "{reference} has no image for {want} (the spec builds {arch}): it is {have}; name a multi-platform image with a {want} manifest, or mark copies whose files fit every architecture with `arch-independent = true`"
    )]
    WrongPlatform {
        /// The image.
        reference: String,
        /// The platform wanted.
        want: String,
        /// The spec's Debian architecture.
        arch: String,
        /// The platform it is.
        have: String,
    },
    /// An image input named as a store name.
    #[error("{reference}: name a transport (docker://, oci:, ...)")]
    InputTransport {
        /// The image.
        reference: String,
    },
    /// An image input that cannot be read.
    #[error("cannot read {reference}")]
    Input {
        /// The image.
        reference: String,
        /// Why.
        #[source]
        source: Box<Error>,
    },
    /// A registry (boxed: its errors are large).
    #[error(transparent)]
    Registry(Box<bosun_registry::Error>),
    /// The registry client could not be made (its settings).
    #[error("{0}")]
    Client(Box<dyn std::error::Error + Send + Sync>),
    /// The remote layer cache failed.
    #[error("remote layer cache")]
    Remote(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A build step failed, or cannot run as the spec has it.
    #[error("step `{step}` {message}")]
    Step {
        /// The step's name.
        step: String,
        /// What went wrong.
        message: String,
    },
    /// This machine cannot make a sandbox for build steps.
    #[error(transparent)]
    Sandbox(#[from] bosun_sandbox::Error),
    /// The lockfile does not match the spec.
    #[error("bosun.lock is out of date with bosun.toml")]
    StaleLock,
    /// The spec has no such image.
    #[error("no image `{0}` in the spec")]
    NoImage(String),
    /// No archive root to download a locked package from.
    #[error("{package} comes from {suite}, but no {archive} archive is configured")]
    NoMirror {
        /// The package.
        package: String,
        /// Its suite in the lockfile.
        suite: String,
        /// `debian` or `security`.
        archive: String,
    },
}

impl From<bosun_registry::Error> for Error {
    fn from(e: bosun_registry::Error) -> Self {
        Error::Registry(Box::new(e))
    }
}
