//! Finding the Debian archive the way apt on this machine does: from deb822 `.sources` files
//! and one-line `sources.list` files (sources.list(5)). Only archive roots are taken; suites
//! always come from the spec.

use std::path::{Path, PathBuf};

use crate::control;

/// The archive roots found on a machine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mirrors {
    /// Root of the main archive (serves `<suite>` and `<suite>-updates`).
    pub debian: Option<String>,
    /// Root of the security archive (serves `<suite>-security`).
    pub security: Option<String>,
}

/// One `deb` source: an archive root and its suites.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Source {
    uri: String,
    suites: Vec<String>,
}

/// Reads `<root>/etc/apt/sources.list` and `<root>/etc/apt/sources.list.d/*.{list,sources}`.
/// Unreadable or malformed files are skipped, as apt would warn and go on.
pub fn discover(root: &Path) -> Mirrors {
    let mut files: Vec<PathBuf> = vec![root.join("etc/apt/sources.list")];
    if let Ok(dir) = std::fs::read_dir(root.join("etc/apt/sources.list.d")) {
        let mut extra: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("list" | "sources")
                )
            })
            .collect();
        extra.sort();
        files.extend(extra);
    }
    let mut sources = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        if file.extension().is_some_and(|e| e == "sources") {
            sources.extend(parse_deb822(&text));
        } else {
            sources.extend(parse_one_line(&text));
        }
    }
    pick(&sources)
}

/// Chooses the first Debian source for each archive. A source counts as Debian when its suites
/// are Debian suite names; `-security` suites pick the security archive.
fn pick(sources: &[Source]) -> Mirrors {
    let mut mirrors = Mirrors::default();
    for s in sources {
        if !s.uri.starts_with("http://") && !s.uri.starts_with("https://") {
            continue;
        }
        let uri = s.uri.trim_end_matches('/').to_string();
        for suite in &s.suites {
            let (base, pocket) = suite.split_once(['-', '/']).unwrap_or((suite, ""));
            if !is_debian_suite(base) {
                continue;
            }
            let slot = if pocket == "security"
                || pocket.starts_with("updates") && s.uri.contains("security")
            {
                &mut mirrors.security
            } else {
                &mut mirrors.debian
            };
            slot.get_or_insert_with(|| uri.clone());
        }
    }
    mirrors
}

/// Debian codenames (past, present and announced) and the aliases apt accepts.
fn is_debian_suite(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "stable",
        "testing",
        "unstable",
        "oldstable",
        "oldoldstable",
        "experimental",
        "sid",
        "buzz",
        "rex",
        "bo",
        "hamm",
        "slink",
        "potato",
        "woody",
        "sarge",
        "etch",
        "lenny",
        "squeeze",
        "wheezy",
        "jessie",
        "stretch",
        "buster",
        "bullseye",
        "bookworm",
        "trixie",
        "forky",
        "duke",
    ];
    NAMES.contains(&name)
}

fn parse_deb822(text: &str) -> Vec<Source> {
    let Ok(paragraphs) = control::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in paragraphs {
        let enabled = p
            .get("Enabled")
            .is_none_or(|v| !v.eq_ignore_ascii_case("no"));
        let is_deb = p
            .get("Types")
            .is_some_and(|t| t.split_whitespace().any(|t| t == "deb"));
        if !enabled || !is_deb {
            continue;
        }
        let suites: Vec<String> = p
            .get("Suites")
            .unwrap_or("")
            .split_whitespace()
            .map(String::from)
            .collect();
        for uri in p.get("URIs").unwrap_or("").split_whitespace() {
            out.push(Source {
                uri: uri.to_string(),
                suites: suites.clone(),
            });
        }
    }
    out
}

fn parse_one_line(text: &str) -> Vec<Source> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        if words.next() != Some("deb") {
            continue;
        }
        let mut rest: Vec<&str> = words.collect();
        // Options: `[arch=amd64 signed-by=...]`, possibly spread over several words.
        if rest.first().is_some_and(|w| w.starts_with('[')) {
            let end = rest.iter().position(|w| w.ends_with(']')).unwrap_or(0);
            rest.drain(..=end);
        }
        if let [uri, suite, ..] = rest[..] {
            out.push(Source {
                uri: uri.to_string(),
                suites: vec![suite.to_string()],
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deb822_with_separate_security_archive() {
        let text = "Types: deb\nURIs: http://mirror.test/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n\
                    Types: deb\nURIs: http://mirror.test/debian-security/\nSuites: bookworm-security\n\n\
                    Types: deb\nURIs: https://vendor.test/apt\nSuites: nodistro\n";
        let m = pick(&parse_deb822(text));
        assert_eq!(m.debian.as_deref(), Some("http://mirror.test/debian"));
        assert_eq!(
            m.security.as_deref(),
            Some("http://mirror.test/debian-security")
        );
    }

    #[test]
    fn one_line_with_options_and_disabled_deb822() {
        let list = "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://m.test/debian trixie main\n\
                    deb-src http://src.test/debian trixie main\n\
                    deb http://m.test/debian-security trixie-security main\n\
                    deb http://vendor.test/apt cloud-sdk main\n";
        let m = pick(&parse_one_line(list));
        assert_eq!(m.debian.as_deref(), Some("http://m.test/debian"));
        assert_eq!(m.security.as_deref(), Some("http://m.test/debian-security"));
        let off = "Types: deb\nURIs: http://x.test/debian\nSuites: trixie\nEnabled: no\n";
        assert_eq!(pick(&parse_deb822(off)), Mirrors::default());
    }

    #[test]
    fn discovers_from_a_root() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("etc/apt/sources.list.d");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("debian.sources"),
            "Types: deb\nURIs: http://m.test/debian\nSuites: trixie\n",
        )
        .unwrap();
        std::fs::write(
            d.join("other.sources.disabled"),
            "Types: deb\nURIs: http://n.test/debian\nSuites: trixie\n",
        )
        .unwrap();
        assert_eq!(
            discover(dir.path()).debian.as_deref(),
            Some("http://m.test/debian")
        );
        assert_eq!(discover(&dir.path().join("nothing")), Mirrors::default());
    }
}
