//! `bosun images`, `bosun rm`, `bosun gc`.

use std::path::Path;

use anyhow::{Result, bail};
use bosun_oci::model::{Index, MEDIA_INDEX, Manifest};
use bosun_oci::{Store, normalize_name};
use serde::Serialize;

use crate::cli::Format;
use crate::{ExitStatus, Printer};

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

fn platform_name(os: &str, architecture: &str, variant: Option<&str>) -> String {
    let variant = variant.map(|v| format!("/{v}")).unwrap_or_default();
    format!("{os}/{architecture}{variant}")
}

pub(crate) fn images(store_dir: &Path, format: Format, printer: &Printer) -> Result<ExitStatus> {
    let store = Store::open(store_dir)?;
    let mut rows = Vec::new();
    for image in store.list()? {
        let d = &image.descriptor;
        let manifests = if d.media_type == MEDIA_INDEX {
            store.read_json::<Index>(&d.digest)?.manifests
        } else {
            vec![d.clone()]
        };
        let (mut platforms, mut platform_sizes) = (Vec::new(), Vec::new());
        for m in &manifests {
            let manifest: Manifest = store.read_json(&m.digest)?;
            platform_sizes
                .push(manifest.layers.iter().map(|l| l.size).sum::<u64>() + manifest.config.size);
            // A single-platform image names its platform in its config, not its descriptor.
            let name = match &m.platform {
                Some(p) => platform_name(&p.os, &p.architecture, p.variant.as_deref()),
                None => {
                    let config: serde_json::Value = store.read_json(&manifest.config.digest)?;
                    let field = |k: &str| config[k].as_str().unwrap_or("").to_string();
                    platform_name(
                        &field("os"),
                        &field("architecture"),
                        config["variant"].as_str(),
                    )
                }
            };
            platforms.push(name);
        }
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
                        super::human(*size)
                    ))?;
                }
            }
        }
    }
    Ok(ExitStatus::Success)
}

pub(crate) fn rm(store_dir: &Path, names: &[String], printer: &Printer) -> Result<ExitStatus> {
    let store = Store::open(store_dir)?;
    for name in names {
        let full = normalize_name(name);
        if !store.untag(&full)? {
            bail!("no image `{full}` in the store");
        }
        printer.status(&format!("removed {full}"));
    }
    Ok(ExitStatus::Success)
}

pub(crate) fn gc(store_dir: &Path, printer: &Printer) -> Result<ExitStatus> {
    let store = Store::open(store_dir)?;
    let report = store.gc()?;
    printer.status(&format!(
        "removed {} blobs, freed {}",
        report.blobs,
        super::human(report.bytes)
    ));
    Ok(ExitStatus::Success)
}
