//! One gate for CI and admission: a policy of rules over images (digest, base, signatures,
//! provenance, SBOM attestations, vulnerabilities, user, healthcheck, init, shells, secrets,
//! size, labels, age) and over the containers of Kubernetes manifests.
//!
//! - [`model`]: the policy file (a rule is on when its table is there, enforced unless it
//!   says `mode = "warn"`), and bosun's baseline.
//! - [`evaluate`]: the rules on one image, given what was read of it.
//! - [`kubernetes`]: manifests' containers and the checks on their settings.
//! - [`report`]: results, SARIF.
#![deny(missing_docs)]

pub mod evaluate;
pub mod kubernetes;
pub mod model;
pub mod report;

use std::path::PathBuf;

pub use evaluate::Checker;
pub use model::{Mode, Policy};
pub use report::{ImageResult, Outcome, RuleResult};

/// Errors of checking a policy.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The policy file does not parse (`file:line:column: ...`).
    #[error(transparent)]
    Parse(#[from] bosun_spec::Error),
    /// A rule's setting is out of range.
    #[error("{}: {rule} {value:?}: {expected}", file.display())]
    Setting {
        /// The policy file.
        file: PathBuf,
        /// `table.key`.
        rule: &'static str,
        /// What it says.
        value: String,
        /// What it may say.
        expected: String,
    },
    /// A rule that checks signatures names no key.
    #[error("{}: a rule that checks signatures needs `keys`", file.display())]
    NoKeys {
        /// The policy file.
        file: PathBuf,
    },
    /// An image with Debian packages whose release is not known.
    #[error("{image}: its os-release names no Debian release; set vulnerabilities.suite in {}", file.display())]
    NoSuite {
        /// The image.
        image: String,
        /// The policy file.
        file: PathBuf,
    },
    /// A key named by a rule.
    #[error(transparent)]
    Key(#[from] bosun_sign::Error),
    /// Signatures and attestations could not be read.
    #[error(transparent)]
    Trust(#[from] bosun_trust::Error),
    /// The vulnerability database could not be read.
    #[error(transparent)]
    Vuln(#[from] bosun_vuln::Error),
    /// The image could not be inspected.
    #[error("cannot inspect {image}")]
    Inspect {
        /// The image.
        image: String,
        /// Why.
        #[source]
        source: bosun_analyze::Error,
    },
    /// The image's packages could not be catalogued.
    #[error("cannot catalogue {image}")]
    Catalog {
        /// The image.
        image: String,
        /// Why.
        #[source]
        source: bosun_sbom::Error,
    },
    /// A manifest file cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A manifest file is not YAML.
    #[error("{} is not YAML", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The parser's complaint.
        #[source]
        source: serde_norway::Error,
    },
}
