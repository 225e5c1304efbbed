//! The ignore file: findings a team has judged, each with its reason and an expiry date.
//!
//! ```toml
//! [[ignore]]
//! id = "CVE-2026-1234"          # an advisory id or alias; or
//! package = "libfoo1"           # a package (binary or Debian source name); both: both must match
//! reason = "the parser is never given untrusted input"
//! expires = 2027-03-31          # from this day on the rule stops ignoring, and says so
//! ```

use std::path::Path;

use jiff::civil::Date;
use serde::Deserialize;

use crate::Error;
use crate::findings::Finding;

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The advisory id or alias it ignores.
    pub id: Option<String>,
    /// The package it ignores.
    pub package: Option<String>,
    /// Why.
    pub reason: String,
    /// The first day it no longer ignores.
    pub expires: Option<Date>,
}

/// A read ignore file.
#[derive(Debug, Clone, Default)]
pub struct IgnoreList {
    /// The file, for messages.
    pub path: String,
    /// Its rules.
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    ignore: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Option<String>,
    package: Option<String>,
    reason: String,
    expires: Option<toml::Value>,
}

/// Reads an ignore file: each rule names an id or a package and gives a reason; `expires`
/// is a date (`2027-03-31`, quoted or not).
pub fn read(path: &Path) -> Result<IgnoreList, Error> {
    let what = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let file: File = toml::from_str(&text).map_err(|e| Error::invalid(&what, e.message()))?;
    let mut rules = Vec::new();
    for (i, raw) in file.ignore.into_iter().enumerate() {
        let n = i + 1;
        if raw.id.is_none() && raw.package.is_none() {
            return Err(Error::invalid(
                &what,
                format!("rule {n} names neither an id nor a package"),
            ));
        }
        if raw.reason.trim().is_empty() {
            return Err(Error::invalid(&what, format!("rule {n} gives no reason")));
        }
        let expires = match raw.expires {
            None => None,
            Some(v) => {
                let text = match &v {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some(text.parse::<Date>().map_err(|e| {
                    Error::invalid(
                        &what,
                        format!("rule {n}: expires {text:?} is not a date (YYYY-MM-DD): {e}"),
                    )
                })?)
            }
        };
        rules.push(Rule {
            id: raw.id,
            package: raw.package,
            reason: raw.reason,
            expires,
        });
    }
    Ok(IgnoreList { path: what, rules })
}

impl Rule {
    /// Whether it has expired on `today`.
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|d| d <= today)
    }

    fn matches(&self, f: &Finding) -> bool {
        let id = self
            .id
            .as_deref()
            .is_none_or(|id| f.ids().any(|i| i.eq_ignore_ascii_case(id)));
        let package = self
            .package
            .as_deref()
            .is_none_or(|p| f.package == p || f.source.as_deref() == Some(p));
        id && package
    }

    /// What the rule names, for messages.
    pub fn target(&self) -> String {
        [self.id.as_deref(), self.package.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" in ")
    }
}

impl IgnoreList {
    /// The unexpired rule that ignores `f` on `today`.
    pub fn matching(&self, f: &Finding, today: Date) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| !r.expired(today) && r.matches(f))
    }

    /// The rules that have expired on `today`.
    pub fn expired(&self, today: Date) -> impl Iterator<Item = &Rule> {
        self.rules.iter().filter(move |r| r.expired(today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str, package: &str) -> Finding {
        Finding {
            aliases: vec!["CVE-9".into()],
            source: Some("src".into()),
            ..crate::findings::sample(id, package, "")
        }
    }

    #[test]
    fn rules_match_by_id_alias_or_package_until_they_expire() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ignore.toml");
        std::fs::write(
            &path,
            "[[ignore]]\nid = \"CVE-1\"\nreason = \"r1\"\nexpires = 2027-01-01\n\n\
             [[ignore]]\npackage = \"src\"\nid = \"cve-9\"\nreason = \"r2\"\nexpires = \"2026-01-01\"\n\n\
             [[ignore]]\npackage = \"other\"\nreason = \"r3\"\n",
        )
        .unwrap();
        let list = read(&path).unwrap();
        let today: Date = "2026-12-02".parse().unwrap();
        assert_eq!(
            list.matching(&finding("CVE-1", "p"), today).unwrap().reason,
            "r1"
        );
        assert!(
            list.matching(&finding("CVE-1", "p"), "2027-01-01".parse().unwrap())
                .is_none()
        );
        assert!(
            list.matching(&finding("CVE-2", "p"), today).is_none(),
            "r2 expired"
        );
        assert_eq!(
            list.matching(&finding("CVE-3", "other"), today)
                .unwrap()
                .reason,
            "r3"
        );
        assert_eq!(
            list.expired(today).map(Rule::target).collect::<Vec<_>>(),
            ["cve-9 in src"]
        );
        for (bad, says) in [
            (
                "[[ignore]]\nreason = \"x\"\n",
                "neither an id nor a package",
            ),
            ("[[ignore]]\nid = \"X\"\nreason = \"\"\n", "no reason"),
            (
                "[[ignore]]\nid = \"X\"\nreason = \"r\"\nexpires = \"soon\"\n",
                "not a date",
            ),
            ("[[ignore]]\nid = \"X\"\nwhy = \"r\"\n", "unknown field"),
        ] {
            std::fs::write(&path, bad).unwrap();
            let err = read(&path).unwrap_err().to_string();
            assert!(err.contains(says) && err.contains("ignore.toml"), "{err}");
        }
    }
}
