//! `bosun scan IMAGE`: the Debian updates the image's mirror already has for it, with the
//! CVE ids their changelogs name. Works with the mirror alone.

use std::path::Path;

use anyhow::{Context, Result, bail};
use bosun_deb::{Cache, Fetcher, Repository, RepositoryConfig};
use bosun_sbom::{Kind, catalog};
use bosun_vuln::updates::{self, Installed, Update};
use serde::Serialize;

use crate::cli::{Format, ScanArgs, ScanFailOn};
use crate::commands::copy::parse_platform;
use crate::commands::open_image;
use crate::reporters::DownloadReporter;
use crate::{ExitStatus, Printer, settings};

#[derive(Serialize)]
struct Report<'a> {
    image: &'a str,
    suite: &'a str,
    architecture: &'a str,
    /// The newest `Date` of the suites read: how fresh the mirror's answer is.
    mirror_date: String,
    packages: usize,
    updates: &'a [Update],
}

/// OCI architecture (and variant) to Debian's name.
fn debian_arch(arch: &str, variant: Option<&str>) -> String {
    match (arch, variant) {
        ("arm", Some("v5")) => "armel",
        ("arm", _) => "armhf",
        ("386", _) => "i386",
        ("ppc64le", _) => "ppc64el",
        ("mips64le", _) => "mips64el",
        (other, _) => other,
    }
    .to_string()
}

pub(crate) fn run(store_dir: &Path, args: &ScanArgs, printer: &Printer) -> Result<ExitStatus> {
    let platform = args.platform.as_deref().map(parse_platform).transpose()?;
    let opened = open_image(store_dir, &args.image, platform.as_ref(), &args.registry)?;
    let sbom =
        catalog(&opened.image).with_context(|| format!("cannot catalogue {}", args.image))?;
    let installed: Vec<Installed> = sbom
        .packages
        .iter()
        .filter(|p| p.kind == Kind::Deb)
        .map(|p| Installed {
            name: p.name.clone(),
            version: p.version.clone(),
            source: p
                .source
                .as_ref()
                .map_or_else(|| p.name.clone(), |(s, _)| s.clone()),
        })
        .collect();
    if installed.is_empty() {
        bail!(
            "{} has no Debian packages (no dpkg database) to scan",
            args.image
        );
    }
    let suite = match (
        &args.suite,
        sbom.distro.as_ref().and_then(|d| d.codename.clone()),
    ) {
        (Some(s), _) => s.clone(),
        (None, Some(c)) => c,
        (None, None) => bail!(
            "{}: its os-release names no Debian release (VERSION_CODENAME); pass --suite",
            args.image
        ),
    };
    let config = &opened.image.config;
    let arch = debian_arch(&config.architecture, config.variant.as_deref());
    let mirrors = settings::machine_mirrors(None, None)?;
    let repo_config = RepositoryConfig {
        debian: mirrors["debian"].clone(),
        security: mirrors.get("security").cloned(),
        suite: suite.clone(),
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
    let universe = repo.universe(&arch)?;
    let reporter = DownloadReporter::new(printer.progress());
    let found = updates::available(
        &repo,
        &universe,
        &installed,
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
    let report = Report {
        image: &args.image,
        suite: &suite,
        architecture: &arch,
        mirror_date: bosun_oci::model::rfc3339(newest),
        packages: installed.len(),
        updates: &found,
    };
    match args.format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&report)?)?,
        Format::Table if !found.is_empty() => {
            printer.data(&format!(
                "{:<28} {:<24} {:<24} {:<22} CVES",
                "PACKAGE", "INSTALLED", "AVAILABLE", "SUITE"
            ))?;
            for u in &found {
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
        Format::Table => {}
    }
    let fixable = |u: &&Update| u.security || !u.cves.is_empty();
    printer.status(&format!(
        "{} of {} packages have newer versions in {suite} ({} fixable: security updates or named CVEs); mirror data of {}",
        found.len(),
        installed.len(),
        found.iter().filter(fixable).count(),
        report.mirror_date
    ));
    let failed = match args.fail_on {
        Some(ScanFailOn::Fixable) => found.iter().any(|u| fixable(&u)),
        Some(ScanFailOn::Outdated) => !found.is_empty(),
        None => false,
    };
    Ok(match failed {
        true => ExitStatus::Failure,
        false => ExitStatus::Success,
    })
}
