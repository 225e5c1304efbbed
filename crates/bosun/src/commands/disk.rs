//! `bosun images --disk [IMAGE...]`: what sharing saves. Teams that put many apps on one core
//! image want "core once + app layers × N", not N full images: each image's bytes split into
//! blobs it shares with other images and blobs only it has, which shared blob serves how many
//! images, and the real total against the sum of image sizes.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use bosun_analyze::disk;
use bosun_oci::Store;

use crate::cli::{Format, RegistryArgs};
use crate::images::open_image;
use crate::{ExitStatus, Printer};

pub(crate) fn run(
    store_dir: &Path,
    references: &[String],
    format: Format,
    registry: &RegistryArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let (units, on_disk) = match references.is_empty() {
        true => {
            let store = Store::open(store_dir)?;
            let _lock = store.lock_shared()?;
            (
                disk::store_units(&store)?,
                Some(disk::blob_bytes(store.root())?),
            )
        }
        false => (reference_units(store_dir, references, registry)?, None),
    };
    let usage = disk::usage(&units, on_disk);
    match format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&usage)?)?,
        Format::Table => printer.data(&disk::table(&usage))?,
    }
    Ok(ExitStatus::Success)
}

fn reference_units(
    store_dir: &Path,
    references: &[String],
    registry: &RegistryArgs,
) -> Result<Vec<disk::Unit>> {
    let mut units = Vec::new();
    for reference in references {
        let opened = open_image(store_dir, reference, None, registry)?;
        let image = &opened.image;
        let mut blobs = BTreeMap::new();
        if let (Some(d), Some(bytes)) = (&image.manifest_digest, &image.manifest_bytes) {
            blobs.insert(d.to_string(), bytes.len() as u64);
        }
        blobs.insert(
            image.config_digest.to_string(),
            image.config_bytes.len() as u64,
        );
        for l in &image.layers {
            // Docker archives record no blob digest; the diff id names the same content.
            let key = l.digest.as_ref().unwrap_or(&l.diff_id).to_string();
            blobs.insert(key, l.size);
        }
        let digest = image
            .manifest_digest
            .as_ref()
            .unwrap_or(&image.config_digest)
            .to_string();
        units.push(disk::Unit {
            names: vec![reference.clone()],
            digest,
            blobs,
        });
    }
    Ok(units)
}
