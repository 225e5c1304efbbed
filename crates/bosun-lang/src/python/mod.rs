//! Python dependencies from `uv.lock`, `pylock.toml` or hashed `requirements.txt`.
//!
//! [`lock`] reads the app's lockfile for one [`Target`] (the image's Debian `python3`, its
//! glibc and architecture), evaluates markers for that target, and picks the best wheel of
//! each package the target needs: the [`Dist`]s that `bosun.lock` records. [`wheel::install`]
//! lays one wheel out in Debian's place for locally installed packages,
//! `/usr/local/lib/python3.X/dist-packages` (on `sys.path` of Debian's interpreter without
//! any setting), with console scripts in `/usr/local/bin`.

pub mod config;
pub mod markers;
pub mod native;
pub mod pylock;
pub mod requirements;
pub mod sdist;
pub mod simple;
pub mod tags;
pub mod uv;
pub mod wheel;

use std::collections::BTreeSet;
use std::path::Path;

use crate::{Error, Integrity};
pub use markers::{Environment, normalize};
pub use simple::SimpleIndex;
use tags::{TagSet, WheelName};

/// The interpreter and platform the dependencies are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Python version, `(3, 13, 5)`.
    pub python: (u32, u32, u32),
    /// glibc version, `(2, 41)`.
    pub glibc: (u32, u32),
    /// Debian architecture (`amd64`, `arm64`...).
    pub arch: String,
}

impl Target {
    /// The target of an image whose Debian packages include `python3.X` at `python_version`
    /// and `libc6` at `libc_version` (Debian versions such as `3.13.5-2` and `2.41-12`).
    pub fn from_debian(python_version: &str, libc_version: &str, arch: &str) -> Option<Self> {
        let numbers = |v: &str| -> Vec<u32> {
            let upstream = v.split_once(':').map_or(v, |(_, u)| u);
            let upstream = upstream.rsplit_once('-').map_or(upstream, |(u, _)| u);
            upstream
                .split(['.', '~', '+'])
                .map_while(|p| p.parse().ok())
                .collect()
        };
        let py = numbers(python_version);
        let libc = numbers(libc_version);
        tags::machine(arch)?;
        Some(Self {
            python: (*py.first()?, *py.get(1)?, py.get(2).copied().unwrap_or(0)),
            glibc: (*libc.first()?, *libc.get(1)?),
            arch: arch.to_string(),
        })
    }

    /// `3.13`.
    pub fn minor_version(&self) -> String {
        format!("{}.{}", self.python.0, self.python.1)
    }

    /// The marker environment, with these extras and dependency groups.
    pub fn environment(&self, extras: &[String], groups: &[String]) -> Environment {
        Environment {
            python_full_version: format!("{}.{}.{}", self.python.0, self.python.1, self.python.2),
            platform_machine: tags::machine(&self.arch).unwrap_or("unknown").to_string(),
            extras: extras.iter().map(|e| normalize(e)).collect(),
            dependency_groups: groups.iter().map(|g| normalize(g)).collect(),
        }
    }

    /// The wheel tags the interpreter accepts.
    pub fn tags(&self) -> TagSet {
        TagSet::cpython(
            self.python.0,
            self.python.1,
            self.glibc,
            tags::machine(&self.arch).unwrap_or("unknown"),
        )
    }

    /// Whether `requires-python` text (`>=3.9`, `>=3.8,<4`) admits the interpreter.
    pub fn satisfies(&self, requires_python: &str) -> bool {
        use std::str::FromStr;
        let version = format!("{}.{}.{}", self.python.0, self.python.1, self.python.2);
        match (
            pep440_rs::VersionSpecifiers::from_str(requires_python),
            pep440_rs::Version::from_str(&version),
        ) {
            (Ok(specs), Ok(v)) => specs.contains(&v),
            // What cannot be read cannot exclude: the wheel's own tags still must fit.
            _ => true,
        }
    }

    /// Where packages go: `usr/local/lib/python3.X/dist-packages`.
    pub fn site_packages(&self) -> String {
        format!("usr/local/lib/python{}/dist-packages", self.minor_version())
    }

    /// The interpreter console scripts name in their `#!` line.
    pub fn interpreter(&self) -> String {
        format!("/usr/bin/python{}", self.minor_version())
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CPython {} on linux/{} (glibc {}.{})",
            self.minor_version(),
            self.arch,
            self.glibc.0,
            self.glibc.1
        )
    }
}

/// A file a lockfile offers for a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// File name (`flask-3.1.0-py3-none-any.whl`).
    pub filename: String,
    /// Where to fetch it.
    pub url: String,
    /// Its hash.
    pub hash: Integrity,
    /// Its size, when the lockfile says.
    pub size: Option<u64>,
}

/// A package the target needs, with every file its lockfile offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Normalised name.
    pub name: String,
    /// Locked version.
    pub version: String,
    /// Its wheels.
    pub wheels: Vec<File>,
    /// Its source distribution, when the lockfile has one with a URL and a hash.
    pub sdist: Option<File>,
    /// Normalised names of the packages it needs on this target.
    pub depends: Vec<String>,
}

/// A package chosen for a target: the one file to install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dist {
    /// Normalised name.
    pub name: String,
    /// Version.
    pub version: String,
    /// The wheel.
    pub file: File,
    /// Normalised names of the packages it needs on this target.
    pub depends: Vec<String>,
}

/// What to take from a Python lockfile.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Extras of the project to install.
    pub extras: Vec<String>,
    /// Dependency groups to install (none by default: an image gets no dev tools).
    pub groups: Vec<String>,
    /// Packages (normalised names) to take as source distributions, to be built into wheels
    /// in a build step, when no wheel fits the target.
    pub build: Vec<String>,
}

/// Whether a file name is a source distribution (`.tar.gz`, `.zip`), not a wheel.
pub fn is_sdist(filename: &str) -> bool {
    filename.ends_with(".tar.gz") || filename.ends_with(".zip")
}

/// The lockfile kinds bosun reads, by file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `uv.lock`.
    Uv,
    /// `pylock.toml` or `pylock.NAME.toml` (PEP 751).
    Pylock,
    /// `requirements*.txt` with `--hash` on every requirement.
    Requirements,
}

impl Format {
    /// The format a file name says.
    pub fn of(path: &Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        if name == "uv.lock" {
            Some(Self::Uv)
        } else if name == "pylock.toml" || (name.starts_with("pylock.") && name.ends_with(".toml"))
        {
            Some(Self::Pylock)
        } else if name.ends_with(".txt") || name.ends_with(".in") {
            Some(Self::Requirements)
        } else {
            None
        }
    }
}

/// Reads `text` (the lockfile at `path`) and picks the wheels `target` needs. `index`
/// answers for lockfiles without URLs (hashed requirements); `default_index` is the index
/// configured for the project when the lockfile names none.
pub fn lock(
    path: &Path,
    text: &str,
    target: &Target,
    selection: &Selection,
    index: &dyn SimpleIndex,
    default_index: Option<&str>,
) -> Result<Vec<Dist>, Error> {
    let format = Format::of(path).ok_or_else(|| Error::Lockfile {
        path: path.to_path_buf(),
        message: "not a Python lockfile bosun reads (uv.lock, pylock.toml or requirements.txt)"
            .into(),
    })?;
    let candidates = match format {
        Format::Uv => uv::candidates(path, text, target, selection)?,
        Format::Pylock => pylock::candidates(path, text, target, selection)?,
        Format::Requirements => {
            let reqs = requirements::parse(path, text)?;
            requirements::candidates(path, &reqs, target, selection, index, default_index)?
        }
    };
    choose(&candidates, target, &selection.build)
}

/// The best wheel of each candidate for `target`; without one, its source distribution when
/// `build` names it; else an error naming it (and saying when a source distribution exists).
pub fn choose(
    candidates: &[Candidate],
    target: &Target,
    build: &[String],
) -> Result<Vec<Dist>, Error> {
    let tags = target.tags();
    let mut out = Vec::with_capacity(candidates.len());
    for c in candidates {
        let best = c
            .wheels
            .iter()
            .filter_map(|f| {
                let name = WheelName::parse(&f.filename)?;
                Some((tags.rank(&name)?, f))
            })
            .min_by_key(|(rank, f)| (*rank, f.filename.clone()));
        match best {
            Some((_, file)) => out.push(Dist {
                name: c.name.clone(),
                version: c.version.clone(),
                file: file.clone(),
                depends: c.depends.clone(),
            }),
            None if c.sdist.is_some() && build.iter().any(|b| normalize(b) == c.name) => {
                out.push(Dist {
                    name: c.name.clone(),
                    version: c.version.clone(),
                    file: c.sdist.clone().expect("checked"),
                    depends: c.depends.clone(),
                });
            }
            None => {
                let build_it = format!(
                    "add it to the image's `python = {{ build = [\"{}\"] }}` to build it in a sandboxed step",
                    c.name
                );
                let hint = match (c.sdist.is_some(), c.wheels.is_empty()) {
                    (true, true) => {
                        format!(" (it is published only as a source distribution: {build_it})")
                    }
                    (true, false) => format!(
                        " (its wheels are for other platforms: {}; for its source distribution, {build_it})",
                        platforms(&c.wheels)
                    ),
                    (false, false) => format!(
                        " (its wheels are for other platforms: {})",
                        platforms(&c.wheels)
                    ),
                    (false, true) => " (the lockfile lists no file for it)".to_string(),
                };
                return Err(Error::NoFile {
                    package: c.name.clone(),
                    version: c.version.clone(),
                    what: "wheel",
                    target: target.to_string(),
                    hint,
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// Errs, naming the lockfile at `path`, unless the target's Python is in its
/// `requires-python` range.
pub(crate) fn require_python(
    path: &Path,
    requires: Option<&str>,
    target: &Target,
) -> Result<(), Error> {
    match requires {
        Some(range) if !target.satisfies(range) => Err(Error::Lockfile {
            path: path.to_path_buf(),
            message: format!(
                "the project requires Python {range}, and the image has {}",
                target.minor_version()
            ),
        }),
        _ => Ok(()),
    }
}

/// Errs, naming the lockfile at `path`, unless one of the environments it was locked for
/// (markers; none means any) holds for the target.
pub(crate) fn require_environment(
    path: &Path,
    environments: &[String],
    env: &Environment,
    target: &Target,
) -> Result<(), Error> {
    let invalid = |message: String| Error::Lockfile {
        path: path.to_path_buf(),
        message,
    };
    let mut any = environments.is_empty();
    for m in environments {
        any |= markers::evaluate(m, env).map_err(invalid)?;
    }
    match any {
        true => Ok(()),
        false => Err(invalid(format!(
            "the project is locked only for {} and the image is {target}",
            environments.join(" or ")
        ))),
    }
}

/// The tag sets of some wheels, shortened for an error message.
fn platforms(wheels: &[File]) -> String {
    let tags: BTreeSet<String> = wheels
        .iter()
        .filter_map(|w| WheelName::parse(&w.filename))
        .map(|w| {
            format!(
                "{}-{}-{}",
                w.python.join("."),
                w.abi.join("."),
                w.platform.join(".")
            )
        })
        .collect();
    let mut list: Vec<String> = tags.into_iter().take(4).collect();
    if wheels.len() > 4 {
        list.push("...".into());
    }
    list.join(", ")
}

/// The last path segment of a URL, without query or fragment: a file's name.
pub(crate) fn url_filename(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let name = path.rsplit('/').next().unwrap_or(path);
    percent_encoding::percent_decode_str(name)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn target(arch: &str) -> Target {
        Target::from_debian("3.13.5-2", "2.41-12", arch).unwrap()
    }

    #[test]
    fn target_from_debian_versions() {
        let t = target("arm64");
        assert_eq!(t.python, (3, 13, 5));
        assert_eq!(t.glibc, (2, 41));
        assert_eq!(t.site_packages(), "usr/local/lib/python3.13/dist-packages");
        assert_eq!(t.to_string(), "CPython 3.13 on linux/arm64 (glibc 2.41)");
        let rc = Target::from_debian("3.14.0~rc1-1", "2.41-12", "amd64").unwrap();
        assert_eq!(rc.python, (3, 14, 0));
        assert!(t.satisfies(">=3.9"));
        assert!(!t.satisfies(">=3.14"));
        assert!(Target::from_debian("3.13.5-2", "2.41-12", "vax").is_none());
    }

    #[test]
    fn chooses_the_best_wheel_and_names_what_is_missing() {
        let file = |f: &str| File {
            filename: f.into(),
            url: format!("https://files.example/{f}"),
            hash: Integrity::sha256(&"0".repeat(64)),
            size: None,
        };
        let c = Candidate {
            name: "numpy".into(),
            version: "2.3.1".into(),
            wheels: vec![
                file("numpy-2.3.1-cp313-cp313-manylinux_2_28_x86_64.whl"),
                file("numpy-2.3.1-cp313-cp313-manylinux_2_28_aarch64.whl"),
                file("numpy-2.3.1-cp313-cp313-musllinux_1_2_aarch64.whl"),
                file("numpy-2.3.1-cp312-cp312-manylinux_2_28_aarch64.whl"),
            ],
            sdist: Some(file("numpy-2.3.1.tar.gz")),
            depends: vec![],
        };
        let d = choose(std::slice::from_ref(&c), &target("arm64"), &[]).unwrap();
        assert_eq!(
            d[0].file.filename,
            "numpy-2.3.1-cp313-cp313-manylinux_2_28_aarch64.whl"
        );
        let err = choose(std::slice::from_ref(&c), &target("armhf"), &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("numpy 2.3.1 has no wheel for CPython 3.13 on linux/armhf"),
            "{err}"
        );
        let sdist_only = Candidate {
            wheels: vec![],
            ..c.clone()
        };
        let err = choose(std::slice::from_ref(&sdist_only), &target("amd64"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("only as a source distribution"), "{err}");
        assert!(err.contains("build = [\"numpy\"]"), "{err}");
        // Named in `build`: the source distribution, for a step to make a wheel of.
        let d = choose(&[sdist_only], &target("amd64"), &["NumPy".into()]).unwrap();
        assert_eq!(d[0].file.filename, "numpy-2.3.1.tar.gz");
        assert!(is_sdist(&d[0].file.filename));
        // A wheel that fits wins over building.
        let d = choose(
            std::slice::from_ref(&c),
            &target("arm64"),
            &["numpy".into()],
        )
        .unwrap();
        assert!(d[0].file.filename.ends_with("_aarch64.whl"));
    }

    #[test]
    fn file_names_of_urls() {
        assert_eq!(
            url_filename("https://h/p/a%2Bb-1-py3-none-any.whl#sha256=00"),
            "a+b-1-py3-none-any.whl"
        );
        assert_eq!(
            Format::of(Path::new("app/requirements-prod.txt")),
            Some(Format::Requirements)
        );
        assert_eq!(
            Format::of(Path::new("pylock.web.toml")),
            Some(Format::Pylock)
        );
        assert_eq!(Format::of(Path::new("Pipfile.lock")), None);
    }
}
