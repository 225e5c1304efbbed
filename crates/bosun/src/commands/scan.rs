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

/// What a scan starts from: the Debian packages, the release codename (when known) and the
/// Debian architecture.
type Scanned = (Vec<Installed>, Option<String>, String);

/// The image's Debian packages, catalogued.
fn from_image(store_dir: &Path, args: &ScanArgs) -> Result<Scanned> {
    let platform = args.platform.as_deref().map(parse_platform).transpose()?;
    let opened = open_image(store_dir, &args.image, platform.as_ref(), &args.registry)?;
    let sbom =
        catalog(&opened.image).with_context(|| format!("cannot catalogue {}", args.image))?;
    let installed = sbom
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
    let config = &opened.image.config;
    let arch = debian_arch(&config.architecture, config.variant.as_deref());
    Ok((installed, sbom.distro.and_then(|d| d.codename), arch))
}

/// Debian's release numbers and their codenames, for SBOMs that say `distro=debian-N`.
const RELEASES: [(&str, &str); 5] = [
    ("10", "buster"),
    ("11", "bullseye"),
    ("12", "bookworm"),
    ("13", "trixie"),
    ("14", "forky"),
];

/// The Debian packages an SPDX or CycloneDX JSON document lists, by their purls
/// (`pkg:deb/debian/NAME@VERSION?arch=..&distro=debian-N&upstream=..`).
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
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let (mut installed, mut codename, mut arch) = (Vec::new(), None, None);
    for purl in purls {
        let Some(rest) = purl.strip_prefix("pkg:deb/") else {
            continue;
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let Some((name, version)) = path.rsplit('/').next().and_then(|n| n.split_once('@')) else {
            continue;
        };
        let (name, version) = (decode(name), decode(version));
        let mut source = name.clone();
        for (k, v) in query.split('&').filter_map(|kv| kv.split_once('=')) {
            let v = decode(v);
            match k {
                "arch" if v != "all" => arch = arch.or(Some(v)),
                "distro" => {
                    let number = v.rsplit('-').next().unwrap_or_default().to_string();
                    codename = codename.or(RELEASES
                        .iter()
                        .find(|(n, _)| *n == number)
                        .map(|(_, c)| c.to_string()));
                }
                "upstream" => source = v.split('@').next().unwrap_or(&v).to_string(),
                _ => {}
            }
        }
        installed.push(Installed {
            name,
            version,
            source,
        });
    }
    let arch =
        arch.unwrap_or_else(|| debian_arch(&bosun_oci::source::host_platform().architecture, None));
    Ok((installed, codename, arch))
}

pub(crate) fn run(store_dir: &Path, args: &ScanArgs, printer: &Printer) -> Result<ExitStatus> {
    let (installed, codename, arch) = match Path::new(&args.image).is_file() {
        true => from_sbom_file(Path::new(&args.image))?,
        false => from_image(store_dir, args)?,
    };
    if installed.is_empty() {
        bail!(
            "{} has no Debian packages (no dpkg database) to scan",
            args.image
        );
    }
    let suite = match (&args.suite, codename) {
        (Some(s), _) => s.clone(),
        (None, Some(c)) => c,
        (None, None) => bail!(
            "{}: its os-release names no Debian release (VERSION_CODENAME); pass --suite",
            args.image
        ),
    };
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
