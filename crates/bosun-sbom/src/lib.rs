//! Software bills of materials: what is inside an image, as the tools that read SBOMs expect.
//!
//! - [`catalog`]: one streaming pass over an image's layers, whiteouts applied, finding Debian
//!   packages (`/var/lib/dpkg/status`, `status.d/`, licenses from `copyright`), Python
//!   distributions (`*.dist-info`, `*.egg-info`), npm packages (`package.json`), Go modules
//!   (a binary's build info), Rust crates (cargo-auditable's `.dep-v0`) and Java archives
//!   (`pom.properties`, else the manifest).
//! - [`spdx`] and [`cyclonedx`]: SPDX 2.3 and CycloneDX 1.6 JSON, deterministic (sorted, ids
//!   derived from content, the time from the image) so one image gives one document.
#![deny(missing_docs)]

mod binary;
pub mod catalog;
pub mod cyclonedx;
pub mod deb;
mod java;
mod lang;
pub mod purl;
pub mod spdx;

use serde::Serialize;

pub use catalog::{LayerScans, catalog, catalog_with};
pub use lang::pep503_name;

/// The `artifactType` (and layer media type) of an SPDX JSON document.
pub const SPDX_ARTIFACT: &str = "application/spdx+json";
/// The `artifactType` (and layer media type) of a CycloneDX JSON document.
pub const CYCLONEDX_ARTIFACT: &str = "application/vnd.cyclonedx+json";

/// Where a package comes from, named as syft names its package types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Kind {
    /// A Debian package.
    #[serde(rename = "deb")]
    Deb,
    /// A Python distribution.
    #[serde(rename = "python")]
    Python,
    /// An npm package.
    #[serde(rename = "npm")]
    Npm,
    /// A Go module compiled into a binary.
    #[serde(rename = "go-module")]
    GoModule,
    /// A Rust crate compiled into a binary (cargo-auditable).
    #[serde(rename = "rust-crate")]
    RustCrate,
    /// A Java archive.
    #[serde(rename = "java-archive")]
    JavaArchive,
}

impl Kind {
    /// The type name (`deb`, `python`, `npm`, `go-module`, `rust-crate`, `java-archive`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Deb => "deb",
            Kind::Python => "python",
            Kind::Npm => "npm",
            Kind::GoModule => "go-module",
            Kind::RustCrate => "rust-crate",
            Kind::JavaArchive => "java-archive",
        }
    }
}

/// One package found in an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Its ecosystem.
    pub kind: Kind,
    /// Name (a Go module path, a Maven artifact id, ...).
    pub name: String,
    /// Version as the ecosystem writes it.
    pub version: String,
    /// Package URL.
    pub purl: String,
    /// Debian architecture (Debian packages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// Source package and its version, when they differ from the binary's (Debian).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<(String, String)>,
    /// Licenses as the package states them (SPDX ids where it uses them).
    pub licenses: Vec<String>,
    /// Where it was found: the metadata file, binary or archive (absolute path).
    pub location: String,
    /// The sha256 of the file it was installed from (images bosun builds: the `.deb`, the
    /// wheel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// The sha512 of the file it was installed from (images bosun builds: an npm tarball).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha512: Option<String>,
    /// The suite it came from (images bosun builds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suite: Option<String>,
    /// Names of the packages of the same kind it depends on.
    pub depends: Vec<String>,
}

impl Package {
    /// A package with what every ecosystem has; the rest empty.
    pub fn new(kind: Kind, name: &str, version: &str, purl: String, location: &str) -> Self {
        Self {
            kind,
            name: name.to_string(),
            version: version.to_string(),
            purl,
            architecture: None,
            source: None,
            licenses: Vec::new(),
            location: location.to_string(),
            sha256: None,
            sha512: None,
            suite: None,
            depends: Vec::new(),
        }
    }

    /// A stable identifier: kind, name, version, and where it was found.
    pub fn id(&self) -> String {
        use sha2::Digest as _;
        let key = format!(
            "{}\0{}\0{}\0{}",
            self.kind.as_str(),
            self.name,
            self.version,
            self.location
        );
        hex::encode(&sha2::Sha256::digest(key.as_bytes())[..8])
    }
}

/// The distribution an image is built from (`/etc/os-release`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Distro {
    /// `ID` (`debian`).
    pub id: String,
    /// `VERSION_ID` (`13`).
    pub version_id: Option<String>,
    /// `VERSION_CODENAME` (`trixie`).
    pub codename: Option<String>,
}

/// What an image holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sbom {
    /// The image as named.
    pub name: String,
    /// Its manifest (or config) digest.
    pub digest: String,
    /// RFC 3339 time the documents carry: the image's creation time.
    pub created: String,
    /// The distribution, when the image says.
    pub distro: Option<Distro>,
    /// Packages, sorted by kind, name, version and location.
    pub packages: Vec<Package>,
    /// Files that belong to no package but were put there on purpose (a build's app files).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileEntry>,
}

/// A file of the image with its content's digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// Absolute path in the image.
    pub path: String,
    /// sha256 of its content, hex.
    pub sha256: String,
    /// sha1 of its content, hex (SPDX requires one on every file).
    pub sha1: String,
}

impl Sbom {
    /// Sorts the packages and their lists, so equal contents give equal documents.
    pub fn normalize(&mut self) {
        for p in &mut self.packages {
            p.licenses.sort();
            p.licenses.dedup();
            p.depends.sort();
            p.depends.dedup();
        }
        self.packages.sort_by(|a, b| {
            (a.kind, &a.name, &a.version, &a.location).cmp(&(
                b.kind,
                &b.name,
                &b.version,
                &b.location,
            ))
        });
        self.packages.dedup();
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self.files.dedup();
    }
}

/// Errors of cataloguing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the image failed.
    #[error(transparent)]
    Oci(#[from] bosun_oci::Error),
    /// A layer could not be read.
    #[error("{what}: {source}")]
    Layer {
        /// The layer.
        what: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}
