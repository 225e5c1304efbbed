//! The Debian Security Tracker's JSON export, and the index a scan reads.
//!
//! The export maps each source package to its issues (CVE ids, and `TEMP-` ids for issues
//! without one yet), and each issue to a verdict per release: `status` (`resolved`, `open`,
//! `undetermined`), the `fixed_version` (a source version; `0` when the release never had the
//! flaw), the `urgency` (`high`, `medium`, `low`, `unimportant`, `end-of-life`,
//! `not yet assigned`, a trailing `**` when derived), and `nodsa`/`nodsa_reason` when the
//! security team will not issue an advisory (`postponed`, `ignored`).
//!
//! The index is one file per release: one line per (source package, issue), sorted, tab
//! separated, so a scan keeps only the lines of the packages the image has.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::Error;

/// One issue of one source package in one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackerEntry {
    /// Source package.
    pub source: String,
    /// Issue id (`CVE-...`, `TEMP-...`).
    pub id: String,
    /// `resolved`, `open` or `undetermined`.
    pub status: String,
    /// The first fixed source version (`0`: never affected), when there is one.
    pub fixed_version: Option<String>,
    /// Debian's urgency as written.
    pub urgency: String,
    /// Why no advisory will be issued, when the team said so (its note).
    pub nodsa: Option<String>,
    /// `postponed` or `ignored`, when the team said so.
    pub nodsa_reason: Option<String>,
    /// The issue's one-line description.
    pub description: String,
}

#[derive(Deserialize)]
struct Issue {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    releases: BTreeMap<String, Release>,
}

#[derive(Deserialize)]
struct Release {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    fixed_version: Option<String>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    nodsa: Option<String>,
    #[serde(default)]
    nodsa_reason: Option<String>,
}

/// Reads an export, one source package at a time (the export is tens of megabytes), into its
/// entries by release, each release's sorted.
pub fn read_export(
    reader: impl Read,
    what: &str,
) -> Result<BTreeMap<String, Vec<TrackerEntry>>, Error> {
    let mut by_release: BTreeMap<String, Vec<TrackerEntry>> = BTreeMap::new();
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    Packages(&mut |source: String, issues: BTreeMap<String, Issue>| {
        for (id, issue) in issues {
            let description = one_line(issue.description.as_deref().unwrap_or_default());
            for (release, r) in issue.releases {
                let Some(status) = r.status.filter(|s| !s.is_empty()) else {
                    continue;
                };
                by_release.entry(release).or_default().push(TrackerEntry {
                    source: source.clone(),
                    id: id.clone(),
                    status,
                    fixed_version: r.fixed_version.filter(|v| !v.is_empty()),
                    urgency: r.urgency.unwrap_or_else(|| "not yet assigned".into()),
                    nodsa: r.nodsa.filter(|v| !v.is_empty()),
                    nodsa_reason: r.nodsa_reason.filter(|v| !v.is_empty()),
                    description: description.clone(),
                });
            }
        }
    })
    .deserialize(&mut de)
    .and_then(|()| de.end())
    .map_err(|e| Error::invalid(what, format!("not the tracker's JSON export: {e}")))?;
    for entries in by_release.values_mut() {
        entries.sort_by(|a, b| (&a.source, &a.id).cmp(&(&b.source, &b.id)));
    }
    Ok(by_release)
}

/// The top-level map, handed to a callback one package at a time.
struct Packages<'a>(&'a mut dyn FnMut(String, BTreeMap<String, Issue>));

impl<'de> DeserializeSeed<'de> for Packages<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Packages<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of source packages to their issues")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some((source, issues)) = map.next_entry::<String, BTreeMap<String, Issue>>()? {
            (self.0)(source, issues);
        }
        Ok(())
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn field(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or_default()
}

impl TrackerEntry {
    /// The entry as one index line (no tabs or newlines in any field: they are spaces).
    pub fn to_line(&self) -> String {
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        [
            clean(&self.source),
            clean(&self.id),
            clean(&self.status),
            clean(field(&self.fixed_version)),
            clean(&self.urgency),
            clean(field(&self.nodsa)),
            clean(field(&self.nodsa_reason)),
            clean(&self.description),
        ]
        .join("\t")
    }

    /// Reads a line [`TrackerEntry::to_line`] wrote.
    pub fn from_line(line: &str) -> Option<Self> {
        let mut f = line.splitn(8, '\t');
        let mut next = || f.next().map(str::to_string);
        let opt = |s: String| (!s.is_empty()).then_some(s);
        Some(TrackerEntry {
            source: next()?,
            id: next()?,
            status: next()?,
            fixed_version: opt(next()?),
            urgency: next()?,
            nodsa: opt(next()?),
            nodsa_reason: opt(next()?),
            description: next()?,
        })
    }
}

/// The entries of an index file's text whose source package is in `sources`.
pub(crate) fn select(text: &str, sources: &BTreeSet<&str>) -> Vec<TrackerEntry> {
    text.lines()
        .filter(|line| {
            line.split_once('\t')
                .is_some_and(|(source, _)| sources.contains(source))
        })
        .filter_map(TrackerEntry::from_line)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = r#"{
      "zlib": {
        "CVE-2023-45853": {
          "description": "MiniZip in zlib\nthrough 1.3 has an overflow",
          "scope": "local",
          "releases": {
            "bookworm": {"status": "open", "repositories": {"bookworm": "1:1.2.13.dfsg-1"},
                         "urgency": "unimportant", "nodsa": "contrib/minizip not built",
                         "nodsa_reason": "ignored"},
            "trixie": {"status": "resolved", "fixed_version": "1:1.3.dfsg-3", "urgency": "low**"}
          }
        }
      },
      "bash": {
        "TEMP-0000000-A1B2C3": {"releases": {"bookworm": {"status": "undetermined", "urgency": "not yet assigned"}}}
      }
    }"#;

    #[test]
    fn reads_the_export_by_release_and_round_trips_the_index() {
        let by_release = read_export(EXPORT.as_bytes(), "export").unwrap();
        assert_eq!(
            by_release.keys().collect::<Vec<_>>(),
            ["bookworm", "trixie"]
        );
        let bookworm = &by_release["bookworm"];
        assert_eq!(bookworm.len(), 2);
        assert_eq!(bookworm[0].source, "bash", "sorted by source");
        assert_eq!(bookworm[1].nodsa_reason.as_deref(), Some("ignored"));
        assert_eq!(
            bookworm[1].description,
            "MiniZip in zlib through 1.3 has an overflow"
        );
        assert_eq!(
            by_release["trixie"][0].fixed_version.as_deref(),
            Some("1:1.3.dfsg-3")
        );
        let text: String = bookworm.iter().map(|e| e.to_line() + "\n").collect();
        assert_eq!(
            select(&text, &BTreeSet::from(["zlib"])),
            vec![bookworm[1].clone()]
        );
        assert_eq!(select(&text, &BTreeSet::from(["bash", "zlib"])), *bookworm);
    }

    #[test]
    fn rejects_what_is_not_an_export() {
        let err = read_export(&b"[1, 2]"[..], "https://tracker.invalid/json").unwrap_err();
        assert!(
            err.to_string().contains("not the tracker's JSON export"),
            "{err}"
        );
        assert!(read_export(&b"{\"x\": {\"CVE-1\": {\"releases\": 3}}}"[..], "e").is_err());
    }
}
