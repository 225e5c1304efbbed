//! `bosun scan IMAGE|SBOM`: the known vulnerabilities of an image's packages (the Debian
//! Security Tracker's verdicts, OSV's advisories) and the Debian updates its mirror already
//! has, with the CVE ids their changelogs name. `bosun db`: the database scan reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bosun_deb::{Cache, Fetcher, Repository, RepositoryConfig};
use bosun_sbom::catalog;
use bosun_vuln::db::{self, Db};
use bosun_vuln::findings::{self, Finding};
use bosun_vuln::ignore::{self, IgnoreList};
use bosun_vuln::updates::{self, Update};
use bosun_vuln::vex::Vex;
use bosun_vuln::{Component, Ecosystem, Severity};
use serde::Serialize;

use crate::cli::{ReportFormat, ScanArgs, ScanFailOn};
use crate::commands::open_image;
use crate::reporters::DownloadReporter;
use crate::{ExitStatus, Printer, settings};

/// What a scan starts from.
struct Scanned {
    components: Vec<Component>,
    /// The Debian release codename, when known.
    codename: Option<String>,
    /// The Debian architecture.
    arch: String,
    /// What names the image in VEX statements: the reference as given, its manifest digest.
    names: Vec<String>,
}

/// The image's packages, catalogued.
fn from_image(store_dir: &Path, args: &ScanArgs) -> Result<Scanned> {
    let platform = args
        .platform
        .as_deref()
        .map(str::parse::<bosun_oci::model::Platform>)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let opened = open_image(store_dir, &args.image, platform.as_ref(), &args.registry)?;
    let sbom =
        catalog(&opened.image).with_context(|| format!("cannot catalogue {}", args.image))?;
    let config = &opened.image.config;
    let mut names = vec![args.image.clone()];
    names.extend(opened.image.manifest_digest.as_ref().map(|d| d.to_string()));
    Ok(Scanned {
        components: sbom
            .packages
            .iter()
            .filter_map(Component::from_package)
            .collect(),
        codename: sbom.distro.and_then(|d| d.codename),
        arch: bosun_oci::model::debian_arch(&config.architecture, config.variant.as_deref()),
        names,
    })
}

/// The packages an SPDX or CycloneDX JSON document lists, by their purls; the Debian ones
/// also give the release (`distro=debian-N`) and architecture.
fn from_sbom_file(path: &Path) -> Result<Scanned> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a JSON SBOM", path.display()))?;
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
        bail!("{} is neither SPDX nor CycloneDX JSON", path.display());
    };
    let (mut codename, mut arch) = (None, None);
    for p in purls
        .iter()
        .filter_map(|p| bosun_sbom::purl::Purl::parse(p))
    {
        if p.kind != "deb" {
            continue;
        }
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
            bosun_oci::model::debian_arch(&bosun_oci::source::host_platform().architecture, None)
        }),
        names: Vec::new(),
    })
}

/// The mirror's newer versions of the Debian packages, and how fresh the mirror's data is.
fn mirror_updates(
    scanned: &Scanned,
    suite: &str,
    printer: &Printer,
) -> Result<(Vec<Update>, String)> {
    let mirrors = settings::machine_mirrors(None, None)?;
    let repo_config = RepositoryConfig {
        debian: mirrors["debian"].clone(),
        security: mirrors.get("security").cloned(),
        suite: suite.to_string(),
        components: vec!["main".into()],
        updates: true,
        security_updates: mirrors.contains_key("security"),
    };
    let keyring = settings::keyring_at(None)?;
    let cache = Cache::new(settings::cache_dir());
    let repo = Repository::open(
        &repo_config,
        &keyring,
        Fetcher::new(),
        Cache::new(settings::cache_dir()),
        settings::now(),
    )?;
    let universe = repo.universe(&scanned.arch)?;
    let reporter = DownloadReporter::new(printer.progress());
    let found = updates::available(
        &repo,
        &universe,
        &scanned.components,
        &cache,
        &Fetcher::new(),
        &reporter,
    )?;
    reporter.finish();
    let newest = repo
        .suites
        .iter()
        .map(|s| s.release.date)
        .max()
        .unwrap_or(0);
    Ok((found, bosun_oci::model::rfc3339(newest)))
}

#[derive(Serialize)]
struct DatabaseInfo {
    dir: String,
    fetched: String,
    age_days: i64,
    sources: Vec<db::SourceMeta>,
}

#[derive(Serialize)]
struct Ignored {
    #[serde(flatten)]
    finding: Finding,
    ignored_because: String,
}

#[derive(Serialize)]
struct Report<'a> {
    image: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    suite: Option<&'a str>,
    architecture: &'a str,
    packages: usize,
    /// The newest `Date` of the suites read: how fresh the mirror's answer is.
    #[serde(skip_serializing_if = "Option::is_none")]
    mirror_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<DatabaseInfo>,
    /// What the vulnerability verdicts rest on: `current` (a database no older than
    /// --max-db-age), `stale` (older), `missing` (none read: no vulnerability was checked).
    advisory_data: &'static str,
    vulnerabilities: Vec<Finding>,
    ignored: Vec<Ignored>,
    updates: Vec<Update>,
}

pub(crate) fn run(store_dir: &Path, args: &ScanArgs, printer: &Printer) -> Result<ExitStatus> {
    let scanned = match Path::new(&args.image).is_file() {
        true => from_sbom_file(Path::new(&args.image))?,
        false => from_image(store_dir, args)?,
    };
    let now = settings::now();
    let dir = super::db::resolve(&args.db, &args.registry, printer)?;
    let db = match Db::open(&dir) {
        Ok(db) => Some(db),
        // No database where none was asked for: the mirror still answers.
        Err(bosun_vuln::Error::NoDatabase(_)) if args.db.db.is_none() && !args.offline => {
            printer.warn(&format!(
                "no vulnerability database in {}: run `bosun db update`; reporting the mirror's updates only",
                dir.display()
            ));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let has_debian = scanned
        .components
        .iter()
        .any(|c| c.ecosystem == Ecosystem::Debian);
    let suite = match (&args.suite, &scanned.codename) {
        (Some(s), _) => Some(s.clone()),
        (None, Some(c)) => Some(c.clone()),
        (None, None) if has_debian => bail!(
            "{}: its os-release names no Debian release (VERSION_CODENAME); pass --suite",
            args.image
        ),
        (None, None) => None,
    };
    let (updates, mirror_date) = match (&suite, args.offline || !has_debian) {
        (Some(suite), false) => {
            let (u, date) = mirror_updates(&scanned, suite, printer)?;
            (u, Some(date))
        }
        _ => (Vec::new(), None),
    };

    let mut found = Vec::new();
    let mut info = None;
    let mut advisory_data = "missing";
    if let Some(db) = &db {
        let fetched = db.fetched().unwrap_or(0);
        let age_days = (now - fetched).max(0) / 86_400;
        advisory_data = "current";
        if age_days > i64::from(args.max_db_age) {
            advisory_data = "stale";
            printer.warn(&format!(
                "the vulnerability database was fetched {age_days} days ago: run `bosun db update`"
            ));
        }
        info = Some(DatabaseInfo {
            dir: dir.display().to_string(),
            fetched: bosun_oci::model::rfc3339(fetched),
            age_days,
            sources: db.meta.sources.clone(),
        });
        found = advisories(db, &scanned.components, suite.as_deref(), &updates, printer)?;
    }

    // What is shown: affected and not unimportant, unless all are asked for.
    let found: Vec<Finding> = found
        .into_iter()
        .filter(|f| args.all || (f.status.affected() && !f.unimportant()))
        .filter(|f| !args.ignore_unfixed || f.has_fix() || !f.status.affected())
        .collect();
    let (vulnerabilities, ignored) = judge(found, args, &scanned.names, now, printer)?;

    let report = Report {
        image: &args.image,
        suite: suite.as_deref(),
        architecture: &scanned.arch,
        packages: scanned.components.len(),
        mirror_date,
        database: info,
        advisory_data,
        vulnerabilities,
        ignored,
        updates,
    };
    match args.format {
        ReportFormat::Json => printer.data(&serde_json::to_string_pretty(&report)?)?,
        ReportFormat::Sarif => printer.data(&serde_json::to_string_pretty(&sarif(&report))?)?,
        ReportFormat::Table => table(&report, printer)?,
    }
    printer.status(&summary(&report));
    // A severity gate fails closed: with no advisory data (or data too old) it checked
    // nothing, and passing would say the image is clean.
    let severity_gate = matches!(
        args.fail_on,
        Some(ScanFailOn::Critical | ScanFailOn::High | ScanFailOn::Medium | ScanFailOn::Low)
    );
    if severity_gate && advisory_data != "current" && !args.allow_missing_db {
        let why = match advisory_data {
            "stale" => format!(
                "the vulnerability database in {} is older than --max-db-age ({} days)",
                dir.display(),
                args.max_db_age
            ),
            _ => format!(
                "no vulnerability database was read (looked in {})",
                dir.display()
            ),
        };
        printer.error(&format!("--fail-on checks nothing: {why}"));
        printer.hint(
            "run `bosun db update` (where the tracker is out of reach, run it elsewhere and bring the directory: --db DIR or BOSUN_DB), or pass --allow-missing-db to pass unchecked",
        );
        return Ok(ExitStatus::Failure);
    }
    Ok(match failed(&report, args.fail_on) {
        true => ExitStatus::Failure,
        false => ExitStatus::Success,
    })
}

/// Splits findings into those reported and those the ignore file or VEX documents take out;
/// warns of expired ignore rules.
fn judge(
    found: Vec<Finding>,
    args: &ScanArgs,
    image: &[String],
    now: i64,
    printer: &Printer,
) -> Result<(Vec<Finding>, Vec<Ignored>)> {
    let ignore_file = match &args.ignore_file {
        Some(path) => Some(path.clone()),
        None => Some(PathBuf::from("bosun-ignore.toml")).filter(|p| p.is_file()),
    };
    let list = match &ignore_file {
        Some(path) => ignore::read(path)?,
        None => IgnoreList::default(),
    };
    let today = jiff::Timestamp::from_second(now)?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    for rule in list.expired(today) {
        printer.warn(&format!(
            "{}: the rule for {} expired on {}; it no longer ignores anything",
            list.path,
            rule.target(),
            rule.expires.map(|d| d.to_string()).unwrap_or_default()
        ));
    }
    let mut vex = Vex::default();
    for path in &args.vex {
        vex.read(path)?;
    }
    let (mut kept, mut ignored) = (Vec::new(), Vec::new());
    for f in found {
        let because = match list.matching(&f, today) {
            Some(rule) => Some(format!("{}: {}", list.path, rule.reason)),
            None => vex.suppresses(&f, image).map(String::from),
        };
        match because {
            Some(b) => ignored.push(Ignored {
                finding: f,
                ignored_because: b,
            }),
            None => kept.push(f),
        }
    }
    Ok((kept, ignored))
}

fn fixable_update(u: &Update) -> bool {
    u.security || !u.cves.is_empty()
}

fn failed(report: &Report, fail_on: Option<ScanFailOn>) -> bool {
    let affected = || {
        report
            .vulnerabilities
            .iter()
            .filter(|f| f.status.affected())
    };
    let at_least = |s: Severity| affected().any(|f| f.severity >= s);
    match fail_on {
        None => false,
        Some(ScanFailOn::Critical) => at_least(Severity::Critical),
        Some(ScanFailOn::High) => at_least(Severity::High),
        Some(ScanFailOn::Medium) => at_least(Severity::Medium),
        Some(ScanFailOn::Low) => at_least(Severity::Low),
        Some(ScanFailOn::Fixable) => {
            affected().any(Finding::has_fix) || report.updates.iter().any(fixable_update)
        }
        Some(ScanFailOn::Outdated) => !report.updates.is_empty(),
    }
}

fn summary(report: &Report) -> String {
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in report
        .vulnerabilities
        .iter()
        .filter(|f| f.status.affected())
    {
        *counts.entry(f.severity).or_default() += 1;
    }
    let total: usize = counts.values().sum();
    let by_severity: Vec<String> = counts
        .iter()
        .rev()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let fix_now = report
        .vulnerabilities
        .iter()
        .filter(|f| f.fix_now.is_some())
        .count();
    let mut line = match (&report.database, by_severity.is_empty()) {
        (None, _) => format!("{} packages", report.packages),
        (Some(_), true) => format!("{total} vulnerabilities in {} packages", report.packages),
        (Some(_), false) => format!(
            "{total} vulnerabilities ({}) in {} packages",
            by_severity.join(", "),
            report.packages
        ),
    };
    if fix_now > 0 {
        line.push_str(&format!(", {fix_now} fixable now from the mirror"));
    }
    if !report.ignored.is_empty() {
        line.push_str(&format!(", {} ignored", report.ignored.len()));
    }
    if let Some(suite) = report.suite.filter(|_| report.mirror_date.is_some()) {
        line.push_str(&format!(
            "; {} packages have newer versions in {suite} ({} fixable)",
            report.updates.len(),
            report.updates.iter().filter(|u| fixable_update(u)).count()
        ));
    }
    if let Some(date) = &report.mirror_date {
        line.push_str(&format!("; mirror data of {date}"));
    }
    match &report.database {
        Some(db) => line.push_str(&format!(
            "; advisories of {} ({} days old)",
            db.fetched, db.age_days
        )),
        None => line.push_str("; no advisory database, so no vulnerabilities checked"),
    }
    line
}

fn table(report: &Report, printer: &Printer) -> Result<()> {
    if !report.vulnerabilities.is_empty() {
        printer.data(&format!(
            "{:<24} {:<20} {:<20} {:<10} {:<13} FIXED IN",
            "PACKAGE", "VERSION", "ID", "SEVERITY", "STATUS"
        ))?;
        for f in &report.vulnerabilities {
            let fixed = match (&f.fixed_version, &f.fix_now) {
                (Some(v), Some(now)) => format!("{v} (now in {})", now.suite),
                (Some(v), None) => v.clone(),
                (None, _) => f.reason.clone().unwrap_or_default(),
            };
            printer.data(&format!(
                "{:<24} {:<20} {:<20} {:<10} {:<13} {fixed}",
                f.package,
                f.version,
                f.id,
                f.severity.as_str(),
                f.status.as_str()
            ))?;
        }
    }
    if !report.updates.is_empty() {
        if !report.vulnerabilities.is_empty() {
            printer.data("")?;
        }
        printer.data(&format!(
            "{:<28} {:<24} {:<24} {:<22} CVES",
            "PACKAGE", "INSTALLED", "AVAILABLE", "SUITE"
        ))?;
        for u in &report.updates {
            printer.data(&format!(
                "{:<28} {:<24} {:<24} {:<22} {}",
                u.package,
                u.installed,
                u.available,
                u.suite,
                u.cves.join(" ")
            ))?;
        }
    }
    Ok(())
}

/// SARIF 2.1.0: one rule per advisory, one result per finding; `security-severity` is the
/// number code-scanning dashboards sort by.
fn sarif(report: &Report) -> serde_json::Value {
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
    for f in &report.vulnerabilities {
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
                "physicalLocation": { "artifactLocation": { "uri": report.image } },
                "logicalLocations": [{ "name": f.package, "fullyQualifiedName": f.purl, "kind": "package" }],
            }],
            "properties": { "status": f.status.as_str(), "severity": f.severity.as_str(), "installed": f.version, "fixedVersion": f.fixed_version },
        }));
    }
    let mut log = bosun_analyze::sarif::log(rules.into_values().collect(), results);
    // Which data the verdicts rest on, so a gate reading the log can tell "clean" from
    // "not checked".
    log["runs"][0]["properties"] = serde_json::json!({
        "advisoryData": report.advisory_data,
        "database": report.database.as_ref().map(|d| &d.fetched),
        "mirrorDate": report.mirror_date,
    });
    log
}

/// The database's advisories about `components`: the Security Tracker's verdicts for the
/// Debian ones in `suite`'s release, OSV's for the others. `updates` (the mirror's newer
/// versions) say where a fix can be had now. What the database lacks is warned about.
pub(crate) fn advisories(
    db: &Db,
    components: &[Component],
    suite: Option<&str>,
    updates: &[Update],
    printer: &Printer,
) -> Result<Vec<Finding>> {
    let mut found = Vec::new();
    let has_debian = components.iter().any(|c| c.ecosystem == Ecosystem::Debian);
    if let Some(suite) = suite.filter(|_| has_debian) {
        // The tracker names releases by codename; a suite such as bookworm-security is the
        // release's.
        let release = suite.split('-').next().unwrap_or(suite);
        let sources = findings::debian_sources(components);
        match db.debian(release, &sources)? {
            Some(entries) => found.extend(findings::debian(components, &entries, updates)),
            None => printer.warn(&format!(
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
            None => printer.warn(&format!(
                "the vulnerability database has no {} advisories: {} {} packages not checked",
                ecosystem.osv_name(),
                names.len(),
                ecosystem.osv_name()
            )),
        }
    }
    Ok(findings::sorted(found))
}
