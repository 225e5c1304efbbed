//! hadolint's configuration: `.hadolint.yaml` found where hadolint looks, `HADOLINT_*`
//! environment variables over it, command-line flags over both.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Severity;

/// A configuration file's keys (all optional). Keys hadolint does not know are ignored, as
/// hadolint ignores them (2.15 reads `trustedRegistries`, not `trusted-registries`, and
/// `format`, not `output-format`); they are kept in `unknown` so the CLI can say so.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct File {
    /// Codes never reported.
    #[serde(default)]
    pub ignored: Vec<String>,
    /// Severity overrides.
    #[serde(default, rename = "override")]
    pub overrides: Overrides,
    /// Registries FROM may name.
    #[serde(default, rename = "trustedRegistries")]
    pub trusted_registries: Vec<String>,
    /// Required labels and their formats.
    #[serde(default)]
    pub label_schema: std::collections::BTreeMap<String, String>,
    /// Only labels in the schema.
    pub strict_labels: Option<bool>,
    /// Exit 1 only from this severity up.
    pub failure_threshold: Option<String>,
    /// Never exit 1 for findings.
    pub no_fail: Option<bool>,
    /// No colors in tty output.
    pub no_color: Option<bool>,
    /// Report pragma-ignored findings too.
    pub disable_ignore_pragma: Option<bool>,
    /// Output format.
    pub format: Option<String>,
    /// Verbose logging.
    pub verbose: Option<bool>,
    /// Keys neither hadolint nor bosun reads.
    #[serde(flatten)]
    pub unknown: std::collections::BTreeMap<String, serde_norway::Value>,
}

/// `override:` lists per severity.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Overrides {
    /// To error.
    #[serde(default)]
    pub error: Vec<String>,
    /// To warning.
    #[serde(default)]
    pub warning: Vec<String>,
    /// To info.
    #[serde(default)]
    pub info: Vec<String>,
    /// To style.
    #[serde(default)]
    pub style: Vec<String>,
}

impl Overrides {
    /// (code, severity) pairs, mildest first so that a stricter one wins when a code is
    /// listed twice.
    pub fn pairs(&self) -> Vec<(String, Severity)> {
        let mut out = Vec::new();
        for (codes, severity) in [
            (&self.style, Severity::Style),
            (&self.info, Severity::Info),
            (&self.warning, Severity::Warning),
            (&self.error, Severity::Error),
        ] {
            out.extend(codes.iter().map(|c| (c.clone(), severity)));
        }
        out
    }
}

/// Where hadolint looks for a configuration file, in order: the working directory, then the
/// user's configuration directories.
pub fn discover(cwd: &Path, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let mut candidates = vec![cwd.join(".hadolint.yaml"), cwd.join(".hadolint.yml")];
    if let Some(xdg) = env("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        candidates.push(Path::new(&xdg).join("hadolint.yaml"));
    }
    if let Some(home) = env("HOME").filter(|v| !v.is_empty()) {
        let home = Path::new(&home);
        candidates.push(home.join(".config/hadolint.yaml"));
        candidates.push(home.join(".hadolint/hadolint.yaml"));
        candidates.push(home.join(".hadolint.yaml"));
    }
    candidates.into_iter().find(|p| p.is_file())
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Reads a configuration file (an empty file is an empty configuration).
pub fn load(path: &Path) -> Result<File, ConfigError> {
    let err = |message: String| ConfigError {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    if text.trim().is_empty() {
        return Ok(File::default());
    }
    serde_norway::from_str(&text).map_err(|e| err(e.to_string()))
}

/// The environment's say: `HADOLINT_*` variables.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `HADOLINT_NOFAIL`
    pub no_fail: Option<bool>,
    /// `HADOLINT_NOCOLOR`
    pub no_color: Option<bool>,
    /// `HADOLINT_VERBOSE`
    pub verbose: Option<bool>,
    /// `HADOLINT_FORMAT`
    pub format: Option<String>,
    /// `HADOLINT_FAILURE_THRESHOLD`
    pub failure_threshold: Option<String>,
    /// `HADOLINT_OVERRIDE_{ERROR,WARNING,INFO,STYLE}`
    pub overrides: Overrides,
    /// `HADOLINT_IGNORE`
    pub ignored: Option<Vec<String>>,
    /// `HADOLINT_TRUSTED_REGISTRIES`
    pub trusted_registries: Option<Vec<String>>,
    /// `HADOLINT_STRICT_LABELS`
    pub strict_labels: Option<bool>,
    /// `HADOLINT_DISABLE_IGNORE_PRAGMA`
    pub disable_ignore_pragma: Option<bool>,
}

impl Env {
    /// Reads the variables through `get`.
    pub fn read(get: &dyn Fn(&str) -> Option<String>) -> Self {
        let flag = |name: &str| get(name).map(|v| truthy(&v));
        let list = |name: &str| {
            get(name).map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
        };
        Env {
            no_fail: flag("HADOLINT_NOFAIL"),
            no_color: flag("HADOLINT_NOCOLOR"),
            verbose: flag("HADOLINT_VERBOSE"),
            format: get("HADOLINT_FORMAT"),
            failure_threshold: get("HADOLINT_FAILURE_THRESHOLD"),
            overrides: Overrides {
                error: list("HADOLINT_OVERRIDE_ERROR").unwrap_or_default(),
                warning: list("HADOLINT_OVERRIDE_WARNING").unwrap_or_default(),
                info: list("HADOLINT_OVERRIDE_INFO").unwrap_or_default(),
                style: list("HADOLINT_OVERRIDE_STYLE").unwrap_or_default(),
            },
            ignored: list("HADOLINT_IGNORE"),
            trusted_registries: list("HADOLINT_TRUSTED_REGISTRIES"),
            strict_labels: flag("HADOLINT_STRICT_LABELS"),
            disable_ignore_pragma: flag("HADOLINT_DISABLE_IGNORE_PRAGMA"),
        }
    }
}

fn truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on" | "y"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hadolint_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".hadolint.yaml");
        std::fs::write(
            &path,
            "ignored: [DL3008]\noverride:\n  error: [DL3006]\ntrustedRegistries:\n  - registry.internal\nfailure-threshold: warning\nno-fail: true\n",
        )
        .unwrap();
        let env = |_: &str| None;
        assert_eq!(discover(dir.path(), &env), Some(path.clone()));
        let file = load(&path).unwrap();
        assert_eq!(file.ignored, ["DL3008"]);
        assert_eq!(
            file.overrides.pairs(),
            [("DL3006".to_string(), Severity::Error)]
        );
        assert_eq!(file.trusted_registries, ["registry.internal"]);
        assert_eq!(file.failure_threshold.as_deref(), Some("warning"));
        std::fs::write(&path, "ignored: [\n").unwrap();
        assert!(
            load(&path)
                .unwrap_err()
                .to_string()
                .contains(".hadolint.yaml")
        );
    }
}
