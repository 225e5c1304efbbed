//! `bosun images`, `bosun rm`, `bosun gc`.

use std::path::Path;

use anyhow::{Result, bail};
use bosun_oci::model::{Index, MEDIA_INDEX, Manifest};
use bosun_oci::{Store, normalize_name};
use serde::Serialize;

use crate::cli::Format;
use crate::{ExitStatus, Printer};

#[derive(Serialize)]
struct ImageRow {
    name: String,
    digest: String,
    media_type: String,
    platforms: Vec<String>,
    size: u64,
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
        let mut size = 0;
        let mut platforms = Vec::new();
        for m in &manifests {
            let manifest: Manifest = store.read_json(&m.digest)?;
            size += manifest.layers.iter().map(|l| l.size).sum::<u64>() + manifest.config.size;
            if let Some(p) = &m.platform {
                platforms.push(format!(
                    "{}/{}{}",
                    p.os,
                    p.architecture,
                    p.variant
                        .as_ref()
                        .map(|v| format!("/{v}"))
                        .unwrap_or_default()
                ));
            }
        }
        rows.push(ImageRow {
            name: image.name,
            digest: d.digest.to_string(),
            media_type: d.media_type.clone(),
            platforms,
            size,
        });
    }
    match format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&rows)?)?,
        Format::Table => {
            printer.data(&format!(
                "{:<40} {:<19} {:>10}  PLATFORMS",
                "NAME", "DIGEST", "SIZE"
            ))?;
            for r in rows {
                printer.data(&format!(
                    "{:<40} {:<19} {:>10}  {}",
                    r.name,
                    &r.digest[..19],
                    super::human(r.size),
                    r.platforms.join(",")
                ))?;
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
