//! Wheel file names and the platform tags an image's interpreter accepts.
//!
//! A wheel is `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`, each tag part a
//! `.`-separated set (the binary distribution format spec). Which tags an interpreter takes,
//! and in which order of preference, follows `packaging.tags.sys_tags` for CPython on glibc
//! Linux: its own ABI, then `abi3` (down to cp32), then `none`; platforms from the newest
//! `manylinux_2_X` the image's glibc allows down to `manylinux_2_5` (the legacy
//! `manylinux1/2010/2014` names are aliases), then `linux_<arch>`; then pure-Python tags.

use std::collections::HashMap;

/// A parsed wheel file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelName {
    /// Distribution name as written.
    pub name: String,
    /// Version as written.
    pub version: String,
    /// Build tag, when present.
    pub build: Option<String>,
    /// Python tags (`cp313`, `py3`).
    pub python: Vec<String>,
    /// ABI tags (`cp313`, `abi3`, `none`).
    pub abi: Vec<String>,
    /// Platform tags (`manylinux_2_17_x86_64`, `any`).
    pub platform: Vec<String>,
}

impl WheelName {
    /// Parses a file name such as `numpy-2.3.1-cp313-cp313-manylinux_2_28_aarch64.whl`.
    pub fn parse(filename: &str) -> Option<Self> {
        let stem = filename.strip_suffix(".whl")?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, rest) = match parts.len() {
            5 => (parts[0], parts[1], None, &parts[2..]),
            6 => (parts[0], parts[1], Some(parts[2].to_string()), &parts[3..]),
            _ => return None,
        };
        if name.is_empty() || version.is_empty() || rest.iter().any(|p| p.is_empty()) {
            return None;
        }
        let set = |s: &str| s.split('.').map(str::to_string).collect();
        Some(Self {
            name: name.into(),
            version: version.into(),
            build,
            python: set(rest[0]),
            abi: set(rest[1]),
            platform: set(rest[2]),
        })
    }
}

/// The tags one interpreter on one platform accepts, best first.
#[derive(Debug, Clone)]
pub struct TagSet {
    rank: HashMap<(String, String, String), usize>,
}

/// The `uname -m` name of a Debian architecture, as wheel platform tags write it.
pub fn machine(debian_arch: &str) -> Option<&'static str> {
    Some(match debian_arch {
        "amd64" => "x86_64",
        "arm64" => "aarch64",
        "armhf" => "armv7l",
        "i386" => "i686",
        "ppc64el" => "ppc64le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        _ => return None,
    })
}

impl TagSet {
    /// The tags CPython `major.minor` accepts on glibc `glibc` (major, minor) Linux on
    /// `machine` (`x86_64`, `aarch64`, ...).
    pub fn cpython(major: u32, minor: u32, glibc: (u32, u32), machine: &str) -> Self {
        let mut platforms = Vec::new();
        if glibc.0 == 2 {
            for m in (5..=glibc.1).rev() {
                platforms.push(format!("manylinux_2_{m}_{machine}"));
                // The legacy names stand for the same glibc versions (PEP 600).
                let legacy = match m {
                    17 => Some("manylinux2014"),
                    12 => Some("manylinux2010"),
                    5 => Some("manylinux1"),
                    _ => None,
                };
                if let Some(l) = legacy {
                    platforms.push(format!("{l}_{machine}"));
                }
            }
        }
        platforms.push(format!("linux_{machine}"));
        let interpreter = format!("cp{major}{minor}");
        let mut ordered: Vec<(String, String, String)> = Vec::new();
        let mut add = |py: &str, abi: &str, plat: &str| {
            ordered.push((py.to_string(), abi.to_string(), plat.to_string()));
        };
        for p in &platforms {
            add(&interpreter, &interpreter, p);
        }
        for p in &platforms {
            add(&interpreter, "abi3", p);
        }
        for p in &platforms {
            add(&interpreter, "none", p);
        }
        for older in (2..minor).rev() {
            for p in &platforms {
                add(&format!("cp{major}{older}"), "abi3", p);
            }
        }
        let py_range: Vec<String> = std::iter::once(format!("py{major}{minor}"))
            .chain(std::iter::once(format!("py{major}")))
            .chain((0..minor).rev().map(|m| format!("py{major}{m}")))
            .collect();
        for py in &py_range {
            for p in &platforms {
                add(py, "none", p);
            }
        }
        add(&interpreter, "none", "any");
        for py in &py_range {
            add(py, "none", "any");
        }
        let mut rank = HashMap::new();
        for (i, tag) in ordered.into_iter().enumerate() {
            rank.entry(tag).or_insert(i);
        }
        Self { rank }
    }

    /// How good a wheel is for this interpreter: `None` when it does not fit, else lower is
    /// better (the best of its tag combinations).
    pub fn rank(&self, wheel: &WheelName) -> Option<usize> {
        let mut best = None;
        for py in &wheel.python {
            for abi in &wheel.abi {
                for plat in &wheel.platform {
                    if let Some(&r) = self.rank.get(&(py.clone(), abi.clone(), plat.clone())) {
                        best = Some(best.map_or(r, |b: usize| b.min(r)));
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names() {
        let w = WheelName::parse(
            "numpy-2.3.1-cp313-cp313-manylinux_2_27_aarch64.manylinux_2_28_aarch64.whl",
        )
        .unwrap();
        assert_eq!(w.name, "numpy");
        assert_eq!(w.platform.len(), 2);
        let b = WheelName::parse("foo-1.0-1build-py3-none-any.whl").unwrap();
        assert_eq!(b.build.as_deref(), Some("1build"));
        assert!(WheelName::parse("foo-1.0.tar.gz").is_none());
        assert!(WheelName::parse("foo-1.0-py3-none.whl").is_none());
    }

    #[test]
    fn ranks_like_packaging() {
        let tags = TagSet::cpython(3, 13, (2, 41), "x86_64");
        let rank = |f: &str| tags.rank(&WheelName::parse(f).unwrap());
        let own = rank("x-1-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
        let abi3 = rank("x-1-cp39-abi3-manylinux_2_28_x86_64.whl");
        let pure = rank("x-1-py3-none-any.whl");
        assert!(own.unwrap() < abi3.unwrap() && abi3.unwrap() < pure.unwrap());
        // Newer glibc than the image has, another machine, another interpreter, musl, free
        // threading, Windows: no.
        for no in [
            "x-1-cp313-cp313-manylinux_2_42_x86_64.whl",
            "x-1-cp313-cp313-manylinux_2_17_aarch64.whl",
            "x-1-cp312-cp312-manylinux_2_17_x86_64.whl",
            "x-1-cp313-cp313-musllinux_1_2_x86_64.whl",
            "x-1-cp313-cp313t-manylinux_2_17_x86_64.whl",
            "x-1-cp313-cp313-win_amd64.whl",
            "x-1-py2-none-any.whl",
            "x-1-cp314-abi3-manylinux_2_17_x86_64.whl",
        ] {
            assert_eq!(rank(no), None, "{no}");
        }
        assert!(rank("x-1-cp313-cp313-manylinux1_x86_64.whl").is_some());
        assert!(rank("x-1-cp313-cp313-linux_x86_64.whl").is_some());
        assert!(rank("x-1-py2.py3-none-any.whl").is_some());
        // The newest manylinux a wheel offers is preferred.
        assert!(
            rank("x-1-cp313-cp313-manylinux_2_28_x86_64.whl")
                < rank("x-1-cp313-cp313-manylinux_2_17_x86_64.whl")
        );
    }
}
