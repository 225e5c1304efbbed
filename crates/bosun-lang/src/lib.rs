//! An app's own dependencies, from the lockfile its ecosystem's tools wrote: which files to
//! fetch for a target image, and how to lay them out in a layer, without running anything.
//!
//! Brief overview:
//! - [`python`]: `uv.lock`, `pylock.toml` (PEP 751) and hash-pinned `requirements.txt`; PEP 508
//!   markers and wheel tags evaluated for the image's interpreter, glibc and architecture;
//!   wheels unpacked as the binary distribution format says (console scripts, `.data`,
//!   `RECORD` checked file by file).
//! - [`npm`]: `package-lock.json` v2/v3; optional packages filtered by the target's os, cpu
//!   and libc; tarballs checked against their `integrity` and unpacked at their lock path,
//!   `.bin` links made.
//! - [`Integrity`]: the hash a lockfile records for a file, checked on every read.
//!
//! Nothing here touches the network: the caller fetches each chosen file (by its URL, checked
//! against its [`Integrity`]) and hands its bytes back. The one place a lockfile lacks URLs,
//! hashed `requirements.txt`, asks a [`python::SimpleIndex`] the caller implements.
#![deny(missing_docs)]

pub mod npm;
pub mod python;

use std::path::PathBuf;

use sha2::Digest as _;

/// Why an app's lockfile or one of its files was refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The lockfile cannot be read or says something bosun cannot install.
    #[error("{}: {message}", path.display())]
    Lockfile {
        /// The app's lockfile.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A locked package has no file that fits the target.
    #[error("{package} {version} has no {what} for {target}{hint}")]
    NoFile {
        /// The package.
        package: String,
        /// Its locked version.
        version: String,
        /// `wheel`, `tarball`.
        what: &'static str,
        /// The target, such as `CPython 3.13 on linux/arm64 (glibc 2.41)`.
        target: String,
        /// What else there is.
        hint: String,
    },
    /// A downloaded file is not what the lockfile pins.
    #[error("{package}: {file} does not match {against} (expected {expected}, got {actual})")]
    Hash {
        /// The package.
        package: String,
        /// The file (name or path inside an archive).
        file: String,
        /// What it was checked against (`the lockfile's sha256`, `its RECORD's sha256`).
        against: String,
        /// What the lockfile (or the wheel's `RECORD`) says.
        expected: String,
        /// What the bytes hash to.
        actual: String,
    },
    /// An archive is malformed or hostile (a path leaving its root, a link, a bad entry).
    #[error("{package}: {file}: {message}")]
    Archive {
        /// The package.
        package: String,
        /// The archive's file name.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A package index could not answer.
    #[error("package index {url}")]
    Index {
        /// The page asked for.
        url: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The hash a lockfile pins a file to: `sha256:<hex>` (PyPI) or an SRI string such as
/// `sha512-<base64>` (npm).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Integrity {
    /// `sha1`, `sha256`, `sha384` or `sha512`.
    pub algorithm: String,
    /// The digest, hex.
    pub hex: String,
}

impl Integrity {
    /// A sha256 hex digest.
    pub fn sha256(hex: &str) -> Self {
        Self {
            algorithm: "sha256".into(),
            hex: hex.to_ascii_lowercase(),
        }
    }

    /// Parses `ALG:HEX` (uv, pip's `--hash`) or `ALG-BASE64` (SRI, npm); of several
    /// space-separated SRI values the strongest is kept.
    pub fn parse(text: &str) -> Option<Self> {
        use base64::Engine as _;
        let strength = |a: &str| {
            ["sha1", "sha256", "sha384", "sha512"]
                .iter()
                .position(|s| *s == a)
        };
        let mut best: Option<Self> = None;
        for part in text.split_whitespace() {
            let parsed = if let Some((alg, hex)) = part.split_once(':') {
                hex::decode(hex)
                    .ok()
                    .map(|_| (alg.to_ascii_lowercase(), hex.to_ascii_lowercase()))
            } else if let Some((alg, b64)) = part.split_once('-') {
                let b64 = b64.split('?').next().unwrap_or(b64);
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .ok()
                    .map(|bytes| (alg.to_ascii_lowercase(), hex::encode(bytes)))
            } else {
                None
            };
            let Some((algorithm, hex)) = parsed else {
                continue;
            };
            let expected_len = match algorithm.as_str() {
                "sha1" => 40,
                "sha256" => 64,
                "sha384" => 96,
                "sha512" => 128,
                _ => continue,
            };
            if hex.len() != expected_len {
                continue;
            }
            if best
                .as_ref()
                .is_none_or(|b| strength(&algorithm) > strength(&b.algorithm))
            {
                best = Some(Self { algorithm, hex });
            }
        }
        best
    }

    /// The digest of `bytes` with this algorithm, hex.
    pub fn digest(&self, bytes: &[u8]) -> String {
        let mut hasher = self.hasher();
        hasher.update(bytes);
        hasher.finish()
    }

    /// A streaming hasher with this algorithm.
    pub fn hasher(&self) -> Hasher {
        match self.algorithm.as_str() {
            "sha1" => Hasher::Sha1(sha1::Sha1::new()),
            "sha384" => Hasher::Sha384(sha2::Sha384::new()),
            "sha512" => Hasher::Sha512(sha2::Sha512::new()),
            _ => Hasher::Sha256(sha2::Sha256::new()),
        }
    }

    /// Whether `bytes` hash to this value.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        self.digest(bytes) == self.hex
    }
}

impl std::fmt::Display for Integrity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

/// A hasher of one of the algorithms lockfiles use.
pub enum Hasher {
    /// sha1 (old npm lockfiles only).
    Sha1(sha1::Sha1),
    /// sha256.
    Sha256(sha2::Sha256),
    /// sha384.
    Sha384(sha2::Sha384),
    /// sha512.
    Sha512(sha2::Sha512),
}

impl Hasher {
    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(bytes),
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    /// The digest, hex.
    pub fn finish(self) -> String {
        match self {
            Hasher::Sha1(h) => hex::encode(h.finalize()),
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha384(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}

/// A path inside an archive, made relative and checked: no absolute paths, no `..` (even
/// one that would stay inside), no backslash or NUL. `None` for such a path or an empty one.
pub(crate) fn safe_relative(path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains(['\\', '\0']) || path.split('/').any(|p| p == "..") {
        return None;
    }
    bosun_fs::clean_path(path).filter(|p| !p.is_empty())
}

/// The relative path from directory `from` to `to`, both relative to one root.
pub(crate) fn relative(from: &str, to: &str) -> String {
    let a: Vec<&str> = from.split('/').filter(|p| !p.is_empty()).collect();
    let b: Vec<&str> = to.split('/').filter(|p| !p.is_empty()).collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<&str> = vec![".."; a.len() - common];
    parts.extend(&b[common..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_forms() {
        let sri = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
        let i = Integrity::parse(&format!("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk= {sri}")).unwrap();
        assert_eq!(i.algorithm, "sha512");
        assert_eq!(i.hex.len(), 128);
        let empty = Integrity::parse(
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        )
        .unwrap();
        assert!(empty.matches(b""));
        assert!(Integrity::parse("sha256:xyz").is_none());
        assert!(Integrity::parse("md5-AAAA").is_none());
        assert_eq!(
            Integrity::parse("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=")
                .unwrap()
                .hex,
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            safe_relative("package/./lib/x.js").as_deref(),
            Some("package/lib/x.js")
        );
        for bad in ["/etc/passwd", "a/../../b", "..", "", "a\\b"] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
    }
}
