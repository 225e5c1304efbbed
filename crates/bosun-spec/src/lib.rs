//! The two files a bosun user edits or checks in: the spec (`bosun.toml`) and the lockfile
//! (`bosun.lock`). Bytes in, validated values out; nothing here touches the network or a store.
//!
//! - [`Spec`]: what to build. [`Spec::parse`] reports errors as `file:line:column: message`.
//! - [`Lockfile`]: what the spec resolved to, down to the sha256 of each `.deb`.
#![deny(missing_docs)]

mod compose;
mod lock;
mod sources;
mod spec;
mod vars;

pub use lock::{
    LockedApp, LockedAppPackage, LockedGroup, LockedInclude, LockedInput, LockedPackage,
    LockedRelease, Lockfile,
};
pub use sources::local_image_in;
pub use spec::{
    ACCOUNTS, Account, BaseGroup, Compression, CopyEntry, DEBUG_PACKAGE, DebianSection, FetchSpec,
    Healthcheck, ImageSpec, IncludeFetcher, LoadOptions, NodeDeps, Place, Placement, PythonDeps,
    STEP_BASE, STEP_SHELL, Spec, StepSpec, json_schema, parse_duration, parse_mode,
};

use std::path::{Path, PathBuf};

/// Why a spec or lockfile was refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file is not valid TOML or does not match the schema.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A name that selects no image of the spec.
    #[error("no image `{name}` in {} (it has: {})", path.display(), has.join(", "))]
    NoImage {
        /// The spec file.
        path: PathBuf,
        /// The name asked for.
        name: String,
        /// The images it has.
        has: Vec<String>,
    },
    /// The file parsed but says something bosun cannot do.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Reads a file, naming it in the error.
fn read(path: &std::path::Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Parses TOML into `T`, turning the error's byte span into `file:line:column` (spec,
/// lockfile, and the other TOML files bosun reads, such as policies).
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    text: &str,
) -> Result<T, Error> {
    toml::from_str(text).map_err(|err| toml_error(path, text, err))
}

/// A TOML error in `text` (the contents of `path`) as `file:line:column: message`.
fn toml_error(path: &std::path::Path, text: &str, err: toml::de::Error) -> Error {
    let offset = err.span().map_or(0, |s| s.start);
    syntax(path, text, offset, err.message().trim().replace('\n', " "))
}

/// An error at byte `offset` of `text` (the contents of `path`).
fn syntax(path: &std::path::Path, text: &str, offset: usize, message: String) -> Error {
    let (line, column) = position(text, offset);
    Error::Syntax {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// The 1-based line and column of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The lockfile next to a spec.
pub fn lock_path(spec: &Path) -> PathBuf {
    // Each spec has its own lock: `other.toml` locks into `other.lock`, so two specs in one
    // directory never overwrite each other's.
    match spec.file_name().and_then(|n| n.to_str()) {
        Some("bosun.toml") | None => spec.with_file_name("bosun.lock"),
        Some(name) => spec.with_file_name(format!(
            "{}.lock",
            name.strip_suffix(".toml").unwrap_or(name)
        )),
    }
}

/// The directory a spec lives in (its project directory).
pub fn project_dir(spec: &Path) -> PathBuf {
    match spec.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_names_line_and_column() {
        let err = Spec::parse(std::path::Path::new("b.toml"), "[debian]\nsuite = \n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("b.toml:2:"), "{msg}");
    }
}
