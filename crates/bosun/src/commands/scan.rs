//! `bosun scan IMAGE|SBOM`: the known vulnerabilities of an image's packages (the Debian
//! Security Tracker's verdicts, OSV's advisories) and the Debian updates its mirror already
//! has, with the CVE ids their changelogs name. The work is `bosun_vuln::scan`'s.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bosun_deb::{Cache, Fetcher, Repository, RepositoryConfig};
use bosun_vuln::Severity;
use bosun_vuln::db::Db;
use bosun_vuln::ignore::{self, IgnoreList};
use bosun_vuln::scan::{self, AdvisoryData, DatabaseInfo, Gate, Report, Scanned};
use bosun_vuln::updates::{self, Update};
use bosun_vuln::vex::Vex;

use crate::cli::{ReportFormat, ScanArgs, ScanFailOn};
use crate::images::open_image;
use crate::reporters::DownloadReporter;
use crate::{ExitStatus, Printer, settings};

/// The image's packages, catalogued.
fn from_image(store_dir: &Path, args: &ScanArgs) -> Result<Scanned> {
    let platform = args.platform.as_ref();
    let opened = open_image(store_dir, &args.image, platform, &args.registry)?;
    let sbom = bosun_sbom::catalog(&opened.image)
        .with_context(|| format!("cannot catalogue {}", args.image))?;
    Ok(Scanned::image(&args.image, &opened.image, &sbom))
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

pub(crate) fn run(store_dir: &Path, args: &ScanArgs, printer: &Printer) -> Result<ExitStatus> {
    let scanned = match Path::new(&args.image).is_file() {
        true => Scanned::sbom_file(Path::new(&args.image))?,
        false => from_image(store_dir, args)?,
    };
    let now = settings::now();
    let dir = crate::vulndb::resolve(&args.db, &args.registry, printer)?;
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
    let suite = match (&args.suite, &scanned.codename) {
        (Some(s), _) => Some(s.clone()),
        (None, Some(c)) => Some(c.clone()),
        (None, None) if scanned.has_debian() => bail!(
            "{}: its os-release names no Debian release (VERSION_CODENAME); pass --suite",
            args.image
        ),
        (None, None) => None,
    };
    let (updates, mirror_date) = match (&suite, args.offline || !scanned.has_debian()) {
        (Some(suite), false) => {
            let (u, date) = mirror_updates(&scanned, suite, printer)?;
            (u, Some(date))
        }
        _ => (Vec::new(), None),
    };

    let mut found = Vec::new();
    let (advisory_data, database) = DatabaseInfo::of(db.as_ref(), &dir, now, args.max_db_age);
    if let (AdvisoryData::Stale, Some(info)) = (advisory_data, &database) {
        printer.warn(&format!(
            "the vulnerability database was fetched {} days ago: run `bosun db update`",
            info.age_days
        ));
    }
    if let Some(db) = &db {
        let advisories = scan::advisories(db, &scanned.components, suite.as_deref(), &updates)?;
        for gap in &advisories.gaps {
            printer.warn(gap);
        }
        found = advisories.findings;
    }

    // What is shown: affected and not unimportant, unless all are asked for.
    found.retain(|f| args.all || (f.status.affected() && !f.unimportant()));
    found.retain(|f| !args.ignore_unfixed || f.has_fix() || !f.status.affected());
    let today = jiff::Timestamp::from_second(now)?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let (ignores, vex) = judgements(args, today, printer)?;
    let (vulnerabilities, ignored) = scan::judge(found, &ignores, &vex, &scanned.names, today);

    let report = Report {
        image: args.image.clone(),
        suite,
        architecture: scanned.arch.clone(),
        packages: scanned.components.len(),
        mirror_date,
        database,
        advisory_data,
        vulnerabilities,
        ignored,
        updates,
    };
    match args.format {
        ReportFormat::Json => printer.data(&serde_json::to_string_pretty(&report)?)?,
        ReportFormat::Sarif => {
            let (rules, results, properties) = report.sarif();
            let mut log = bosun_analyze::sarif::log(rules, results);
            log["runs"][0]["properties"] = properties;
            printer.data(&serde_json::to_string_pretty(&log)?)?
        }
        ReportFormat::Table => {
            for line in report.table() {
                printer.data(&line)?;
            }
        }
    }
    printer.status(&report.summary());
    // A severity gate fails closed: with no advisory data (or data too old) it checked
    // nothing, and passing would say the image is clean.
    let gate = args.fail_on.map(gate);
    let unchecked = gate.and_then(|g| report.unchecked(g, &dir, args.max_db_age));
    if let Some(why) = unchecked.filter(|_| !args.allow_missing_db) {
        printer.error(&format!("--fail-on checks nothing: {why}"));
        printer.hint(
            "run `bosun db update` (where the tracker is out of reach, run it elsewhere and bring the directory: --db DIR or BOSUN_DB), or pass --allow-missing-db to pass unchecked",
        );
        return Ok(ExitStatus::Failure);
    }
    Ok(match gate.is_some_and(|g| report.fails(g)) {
        true => ExitStatus::Failure,
        false => ExitStatus::Success,
    })
}

fn gate(fail_on: ScanFailOn) -> Gate {
    match fail_on {
        ScanFailOn::Critical => Gate::Severity(Severity::Critical),
        ScanFailOn::High => Gate::Severity(Severity::High),
        ScanFailOn::Medium => Gate::Severity(Severity::Medium),
        ScanFailOn::Low => Gate::Severity(Severity::Low),
        ScanFailOn::Fixable => Gate::Fixable,
        ScanFailOn::Outdated => Gate::Outdated,
    }
}

/// The ignore file (given, else `bosun-ignore.toml` here) and VEX documents; expired ignore
/// rules are warned about.
fn judgements(
    args: &ScanArgs,
    today: jiff::civil::Date,
    printer: &Printer,
) -> Result<(IgnoreList, Vex)> {
    let ignore_file = match &args.ignore_file {
        Some(path) => Some(path.clone()),
        None => Some(PathBuf::from("bosun-ignore.toml")).filter(|p| p.is_file()),
    };
    let list = match &ignore_file {
        Some(path) => ignore::read(path)?,
        None => IgnoreList::default(),
    };
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
    Ok((list, vex))
}
