//! Updates the mirror already has, with the CVEs they fix.

use std::collections::BTreeMap;

use bosun_deb::changelog;
use bosun_deb::packages::PackageRecord;
use bosun_deb::version::Version;
use bosun_deb::{Cache, CacheRequest, Fetcher, Reporter, Repository, Universe};
use serde::Serialize;

use crate::{Component, Ecosystem, Error};

/// A newer version the mirror has for an installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Update {
    /// Package name.
    pub package: String,
    /// Source package.
    pub source: String,
    /// What is installed.
    pub installed: String,
    /// The newest version the suites hold.
    pub available: String,
    /// The suite it comes from.
    pub suite: String,
    /// Whether that suite is a `-security` one.
    pub security: bool,
    /// CVE ids the changelog names between the two versions.
    pub cves: Vec<String>,
}

/// For each installed Debian package, the newest version in `universe` when it is newer, with the
/// CVE ids its source's changelog names since the installed version. One changelog is read
/// per source package (from whichever of its binaries ships it; the `.deb` files are fetched
/// through the cache and checked against their sha256).
pub fn available(
    repo: &Repository,
    universe: &Universe,
    installed: &[Component],
    cache: &Cache,
    fetcher: &Fetcher,
    reporter: &dyn Reporter,
) -> Result<Vec<Update>, Error> {
    let mut updates = Vec::new();
    for p in installed
        .iter()
        .filter(|c| c.ecosystem == Ecosystem::Debian)
    {
        let Ok(have) = Version::parse(&p.version) else {
            continue;
        };
        let Some(newest) = universe.versions(&p.name).into_iter().next() else {
            continue;
        };
        if newest.version > have {
            updates.push((p, have, newest));
        }
    }
    // Changelogs, one per (source, new version).
    let mut wanted: BTreeMap<(String, String), Vec<&PackageRecord>> = BTreeMap::new();
    for (_, _, newest) in &updates {
        wanted
            .entry((newest.source.clone(), newest.source_version.clone()))
            .or_insert_with(|| {
                // The binary named like the source usually carries the changelog; try it first.
                let mut carriers = universe.built_from(&newest.source, &newest.source_version);
                carriers.sort_by_key(|r| (r.name != newest.source, r.name != newest.name, r.size));
                carriers.truncate(3);
                carriers
            });
    }
    let roots: BTreeMap<&str, &str> = repo
        .suites
        .iter()
        .map(|s| (s.suite.as_str(), s.root.as_str()))
        .collect();
    let mut logs: BTreeMap<(String, String), String> = BTreeMap::new();
    for (key, carriers) in &wanted {
        for record in carriers {
            let Some(root) = roots.get(record.suite.as_str()) else {
                continue;
            };
            let version = record.version.to_string();
            let request = CacheRequest::package(
                (&record.name, &version, &record.architecture),
                root,
                &record.filename,
                record.size,
                &record.sha256,
            );
            cache.ensure_debs(fetcher, std::slice::from_ref(&request), 1, reporter)?;
            if let Some(text) = changelog::from_deb(&cache.deb_path(&record.sha256), &record.name)?
            {
                logs.insert(key.clone(), text);
                break;
            }
        }
    }
    let security: BTreeMap<&str, bool> = repo
        .suites
        .iter()
        .map(|s| (s.suite.as_str(), s.suite.ends_with("-security")))
        .collect();
    let mut out: Vec<Update> = updates
        .into_iter()
        .map(|(p, have, newest)| Update {
            package: p.name.clone(),
            source: newest.source.clone(),
            installed: p.version.clone(),
            available: newest.version.to_string(),
            suite: newest.suite.clone(),
            security: security
                .get(newest.suite.as_str())
                .copied()
                .unwrap_or(false),
            cves: logs
                .get(&(newest.source.clone(), newest.source_version.clone()))
                .map(|log| changelog::cves_between(log, &have, &newest.version))
                .unwrap_or_default(),
        })
        .collect();
    out.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(out)
}
