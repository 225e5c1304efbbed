//! `bosun images`, `bosun rm`, `bosun gc`: the store, and a registry repository's tags and
//! manifests.

use std::path::Path;

use anyhow::{Context, Result, bail};
use bosun_oci::source::ImageRef;
use bosun_oci::{Store, normalize_name};
use bosun_registry::Reference;
use serde::Serialize;

use crate::cli::{Format, RegistryArgs};
use crate::{ExitStatus, Printer, settings};

/// `bosun images --format json`: one object per name.
#[derive(Serialize)]
struct ImageRow {
    name: String,
    digest: String,
    media_type: String,
    /// `os/arch[/variant]` of each platform, in the image's order.
    platforms: Vec<String>,
    /// Compressed bytes (layers and config) of each platform, in the same order.
    platform_sizes: Vec<u64>,
    /// The sum of `platform_sizes` (blobs shared between platforms count once per platform).
    size: u64,
}

pub(crate) fn images(store_dir: &Path, format: Format, printer: &Printer) -> Result<ExitStatus> {
    let store = Store::open(store_dir)?;
    let mut rows = Vec::new();
    for image in store.list()? {
        let d = &image.descriptor;
        let (platforms, platform_sizes): (Vec<String>, Vec<u64>) = store
            .platform_sizes(d)?
            .into_iter()
            .map(|(p, size)| (p.to_string(), size))
            .unzip();
        rows.push(ImageRow {
            name: image.name,
            digest: d.digest.to_string(),
            media_type: d.media_type.clone(),
            size: platform_sizes.iter().sum(),
            platforms,
            platform_sizes,
        });
    }
    match format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&rows)?)?,
        // One line per platform: each SIZE is what one platform's pull transfers, compressed.
        Format::Table => {
            printer.data(&format!(
                "{:<40} {:<19} {:<14} {:>10}",
                "NAME", "DIGEST", "PLATFORM", "SIZE"
            ))?;
            for r in rows {
                for (platform, size) in r.platforms.iter().zip(&r.platform_sizes) {
                    printer.data(&format!(
                        "{:<40} {:<19} {:<14} {:>10}",
                        r.name,
                        &r.digest[..19],
                        platform,
                        bosun_analyze::human(*size)
                    ))?;
                }
            }
        }
    }
    Ok(ExitStatus::Success)
}

pub(crate) fn rm(
    store_dir: &Path,
    names: &[String],
    registry: &RegistryArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let (remote, local): (Vec<&String>, Vec<&String>) = names
        .iter()
        .partition(|n| matches!(ImageRef::parse(n), Ok(ImageRef::Registry(_))));
    if !remote.is_empty() {
        let client = settings::registry_client(registry)?;
        for name in remote {
            let reference = Reference::parse_target(name)?;
            let endpoint = client.options().conf.push_endpoint(&reference)?;
            let repo = client.repository(&endpoint)?.for_push();
            // A tag is deleted through the manifest it points at, as the spec allows only that.
            let digest = match &endpoint.reference.digest {
                Some(d) => d.clone(),
                None => {
                    repo.resolve(&endpoint.reference.object())?
                        .with_context(|| format!("{reference}: not found"))?
                        .0
                }
            };
            repo.delete_manifest(&digest)?;
            printer.status(&format!("deleted {}@{digest}", endpoint.reference.name()));
        }
    }
    if local.is_empty() {
        return Ok(ExitStatus::Success);
    }
    let store = Store::open(store_dir)?;
    for name in local {
        let full = normalize_name(name);
        if !store.untag(&full)? {
            bail!("no image `{full}` in the store");
        }
        printer.status(&format!("removed {full}"));
    }
    Ok(ExitStatus::Success)
}

/// `bosun images docker://HOST/REPO`: the repository's tags.
pub(crate) fn tags(
    repository: &str,
    format: Format,
    registry: &RegistryArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let client = settings::registry_client(registry)?;
    let reference = Reference::parse_target(repository)?;
    let endpoint = client
        .options()
        .conf
        .pull_endpoints(&reference)?
        .pop()
        .expect("the location");
    let mut tags = client.repository(&endpoint)?.tags()?;
    tags.sort();
    match format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&tags)?)?,
        Format::Table => {
            for tag in &tags {
                printer.data(&format!("{}:{tag}", reference.name()))?;
            }
        }
    }
    Ok(ExitStatus::Success)
}

pub(crate) fn gc(store_dir: &Path, printer: &Printer) -> Result<ExitStatus> {
    let store = Store::open(store_dir)?;
    let report = store.gc()?;
    printer.status(&format!(
        "removed {} blobs, freed {}",
        report.blobs,
        bosun_analyze::human(report.bytes)
    ));
    Ok(ExitStatus::Success)
}
