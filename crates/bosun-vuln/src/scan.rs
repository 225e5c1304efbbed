//! A scan's whole answer about one image or SBOM: its packages' advisories from the
//! database, the findings a team has judged (ignore rules, VEX), the mirror's updates, what
//! data each verdict rests on, and the gates a CI job fails on.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::db::{self, Db};
use crate::findings::{self, Finding};
use crate::ignore::IgnoreList;
use crate::updates::Update;
use crate::vex::Vex;
use crate::{Component, Ecosystem, Error, Severity};

/// What a scan starts from: packages, and what is known of the system they are in.
pub struct Scanned {
    /// The packages, as advisories name them.
    pub components: Vec<Component>,
    /// The Debian release codename, when known.
    pub codename: Option<String>,
    /// The Debian architecture.
    pub arch: String,
    /// What names the image in VEX statements: the reference as given, its manifest digest.
    pub names: Vec<String>,
}

impl Scanned {
    /// An image's catalogue (`reference` as the user named it).
    pub fn image(
        reference: &str,
        image: &bosun_oci::source::Image,
        sbom: &bosun_sbom::Sbom,
    ) -> Scanned {
        let config = &image.config;
        let mut names = vec![reference.to_string()];
        names.extend(image.manifest_digest.as_ref().map(|d| d.to_string()));
        Scanned {
            components: sbom
                .packages
                .iter()
                .filter_map(Component::from_package)
                .collect(),
            codename: sbom.distro.as_ref().and_then(|d| d.codename.clone()),
            arch: bosun_oci::model::debian_arch(&config.architecture, config.variant.as_deref()),
            names,
        }
    }

    /// The packages an SPDX or CycloneDX JSON document lists, by their purls; the Debian
    /// ones also give the release (`distro=debian-N`) and architecture.
    pub fn sbom_file(path: &Path) -> Result<Scanned, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let doc: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Error::invalid(path.display(), format!("not a JSON SBOM: {e}")))?;
        let purls: Vec<&str> = if doc.get("spdxVersion").is_some() {
            doc["packages"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|p| p["externalRefs"].as_array().into_iter().flatten())
                .filter(|r| r["referenceType"] == "purl")
                .filter_map(|r| r["referenceLocator"].as_str())
                .collect()
        } else if doc.get("bomFormat").and_then(|f| f.as_str()) == Some("CycloneDX") {
            doc["components"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["purl"].as_str())
                .collect()
        } else {
            return Err(Error::invalid(
                path.display(),
                "neither SPDX nor CycloneDX JSON",
            ));
        };
        let (mut codename, mut arch) = (None, None);
        for p in purls
            .iter()
            .filter_map(|p| bosun_sbom::purl::Purl::parse(p))
            .filter(|p| p.kind == "deb")
        {
            if let Some(a) = p.qualifiers.get("arch").filter(|a| *a != "all") {
                arch = arch.or(Some(a.clone()));
            }
            if let Some(d) = p.qualifiers.get("distro") {
                let number = d.rsplit('-').next().unwrap_or_default();
                codename = codename.or(bosun_deb::release::codename_of(number).map(str::to_string));
            }
        }
        Ok(Scanned {
            components: purls.into_iter().filter_map(Component::from_purl).collect(),
            codename,
            arch: arch.unwrap_or_else(|| {
                let host = bosun_oci::source::host_platform();
                bosun_oci::model::debian_arch(&host.architecture, host.variant.as_deref())
            }),
            names: Vec::new(),
        })
    }

    /// Whether any package is a Debian one.
    pub fn has_debian(&self) -> bool {
        self.components
            .iter()
            .any(|c| c.ecosystem == Ecosystem::Debian)
    }
}

/// Advisories found, and what the database lacked to check everything.
#[derive(Debug, Default)]
pub struct Advisories {
    /// Every finding, sorted.
    pub findings: Vec<Finding>,
    /// What could not be checked, and why (a release or ecosystem the database lacks).
    pub gaps: Vec<String>,
}

/// The database's advisories about `components`: the Security Tracker's verdicts for the
/// Debian ones in `suite`'s release, OSV's for the others. `updates` (the mirror's newer
/// versions) say where a fix can be had now.
pub fn advisories(
    db: &Db,
    components: &[Component],
    suite: Option<&str>,
    updates: &[Update],
) -> Result<Advisories, Error> {
    let mut found = Vec::new();
    let mut gaps = Vec::new();
    let has_debian = components.iter().any(|c| c.ecosystem == Ecosystem::Debian);
    if let Some(suite) = suite.filter(|_| has_debian) {
        // The tracker names releases by codename; a suite such as bookworm-security is the
        // release's.
        let release = suite.split('-').next().unwrap_or(suite);
        let sources = findings::debian_sources(components);
        match db.debian(release, &sources)? {
            Some(entries) => found.extend(findings::debian(components, &entries, updates)),
            None => gaps.push(format!(
                "the vulnerability database has no Security Tracker data for {release}"
            )),
        }
    }
    for ecosystem in Ecosystem::OSV {
        let names = findings::names(components, ecosystem);
        if names.is_empty() {
            continue;
        }
        match db.osv(ecosystem, &names)? {
            Some(entries) => found.extend(findings::osv(components, ecosystem, &entries)),
            None => gaps.push(format!(
                "the vulnerability database has no {} advisories: {} {} packages not checked",
                ecosystem.osv_name(),
                names.len(),
                ecosystem.osv_name()
            )),
        }
    }
    Ok(Advisories {
        findings: findings::sorted(found),
        gaps,
    })
}

/// A finding a team has judged, and where that judgement is written.
#[derive(Debug, Serialize)]
pub struct Ignored {
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// The ignore rule or VEX statement that takes it out.
    pub ignored_because: String,
}

/// Splits findings into those reported and those an ignore rule (valid on `today`) or a VEX
/// statement about the image (named by any of `names`) takes out.
pub fn judge(
    found: Vec<Finding>,
    ignores: &IgnoreList,
    vex: &Vex,
    names: &[String],
    today: jiff::civil::Date,
) -> (Vec<Finding>, Vec<Ignored>) {
    let (mut kept, mut ignored) = (Vec::new(), Vec::new());
    for f in found {
        let because = match ignores.matching(&f, today) {
            Some(rule) => Some(format!("{}: {}", ignores.path, rule.reason)),
            None => vex.suppresses(&f, names).map(String::from),
        };
        match because {
            Some(b) => ignored.push(Ignored {
                finding: f,
                ignored_because: b,
            }),
            None => kept.push(f),
        }
    }
    (kept, ignored)
}

/// The database a scan read.
#[derive(Debug, Serialize)]
pub struct DatabaseInfo {
    /// Its directory.
    pub dir: String,
    /// When it was fetched (RFC 3339).
    pub fetched: String,
    /// Its age.
    pub age_days: i64,
    /// Its sources.
    pub sources: Vec<db::SourceMeta>,
}

impl DatabaseInfo {
    /// What the verdicts of a scan that opened `db` (in `dir`) rest on now, and the
    /// database's description: older than `max_age_days` is stale.
    pub fn of(
        db: Option<&Db>,
        dir: &Path,
        now: i64,
        max_age_days: u32,
    ) -> (AdvisoryData, Option<DatabaseInfo>) {
        let Some(db) = db else {
            return (AdvisoryData::Missing, None);
        };
        let fetched = db.fetched().unwrap_or(0);
        let age_days = (now - fetched).max(0) / 86_400;
        let data = match age_days > i64::from(max_age_days) {
            true => AdvisoryData::Stale,
            false => AdvisoryData::Current,
        };
        let info = DatabaseInfo {
            dir: dir.display().to_string(),
            fetched: bosun_oci::model::rfc3339(fetched),
            age_days,
            sources: db.meta.sources.clone(),
        };
        (data, Some(info))
    }
}

/// What the vulnerability verdicts rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AdvisoryData {
    /// A database no older than the age allowed.
    Current,
    /// An older one.
    Stale,
    /// None read: no vulnerability was checked.
    Missing,
}

/// A scan's report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// The image or SBOM file, as named.
    pub image: String,
    /// The Debian suite checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suite: Option<String>,
    /// The Debian architecture.
    pub architecture: String,
    /// How many packages were checked.
    pub packages: usize,
    /// The newest `Date` of the suites read: how fresh the mirror's answer is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_date: Option<String>,
    /// The database read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseInfo>,
    /// What the vulnerability verdicts rest on.
    pub advisory_data: AdvisoryData,
    /// What is reported.
    pub vulnerabilities: Vec<Finding>,
    /// What the team's ignore rules and VEX take out.
    pub ignored: Vec<Ignored>,
    /// The mirror's newer versions.
    pub updates: Vec<Update>,
}

/// What a CI job fails on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// A vulnerability at or above a severity.
    Severity(Severity),
    /// Any affected package with a fix, or a security update on the mirror.
    Fixable,
    /// Any newer version on the mirror.
    Outdated,
}

/// Whether an update fixes something (a security update, or one whose changelog names CVEs).
fn fixable_update(u: &Update) -> bool {
    u.security || !u.cves.is_empty()
}

impl Report {
    /// Why `gate` checks nothing here, when it does not: a severity gate fails closed, since
    /// with no advisory data (or data older than `max_age_days`, looked for in `dir`) passing
    /// would call the image clean.
    pub fn unchecked(&self, gate: Gate, dir: &Path, max_age_days: u32) -> Option<String> {
        match (gate, self.advisory_data) {
            (Gate::Severity(_), AdvisoryData::Stale) => Some(format!(
                "the vulnerability database in {} is older than --max-db-age ({max_age_days} days)",
                dir.display()
            )),
            (Gate::Severity(_), AdvisoryData::Missing) => Some(format!(
                "no vulnerability database was read (looked in {})",
                dir.display()
            )),
            _ => None,
        }
    }

    /// Whether the report fails `gate`.
    pub fn fails(&self, gate: Gate) -> bool {
        let mut affected = self.vulnerabilities.iter().filter(|f| f.status.affected());
        match gate {
            Gate::Severity(s) => affected.any(|f| f.severity >= s),
            Gate::Fixable => {
                affected.any(Finding::has_fix) || self.updates.iter().any(fixable_update)
            }
            Gate::Outdated => !self.updates.is_empty(),
        }
    }

    /// One line: counts by severity, what is fixable now, what data the verdicts rest on.
    pub fn summary(&self) -> String {
        let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
        for f in self.vulnerabilities.iter().filter(|f| f.status.affected()) {
            *counts.entry(f.severity).or_default() += 1;
        }
        let total: usize = counts.values().sum();
        let by_severity: Vec<String> = counts
            .iter()
            .rev()
            .map(|(s, n)| format!("{n} {}", s.as_str()))
            .collect();
        let fix_now = self
            .vulnerabilities
            .iter()
            .filter(|f| f.fix_now.is_some())
            .count();
        let mut line = match (&self.database, by_severity.is_empty()) {
            (None, _) => format!("{} packages", self.packages),
            (Some(_), true) => format!("{total} vulnerabilities in {} packages", self.packages),
            (Some(_), false) => format!(
                "{total} vulnerabilities ({}) in {} packages",
                by_severity.join(", "),
                self.packages
            ),
        };
        if fix_now > 0 {
            line.push_str(&format!(", {fix_now} fixable now from the mirror"));
        }
        if !self.ignored.is_empty() {
            line.push_str(&format!(", {} ignored", self.ignored.len()));
        }
        if let Some(suite) = self.suite.as_ref().filter(|_| self.mirror_date.is_some()) {
            line.push_str(&format!(
                "; {} packages have newer versions in {suite} ({} fixable)",
                self.updates.len(),
                self.updates.iter().filter(|u| fixable_update(u)).count()
            ));
        }
        if let Some(date) = &self.mirror_date {
            line.push_str(&format!("; mirror data of {date}"));
        }
        match &self.database {
            Some(db) => line.push_str(&format!(
                "; advisories of {} ({} days old)",
                db.fetched, db.age_days
            )),
            None => line.push_str("; no advisory database, so no vulnerabilities checked"),
        }
        line
    }

    /// SARIF 2.1.0 results and rules: one rule per advisory, one result per finding;
    /// `security-severity` is the number code-scanning dashboards sort by. The run's
    /// properties say which data the verdicts rest on.
    pub fn sarif(
        &self,
    ) -> (
        Vec<serde_json::Value>,
        Vec<serde_json::Value>,
        serde_json::Value,
    ) {
        let level = |s: Severity| match s {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            _ => "note",
        };
        let score = |s: Severity| match s {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "2.0",
            _ => "0.0",
        };
        let mut rules: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
        let mut results = Vec::new();
        for f in &self.vulnerabilities {
            rules.entry(&f.id).or_insert_with(|| {
                serde_json::json!({
                    "id": f.id,
                    "name": f.id,
                    "shortDescription": { "text": if f.summary.is_empty() { &f.id } else { &f.summary } },
                    "defaultConfiguration": { "level": level(f.severity) },
                    "properties": { "security-severity": score(f.severity), "tags": ["security", "vulnerability"] },
                })
            });
            let fixed = f
                .fixed_version
                .as_ref()
                .map_or_else(String::new, |v| format!("; fixed in {v}"));
            results.push(serde_json::json!({
                "ruleId": f.id,
                "level": level(f.severity),
                "message": { "text": format!("{} {} is affected by {} ({}, {}{fixed})", f.package, f.version, f.id, f.status.as_str(), f.severity.as_str()) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": self.image } },
                    "logicalLocations": [{ "name": f.package, "fullyQualifiedName": f.purl, "kind": "package" }],
                }],
                "properties": { "status": f.status.as_str(), "severity": f.severity.as_str(), "installed": f.version, "fixedVersion": f.fixed_version },
            }));
        }
        let properties = serde_json::json!({
            "advisoryData": self.advisory_data,
            "database": self.database.as_ref().map(|d| &d.fetched),
            "mirrorDate": self.mirror_date,
        });
        (rules.into_values().collect(), results, properties)
    }

    /// The report as a table, a line each: vulnerabilities, then the mirror's updates.
    pub fn table(&self) -> Vec<String> {
        let mut out = Vec::new();
        let report = self;
        if !report.vulnerabilities.is_empty() {
            out.push(format!(
                "{:<24} {:<20} {:<20} {:<10} {:<13} FIXED IN",
                "PACKAGE", "VERSION", "ID", "SEVERITY", "STATUS"
            ));
            for f in &report.vulnerabilities {
                let fixed = match (&f.fixed_version, &f.fix_now) {
                    (Some(v), Some(now)) => format!("{v} (now in {})", now.suite),
                    (Some(v), None) => v.clone(),
                    (None, _) => f.reason.clone().unwrap_or_default(),
                };
                out.push(format!(
                    "{:<24} {:<20} {:<20} {:<10} {:<13} {fixed}",
                    f.package,
                    f.version,
                    f.id,
                    f.severity.as_str(),
                    f.status.as_str()
                ));
            }
        }
        if !report.updates.is_empty() {
            if !report.vulnerabilities.is_empty() {
                out.push(String::new());
            }
            out.push(format!(
                "{:<28} {:<24} {:<24} {:<22} CVES",
                "PACKAGE", "INSTALLED", "AVAILABLE", "SUITE"
            ));
            for u in &report.updates {
                out.push(format!(
                    "{:<28} {:<24} {:<24} {:<22} {}",
                    u.package,
                    u.installed,
                    u.available,
                    u.suite,
                    u.cves.join(" ")
                ));
            }
        }
        out
    }
}
