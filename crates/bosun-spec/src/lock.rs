//! `bosun.lock`: every input of a build, pinned.
//!
//! ```toml
//! version = 1
//! spec-hash = "sha256:…"        # Spec::resolution_hash of the spec it was made from
//! resolver = 1                  # the revision of the resolution rules that made it
//!
//! [[release]]                   # one per suite and architecture read
//! suite = "trixie-security"
//! archive = "security"          # "debian" or "security": which archive root serves it
//! date = 1763800000             # the InRelease Date, seconds since the epoch
//! inrelease-sha256 = "…"
//!
//! [[group]]                     # which packages make up each layer, per architecture
//! name = "base.core"
//! architecture = "amd64"
//! packages = ["base-files", "libc6"]
//!
//! [[package]]                   # one per (architecture, package)
//! name = "libc6"
//! version = "2.41-12"
//! architecture = "amd64"        # the architecture the package was resolved for
//! package-architecture = "amd64" # "all" for arch-independent packages
//! source = "glibc"
//! source-version = "2.41-12"
//! suite = "trixie"
//! filename = "pool/main/g/glibc/libc6_2.41-12_amd64.deb"
//! size = 2851040
//! sha256 = "…"
//! depends = ["libgcc-s1"]       # the locked packages it pulled in (for `bosun lock --why`)
//! dropped = ["dpkg"]            # dependencies left out: only maintainer scripts use them
//!
//! [[input]]                     # an image the spec builds on (`from`) or copies from
//! reference = "docker://registry.internal/team/core:1"
//! digest = "sha256:…"           # what the reference named when it was locked
//! manifests = { amd64 = "sha256:…", arm64 = "sha256:…" }  # the image used per architecture
//!
//! [[include]]                   # a file the spec includes, as its bytes were when locked
//! path = "../platform/core.toml" # relative to the spec's directory
//! sha256 = "…"
//!
//! [[include]]                   # a file of an OCI artifact in a registry
//! path = "docker://registry.internal/platform/core:1#core.toml"
//! sha256 = "…"
//! digest = "sha256:…"           # the artifact's manifest it was read from
//!
//! [[app]]                       # an app lockfile an image takes dependencies from
//! image = "api"
//! ecosystem = "pypi"            # "pypi" or "npm"
//! lockfile = "app/uv.lock"      # relative to the spec's directory
//! sha256 = "…"                  # of the lockfile's bytes when locked
//!
//! [[app-package]]               # one per (image, ecosystem, architecture, package)
//! image = "api"
//! ecosystem = "pypi"
//! architecture = "arm64"
//! name = "numpy"
//! version = "2.3.1"
//! filename = "numpy-2.3.1-cp313-cp313-manylinux_2_28_aarch64.whl"
//! url = "https://…/numpy-2.3.1-cp313-cp313-manylinux_2_28_aarch64.whl"
//! hash = "sha256:…"             # npm: its integrity, e.g. "sha512:<hex>"
//! size = 14190880               # when the app's lockfile says
//! depends = []
//! needs = ["libstdc++6"]        # Debian packages with the system libraries it loads
//! # npm only: path = "node_modules/x", bin = { x = "cli.js" }, link = "packages/x"
//! ```
//!
//! Mirror URLs are deliberately absent: a lockfile names content by hash, so it works with
//! any mirror of the same archive.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, parse_toml};

/// A whole `bosun.lock`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Lockfile {
    /// Format version, currently 1.
    pub version: u32,
    /// The `Spec::resolution_hash` this lock was made from.
    pub spec_hash: String,
    /// The revision of the resolution rules that picked the newest versions
    /// ([`Lockfile::RESOLVER`]); 0 (and absent from the file) when the lock holds versions
    /// back (`--security-only`) or predates the field. Same spec, same signed releases and
    /// same rules give the same lock, so `bosun lock` reuses a lock whose inputs and rules
    /// are all unchanged.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub resolver: u32,
    /// The signed release files the resolution read.
    #[serde(default, rename = "release")]
    pub releases: Vec<LockedRelease>,
    /// Package sets per group and architecture.
    #[serde(default, rename = "group")]
    pub groups: Vec<LockedGroup>,
    /// The packages.
    #[serde(default, rename = "package")]
    pub packages: Vec<LockedPackage>,
    /// The images the spec builds on or copies from, by digest.
    #[serde(default, rename = "input", skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<LockedInput>,
    /// The files the spec includes, by sha256: a change to a shared file is a change to
    /// review, so `--locked` refuses it until the lock is made again.
    #[serde(default, rename = "include", skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<LockedInclude>,
    /// The app lockfiles images take dependencies from, by sha256.
    #[serde(default, rename = "app", skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<LockedApp>,
    /// The files chosen from them, per image and architecture.
    #[serde(default, rename = "app-package", skip_serializing_if = "Vec::is_empty")]
    pub app_packages: Vec<LockedAppPackage>,
}

/// An app lockfile (`uv.lock`, `package-lock.json`...) an image reads, pinned.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedApp {
    /// The image.
    pub image: String,
    /// `pypi` or `npm`.
    pub ecosystem: String,
    /// Relative to the spec's directory, `/`-separated.
    pub lockfile: String,
    /// sha256 of its bytes, hex.
    pub sha256: String,
}

/// One file of an app's dependencies, chosen for an image and architecture.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedAppPackage {
    /// The image.
    pub image: String,
    /// `pypi` or `npm`.
    pub ecosystem: String,
    /// Debian architecture.
    pub architecture: String,
    /// Package name (PyPI: normalised).
    pub name: String,
    /// Version.
    pub version: String,
    /// npm: the install path (`node_modules/x`, `node_modules/a/node_modules/b`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The file's name (PyPI: the wheel).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub filename: String,
    /// Where it is fetched from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// `ALGORITHM:HEX` of the file, as the app's lockfile pins it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hash: String,
    /// Size in bytes, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Names of the packages it needs (for `bosun lock --why`).
    #[serde(default)]
    pub depends: Vec<String>,
    /// npm: commands it provides (name to file in the package).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub bin: std::collections::BTreeMap<String, String>,
    /// npm: a workspace link's target directory, relative to the project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Debian packages with the system libraries its native code loads (a wheel's
    /// `libstdc++.so.6`: `libstdc++6`); they join the image's packages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
}

/// A file the spec includes, pinned.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedInclude {
    /// Relative to the spec's directory, `/`-separated.
    pub path: String,
    /// sha256 of its bytes, hex.
    pub sha256: String,
    /// For a file of a registry artifact (`docker://REF#FILE`): the digest of the manifest
    /// it was read from. Builds read it there, wherever the tag has moved since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An image a spec reads (`from`, or a copy entry's `image`), pinned.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedInput {
    /// As the spec writes it.
    pub reference: String,
    /// The digest of the manifest or index it named when locked.
    pub digest: String,
    /// The manifest used for each Debian architecture of the spec.
    pub manifests: std::collections::BTreeMap<String, String>,
}

/// One verified `InRelease`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedRelease {
    /// Suite such as `trixie-updates`.
    pub suite: String,
    /// `debian` or `security`.
    pub archive: String,
    /// The release's `Date`, in seconds since the Unix epoch.
    pub date: i64,
    /// sha256 of the `InRelease` file.
    pub inrelease_sha256: String,
}

/// The packages of one layer group for one architecture.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedGroup {
    /// `base.NAME` or `image.NAME`.
    pub name: String,
    /// Debian architecture.
    pub architecture: String,
    /// Package names, sorted.
    pub packages: Vec<String>,
}

/// One pinned `.deb`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedPackage {
    /// Package name.
    pub name: String,
    /// Debian version.
    pub version: String,
    /// The architecture it was resolved for.
    pub architecture: String,
    /// The package's own architecture (`all` for arch-independent ones).
    pub package_architecture: String,
    /// Source package.
    pub source: String,
    /// Source version.
    pub source_version: String,
    /// Suite it was taken from.
    pub suite: String,
    /// Path below the archive root.
    pub filename: String,
    /// Size in bytes.
    pub size: u64,
    /// sha256 of the `.deb`, hex.
    pub sha256: String,
    /// Locked packages this one pulled in.
    #[serde(default)]
    pub depends: Vec<String>,
    /// Dependencies not followed because only maintainer scripts use them (`dpkg`,
    /// `debconf`...): bosun never runs those scripts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<String>,
}

impl Lockfile {
    /// The current format version.
    pub const VERSION: u32 = 1;

    /// The revision of the resolution rules. Raise it whenever a change to the resolver
    /// could select other packages from the same spec and indexes, so that `bosun lock`
    /// resolves again instead of reusing locks made by the old rules.
    /// 2: `ca-certificates`' dependency on `openssl` is a maintainer-script one.
    pub const RESOLVER: u32 = 2;

    /// Whether this lock is exactly what resolving again would give: made by the current
    /// rules from a spec with `spec_hash`, the same signed releases (by `InRelease` sha256)
    /// and the same image inputs.
    pub fn is_reusable(
        &self,
        spec_hash: &str,
        releases: &[LockedRelease],
        inputs: &[LockedInput],
    ) -> bool {
        let mut releases = releases.to_vec();
        releases.sort_by(|a, b| (&a.suite, &a.archive).cmp(&(&b.suite, &b.archive)));
        let mut inputs = inputs.to_vec();
        inputs.sort_by(|a, b| a.reference.cmp(&b.reference));
        self.resolver == Self::RESOLVER
            && self.spec_hash == spec_hash
            && self.releases == releases
            && self.inputs == inputs
    }

    /// Reads a lockfile.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = crate::read(path)?;
        Self::parse(path, &text)
    }

    /// Parses lockfile text; `path` only names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self, Error> {
        let lock: Lockfile = parse_toml(path, text)?;
        if lock.version != Self::VERSION {
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "lockfile version {} is not supported (this bosun writes {})",
                    lock.version,
                    Self::VERSION
                ),
            });
        }
        let hex64 = |h: &str| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit());
        let digest = |d: &str| d.strip_prefix("sha256:").is_some_and(hex64);
        for i in &lock.includes {
            if !hex64(&i.sha256) || !i.digest.as_deref().is_none_or(digest) {
                return Err(Error::Invalid {
                    path: path.to_path_buf(),
                    message: format!("include {} has a malformed digest", i.path),
                });
            }
        }
        for i in &lock.inputs {
            if !digest(&i.digest) || !i.manifests.values().all(|d| digest(d)) {
                return Err(Error::Invalid {
                    path: path.to_path_buf(),
                    message: format!("input {} has a malformed digest", i.reference),
                });
            }
        }
        for a in &lock.apps {
            if !hex64(&a.sha256) {
                return Err(Error::Invalid {
                    path: path.to_path_buf(),
                    message: format!("app lockfile {} has a malformed sha256", a.lockfile),
                });
            }
        }
        for p in &lock.app_packages {
            let hash_ok = p.hash.split_once(':').is_some_and(|(alg, hex)| {
                ["sha1", "sha256", "sha384", "sha512"].contains(&alg)
                    && !hex.is_empty()
                    && hex.bytes().all(|b| b.is_ascii_hexdigit())
            });
            if p.link.is_none() && !hash_ok {
                return Err(Error::Invalid {
                    path: path.to_path_buf(),
                    message: format!("{} {} has a malformed hash", p.ecosystem, p.name),
                });
            }
        }
        for p in &lock.packages {
            if !hex64(&p.sha256) {
                return Err(Error::Invalid {
                    path: path.to_path_buf(),
                    message: format!("package {} has a malformed sha256", p.name),
                });
            }
            if p.filename.starts_with('/') || p.filename.split('/').any(|c| c == "..") {
                return Err(Error::Invalid {
                    path: path.to_path_buf(),
                    message: format!("package {} has an unsafe filename {:?}", p.name, p.filename),
                });
            }
        }
        Ok(lock)
    }

    /// Sorts every list so that equal locks serialise to equal bytes.
    pub fn normalize(&mut self) {
        self.releases
            .sort_by(|a, b| (&a.suite, &a.archive).cmp(&(&b.suite, &b.archive)));
        self.releases.dedup();
        for g in &mut self.groups {
            g.packages.sort();
            g.packages.dedup();
        }
        self.groups
            .sort_by(|a, b| (&a.architecture, &a.name).cmp(&(&b.architecture, &b.name)));
        for p in &mut self.packages {
            p.depends.sort();
            p.depends.dedup();
            p.dropped.sort();
            p.dropped.dedup();
        }
        self.packages
            .sort_by(|a, b| (&a.architecture, &a.name).cmp(&(&b.architecture, &b.name)));
        self.inputs.sort_by(|a, b| a.reference.cmp(&b.reference));
        self.inputs.dedup();
        self.includes.sort_by(|a, b| a.path.cmp(&b.path));
        self.includes.dedup();
        self.apps
            .sort_by(|a, b| (&a.image, &a.ecosystem).cmp(&(&b.image, &b.ecosystem)));
        self.apps.dedup();
        for p in &mut self.app_packages {
            p.depends.sort();
            p.depends.dedup();
            p.needs.sort();
            p.needs.dedup();
        }
        self.app_packages.sort_by(|a, b| {
            (&a.image, &a.ecosystem, &a.architecture, &a.path, &a.name).cmp(&(
                &b.image,
                &b.ecosystem,
                &b.architecture,
                &b.path,
                &b.name,
            ))
        });
    }

    /// The first app lockfile whose bytes differ from what the lock recorded, given what
    /// each is now (`apps`, as [`LockedApp`] with the current sha256; `None` for a file
    /// that cannot be read): its path and the sha256 the lock has (`None` when the lock has
    /// it not). An app lockfile the lock has but the spec no longer uses counts too.
    pub fn changed_app<'a>(&'a self, apps: &'a [LockedApp]) -> Option<(&'a str, Option<&'a str>)> {
        let key = |a: &LockedApp| (a.image.clone(), a.ecosystem.clone(), a.lockfile.clone());
        apps.iter()
            .find_map(
                |now| match self.apps.iter().find(|was| key(was) == key(now)) {
                    Some(was) if was.sha256 == now.sha256 => None,
                    was => Some((now.lockfile.as_str(), was.map(|w| w.sha256.as_str()))),
                },
            )
            .or_else(|| {
                self.apps
                    .iter()
                    .find(|was| !apps.iter().any(|now| key(now) == key(was)))
                    .map(|was| (was.lockfile.as_str(), Some(was.sha256.as_str())))
            })
    }

    /// The app packages of an image for an ecosystem and architecture.
    pub fn app_packages(
        &self,
        image: &str,
        ecosystem: &str,
        architecture: &str,
    ) -> Vec<&LockedAppPackage> {
        self.app_packages
            .iter()
            .filter(|p| {
                p.image == image && p.ecosystem == ecosystem && p.architecture == architecture
            })
            .collect()
    }

    /// The first file `includes` (what a spec includes now) that differs from what the lock
    /// recorded: its path, and the sha256 the lock has for it (`None` when the lock has it
    /// not). A file the lock has but the spec no longer includes counts too.
    pub fn changed_include<'a>(
        &'a self,
        includes: &'a [LockedInclude],
    ) -> Option<(&'a str, Option<&'a str>)> {
        let locked = |path: &str| self.includes.iter().find(|i| i.path == path);
        includes
            .iter()
            .find_map(|now| match locked(&now.path) {
                Some(was) if was.sha256 == now.sha256 && was.digest == now.digest => None,
                was => Some((now.path.as_str(), was.map(|w| w.sha256.as_str()))),
            })
            .or_else(|| {
                self.includes
                    .iter()
                    .find(|was| !includes.iter().any(|now| now.path == was.path))
                    .map(|was| (was.path.as_str(), Some(was.sha256.as_str())))
            })
    }

    /// The pinned input an image reference names.
    pub fn input(&self, reference: &str) -> Option<&LockedInput> {
        self.inputs.iter().find(|i| i.reference == reference)
    }

    /// Serialises to TOML, sorted.
    pub fn to_toml(&self) -> String {
        let mut lock = self.clone();
        lock.normalize();
        let body = toml::to_string(&lock).expect("a lockfile always serialises");
        format!("# This file is written by `bosun lock`. Do not edit it by hand.\n{body}")
    }

    /// The packages of a group for an architecture.
    pub fn group(&self, name: &str, architecture: &str) -> Option<&LockedGroup> {
        self.groups
            .iter()
            .find(|g| g.name == name && g.architecture == architecture)
    }

    /// A locked package by architecture and name.
    pub fn package(&self, architecture: &str, name: &str) -> Option<&LockedPackage> {
        self.packages
            .iter()
            .find(|p| p.architecture == architecture && p.name == name)
    }

    /// `SOURCE_DATE_EPOCH` for builds from this lock: the newest release date it read, so the
    /// same lock gives the same timestamps on any machine at any time.
    pub fn source_date_epoch(&self) -> i64 {
        self.releases.iter().map(|r| r.date).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_sorted() {
        let mut lock = Lockfile {
            version: 1,
            spec_hash: "sha256:x".into(),
            ..Default::default()
        };
        for name in ["zlib1g", "libc6"] {
            lock.packages.push(LockedPackage {
                name: name.into(),
                version: "1.0-1".into(),
                architecture: "amd64".into(),
                package_architecture: "amd64".into(),
                source: name.into(),
                source_version: "1.0-1".into(),
                suite: "trixie".into(),
                filename: format!("pool/main/{name}.deb"),
                size: 1,
                sha256: "ab".repeat(32),
                depends: vec![],
                dropped: vec![],
            });
        }
        let text = lock.to_toml();
        let back = Lockfile::parse(Path::new("bosun.lock"), &text).unwrap();
        assert_eq!(back.packages[0].name, "libc6");
        assert_eq!(back.to_toml(), text);
    }

    #[test]
    fn rejects_unsafe_filename() {
        let text = "version = 1\nspec-hash = \"x\"\n[[package]]\nname=\"a\"\nversion=\"1\"\narchitecture=\"amd64\"\npackage-architecture=\"amd64\"\nsource=\"a\"\nsource-version=\"1\"\nsuite=\"s\"\nfilename=\"../../etc/passwd\"\nsize=1\nsha256=\"".to_string() + &"a".repeat(64) + "\"\n";
        let err = Lockfile::parse(Path::new("bosun.lock"), &text).unwrap_err();
        assert!(err.to_string().contains("unsafe filename"));
    }
}
