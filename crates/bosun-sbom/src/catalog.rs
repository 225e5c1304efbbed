//! One streaming pass over an image's layers: each file that can tell what is installed is
//! read as it passes (metadata files whole, binaries and archives only when their first bytes
//! say they are one), and what a later layer deletes or replaces is dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use bosun_oci::source::Image;

use crate::{Distro, Error, Package, Sbom};

/// Metadata files larger than this are skipped.
const MAX_TEXT: u64 = 8 << 20;
/// Binaries and archives larger than this are skipped.
const MAX_BINARY: u64 = 1 << 30;

/// What one file said.
#[derive(Debug, Clone)]
pub(crate) enum Found {
    /// A dpkg database file (`status` or a `status.d/` entry).
    Dpkg(String),
    /// `usr/share/doc/PKG/copyright`.
    Copyright(String),
    /// `os-release`.
    OsRelease(String),
    /// Packages found in the file itself (Python, npm, binaries, archives).
    Packages(Vec<Package>),
}

/// What a path is, by its name alone.
enum Wanted {
    Text(fn(&str, &str) -> Option<Found>),
    Binary,
    Archive,
}

fn classify(path: &str) -> Wanted {
    let name = path.rsplit('/').next().unwrap_or(path);
    if path == "var/lib/dpkg/status"
        || path
            .strip_prefix("var/lib/dpkg/status.d/")
            .is_some_and(|n| !n.contains('/') && !n.ends_with(".md5sums"))
    {
        return Wanted::Text(|_, t| Some(Found::Dpkg(t.to_string())));
    }
    if path.starts_with("usr/share/doc/") && name == "copyright" && path.matches('/').count() == 4 {
        return Wanted::Text(|_, t| Some(Found::Copyright(t.to_string())));
    }
    if path == "etc/os-release" || path == "usr/lib/os-release" {
        return Wanted::Text(|_, t| Some(Found::OsRelease(t.to_string())));
    }
    if (name == "METADATA" && path.contains(".dist-info/"))
        || (name == "PKG-INFO" && path.contains(".egg-info/"))
        || name.ends_with(".egg-info")
    {
        return Wanted::Text(|p, t| crate::lang::python(p, t).map(|p| Found::Packages(vec![p])));
    }
    if name == "package.json" {
        return Wanted::Text(|p, t| crate::lang::npm(p, t).map(|p| Found::Packages(vec![p])));
    }
    if [".jar", ".war", ".ear", ".jpi", ".hpi"]
        .iter()
        .any(|e| name.ends_with(e))
    {
        return Wanted::Archive;
    }
    Wanted::Binary
}

/// Catalogues `image`: every package its final filesystem holds.
pub fn catalog(image: &Image) -> Result<Sbom, Error> {
    catalog_with(image, &LayerScans::default())
}

/// What cataloguing found in each layer, by the layer's diff id, kept for the images that
/// share it: a fleet of N images on one core reads the core's layer once, not N times.
#[derive(Debug, Default)]
pub struct LayerScans {
    scans: std::sync::Mutex<BTreeMap<bosun_oci::Digest, std::sync::Arc<LayerScan>>>,
}

/// What one layer holds for the catalog.
#[derive(Debug)]
pub struct LayerScan {
    found: BTreeMap<String, Found>,
    touched: BTreeSet<String>,
    removed: Vec<String>,
    opaque: Vec<String>,
}

/// Catalogues `image`, reading only the layers `scans` has not seen.
pub fn catalog_with(image: &Image, scans: &LayerScans) -> Result<Sbom, Error> {
    use rayon::prelude::*;
    use std::sync::Arc;
    let mut have: BTreeMap<bosun_oci::Digest, Arc<LayerScan>> = {
        let seen = scans.scans.lock().unwrap_or_else(|e| e.into_inner());
        image
            .layers
            .iter()
            .filter_map(|l| Some((l.diff_id.clone(), seen.get(&l.diff_id)?.clone())))
            .collect()
    };
    // The layers not seen yet are read at once, each on a core of its own.
    let mut missing: Vec<usize> = Vec::new();
    for (index, layer) in image.layers.iter().enumerate() {
        let listed = missing
            .iter()
            .any(|&m| image.layers[m].diff_id == layer.diff_id);
        if !listed && !have.contains_key(&layer.diff_id) {
            missing.push(index);
        }
    }
    let read: Vec<(bosun_oci::Digest, LayerScan)> = missing
        .par_iter()
        .map(|&index| {
            Ok((
                image.layers[index].diff_id.clone(),
                scan_layer(image, index)?,
            ))
        })
        .collect::<Result<_, Error>>()?;
    let mut seen = scans.scans.lock().unwrap_or_else(|e| e.into_inner());
    for (key, scan) in read {
        let scan = Arc::new(scan);
        seen.insert(key.clone(), scan.clone());
        have.insert(key, scan);
    }
    drop(seen);
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    for layer in &image.layers {
        let scan = &have[&layer.diff_id];
        let under = |root: &str, p: &str| {
            root.is_empty() || p == root || p.starts_with(&format!("{root}/"))
        };
        found.retain(|p, _| {
            !scan.touched.contains(p)
                && !scan.removed.iter().any(|r| under(r, p))
                && !scan.opaque.iter().any(|d| p != d && under(d, p))
        });
        found.extend(scan.found.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let mut sbom = assemble(image, found);
    sbom.normalize();
    Ok(sbom)
}

/// Reads one layer: what its files say, every path it touches, what it deletes.
fn scan_layer(image: &Image, index: usize) -> Result<LayerScan, Error> {
    let what = format!("{} layer {index}", image.reference);
    let bad = |e: std::io::Error| Error::Layer {
        what: what.clone(),
        source: e,
    };
    let reader = image.open_layer(index, false)?;
    let mut archive = tar::Archive::new(reader);
    let mut layer: BTreeMap<String, Found> = BTreeMap::new();
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut removed: Vec<String> = Vec::new();
    let mut opaque: Vec<String> = Vec::new();
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(path) = bosun_fs::clean_path(raw.trim_start_matches('/')) else {
            continue; // a name that climbs out is nothing an image can hold
        };
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", &path));
        if name == ".wh..wh..opq" {
            opaque.push(dir.to_string());
            continue;
        }
        if let Some(target) = name.strip_prefix(".wh.") {
            removed.push(if dir.is_empty() {
                target.to_string()
            } else {
                format!("{dir}/{target}")
            });
            continue;
        }
        touched.insert(path.clone());
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let size = entry.size();
        let mode = entry.header().mode().unwrap_or(0);
        match classify(&path) {
            Wanted::Text(parse) if size <= MAX_TEXT => {
                let mut bytes = Vec::with_capacity(size as usize);
                entry.read_to_end(&mut bytes).map_err(bad)?;
                if let Some(f) = parse(&format!("/{path}"), &String::from_utf8_lossy(&bytes)) {
                    layer.insert(path, f);
                }
            }
            Wanted::Archive if size <= MAX_BINARY => {
                let mut bytes = Vec::with_capacity(size as usize);
                entry.read_to_end(&mut bytes).map_err(bad)?;
                let packages = crate::java::archive(&format!("/{path}"), &bytes);
                if !packages.is_empty() {
                    layer.insert(path, Found::Packages(packages));
                }
            }
            // Any ELF file can carry Go build info or an auditable dependency list, with an
            // execute bit or not (a Go program shipped 0644 inside a wheel, as syft finds it
            // by content too); the first four bytes say whether it is ELF before the rest is
            // read.
            Wanted::Binary if size > 64 && size <= MAX_BINARY => {
                let mut head = [0u8; 4];
                if entry.read_exact(&mut head).is_err() || head != *b"\x7fELF" {
                    continue;
                }
                let mut bytes = Vec::with_capacity(size as usize);
                bytes.extend_from_slice(&head);
                entry.read_to_end(&mut bytes).map_err(bad)?;
                let executable = mode & 0o111 != 0;
                let packages = crate::binary::packages(&format!("/{path}"), &bytes, executable);
                if !packages.is_empty() {
                    layer.insert(path, Found::Packages(packages));
                }
            }
            _ => {}
        }
    }
    archive.into_inner().finish()?;
    Ok(LayerScan {
        found: layer,
        touched,
        removed,
        opaque,
    })
}

fn assemble(image: &Image, found: BTreeMap<String, Found>) -> Sbom {
    let distro = found
        .get("etc/os-release")
        .or_else(|| found.get("usr/lib/os-release"))
        .and_then(|f| match f {
            Found::OsRelease(text) => Some(os_release(text)),
            _ => None,
        });
    let mut copyrights: BTreeMap<&str, &str> = BTreeMap::new();
    for (path, f) in &found {
        if let Found::Copyright(text) = f {
            let package = path.split('/').nth(3).unwrap_or_default();
            copyrights.insert(package, text);
        }
    }
    let mut packages = Vec::new();
    for (path, f) in &found {
        match f {
            Found::Dpkg(text) => packages.extend(crate::deb::packages(
                &format!("/{path}"),
                text,
                &copyrights,
                distro.as_ref(),
            )),
            Found::Packages(p) => packages.extend(p.iter().cloned()),
            _ => {}
        }
    }
    Sbom {
        name: image.reference.clone(),
        digest: image
            .manifest_digest
            .clone()
            .unwrap_or(image.config_digest.clone())
            .to_string(),
        created: whole_seconds(image.config.created.as_deref()),
        distro,
        packages,
        files: Vec::new(),
    }
}

/// An RFC 3339 time as SPDX requires it (`YYYY-MM-DDThh:mm:ssZ`: UTC, whole seconds); the
/// epoch when the image says nothing.
pub(crate) fn whole_seconds(created: Option<&str>) -> String {
    let t = created
        .and_then(|c| c.parse::<jiff::Timestamp>().ok())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    jiff::Timestamp::from_second(t.as_second())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `KEY=value` lines (values may be quoted).
pub(crate) fn os_release(text: &str) -> Distro {
    let mut d = Distro::default();
    for line in text.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"').trim_matches('\'').to_string();
        match k.trim() {
            "ID" => d.id = v,
            "VERSION_ID" => d.version_id = Some(v),
            "VERSION_CODENAME" => d.codename = Some(v),
            _ => {}
        }
    }
    d
}
