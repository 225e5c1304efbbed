//! The policy file: a TOML table per rule. A rule is on when its table is there, and
//! enforced unless it says `mode = "warn"`:
//!
//! ```toml
//! [digest]                        # the reference pins a digest
//! [base]                          # base images (from provenance or base annotations)
//! allow = ["registry.internal:5000/base/"]
//! [signed]                        # a valid signature by one of the keys
//! keys = ["cosign.pub"]
//! [provenance]                    # SLSA provenance attested by a key, from a builder
//! keys = ["cosign.pub"]
//! builders = ["urn:bosun:builder:v1"]
//! [sbom]                          # an SPDX or CycloneDX attestation by a key
//! keys = ["cosign.pub"]
//! [vulnerabilities]               # no vulnerability with a fix at or above a severity
//! severity = "high"               # (suite = "bookworm" when os-release does not say)
//! [non-root]                      # a numeric non-zero user (Kubernetes runAsNonRoot)
//! [healthcheck]
//! [init]                          # PID 1 is an init (or the image chose its stop signal)
//! [no-shell]                      # no shell or package manager, unless allowed
//! allow = ["/bin/sh"]
//! [no-secrets]
//! [size]
//! max = "200MB"
//! [labels]
//! required = ["org.opencontainers.image.source"]
//! [age]
//! max-days = 90
//! [kubernetes]                    # manifests' container settings: all checked unless skipped
//! skip = ["probes"]
//! ```
#![allow(missing_docs)] // each rule's table is documented by the example above

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Policy {
    pub digest: Option<Plain>,
    pub base: Option<Base>,
    pub signed: Option<Keys>,
    pub provenance: Option<Provenance>,
    pub sbom: Option<Keys>,
    pub vulnerabilities: Option<Vulnerabilities>,
    pub non_root: Option<Plain>,
    pub healthcheck: Option<Plain>,
    pub init: Option<Plain>,
    pub no_shell: Option<Allow>,
    pub no_secrets: Option<Plain>,
    pub size: Option<Size>,
    pub labels: Option<Labels>,
    pub age: Option<Age>,
    pub kubernetes: Option<Kubernetes>,
}

/// Manifests' container settings: all checked unless skipped.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kubernetes {
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub skip: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Enforce,
    Warn,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plain {
    #[serde(default)]
    pub mode: Mode,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Base {
    #[serde(default)]
    pub mode: Mode,
    pub allow: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keys {
    #[serde(default)]
    pub mode: Mode,
    pub keys: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    #[serde(default)]
    pub mode: Mode,
    pub keys: Vec<String>,
    #[serde(default)]
    pub builders: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Vulnerabilities {
    #[serde(default)]
    pub mode: Mode,
    pub severity: String,
    /// The Debian release, for images whose os-release does not name it.
    pub suite: Option<String>,
    /// Days after which the advisory database counts as missing (default 5, as `scan`).
    #[serde(default = "default_max_db_age")]
    pub max_db_age: u32,
}

fn default_max_db_age() -> u32 {
    5
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allow {
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub allow: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Size {
    #[serde(default)]
    pub mode: Mode,
    pub max: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    #[serde(default)]
    pub mode: Mode,
    pub required: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Age {
    #[serde(default)]
    pub mode: Mode,
    pub max_days: u32,
}

/// bosun's baseline: what every image should pass, checked when there is no policy file.
const BASELINE: &str = include_str!("baseline.toml");

impl Policy {
    /// The policy in `text`, the contents of `path` (errors name the file, line and column).
    pub fn parse(path: &Path, text: &str) -> Result<Policy, Error> {
        Ok(bosun_spec::parse_toml(path, text)?)
    }

    /// bosun's baseline, with a `[signed]` rule for `key` when one is given.
    pub fn baseline(key: Option<&str>) -> Result<Policy, Error> {
        Policy::parse(Path::new("baseline policy"), &baseline_text(key))
    }

    /// Whether the policy has rules about images (not only about manifests).
    pub fn has_image_rules(&self) -> bool {
        self.digest.is_some()
            || self.base.is_some()
            || self.signed.is_some()
            || self.provenance.is_some()
            || self.sbom.is_some()
            || self.vulnerabilities.is_some()
            || self.non_root.is_some()
            || self.healthcheck.is_some()
            || self.init.is_some()
            || self.no_shell.is_some()
            || self.no_secrets.is_some()
            || self.size.is_some()
            || self.labels.is_some()
            || self.age.is_some()
    }
}

/// The baseline's text (what `bosun policy init` writes), with a `[signed]` rule for `key`
/// when one is given.
pub fn baseline_text(key: Option<&str>) -> String {
    match key {
        Some(key) => format!(
            "{BASELINE}\n[signed]                      # a valid signature by this key\nkeys = [{}]\n",
            toml::Value::String(key.to_string())
        ),
        None => BASELINE.to_string(),
    }
}
