//! A Debian repository client that knows nothing of images.
//!
//! Brief overview:
//! - [`sources::discover`] finds the archive roots in the machine's apt sources.
//! - [`Repository::open`] fetches each suite's `InRelease`, verifies its OpenPGP signature
//!   against a [`release::Keyring`] and checks `Valid-Until`.
//! - [`Repository::universe`] fetches the `Packages` indexes of one architecture, each checked
//!   against the sha256 the signed release lists, into a [`resolve::Universe`].
//! - [`resolve::Universe::resolve`] picks packages; [`fetch::Cache`] downloads each `.deb`
//!   checked against the sha256 of its index entry; [`debfile::read_deb`] streams its content.
//! - [`version::Version`] orders versions exactly as dpkg does.
#![deny(missing_docs)]

pub mod changelog;
pub mod control;
pub mod debfile;
pub mod fetch;
pub mod packages;
pub mod release;
pub mod resolve;
pub mod sources;
pub mod version;

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use fetch::{Cache, CacheRequest, Fetcher, NoReporter, Reporter, hash_file};
pub use release::{Keyring, Release};
pub use resolve::{
    MAINTAINER_SCRIPT_EDGES, MAINTAINER_SCRIPT_TOOLS, Omit, ResolveError, Selection, Universe,
};
pub use version::Version;

/// The multiarch tuple of a Debian architecture (`arm64` → `aarch64-linux-gnu`): the name of
/// its library directory and the prefix of its cross toolchain's programs.
pub fn multiarch_tuple(arch: &str) -> Option<&'static str> {
    Some(match arch {
        "amd64" => "x86_64-linux-gnu",
        "arm64" => "aarch64-linux-gnu",
        "armhf" => "arm-linux-gnueabihf",
        "armel" => "arm-linux-gnueabi",
        "i386" => "i386-linux-gnu",
        "ppc64el" => "powerpc64le-linux-gnu",
        "s390x" => "s390x-linux-gnu",
        "riscv64" => "riscv64-linux-gnu",
        "mips64el" => "mips64el-linux-gnuabi64",
        _ => return None,
    })
}

/// Errors of the repository client. Each names the URL, file or package it is about.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a local file failed.
    #[error("{}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The server could not be reached or the transfer broke.
    #[error("cannot fetch {url}: {reason}")]
    Http {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The server answered with an error status.
    #[error("cannot fetch {url}: HTTP status {code}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        code: u16,
    },
    /// An `InRelease` signature did not verify.
    #[error("{what}: signature check failed: {reason}")]
    Signature {
        /// The release file.
        what: String,
        /// Why.
        reason: String,
    },
    /// A release is past its `Valid-Until`.
    #[error("{what}: expired (valid until {until}); the mirror is stale or replaying old data")]
    Expired {
        /// The release file.
        what: String,
        /// Its `Valid-Until`.
        until: String,
    },
    /// Downloaded bytes do not match the signed hash.
    #[error("{what}: hash mismatch: expected {expected}, got {actual}")]
    Hash {
        /// The URL or file.
        what: String,
        /// Expected size and hash.
        expected: String,
        /// Actual size and hash.
        actual: String,
    },
    /// A release or index could not be parsed.
    #[error("{what}: {reason}")]
    Parse {
        /// The file.
        what: String,
        /// Why.
        reason: String,
    },
    /// A keyring could not be read.
    #[error("keyring {}: {reason}", path.display())]
    Keyring {
        /// The keyring file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A `.deb` is malformed or hostile.
    #[error("{what}: {reason}")]
    Deb {
        /// The package file.
        what: String,
        /// Why.
        reason: String,
    },
    /// A release does not list an index it should have.
    #[error("{what}")]
    Missing {
        /// What is missing, and where.
        what: String,
    },
    /// Dependencies cannot be satisfied.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
}

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Which archive root serves a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    /// The main archive: `<suite>`, `<suite>-updates`.
    Debian,
    /// The security archive: `<suite>-security`.
    Security,
}

impl ArchiveKind {
    /// `debian` or `security`, as written in the lockfile.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debian => "debian",
            Self::Security => "security",
        }
    }
}

/// Where and what to read.
#[derive(Debug, Clone)]
pub struct RepositoryConfig {
    /// Main archive root URL.
    pub debian: String,
    /// Security archive root URL (needed when `security` is on).
    pub security: Option<String>,
    /// The base suite, such as `trixie`.
    pub suite: String,
    /// Components such as `main`.
    pub components: Vec<String>,
    /// Also read `<suite>-updates`.
    pub updates: bool,
    /// Also read `<suite>-security`.
    pub security_updates: bool,
}

/// A verified release of one suite.
#[derive(Debug, Clone)]
pub struct SuiteRelease {
    /// Suite name.
    pub suite: String,
    /// Which archive serves it.
    pub archive: ArchiveKind,
    /// Archive root URL.
    pub root: String,
    /// The parsed, verified release.
    pub release: Release,
    /// sha256 of the `InRelease` bytes.
    pub inrelease_sha256: String,
}

/// An opened repository: every suite's release, verified.
pub struct Repository {
    /// The suites, main suite first.
    pub suites: Vec<SuiteRelease>,
    components: Vec<String>,
    fetcher: Fetcher,
    cache: Cache,
}

impl Repository {
    /// Fetches and verifies the `InRelease` of each suite. `now` (seconds since the epoch) is
    /// checked against `Valid-Until`.
    pub fn open(
        config: &RepositoryConfig,
        keyring: &Keyring,
        fetcher: Fetcher,
        cache: Cache,
        now: i64,
    ) -> Result<Self, Error> {
        let mut wanted = vec![(
            config.suite.clone(),
            ArchiveKind::Debian,
            config.debian.clone(),
        )];
        if config.updates {
            wanted.push((
                format!("{}-updates", config.suite),
                ArchiveKind::Debian,
                config.debian.clone(),
            ));
        }
        if config.security_updates {
            let root = config.security.clone().ok_or_else(|| Error::Missing {
                what: "no security archive found in the apt sources; set `security_mirror` in [debian], or `security = false`".into(),
            })?;
            wanted.push((
                format!("{}-security", config.suite),
                ArchiveKind::Security,
                root,
            ));
        }
        let mut suites = Vec::new();
        for (suite, archive, root) in wanted {
            let url = format!("{}/dists/{suite}/InRelease", root.trim_end_matches('/'));
            let bytes = cache.changing(&fetcher, &url, 64 << 20)?;
            let release = release::verify_inrelease(&bytes, keyring, &url, now)?;
            // A validly signed release of another suite must not stand in for this one.
            if !release.names.is_empty() && !release.names.contains(&suite) {
                return Err(Error::Signature {
                    what: url,
                    reason: format!(
                        "signed release is for {}, not {suite}",
                        release.names.join("/")
                    ),
                });
            }
            let inrelease_sha256 = hex::encode(Sha256::digest(&bytes));
            suites.push(SuiteRelease {
                suite,
                archive,
                root,
                release,
                inrelease_sha256,
            });
        }
        Ok(Self {
            suites,
            components: config.components.clone(),
            fetcher,
            cache,
        })
    }

    /// Reads the `Packages` indexes of `architecture` (and `binary-all` where the release
    /// keeps arch-all packages only there) from every suite and component.
    pub fn universe(&self, architecture: &str) -> Result<Universe, Error> {
        let mut records = Vec::new();
        for s in &self.suites {
            for component in &self.components {
                let mut arches = vec![architecture];
                // As apt does: `binary-all` only when the release lists `all` as an
                // architecture and does not say its packages are in each arch's index too.
                if s.release.architectures.iter().any(|a| a == "all")
                    && !s.release.all_in_arch_indexes
                {
                    arches.push("all");
                }
                for arch in arches {
                    let dir = format!("{component}/binary-{arch}");
                    let text = match self.index_text(s, &dir)? {
                        Some(t) => t,
                        None if arch == "all" => continue,
                        None => {
                            return Err(Error::Missing {
                                what: format!(
                                    "{}/dists/{}: no {dir}/Packages index (is `{architecture}` or `{component}` in this suite?)",
                                    s.root, s.suite
                                ),
                            });
                        }
                    };
                    let parsed =
                        packages::parse_index(&text, &s.suite).map_err(|reason| Error::Parse {
                            what: format!("{}/dists/{}/{dir}/Packages", s.root, s.suite),
                            reason,
                        })?;
                    records.extend(parsed);
                }
            }
        }
        let description = format!(
            "{}/{} {architecture}",
            self.suites[0].suite,
            self.components.join(",")
        );
        Ok(Universe::new(records, architecture, description))
    }

    /// Fetches one index (preferring xz, then gz, then plain), verified against the release.
    ///
    /// Once read, an index stays in the cache uncompressed, as apt keeps its lists: decoding
    /// the xz of trixie's main index costs 0.7 s, reading and hashing the plain file 50 ms.
    /// The release lists the plain file's sha256 too, so the cached copy is checked like any
    /// download.
    fn index_text(&self, s: &SuiteRelease, dir: &str) -> Result<Option<String>, Error> {
        let base = format!("{}/dists/{}", s.root.trim_end_matches('/'), s.suite);
        let plain = s.release.files.get(&format!("{dir}/Packages"));
        let utf8 = |bytes: Vec<u8>, url: &str| {
            String::from_utf8(bytes)
                .map(Some)
                .map_err(|e| Error::Parse {
                    what: url.to_string(),
                    reason: e.to_string(),
                })
        };
        if let Some(p) = plain
            && let Some(bytes) = self.cache.cached_index(&p.sha256)
        {
            return utf8(bytes, &format!("{base}/{dir}/Packages"));
        }
        for suffix in [".xz", ".gz", ""] {
            let rel = format!("{dir}/Packages{suffix}");
            let Some(file) = s.release.files.get(&rel) else {
                continue;
            };
            let url = format!("{base}/{rel}");
            // With the plain file's hash known, only the plain file is worth keeping.
            let get = |url: &str| match plain {
                Some(_) => fetch::fetch_verified(&self.fetcher, url, file.size, &file.sha256),
                None => self
                    .cache
                    .index(&self.fetcher, url, file.size, &file.sha256),
            };
            // By-hash URLs cannot change under us while the mirror updates; some mirrors lack
            // a few of them, so fall back to the plain name (verified by hash all the same).
            let fetched = if s.release.acquire_by_hash {
                match get(&format!("{base}/{dir}/by-hash/SHA256/{}", file.sha256)) {
                    Err(Error::Status { code: 404, .. }) => None,
                    other => Some(other?),
                }
            } else {
                None
            };
            let bytes = match fetched {
                Some(b) => b,
                None => get(&url)?,
            };
            let text = decompress(suffix, bytes).map_err(|e| Error::Parse {
                what: url.clone(),
                reason: e.to_string(),
            })?;
            if let Some(p) = plain {
                fetch::check_bytes(&format!("{url}, uncompressed"), &text, p.size, &p.sha256)?;
                self.cache.store_index(&p.sha256, &text)?;
            }
            return utf8(text, &url);
        }
        Ok(None)
    }

    /// The download URL of a package file listed by `suite`.
    pub fn package_url(&self, suite: &str, filename: &str) -> Option<String> {
        let s = self.suites.iter().find(|s| s.suite == suite)?;
        Some(format!("{}/{filename}", s.root.trim_end_matches('/')))
    }
}

/// The contents of an index served with this suffix (`.xz`, `.gz` or none).
fn decompress(suffix: &str, bytes: Vec<u8>) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    match suffix {
        ".xz" => liblzma::read::XzDecoder::new_multi_decoder(&bytes[..]).read_to_end(&mut out)?,
        ".gz" => flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut out)?,
        _ => return Ok(bytes),
    };
    Ok(out)
}
