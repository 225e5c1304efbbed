//! What an image is exposed to.
//!
//! - [`updates`]: for installed Debian packages, the newer versions the mirror's suites
//!   (`-security`, `-updates`, a point release) already hold, and the CVE ids the new version's
//!   changelog names since the installed one. This needs nothing but the mirror: "fixable
//!   now", with the reason.
//! - [`db`]: the advisory database: the Debian Security Tracker's export and OSV's exports
//!   for PyPI, npm, Go and crates.io, downloaded by `bosun db update` into an indexed form
//!   ([`tracker`], [`osv`]) that a scan reads only the packages it needs from.
//! - [`findings`]: matching an image's packages against it, each finding with Debian's verdict;
//!   [`ignore`] and [`vex`] say which findings a team has already judged.
#![deny(missing_docs)]

pub mod copy;
pub mod db;
pub mod findings;
pub mod ignore;
pub mod osv;
pub mod scan;
pub mod tracker;
pub mod updates;
mod version;
pub mod vex;

use std::path::PathBuf;

use bosun_sbom::purl::Purl;
use bosun_sbom::{Kind, Package};
use serde::{Deserialize, Serialize};

/// Errors of vulnerability work.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Debian repository client failed (also for the database downloads).
    #[error(transparent)]
    Deb(#[from] bosun_deb::Error),
    /// A local file could not be read or written.
    #[error("{}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Downloaded or local data is not what it should be.
    #[error("{what}: {reason}")]
    Invalid {
        /// The file or URL.
        what: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A registry.
    #[error(transparent)]
    Registry(#[from] bosun_registry::Error),
    /// Signatures could not be read.
    #[error(transparent)]
    Trust(#[from] bosun_trust::Error),
    /// What a reference names is not a database copy.
    #[error(
        "{reference} is no vulnerability database (artifact type {artifact_type}, not {}); `bosun db push` makes one",
        copy::ARTIFACT
    )]
    NotACopy {
        /// The reference.
        reference: String,
        /// What it is.
        artifact_type: String,
    },
    /// A copy without a valid signature by the key asked for.
    #[error("{reference}: no valid signature by {key}{}", if refused.is_empty() { String::new() } else { format!(" ({})", refused.join("; ")) })]
    Unsigned {
        /// The copy.
        reference: String,
        /// The key.
        key: String,
        /// Why the signatures found were refused.
        refused: Vec<String>,
    },
    /// There is no database where one was asked for.
    #[error("no vulnerability database in {}: run `bosun db update`", .0.display())]
    NoDatabase(PathBuf),
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(what: impl std::fmt::Display, reason: impl std::fmt::Display) -> Self {
        Error::Invalid {
            what: what.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// A package ecosystem advisories are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Ecosystem {
    /// Debian packages (the Security Tracker, by source package).
    #[serde(rename = "debian")]
    Debian,
    /// Python distributions.
    #[serde(rename = "pypi")]
    PyPI,
    /// npm packages.
    #[serde(rename = "npm")]
    Npm,
    /// Go modules.
    #[serde(rename = "go")]
    Go,
    /// Rust crates.
    #[serde(rename = "crates.io")]
    CratesIo,
}

impl Ecosystem {
    /// The ecosystems OSV's exports are read for.
    pub const OSV: [Ecosystem; 4] = [
        Ecosystem::PyPI,
        Ecosystem::Npm,
        Ecosystem::Go,
        Ecosystem::CratesIo,
    ];

    /// The name OSV gives the ecosystem (its export's directory).
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Debian => "Debian",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Npm => "npm",
            Ecosystem::Go => "Go",
            Ecosystem::CratesIo => "crates.io",
        }
    }

    /// The ecosystem of an OSV name, case-insensitively.
    pub fn from_osv_name(name: &str) -> Option<Self> {
        [Ecosystem::Debian]
            .into_iter()
            .chain(Self::OSV)
            .find(|e| e.osv_name().eq_ignore_ascii_case(name))
    }

    /// A package name as advisories of this ecosystem write it (PyPI's are PEP 503
    /// normalized; the others are compared as they are).
    pub fn normalize(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => bosun_sbom::pep503_name(name),
            _ => name.to_string(),
        }
    }
}

/// A package to match advisories against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// Name, normalized for its ecosystem.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Debian: the source package and its version (the binary's own when not given).
    pub source: Option<(String, String)>,
    /// Package URL.
    pub purl: String,
}

impl Component {
    /// The component for a catalogued package, if advisories exist for its kind.
    pub fn from_package(p: &Package) -> Option<Self> {
        let ecosystem = match p.kind {
            Kind::Deb => Ecosystem::Debian,
            Kind::Python => Ecosystem::PyPI,
            Kind::Npm => Ecosystem::Npm,
            Kind::GoModule => Ecosystem::Go,
            Kind::RustCrate => Ecosystem::CratesIo,
            Kind::JavaArchive => return None,
        };
        Some(Component {
            ecosystem,
            name: ecosystem.normalize(&p.name),
            version: p.version.clone(),
            source: p.source.clone(),
            purl: p.purl.clone(),
        })
    }

    /// The component a purl names (`pkg:deb`, `pkg:pypi`, `pkg:npm`, `pkg:golang`,
    /// `pkg:cargo`, with a version), if advisories exist for its type.
    pub fn from_purl(purl: &str) -> Option<Self> {
        let p = Purl::parse(purl)?;
        let version = p.version.clone()?;
        let joined = || match &p.namespace {
            Some(ns) => format!("{ns}/{}", p.name),
            None => p.name.clone(),
        };
        let (ecosystem, name) = match p.kind.as_str() {
            "deb" => (Ecosystem::Debian, p.name.clone()),
            "pypi" => (Ecosystem::PyPI, p.name.clone()),
            "npm" => (Ecosystem::Npm, joined()),
            "golang" => (Ecosystem::Go, joined()),
            "cargo" => (Ecosystem::CratesIo, p.name.clone()),
            _ => return None,
        };
        let source = p
            .qualifiers
            .get("upstream")
            .map(|u| match u.split_once('@') {
                Some((s, v)) => (s.to_string(), v.to_string()),
                None => (u.clone(), version.clone()),
            });
        Some(Component {
            ecosystem,
            name: ecosystem.normalize(&name),
            version,
            source,
            purl: purl.to_string(),
        })
    }

    /// Debian: the source package's name.
    pub fn source_name(&self) -> &str {
        self.source.as_ref().map_or(&self.name, |(s, _)| s)
    }

    /// Debian: the source package's version (what the tracker's fixed versions are).
    pub fn source_version(&self) -> &str {
        self.source.as_ref().map_or(&self.version, |(_, v)| v)
    }
}

/// How bad a vulnerability is, in the scale scanners share.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Nobody has rated it yet.
    #[default]
    Unknown,
    /// Debian's `unimportant`; CVSS 0.
    Negligible,
    /// Low.
    Low,
    /// Medium (GitHub's "moderate").
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// A rating as advisories write it: a Debian urgency (`high`, `low**`, `unimportant`,
    /// `not yet assigned`) or a GitHub/OSV label (`MODERATE`, `CRITICAL`).
    pub fn from_label(label: &str) -> Self {
        match label
            .trim_end_matches('*')
            .trim()
            .to_ascii_lowercase()
            .as_str()
        {
            "critical" => Severity::Critical,
            "high" | "important" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" => Severity::Low,
            "unimportant" | "negligible" | "none" => Severity::Negligible,
            _ => Severity::Unknown,
        }
    }

    /// The rating of a CVSS base score (CVSS v3/v4's qualitative scale).
    pub fn from_score(score: f64) -> Self {
        match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            s if s > 0.0 => Severity::Low,
            _ => Severity::Negligible,
        }
    }

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Negligible => "negligible",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_from_purls() {
        let c = Component::from_purl(
            "pkg:deb/debian/libfoo1@1.0-1%2Bb1?arch=amd64&distro=debian-13&upstream=foo%401.0-1",
        )
        .unwrap();
        assert_eq!(
            (c.ecosystem, c.name.as_str()),
            (Ecosystem::Debian, "libfoo1")
        );
        assert_eq!((c.source_name(), c.source_version()), ("foo", "1.0-1"));
        let c = Component::from_purl("pkg:deb/debian/hello@2.10-1?upstream=hello-src").unwrap();
        assert_eq!(
            (c.source_name(), c.source_version()),
            ("hello-src", "2.10-1")
        );
        let c = Component::from_purl("pkg:pypi/Foo_Bar@1.0").unwrap();
        assert_eq!(c.name, "foo-bar");
        let c = Component::from_purl("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(c.name, "@babel/core");
        let c = Component::from_purl("pkg:golang/golang.org/x/net@v0.1.0").unwrap();
        assert_eq!(
            (c.ecosystem, c.name.as_str()),
            (Ecosystem::Go, "golang.org/x/net")
        );
        assert_eq!(Component::from_purl("pkg:maven/a/b@1"), None);
        assert_eq!(Component::from_purl("pkg:cargo/serde"), None, "no version");
    }

    #[test]
    fn severities() {
        assert_eq!(Severity::from_label("low**"), Severity::Low);
        assert_eq!(Severity::from_label("MODERATE"), Severity::Medium);
        assert_eq!(Severity::from_label("not yet assigned"), Severity::Unknown);
        assert_eq!(Severity::from_label("unimportant"), Severity::Negligible);
        assert_eq!(Severity::from_score(9.8), Severity::Critical);
        assert_eq!(Severity::from_score(6.9), Severity::Medium);
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Unknown);
    }
}
