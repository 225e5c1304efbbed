//! What images take on disk: each image's blobs, what several share, and what sharing
//! saves (`bosun images --disk`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bosun_oci::Store;
use bosun_oci::model::{Index, MEDIA_INDEX, Manifest};
use serde::Serialize;

use crate::{Error, human};

/// One image (all the names of one digest) and the blobs it needs.
pub struct Unit {
    /// Its names.
    pub names: Vec<String>,
    /// Its top digest.
    pub digest: String,
    /// Blob key (digest) and size: indexes, manifests, configs and layers.
    pub blobs: BTreeMap<String, u64>,
}

/// One image's bytes.
#[derive(Serialize)]
pub struct ImageUsage {
    /// Its names.
    pub names: Vec<String>,
    /// Its top digest.
    pub digest: String,
    /// Every blob it needs.
    pub bytes: u64,
    /// Of which other images need too.
    pub shared_bytes: u64,
    /// Of which only it needs.
    pub unique_bytes: u64,
}

/// A blob several images need.
#[derive(Serialize)]
pub struct SharedBlob {
    /// The blob.
    pub digest: String,
    /// Its size.
    pub bytes: u64,
    /// How many images need it.
    pub images: usize,
}

/// What images take on disk, and what sharing saves.
#[derive(Serialize)]
pub struct Usage {
    /// Each image.
    pub images: Vec<ImageUsage>,
    /// Blobs more than one image needs, the biggest saving first.
    pub shared: Vec<SharedBlob>,
    /// The sum of every image's bytes: what N separate copies would take.
    pub sum_of_images: u64,
    /// Every needed blob once: shared blobs once plus every unique blob.
    pub stored_once: u64,
    /// Shared blobs, each counted once.
    pub shared_once: u64,
    /// Unique blobs.
    pub unique: u64,
    /// In a store: blobs no listed image needs (SBOMs, signatures, what gc would remove).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<u64>,
    /// In a store: the bytes of every blob file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_disk: Option<u64>,
}

/// Every image of a store, its names grouped by digest.
pub fn store_units(store: &Store) -> Result<Vec<Unit>, Error> {
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
            let manifest: Manifest = store.read_json(&m.digest)?;
            unit.blobs
                .insert(manifest.config.digest.to_string(), manifest.config.size);
            for l in &manifest.layers {
                unit.blobs.insert(l.digest.to_string(), l.size);
            }
        }
    }
    Ok(units.into_values().collect())
}

/// The bytes of every blob file in a store.
pub fn blob_bytes(root: &Path) -> Result<u64, Error> {
    let dir = root.join("blobs/sha256");
    let mut total = 0;
    let read = |e: std::io::Error| {
        bosun_oci::Error::Io(std::io::Error::new(
            e.kind(),
            format!("cannot read {}: {e}", dir.display()),
        ))
    };
    for e in std::fs::read_dir(&dir).map_err(read)? {
        let meta = e.and_then(|e| e.metadata()).map_err(read)?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

/// The usage of `units`; `on_disk`, the bytes of a store's blob files.
pub fn usage(units: &[Unit], on_disk: Option<u64>) -> Usage {
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

/// The usage as a table.
pub fn table(u: &Usage) -> String {
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
