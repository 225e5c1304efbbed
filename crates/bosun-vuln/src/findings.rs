//! Matching an image's packages against the database, each finding with its verdict.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::osv::OsvEntry;
use crate::tracker::TrackerEntry;
use crate::updates::Update;
use crate::version::compare;
use crate::{Component, Ecosystem, Severity};

/// What an advisory says of the installed version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Vulnerable, and a fixed version exists (`fixed_version`).
    Vulnerable,
    /// Vulnerable, and no fix exists yet.
    Unfixed,
    /// Debian has not yet determined whether the release is affected.
    Undetermined,
    /// Vulnerable, but Debian will not issue an advisory for it (`reason` says why:
    /// `postponed` to a point release, or `ignored`); a minor issue.
    Minor,
    /// The package is no longer supported with security updates in this release.
    EndOfLife,
    /// Not affected: the release never was, or the installed version has the fix.
    NotAffected,
}

impl Status {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Vulnerable => "vulnerable",
            Status::Unfixed => "unfixed",
            Status::Undetermined => "undetermined",
            Status::Minor => "minor",
            Status::EndOfLife => "end-of-life",
            Status::NotAffected => "not-affected",
        }
    }

    /// Whether the installed version has (or may have) the flaw.
    pub fn affected(self) -> bool {
        self != Status::NotAffected
    }
}

/// A newer version the mirror has now that carries the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixNow {
    /// The version.
    pub version: String,
    /// The suite that has it.
    pub suite: String,
}

/// One advisory about one installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The advisory's id (a CVE id for Debian; GHSA, PYSEC, GO, RUSTSEC ids for OSV).
    pub id: String,
    /// Other ids of the same flaw.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The installed package.
    pub package: String,
    /// Its installed version.
    pub version: String,
    /// Debian: the source package the advisory is filed under.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Its purl.
    pub purl: String,
    /// The verdict.
    pub status: Status,
    /// The first version with the fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// Where the mirror has a version with the fix now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_now: Option<FixNow>,
    /// Rating.
    pub severity: Severity,
    /// Debian's urgency as written (`unimportant` ones are shown only when asked for all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// Why Debian issues no advisory: `postponed` or `ignored`, and the team's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// One line about the flaw.
    pub summary: String,
}

impl Finding {
    /// Whether Debian rates it `unimportant` (shown only when all are asked for).
    pub fn unimportant(&self) -> bool {
        self.urgency
            .as_deref()
            .is_some_and(|u| u.trim_end_matches('*') == "unimportant")
    }

    /// Whether a fixed version exists.
    pub fn has_fix(&self) -> bool {
        self.status == Status::Vulnerable
    }

    /// Every id the finding answers to.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// The source packages of the Debian components.
pub fn debian_sources(components: &[Component]) -> BTreeSet<&str> {
    components
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::Debian)
        .map(Component::source_name)
        .collect()
}

/// The tracker's verdict on each Debian component of one release. `updates` are the mirror's
/// newer versions (from [`crate::updates::available`]), to say where a fix can be had now.
pub fn debian(
    components: &[Component],
    entries: &[TrackerEntry],
    updates: &[Update],
) -> Vec<Finding> {
    let mut by_source: BTreeMap<&str, Vec<&TrackerEntry>> = BTreeMap::new();
    for e in entries {
        by_source.entry(&e.source).or_default().push(e);
    }
    let newer: BTreeMap<&str, &Update> = updates.iter().map(|u| (u.package.as_str(), u)).collect();
    let mut out = Vec::new();
    for c in components
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::Debian)
    {
        for e in by_source.get(c.source_name()).into_iter().flatten() {
            let (status, fixed) = verdict(e, c.source_version());
            let fix_now = match (&fixed, newer.get(c.name.as_str())) {
                (Some(fixed), Some(u)) if status == Status::Vulnerable => {
                    // The mirror's binary version against the fixed source version: a binNMU
                    // suffix (`+b1`) only sorts it higher, never below the fix.
                    (compare(Ecosystem::Debian, &u.available, fixed) != Some(Ordering::Less)).then(
                        || FixNow {
                            version: u.available.clone(),
                            suite: u.suite.clone(),
                        },
                    )
                }
                _ => None,
            };
            let reason = e.nodsa_reason.as_ref().or(e.nodsa.as_ref()).map(|_| {
                [e.nodsa_reason.as_deref(), e.nodsa.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ")
            });
            out.push(Finding {
                id: e.id.clone(),
                aliases: Vec::new(),
                ecosystem: Ecosystem::Debian,
                package: c.name.clone(),
                version: c.version.clone(),
                source: Some(e.source.clone()),
                purl: c.purl.clone(),
                status,
                fixed_version: fixed.filter(|_| status == Status::Vulnerable),
                fix_now,
                severity: Severity::from_label(&e.urgency),
                urgency: Some(e.urgency.clone()),
                reason: reason.filter(|_| status == Status::Minor),
                summary: e.description.clone(),
            });
        }
    }
    sorted(out)
}

/// Debian's verdict on one installed source version, and the fixed version that decides it.
fn verdict(e: &TrackerEntry, installed: &str) -> (Status, Option<String>) {
    let eol = e.urgency.trim_end_matches('*') == "end-of-life";
    match (e.status.as_str(), e.fixed_version.as_deref()) {
        ("resolved", Some("0")) => (Status::NotAffected, None),
        ("resolved", Some(fixed)) => match compare(Ecosystem::Debian, installed, fixed) {
            Some(Ordering::Less) => (Status::Vulnerable, Some(fixed.to_string())),
            // Unreadable versions: say vulnerable rather than hide it.
            None => (Status::Vulnerable, Some(fixed.to_string())),
            Some(_) => (Status::NotAffected, Some(fixed.to_string())),
        },
        ("resolved", None) => (Status::NotAffected, None),
        _ if eol => (Status::EndOfLife, None),
        ("undetermined", _) => (Status::Undetermined, None),
        _ if e.nodsa.is_some() || e.nodsa_reason.is_some() => (Status::Minor, None),
        _ => (Status::Unfixed, None),
    }
}

/// The names of the components of one ecosystem.
pub fn names(components: &[Component], ecosystem: Ecosystem) -> BTreeSet<&str> {
    components
        .iter()
        .filter(|c| c.ecosystem == ecosystem)
        .map(|c| c.name.as_str())
        .collect()
}

/// OSV's advisories that affect each component of `ecosystem`.
pub fn osv(
    components: &[Component],
    ecosystem: Ecosystem,
    entries: &[(String, OsvEntry)],
) -> Vec<Finding> {
    let mut by_name: BTreeMap<&str, Vec<&OsvEntry>> = BTreeMap::new();
    for (name, e) in entries {
        by_name.entry(name).or_default().push(e);
    }
    let mut out = Vec::new();
    for c in components.iter().filter(|c| c.ecosystem == ecosystem) {
        let mut seen = BTreeSet::new();
        for e in by_name.get(c.name.as_str()).into_iter().flatten() {
            if !e.affects(ecosystem, &c.version) || !seen.insert(&e.id) {
                continue;
            }
            let fixed = e.fixed_after(ecosystem, &c.version);
            out.push(Finding {
                id: e.id.clone(),
                aliases: e.aliases.clone(),
                ecosystem,
                package: c.name.clone(),
                version: c.version.clone(),
                source: None,
                purl: c.purl.clone(),
                status: match fixed {
                    Some(_) => Status::Vulnerable,
                    None => Status::Unfixed,
                },
                fixed_version: fixed,
                fix_now: None,
                severity: e.severity,
                urgency: None,
                reason: None,
                summary: e.summary.clone(),
            });
        }
    }
    sorted(out)
}

/// Worst first, then by package and id.
pub fn sorted(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        (b.status.affected(), b.severity)
            .cmp(&(a.status.affected(), a.severity))
            .then_with(|| (&a.package, &a.id).cmp(&(&b.package, &b.id)))
    });
    findings
}

/// A finding for tests: vulnerable, rated high, with what is given.
#[cfg(test)]
pub(crate) fn sample(id: &str, package: &str, purl: &str) -> Finding {
    Finding {
        id: id.into(),
        aliases: vec![],
        ecosystem: Ecosystem::Debian,
        package: package.into(),
        version: "1".into(),
        source: None,
        purl: purl.into(),
        status: Status::Vulnerable,
        fixed_version: None,
        fix_now: None,
        severity: Severity::High,
        urgency: None,
        reason: None,
        summary: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        id: &str,
        status: &str,
        fixed: &str,
        urgency: &str,
        nodsa: Option<&str>,
    ) -> TrackerEntry {
        TrackerEntry {
            source: "foo".into(),
            id: id.into(),
            status: status.into(),
            fixed_version: (!fixed.is_empty()).then(|| fixed.into()),
            urgency: urgency.into(),
            nodsa: nodsa.map(|_| "Minor issue".into()),
            nodsa_reason: nodsa.map(String::from),
            description: "d".into(),
        }
    }

    #[test]
    fn each_tracker_status_gives_its_verdict() {
        let c =
            Component::from_purl("pkg:deb/debian/libfoo1@1.0-1%2Bb1?upstream=foo%401.0-1").unwrap();
        let entries = [
            entry("CVE-1", "resolved", "1.0-2", "high", None),
            entry("CVE-2", "resolved", "1.0-1", "medium", None),
            entry("CVE-3", "resolved", "0", "not yet assigned", None),
            entry("CVE-4", "open", "", "low", None),
            entry("CVE-5", "undetermined", "", "not yet assigned", None),
            entry("CVE-6", "open", "", "low", Some("postponed")),
            entry("CVE-7", "open", "", "unimportant", Some("ignored")),
            entry("CVE-8", "open", "", "end-of-life", None),
        ];
        let updates = [Update {
            package: "libfoo1".into(),
            source: "foo".into(),
            installed: "1.0-1+b1".into(),
            available: "1.0-2".into(),
            suite: "x-security".into(),
            security: true,
            cves: vec![],
        }];
        let found = debian(std::slice::from_ref(&c), &entries, &updates);
        let by_id: BTreeMap<&str, &Finding> = found.iter().map(|f| (f.id.as_str(), f)).collect();
        let status = |id: &str| by_id[id].status;
        assert_eq!(status("CVE-1"), Status::Vulnerable);
        assert_eq!(by_id["CVE-1"].fixed_version.as_deref(), Some("1.0-2"));
        assert_eq!(by_id["CVE-1"].fix_now.as_ref().unwrap().suite, "x-security");
        assert_eq!(by_id["CVE-1"].severity, Severity::High);
        assert_eq!(
            status("CVE-2"),
            Status::NotAffected,
            "the source version has the fix"
        );
        assert_eq!(status("CVE-3"), Status::NotAffected);
        assert_eq!(status("CVE-4"), Status::Unfixed);
        assert_eq!(status("CVE-5"), Status::Undetermined);
        assert_eq!(status("CVE-6"), Status::Minor);
        assert_eq!(
            by_id["CVE-6"].reason.as_deref(),
            Some("postponed: Minor issue")
        );
        assert!(by_id["CVE-7"].unimportant() && status("CVE-7") == Status::Minor);
        assert_eq!(status("CVE-8"), Status::EndOfLife);
        assert_eq!(found[0].id, "CVE-1", "worst first");
        assert_eq!(found.last().unwrap().status, Status::NotAffected);
    }
}
