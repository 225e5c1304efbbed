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

/// What the command line says, hadolint's flags: empty or `false` where it says nothing.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--format`.
    pub format: Option<String>,
    /// `--failure-threshold`.
    pub failure_threshold: Option<String>,
    /// `--no-fail`.
    pub no_fail: bool,
    /// `--no-color` (or `NO_COLOR` set).
    pub no_color: bool,
    /// `--style`, `--info`, `--warning`, `--error`, in that order.
    pub overrides: Vec<(String, Severity)>,
    /// `--ignore` (replaces the configuration's list, as in hadolint).
    pub ignore: Vec<String>,
    /// `--trusted-registry` (replaces the environment's and the file's).
    pub trusted_registries: Vec<String>,
    /// `--disable-ignore-pragma`.
    pub disable_ignore_pragma: bool,
    /// `--strict-labels`.
    pub strict_labels: bool,
    /// `--require-label LABEL:FORMAT` (adds to and overrides the file's schema).
    pub require_labels: Vec<String>,
}

/// Where a setting is not one hadolint knows.
#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    /// An unknown output format.
    #[error(
        "unknown format {0:?}: use tty, json, checkstyle, codeclimate, gitlab_codeclimate, gnu, codacy, sonarqube, sarif or junit"
    )]
    Format(String),
    /// An unknown failure threshold.
    #[error("unknown failure threshold {0:?}: use error, warning, info, style, ignore or none")]
    Threshold(String),
    /// A `--require-label` that is not `LABEL:FORMAT`.
    #[error("--require-label {0:?}: write it as LABEL:FORMAT")]
    RequireLabel(String),
    /// A label format hadolint does not know.
    #[error(
        "label {label:?}: unknown format {format:?}: use text, url, semver, hash, spdx, rfc3339 or email"
    )]
    LabelFormat {
        /// The label.
        label: String,
        /// Its format as written.
        format: String,
    },
}

/// Settings as hadolint merges them: flags over the environment over the file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The report format.
    pub format: crate::format::Format,
    /// Findings at or above it fail the run.
    pub threshold: Severity,
    /// Never fail.
    pub no_fail: bool,
    /// No colour in the tty format.
    pub no_color: bool,
    /// What the linter is given (ShellCheck, caches and pins are the caller's to add).
    pub options: crate::Options,
}

/// Merges `flags`, `env` and `file` as hadolint does.
pub fn settings(flags: &Flags, env: &Env, file: &File) -> Result<Settings, SettingError> {
    let format_name = flags
        .format
        .clone()
        .or(env.format.clone())
        .or(file.format.clone())
        .unwrap_or_else(|| "tty".into());
    let format =
        crate::format::Format::parse(&format_name).ok_or(SettingError::Format(format_name))?;
    let threshold_name = flags
        .failure_threshold
        .clone()
        .or(env.failure_threshold.clone())
        .or(file.failure_threshold.clone())
        .unwrap_or_else(|| "info".into());
    let threshold =
        Severity::parse(&threshold_name).ok_or(SettingError::Threshold(threshold_name))?;
    let mut overrides = file.overrides.pairs();
    overrides.extend(env.overrides.pairs());
    overrides.extend(flags.overrides.iter().cloned());
    let ignored = match flags.ignore.is_empty() {
        false => flags.ignore.clone(),
        true => env.ignored.clone().unwrap_or(file.ignored.clone()),
    };
    let trusted_registries = match flags.trusted_registries.is_empty() {
        false => flags.trusted_registries.clone(),
        true => env
            .trusted_registries
            .clone()
            .unwrap_or(file.trusted_registries.clone()),
    };
    let mut schema: Vec<(String, String)> = file.label_schema.clone().into_iter().collect();
    for item in &flags.require_labels {
        let (label, kind) = item
            .split_once(':')
            .ok_or_else(|| SettingError::RequireLabel(item.clone()))?;
        schema.retain(|(l, _)| l != label);
        schema.push((label.to_string(), kind.to_string()));
    }
    let mut label_schema = Vec::new();
    for (label, kind) in schema {
        let parsed = crate::LabelType::parse(&kind).ok_or_else(|| SettingError::LabelFormat {
            label: label.clone(),
            format: kind.clone(),
        })?;
        label_schema.push((label, parsed));
    }
    Ok(Settings {
        format,
        threshold,
        no_fail: flags.no_fail || env.no_fail.or(file.no_fail).unwrap_or(false),
        no_color: flags.no_color || env.no_color.or(file.no_color).unwrap_or(false),
        options: crate::Options {
            ignored,
            overrides,
            disable_ignore_pragma: flags.disable_ignore_pragma
                || env
                    .disable_ignore_pragma
                    .or(file.disable_ignore_pragma)
                    .unwrap_or(false),
            trusted_registries,
            strict_labels: flags.strict_labels
                || env.strict_labels.or(file.strict_labels).unwrap_or(false),
            label_schema,
            ..crate::Options::default()
        },
    })
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

    /// Flags over the environment over the file; `--ignore` and `--trusted-registry`
    /// replace the lists below them, overrides add up in that order, `--require-label`
    /// replaces a label's format.
    #[test]
    fn flags_over_environment_over_file() {
        let file: File = serde_norway::from_str(
            "ignored: [DL3008]\nfailure-threshold: warning\nformat: json\nlabel-schema:\n  author: text\n  version: semver\ntrustedRegistries: [a.example]\n",
        )
        .unwrap();
        let env = Env::read(&|name| match name {
            "HADOLINT_FORMAT" => Some("gnu".into()),
            "HADOLINT_IGNORE" => Some("DL3009".into()),
            _ => None,
        });
        let merged = settings(&Flags::default(), &env, &file).unwrap();
        assert_eq!(merged.format, crate::format::Format::parse("gnu").unwrap());
        assert_eq!(merged.threshold, Severity::Warning);
        assert_eq!(merged.options.ignored, ["DL3009"]);
        assert_eq!(merged.options.trusted_registries, ["a.example"]);
        let flags = Flags {
            ignore: vec!["DL3006".into()],
            failure_threshold: Some("error".into()),
            require_labels: vec!["version:text".into()],
            ..Flags::default()
        };
        let merged = settings(&flags, &env, &file).unwrap();
        assert_eq!(merged.options.ignored, ["DL3006"]);
        assert_eq!(merged.threshold, Severity::Error);
        assert_eq!(
            merged.options.label_schema,
            [
                ("author".to_string(), crate::LabelType::Text),
                ("version".to_string(), crate::LabelType::Text)
            ]
        );
        let bad = Flags {
            require_labels: vec!["version".into()],
            ..Flags::default()
        };
        assert!(matches!(
            settings(&bad, &env, &file),
            Err(SettingError::RequireLabel(_))
        ));
    }
}
