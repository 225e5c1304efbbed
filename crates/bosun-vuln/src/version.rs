//! Version order, by each ecosystem's rules: dpkg's for Debian, PEP 440 for PyPI, SemVer 2
//! for npm, Go and crates.io.

use std::cmp::Ordering;
use std::str::FromStr;

use crate::Ecosystem;

/// `a` against `b`; `None` when either is not a version of the ecosystem.
pub(crate) fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    match ecosystem {
        Ecosystem::Debian => {
            let parse = |s: &str| bosun_deb::version::Version::parse(s).ok();
            Some(parse(a)?.cmp(&parse(b)?))
        }
        Ecosystem::PyPI => {
            let parse = |s: &str| pep440_rs::Version::from_str(s.trim()).ok();
            Some(parse(a)?.cmp(&parse(b)?))
        }
        Ecosystem::Npm | Ecosystem::Go | Ecosystem::CratesIo => {
            Some(semver(a)?.cmp_precedence(&semver(b)?))
        }
    }
}

/// A SemVer version, leniently: Go's `v` prefix goes, and `1` or `1.2` count as `1.0.0`,
/// `1.2.0` (as advisories sometimes write bounds).
fn semver(s: &str) -> Option<semver::Version> {
    let s = s.trim();
    let s = s.strip_prefix('v').unwrap_or(s);
    if let Ok(v) = semver::Version::parse(s) {
        return Some(v);
    }
    let end = s.find(['-', '+']).unwrap_or(s.len());
    let (core, rest) = s.split_at(end);
    let padded = match core.split('.').count() {
        1 => format!("{core}.0.0{rest}"),
        2 => format!("{core}.0{rest}"),
        _ => return None,
    };
    semver::Version::parse(&padded).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn each_ecosystem_orders_by_its_rules() {
        let cases = [
            (Ecosystem::Debian, "1:1.0", "2.0", Greater),
            (Ecosystem::Debian, "1.0-1", "1.0-1+deb12u1", Less),
            (Ecosystem::Debian, "1.0~rc1", "1.0", Less),
            (Ecosystem::PyPI, "2.0rc1", "2.0", Less),
            (Ecosystem::PyPI, "2.0.post1", "2.0", Greater),
            (Ecosystem::PyPI, "1.0.dev1", "1.0a1", Less),
            (Ecosystem::PyPI, "1!0.1", "2.0", Greater),
            (Ecosystem::PyPI, "1.10", "1.9", Greater),
            (Ecosystem::PyPI, "1.0", "1.0.0", Equal),
            (Ecosystem::Npm, "4.17.21", "4.17.3", Greater),
            (Ecosystem::Npm, "1.0.0-beta.2", "1.0.0-beta.11", Less),
            (Ecosystem::Npm, "1.0.0-rc.1", "1.0.0", Less),
            (Ecosystem::Go, "v0.17.0", "0.7.0", Greater),
            (
                Ecosystem::Go,
                "v0.0.0-20210101000000-abcdef123456",
                "v0.1.0",
                Less,
            ),
            (Ecosystem::Go, "v2.0.0+incompatible", "2.0.0", Equal),
            (Ecosystem::CratesIo, "1.2", "1.2.0", Equal),
            (Ecosystem::CratesIo, "0.10.1", "0.9.9", Greater),
        ];
        for (eco, a, b, want) in cases {
            assert_eq!(compare(eco, a, b), Some(want), "{eco:?} {a} vs {b}");
        }
        assert_eq!(compare(Ecosystem::Npm, "not.a.version.x", "1.0.0"), None);
    }
}
