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
pub mod copy;
mod image;
pub mod inputs;
pub mod lock;
pub mod provenance;
mod sbom;
pub mod step;

pub use image::{
    BuildContext, BuiltImage, BuiltLayer, RemoteLayers, Snapshot, build_image, deb_request,
};

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
