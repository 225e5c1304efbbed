//! `bosun images --disk [IMAGE...]`: what sharing saves. Teams that put many apps on one core
//! image want "core once + app layers × N", not N full images: each image's bytes split into
//! blobs it shares with other images and blobs only it has, which shared blob serves how many
//! images, and the real total against the sum of image sizes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};
use bosun_oci::Store;
use bosun_oci::model::{Index, MEDIA_INDEX, Manifest};
use serde::Serialize;

use crate::cli::{Format, RegistryArgs};
use bosun_analyze::human;

use crate::images::open_image;
use crate::{ExitStatus, Printer};

/// One image (all the names of one digest) and the blobs it needs.
struct Unit {
    names: Vec<String>,
    digest: String,
    /// Blob key (digest) and size: indexes, manifests, configs and layers.
    blobs: BTreeMap<String, u64>,
}

#[derive(Serialize)]
struct ImageUsage {
    names: Vec<String>,
    digest: String,
    /// Every blob it needs.
    bytes: u64,
    /// Of which other images need too.
    shared_bytes: u64,
    /// Of which only it needs.
    unique_bytes: u64,
}

#[derive(Serialize)]
struct SharedBlob {
    digest: String,
    bytes: u64,
    /// How many images need it.
    images: usize,
}

#[derive(Serialize)]
struct Usage {
    images: Vec<ImageUsage>,
    /// Blobs more than one image needs, the biggest saving first.
    shared: Vec<SharedBlob>,
    /// The sum of every image's bytes: what N separate copies would take.
    sum_of_images: u64,
    /// Every needed blob once: shared blobs once plus every unique blob.
    stored_once: u64,
    /// Shared blobs, each counted once.
    shared_once: u64,
    /// Unique blobs.
    unique: u64,
    /// In a store: blobs no listed image needs (SBOMs, signatures, what gc would remove).
    #[serde(skip_serializing_if = "Option::is_none")]
    other: Option<u64>,
    /// In a store: the bytes of every blob file.
    #[serde(skip_serializing_if = "Option::is_none")]
    on_disk: Option<u64>,
}

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
            (store_units(&store)?, Some(blob_bytes(store.root())?))
        }
        false => (reference_units(store_dir, references, registry)?, None),
    };
    let usage = usage(&units, on_disk);
    match format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&usage)?)?,
        Format::Table => printer.data(&table(&usage))?,
    }
    Ok(ExitStatus::Success)
}

fn store_units(store: &Store) -> Result<Vec<Unit>> {
    let mut units: BTreeMap<String, Unit> = BTreeMap::new();
    for image in store.list()? {
        let d = &image.descriptor;
        let unit = units.entry(d.digest.to_string()).or_insert_with(|| Unit {
            names: Vec::new(),
            digest: d.digest.to_string(),
            blobs: BTreeMap::new(),
        });
        unit.names.push(image.name.clone());
        if !unit.blobs.is_empty() {
            continue;
        }
        unit.blobs.insert(d.digest.to_string(), d.size);
        let manifests = match d.media_type == MEDIA_INDEX {
            true => store.read_json::<Index>(&d.digest)?.manifests,
            false => vec![d.clone()],
        };
        for m in &manifests {
            unit.blobs.insert(m.digest.to_string(), m.size);
            let manifest: Manifest = store
                .read_json(&m.digest)
                .with_context(|| format!("cannot read the manifest of {}", image.name))?;
            unit.blobs
                .insert(manifest.config.digest.to_string(), manifest.config.size);
            for l in &manifest.layers {
                unit.blobs.insert(l.digest.to_string(), l.size);
            }
        }
    }
    Ok(units.into_values().collect())
}

fn reference_units(
    store_dir: &Path,
    references: &[String],
    registry: &RegistryArgs,
) -> Result<Vec<Unit>> {
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
        units.push(Unit {
            names: vec![reference.clone()],
            digest,
            blobs,
        });
    }
    Ok(units)
}

/// The bytes of every blob file in a store.
fn blob_bytes(root: &Path) -> Result<u64> {
    let dir = root.join("blobs/sha256");
    let mut total = 0;
    for e in std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let meta = e?.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

fn usage(units: &[Unit], on_disk: Option<u64>) -> Usage {
    let mut users: BTreeMap<&str, (u64, BTreeSet<&str>)> = BTreeMap::new();
    for u in units {
        for (blob, &size) in &u.blobs {
            let slot = users.entry(blob).or_insert((size, BTreeSet::new()));
            slot.1.insert(&u.digest);
        }
    }
    let images = units
        .iter()
        .map(|u| {
            let shared: u64 = u
                .blobs
                .iter()
                .filter(|(b, _)| users[b.as_str()].1.len() > 1)
                .map(|(_, s)| s)
                .sum();
            let bytes: u64 = u.blobs.values().sum();
            ImageUsage {
                names: u.names.clone(),
                digest: u.digest.clone(),
                bytes,
                shared_bytes: shared,
                unique_bytes: bytes - shared,
            }
        })
        .collect::<Vec<_>>();
    let mut shared: Vec<SharedBlob> = users
        .iter()
        .filter(|(_, (_, who))| who.len() > 1)
        .map(|(digest, (bytes, who))| SharedBlob {
            digest: digest.to_string(),
            bytes: *bytes,
            images: who.len(),
        })
        .collect();
    shared.sort_by(|a, b| {
        (b.bytes * (b.images as u64 - 1))
            .cmp(&(a.bytes * (a.images as u64 - 1)))
            .then_with(|| a.digest.cmp(&b.digest))
    });
    let shared_once: u64 = shared.iter().map(|s| s.bytes).sum();
    let stored_once: u64 = users.values().map(|(s, _)| s).sum();
    Usage {
        sum_of_images: images.iter().map(|i| i.bytes).sum(),
        images,
        shared,
        stored_once,
        shared_once,
        unique: stored_once - shared_once,
        other: on_disk.map(|d| d.saturating_sub(stored_once)),
        on_disk,
    }
}

fn table(u: &Usage) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<48} {:>10} {:>10} {:>10}",
        "IMAGE", "SIZE", "SHARED", "UNIQUE"
    );
    for i in &u.images {
        let _ = writeln!(
            s,
            "{:<48} {:>10} {:>10} {:>10}",
            i.names.join(", "),
            human(i.bytes),
            human(i.shared_bytes),
            human(i.unique_bytes)
        );
    }
    if !u.shared.is_empty() {
        let _ = writeln!(s, "\n{:<48} {:>10} {:>10}", "SHARED BLOB", "SIZE", "IMAGES");
        for b in u.shared.iter().take(20) {
            let _ = writeln!(
                s,
                "{:<48} {:>10} {:>10}",
                &b.digest[..b.digest.len().min(48)],
                human(b.bytes),
                b.images
            );
        }
    }
    let _ = writeln!(
        s,
        "\n{} as separate images; {} stored once ({} shared, {} unique): sharing saves {}",
        human(u.sum_of_images),
        human(u.stored_once),
        human(u.shared_once),
        human(u.unique),
        human(u.sum_of_images - u.stored_once)
    );
    if let (Some(other), Some(disk)) = (u.other, u.on_disk) {
        let _ = writeln!(
            s,
            "{} of blobs on disk, of which {} no listed image needs (SBOMs, signatures, what gc removes)",
            human(disk),
            human(other)
        );
    }
    s.pop();
    s
}
