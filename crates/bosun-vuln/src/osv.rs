//! OSV advisories (the exports of PyPI, npm, Go and crates.io advisories), the index a scan
//! reads, and OSV's range rules.
//!
//! An export is a zip of one JSON record per advisory. The index keeps, per ecosystem, one
//! line per (package, advisory): the package name as the ecosystem normalizes it, a tab, and
//! the advisory's compact form ([`OsvEntry`]), sorted by name.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::io::{Read, Seek};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::version::compare;
use crate::{Ecosystem, Error, Severity};

/// What a scan needs of one advisory for one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OsvEntry {
    /// The advisory id (`GHSA-...`, `PYSEC-...`, `GO-...`, `RUSTSEC-...`).
    pub id: String,
    /// Other ids of the same flaw (CVE ids among them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// One-line summary.
    #[serde(default)]
    pub summary: String,
    /// Rating: the database's own label, else the highest CVSS score given.
    #[serde(default)]
    pub severity: Severity,
    /// Affected version ranges (`SEMVER` or `ECOSYSTEM`; `GIT` ranges are not kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Affected versions listed one by one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// An OSV range: events in version order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// `SEMVER` or `ECOSYSTEM`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its events.
    pub events: Vec<Event>,
}

/// An OSV range event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Versions from this one on are affected (`0`: from the first).
    Introduced(String),
    /// Versions from this one on are not.
    Fixed(String),
    /// Versions after this one are not.
    LastAffected(String),
    /// The range ends here (git ranges; ignored).
    Limit(String),
}

impl OsvEntry {
    /// Whether `version` is affected: listed, or inside a range by the ecosystem's order.
    pub fn affects(&self, ecosystem: Ecosystem, version: &str) -> bool {
        self.versions
            .iter()
            .any(|v| compare(ecosystem, v, version) == Some(Ordering::Equal) || v == version)
            || self.ranges.iter().any(|r| r.affects(ecosystem, version))
    }

    /// The lowest fixed version above `version`, if any range names one.
    pub fn fixed_after(&self, ecosystem: Ecosystem, version: &str) -> Option<String> {
        self.ranges
            .iter()
            .flat_map(|r| &r.events)
            .filter_map(|e| match e {
                Event::Fixed(v) => Some(v),
                _ => None,
            })
            .filter(|v| compare(ecosystem, v, version) == Some(Ordering::Greater))
            .min_by(|a, b| compare(ecosystem, a, b).unwrap_or(Ordering::Equal))
            .cloned()
    }
}

impl Range {
    /// OSV's evaluation: walk the events in version order; an introduction at or below the
    /// version opens, a fix at or below it (or a last-affected below it) closes.
    fn affects(&self, ecosystem: Ecosystem, version: &str) -> bool {
        let at = |e: &Event| match e {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => {
                v.clone()
            }
        };
        let mut events: Vec<&Event> = self
            .events
            .iter()
            .filter(|e| !matches!(e, Event::Limit(_)))
            .collect();
        // `0` is below every version; versions the ecosystem cannot read keep their place.
        let order = |a: &str, b: &str| match (a, b) {
            ("0", "0") => Ordering::Equal,
            ("0", _) => Ordering::Less,
            (_, "0") => Ordering::Greater,
            _ => compare(ecosystem, a, b).unwrap_or(Ordering::Equal),
        };
        events.sort_by(|a, b| order(&at(a), &at(b)));
        let mut affected = false;
        for event in events {
            let v = at(event);
            let here = match v.as_str() {
                "0" => Some(Ordering::Greater),
                v => compare(ecosystem, version, v),
            };
            let Some(here) = here else { continue };
            match event {
                Event::Introduced(_) if here != Ordering::Less => affected = true,
                Event::Fixed(_) if here != Ordering::Less => affected = false,
                Event::LastAffected(_) if here == Ordering::Greater => affected = false,
                _ => {}
            }
        }
        affected
    }
}

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    severity: Vec<Score>,
    #[serde(default)]
    affected: Vec<Affected>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Score {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct Affected {
    #[serde(default)]
    package: Option<AffectedPackage>,
    #[serde(default)]
    ranges: Vec<Range>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    severity: Vec<Score>,
}

#[derive(Deserialize)]
struct AffectedPackage {
    ecosystem: String,
    name: String,
}

/// The label a record's database gives it, else the highest CVSS score among the record's and
/// its affected entries' scores.
fn rating(record: &Record) -> Severity {
    let label = record
        .database_specific
        .as_ref()
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .map(Severity::from_label)
        .filter(|s| *s != Severity::Unknown);
    label.unwrap_or_else(|| {
        record
            .severity
            .iter()
            .chain(record.affected.iter().flat_map(|a| &a.severity))
            .filter(|s| s.kind.starts_with("CVSS_"))
            .filter_map(|s| cvss::Cvss::from_str(&s.score).ok())
            .map(|c| Severity::from_score(c.score()))
            .max()
            .unwrap_or_default()
    })
}

/// One record's entries for `ecosystem`: `(normalized package name, entry)`.
fn entries(record: Record, ecosystem: Ecosystem) -> Vec<(String, OsvEntry)> {
    if record.withdrawn.is_some() {
        return Vec::new();
    }
    let severity = rating(&record);
    let summary = record
        .summary
        .or(record.details)
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    record
        .affected
        .into_iter()
        .filter_map(|a| {
            let p = a.package?;
            // `Debian:12`, `Go`, ...: the part before a colon names the ecosystem.
            let eco = p.ecosystem.split(':').next().unwrap_or_default();
            (Ecosystem::from_osv_name(eco) == Some(ecosystem)).then(|| {
                let ranges: Vec<Range> = a
                    .ranges
                    .into_iter()
                    .filter(|r| r.kind == "SEMVER" || r.kind == "ECOSYSTEM")
                    .collect();
                let entry = OsvEntry {
                    id: record.id.clone(),
                    aliases: record.aliases.clone(),
                    summary: summary.clone(),
                    severity,
                    ranges,
                    versions: a.versions,
                };
                (ecosystem.normalize(&p.name), entry)
            })
        })
        .filter(|(_, e)| !e.ranges.is_empty() || !e.versions.is_empty())
        .collect()
}

/// Reads an OSV export (a zip of `*.json` records) into index lines, sorted; `what` names
/// the file in errors. Returns the lines and the number of advisories read.
pub fn read_export(
    zip: impl Read + Seek,
    ecosystem: Ecosystem,
    what: &str,
) -> Result<(Vec<String>, usize), Error> {
    let mut archive =
        zip::ZipArchive::new(zip).map_err(|e| Error::invalid(what, format!("not a zip: {e}")))?;
    let mut lines = Vec::new();
    let mut records = 0;
    let mut text = String::new();
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|e| Error::invalid(what, format!("entry {i}: {e}")))?;
        if !file.is_file() || !file.name().ends_with(".json") {
            continue;
        }
        let name = file.name().to_string();
        text.clear();
        file.read_to_string(&mut text)
            .map_err(|e| Error::invalid(what, format!("{name}: {e}")))?;
        let record: Record = serde_json::from_str(&text)
            .map_err(|e| Error::invalid(what, format!("{name} is not an OSV record: {e}")))?;
        records += 1;
        for (package, entry) in entries(record, ecosystem) {
            let json = serde_json::to_string(&entry).expect("an entry serializes");
            lines.push(format!("{}\t{json}", package.replace(['\t', '\n'], " ")));
        }
    }
    lines.sort();
    Ok((lines, records))
}

/// The entries of an index file's text whose package is in `names`.
pub(crate) fn select(text: &str, names: &BTreeSet<&str>) -> Vec<(String, OsvEntry)> {
    text.lines()
        .filter_map(|line| line.split_once('\t'))
        .filter(|(name, _)| names.contains(name))
        .filter_map(|(name, json)| Some((name.to_string(), serde_json::from_str(json).ok()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(kind: &str, events: &[(&str, &str)]) -> Range {
        Range {
            kind: kind.into(),
            events: events
                .iter()
                .map(|(k, v)| match *k {
                    "introduced" => Event::Introduced(v.to_string()),
                    "fixed" => Event::Fixed(v.to_string()),
                    "last_affected" => Event::LastAffected(v.to_string()),
                    _ => Event::Limit(v.to_string()),
                })
                .collect(),
        }
    }

    fn entry(ranges: Vec<Range>, versions: &[&str]) -> OsvEntry {
        OsvEntry {
            id: "X".into(),
            aliases: vec![],
            summary: String::new(),
            severity: Severity::Unknown,
            ranges,
            versions: versions.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn ranges_follow_the_osv_evaluation() {
        // Two affected spans, events deliberately out of order.
        let e = entry(
            vec![range(
                "SEMVER",
                &[
                    ("fixed", "1.2.0"),
                    ("introduced", "2.0.0"),
                    ("introduced", "0"),
                    ("fixed", "2.1.3"),
                ],
            )],
            &[],
        );
        for (v, want) in [
            ("0.1.0", true),
            ("1.1.9", true),
            ("1.2.0", false),
            ("1.9.0", false),
            ("2.0.0", true),
            ("2.1.3", false),
            ("v2.1.2", true),
        ] {
            assert_eq!(e.affects(Ecosystem::Go, v), want, "{v}");
        }
        assert_eq!(
            e.fixed_after(Ecosystem::Go, "2.0.1").as_deref(),
            Some("2.1.3")
        );
        assert_eq!(
            e.fixed_after(Ecosystem::Go, "1.0.0").as_deref(),
            Some("1.2.0")
        );
        let last = entry(
            vec![range(
                "ECOSYSTEM",
                &[("introduced", "1.0"), ("last_affected", "1.4.post1")],
            )],
            &[],
        );
        assert!(last.affects(Ecosystem::PyPI, "1.4.post1"));
        assert!(last.affects(Ecosystem::PyPI, "1.4"));
        assert!(!last.affects(Ecosystem::PyPI, "1.4.1"));
        assert!(
            !last.affects(Ecosystem::PyPI, "1.0rc1"),
            "a pre-release sorts before 1.0"
        );
        let listed = entry(vec![], &["2.0.0", "2.0.1"]);
        assert!(
            listed.affects(Ecosystem::Npm, "2.0.1") && !listed.affects(Ecosystem::Npm, "2.0.2")
        );
        assert!(listed.fixed_after(Ecosystem::Npm, "2.0.1").is_none());
    }

    #[test]
    fn reads_an_export_zip() {
        use std::io::Write;
        let records = [
            // A GHSA record: its label wins over the CVSS vector.
            r#"{"id": "GHSA-aaaa", "aliases": ["CVE-2026-5"], "summary": "Bad parse\nmore",
                "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
                "database_specific": {"severity": "MODERATE"},
                "affected": [{"package": {"ecosystem": "PyPI", "name": "Foo_Bar"},
                              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]},
                                         {"type": "GIT", "repo": "r", "events": [{"introduced": "abc"}]}]}]}"#,
            // Only a CVSS vector: rated from its score (9.8, critical).
            r#"{"id": "PYSEC-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "foo-bar"}, "versions": ["1.0"]}],
                "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}"#,
            r#"{"id": "PYSEC-2", "withdrawn": "2026-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "foo"}, "versions": ["1"]}]}"#,
        ];
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (i, r) in records.iter().enumerate() {
            zip.start_file(
                format!("R{i}.json"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            zip.write_all(r.as_bytes()).unwrap();
        }
        let bytes = zip.finish().unwrap().into_inner();
        let (lines, count) =
            read_export(std::io::Cursor::new(bytes), Ecosystem::PyPI, "PyPI/all.zip").unwrap();
        assert_eq!(count, 3);
        assert_eq!(
            lines.len(),
            2,
            "the withdrawn record is left out: {lines:?}"
        );
        let text = lines.join("\n");
        let found = select(&text, &BTreeSet::from(["foo-bar"]));
        assert_eq!(found.len(), 2);
        let ghsa = &found.iter().find(|(_, e)| e.id == "GHSA-aaaa").unwrap().1;
        assert_eq!(ghsa.severity, Severity::Medium);
        assert_eq!(ghsa.summary, "Bad parse");
        assert_eq!(ghsa.ranges.len(), 1, "the git range is not kept");
        assert!(ghsa.affects(Ecosystem::PyPI, "1.1") && !ghsa.affects(Ecosystem::PyPI, "1.2"));
        let pysec = &found.iter().find(|(_, e)| e.id == "PYSEC-1").unwrap().1;
        assert_eq!(pysec.severity, Severity::Critical);
        let err = read_export(
            std::io::Cursor::new(b"nope".to_vec()),
            Ecosystem::Npm,
            "npm/all.zip",
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("npm/all.zip: not a zip"),
            "{err}"
        );
    }
}
