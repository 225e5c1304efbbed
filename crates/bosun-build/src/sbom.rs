//! The SBOMs a build writes beside each image it makes: the lock is the exact truth for every
//! Debian package (version, source, the `.deb`'s sha256, suite, what it pulled in), the
//! image's own files add licenses (its `copyright` files) and anything else installed in it
//! (a base image's packages, Python or npm packages among the app files), and the app files
//! are listed with their digests. Stored as SPDX and CycloneDX artifacts whose subject is the
//! image manifest.

use std::collections::BTreeMap;

use bosun_oci::layer::EntryKind;
use bosun_oci::model::{Descriptor, rfc3339};
use bosun_oci::source::open_descriptor;
use bosun_sbom::deb::{DebFacts, deb_package};
use bosun_sbom::{
    CYCLONEDX_ARTIFACT, FileEntry, Kind, SPDX_ARTIFACT, Sbom, catalog_with, cyclonedx, spdx,
};
use bosun_spec::LockedPackage;
use sha2::{Digest as _, Sha256};

use crate::Error;
use crate::context::{BuildContext, LayerPlan};

/// Writes the SBOMs of one built manifest, unless the store has them already (a rebuild
/// that changed nothing makes the same manifest, and pays nothing here). They are returned,
/// not yet listed in `index.json`: the build lists every image's at once, with the names.
pub(crate) fn attach(
    ctx: &BuildContext<'_>,
    name: &str,
    plans: &[LayerPlan<'_>],
    manifest: &Descriptor,
    epoch: i64,
) -> Result<Vec<Descriptor>, Error> {
    let existing = ctx.store.referrers(&manifest.digest)?;
    if existing
        .iter()
        .any(|(_, kind)| kind.as_deref() == Some(SPDX_ARTIFACT))
    {
        return Ok(Vec::new());
    }
    let image = open_descriptor(name, ctx.store.root(), manifest, None)?;
    let found = catalog_with(&image, ctx.scans)?;
    let locked: BTreeMap<&str, &LockedPackage> = plans
        .iter()
        .flat_map(|p| p.packages.iter().map(|pkg| (pkg.name.as_str(), *pkg)))
        .collect();
    let licenses: BTreeMap<&str, &Vec<String>> = found
        .packages
        .iter()
        .filter(|p| p.kind == Kind::Deb)
        .map(|p| (p.name.as_str(), &p.licenses))
        .collect();
    // Locked packages from the lock's facts; what else the image holds (a `from` base's
    // packages, app dependencies) as the catalog found it.
    // App dependencies: the hash of the wheel or tarball each came from, by name and version.
    let app_files: BTreeMap<(Kind, &str, &str), &str> = plans
        .iter()
        .filter_map(|p| p.deps.as_ref())
        .flat_map(|d| {
            let kind = match d.ecosystem {
                "pypi" => Kind::Python,
                _ => Kind::Npm,
            };
            d.packages
                .iter()
                .map(move |p| ((kind, p.name.as_str(), p.version.as_str()), p.hash.as_str()))
        })
        .collect();
    let mut packages: Vec<bosun_sbom::Package> = found
        .packages
        .iter()
        .filter(|p| !(p.kind == Kind::Deb && locked.contains_key(p.name.as_str())))
        .cloned()
        .map(|mut p| {
            if let Some(hash) = app_files.get(&(p.kind, p.name.as_str(), p.version.as_str())) {
                match hash.split_once(':') {
                    Some(("sha256", hex)) => p.sha256 = Some(hex.to_string()),
                    Some(("sha512", hex)) => p.sha512 = Some(hex.to_string()),
                    _ => {}
                }
            }
            p
        })
        .collect();
    for pkg in locked.values() {
        let mut p = deb_package(DebFacts {
            name: pkg.name.clone(),
            version: pkg.version.clone(),
            architecture: Some(pkg.package_architecture.clone()),
            source: pkg.source.clone(),
            source_version: pkg.source_version.clone(),
            licenses: licenses
                .get(pkg.name.as_str())
                .map(|l| l.to_vec())
                .unwrap_or_default(),
            location: format!("/var/lib/dpkg/status.d/{}", pkg.name),
            depends: pkg.depends.clone(),
            distro: found.distro.as_ref(),
        });
        p.sha256 = Some(pkg.sha256.clone());
        p.suite = Some(pkg.suite.clone());
        packages.push(p);
    }
    let files = plans
        .iter()
        .filter_map(|p| p.app.as_ref())
        .flat_map(|app| app.entries())
        .filter_map(|e| match &e.kind {
            EntryKind::File(data) => Some(FileEntry {
                path: format!("/{}", e.path),
                sha256: hex::encode(Sha256::digest(data)),
                sha1: hex::encode(sha1::Sha1::digest(data)),
            }),
            _ => None,
        })
        .collect();
    let mut sbom = Sbom {
        name: name.to_string(),
        digest: manifest.digest.to_string(),
        created: rfc3339(epoch),
        distro: found.distro.clone(),
        packages,
        files,
    };
    sbom.normalize();
    let annotations = BTreeMap::from([(
        "org.opencontainers.image.created".to_string(),
        sbom.created.clone(),
    )]);
    let docs = [
        (SPDX_ARTIFACT, spdx::document(&sbom)),
        (CYCLONEDX_ARTIFACT, cyclonedx::document(&sbom)),
    ];
    let mut written = Vec::new();
    for (kind, doc) in docs {
        // Compact: a fleet stores one per image and platform, and indentation was a third of
        // a CycloneDX document's bytes. `bosun sbom` prints it indented.
        let bytes = serde_json::to_vec(&doc).expect("JSON");
        written.push(
            ctx.store
                .prepare_artifact(manifest, kind, &bytes, annotations.clone())?,
        );
    }
    Ok(written)
}
