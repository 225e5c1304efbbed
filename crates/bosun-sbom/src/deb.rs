//! Debian packages from the dpkg database (or a lock), with licenses from their `copyright`
//! files.

use std::collections::BTreeMap;

use bosun_deb::control;

use crate::{Distro, Kind, Package};

/// The packages one dpkg database file lists as installed.
pub(crate) fn packages(
    location: &str,
    text: &str,
    copyrights: &BTreeMap<&str, &str>,
    distro: Option<&Distro>,
) -> Vec<Package> {
    let Ok(paragraphs) = control::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in &paragraphs {
        if p.get("Status")
            .is_some_and(|s| !s.trim_end().ends_with(" installed"))
        {
            continue;
        }
        let (Some(name), Some(version)) = (p.get("Package"), p.get("Version")) else {
            continue;
        };
        let (name, version) = (name.trim().to_string(), version.trim().to_string());
        let architecture = p.get("Architecture").map(|a| a.trim().to_string());
        let (source, source_version) = match p.get("Source").map(str::trim) {
            Some(s) => match s.split_once('(') {
                Some((n, v)) => (
                    n.trim().to_string(),
                    v.trim_end_matches(')').trim().to_string(),
                ),
                None => (s.to_string(), version.clone()),
            },
            None => (name.clone(), version.clone()),
        };
        let depends = ["Pre-Depends", "Depends"]
            .iter()
            .filter_map(|f| p.get(f))
            .flat_map(relation_names)
            .collect();
        out.push(deb_package(DebFacts {
            name,
            version,
            architecture,
            source,
            source_version,
            licenses: copyrights
                .get(p.get("Package").unwrap_or_default().trim())
                .map(|t| licenses(t))
                .unwrap_or_default(),
            location: location.to_string(),
            depends,
            distro,
        }));
    }
    out
}

/// The facts a Debian package entry is made from (dpkg database or lock).
pub struct DebFacts<'a> {
    /// Package name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Architecture.
    pub architecture: Option<String>,
    /// Source package.
    pub source: String,
    /// Source version.
    pub source_version: String,
    /// Licenses.
    pub licenses: Vec<String>,
    /// Where it was found.
    pub location: String,
    /// Names it depends on.
    pub depends: Vec<String>,
    /// The distribution (for the purl).
    pub distro: Option<&'a Distro>,
}

/// A Debian package with its purl: `pkg:deb/debian/NAME@VERSION?arch=..&distro=debian-N`, and
/// `upstream=SOURCE[@VERSION]` when the source package differs (the form scanners match on).
pub fn deb_package(f: DebFacts<'_>) -> Package {
    let namespace = f.distro.map_or("debian", |d| {
        if d.id.is_empty() {
            "debian"
        } else {
            d.id.as_str()
        }
    });
    let distro = f
        .distro
        .and_then(|d| {
            d.version_id
                .as_ref()
                .map(|v| format!("{}-{v}", if d.id.is_empty() { "debian" } else { &d.id }))
        })
        .unwrap_or_default();
    let upstream = match (f.source != f.name, f.source_version != f.version) {
        (_, true) => format!("{}@{}", f.source, f.source_version),
        (true, false) => f.source.clone(),
        (false, false) => String::new(),
    };
    let purl = crate::purl::purl(
        "deb",
        Some(namespace),
        &f.name,
        &f.version,
        &[
            ("arch", f.architecture.clone().unwrap_or_default()),
            ("distro", distro),
            ("upstream", upstream),
        ],
    );
    let source = (f.source != f.name || f.source_version != f.version)
        .then_some((f.source, f.source_version));
    Package {
        kind: Kind::Deb,
        name: f.name,
        version: f.version,
        purl,
        architecture: f.architecture,
        source,
        licenses: f.licenses,
        location: f.location,
        sha256: None,
        sha512: None,
        suite: None,
        depends: f.depends,
    }
}

/// `a (>= 1), b | c:any` -> `a`, `b`, `c`.
fn relation_names(text: &str) -> Vec<String> {
    text.split([',', '|'])
        .filter_map(|atom| {
            let name = atom.trim().split([' ', '(', '[', '<']).next()?;
            let name = name.split(':').next()?;
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

/// The licenses a `copyright` file names: the `License:` fields of a machine-readable
/// (DEP-5) file, else the common-licenses files it points at. SPDX ids where the name maps to
/// one, the name as written otherwise.
pub fn licenses(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let dep5 = text
        .lines()
        .next()
        .is_some_and(|l| l.starts_with("Format:"));
    if dep5 {
        for line in text.lines() {
            if let Some(value) = line.strip_prefix("License:") {
                for name in value
                    .split(" or ")
                    .flat_map(|s| s.split(" and "))
                    .flat_map(|s| s.split(','))
                {
                    let name = name.trim().trim_end_matches('.');
                    if !name.is_empty() && !name.contains(' ') {
                        names.push(name.to_string());
                    }
                }
            }
        }
    } else {
        let marker = "/usr/share/common-licenses/";
        let mut rest = text;
        while let Some(i) = rest.find(marker) {
            rest = &rest[i + marker.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
                .collect();
            let name = name.trim_end_matches('.');
            if !name.is_empty() {
                names.push(name.to_string());
            }
        }
    }
    let mut out: Vec<String> = names.iter().map(|n| spdx_name(n)).collect();
    out.sort();
    out.dedup();
    out
}

/// A Debian license short name (copyright-format 1.0) as SPDX names it, when it does:
/// `Expat` is `MIT`, `GPL-2` is `GPL-2.0-only`, `GPL-2+` is `GPL-2.0-or-later`, and ids SPDX
/// knows match whatever their case (`BSD-3-clause`). Other names stay as written.
pub fn spdx_name(name: &str) -> String {
    if name == "Expat" {
        return "MIT".into();
    }
    let (base, later) = match name.strip_suffix('+') {
        Some(b) => (b, true),
        None => (name, false),
    };
    // The GNU families: a bare number in Debian, `-only` / `-or-later` in SPDX.
    for family in ["GPL", "LGPL", "AGPL", "GFDL"] {
        if let Some(version) = base.strip_prefix(family).and_then(|v| v.strip_prefix('-')) {
            let version = if version.contains('.') {
                version.to_string()
            } else {
                format!("{version}.0")
            };
            let id = format!(
                "{family}-{version}-{}",
                if later { "or-later" } else { "only" }
            );
            if spdx::license_id(&id).is_some() {
                return id;
            }
        }
    }
    let known = spdx::license_id(name).map(|l| l.name).or_else(|| {
        spdx::identifiers::LICENSES
            .iter()
            .find(|l| l.0.eq_ignore_ascii_case(name))
            .map(|l| l.0)
    });
    known.map_or_else(|| name.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep5_and_common_licenses() {
        let dep5 = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+\n\nFiles: lib/*\nLicense: LGPL-2.1+ or BSD-3-clause\n long text\n\nLicense: Expat\n text\n";
        assert_eq!(
            licenses(dep5),
            [
                "BSD-3-Clause",
                "GPL-2.0-or-later",
                "LGPL-2.1-or-later",
                "MIT"
            ]
        );
        let old = "This is free software; see /usr/share/common-licenses/GPL-3 and /usr/share/common-licenses/Apache-2.0.";
        assert_eq!(licenses(old), ["Apache-2.0", "GPL-3.0-only"]);
    }

    #[test]
    fn debian_names() {
        for (debian, spdx) in [
            ("GPL-2", "GPL-2.0-only"),
            ("LGPL-2.1+", "LGPL-2.1-or-later"),
            ("BSD-3-clause", "BSD-3-Clause"),
            ("Zlib", "Zlib"),
            ("public-domain", "public-domain"),
            ("Apache-2.0", "Apache-2.0"),
        ] {
            assert_eq!(spdx_name(debian), spdx, "{debian}");
        }
    }

    #[test]
    fn status_paragraphs() {
        let status = "Package: libc6\nStatus: install ok installed\nVersion: 2.41-12\nArchitecture: amd64\nSource: glibc\nDepends: libgcc-s1, libc-bin (>= 2.41) | x:any\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n";
        let distro = Distro {
            id: "debian".into(),
            version_id: Some("13".into()),
            codename: None,
        };
        let p = packages(
            "/var/lib/dpkg/status",
            status,
            &BTreeMap::new(),
            Some(&distro),
        );
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].purl,
            "pkg:deb/debian/libc6@2.41-12?arch=amd64&distro=debian-13&upstream=glibc"
        );
        assert_eq!(p[0].depends, ["libgcc-s1", "libc-bin", "x"]);
    }
}
