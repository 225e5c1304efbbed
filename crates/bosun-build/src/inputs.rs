//! Images a spec reads: `from` (the bottom of an image) and copy entries with an `image`.
//! The cli resolves each reference to a digest and puts its blobs in the store; this module
//! reads them from there: the dpkg database a base already has, and the files a copy takes.

use std::collections::BTreeMap;

use bosun_deb::packages::{PackageRecord, parse_installed};
use bosun_oci::Store;
use bosun_oci::layer::{Entry, EntryKind, LayerBuilder};
use bosun_oci::model::Descriptor;
use bosun_oci::source::{Image, open_descriptor};
use bosun_spec::{Account, CopyEntry, parse_mode};

use crate::Error;

/// Most bytes a copy entry may take from an image (they are held in memory with the layer).
const COPY_LIMIT: u64 = 4 << 30;

/// An image input, in the store: the manifest used for each Debian architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// As the spec writes it.
    pub reference: String,
    /// Manifest descriptors by Debian architecture.
    pub manifests: BTreeMap<String, Descriptor>,
}

impl Input {
    /// Opens the image used for `arch`.
    pub fn open(&self, store: &Store, arch: &str) -> Result<Image, Error> {
        let manifest = self.manifests.get(arch).ok_or_else(|| {
            Error::Copy(format!(
                "{} has no image for architecture {arch}",
                self.reference
            ))
        })?;
        Ok(open_descriptor(
            &self.reference,
            store.root(),
            manifest,
            None,
        )?)
    }
}

fn dpkg_database(path: &str) -> bool {
    path == "var/lib/dpkg/status"
        || path
            .strip_prefix("var/lib/dpkg/status.d/")
            .is_some_and(|name| !name.contains('/') && !name.ends_with(".md5sums"))
}

/// The packages an image's dpkg database lists as installed (`status` and `status.d/`).
pub fn installed_packages(image: &Image) -> Result<Vec<PackageRecord>, Error> {
    let tree = image.read_tree(&dpkg_database, 256 << 20)?;
    let mut out = Vec::new();
    for (path, entry) in &tree {
        if let EntryKind::File(bytes) = &entry.kind {
            let text = String::from_utf8_lossy(bytes);
            let records = parse_installed(&text).map_err(|(line, e)| {
                Error::Copy(format!("{}: /{path}:{line}: {e}", image.reference))
            })?;
            out.extend(records);
        }
    }
    Ok(out)
}

/// Adds what a copy entry names in `image` (a file, or a directory and everything below
/// it) to `layer` under the entry's `dst`, with its owner and mode when it sets them.
pub fn copy_from_image(
    layer: &mut LayerBuilder,
    image: &Image,
    c: &CopyEntry,
) -> Result<(), Error> {
    let src = c
        .src
        .trim_start_matches('/')
        .trim_end_matches('/')
        .to_string();
    let inside = |p: &str| src.is_empty() || p == src || p.starts_with(&format!("{src}/"));
    let tree = image.read_tree(&inside, COPY_LIMIT)?;
    let top = tree
        .get(&src)
        .ok_or_else(|| Error::Copy(format!("{}: no /{src} in the image", image.reference)))?;
    let (uid, gid) = match &c.owner {
        Some(o) => Account::parse_user(o).map_err(Error::Copy)?,
        None => (top.uid, top.gid),
    };
    let mode = c.mode.as_deref().and_then(parse_mode);
    let dst = c
        .dst
        .trim_start_matches('/')
        .trim_end_matches('/')
        .to_string();
    // A file copied to `dir/` keeps its name, as a project copy does.
    let dst = match (&top.kind, c.dst.ends_with('/')) {
        (EntryKind::Dir, _) | (_, false) => dst,
        (_, true) => format!("{dst}/{}", src.rsplit('/').next().unwrap_or(&src)),
    };
    for (path, e) in &tree {
        let rel = path
            .strip_prefix(&src)
            .unwrap_or(path)
            .trim_start_matches('/');
        let target = match rel {
            "" => dst.clone(),
            r => format!("{dst}/{r}"),
        };
        let kind = match &e.kind {
            // A hard link inside what is copied stays one; to a file outside, it becomes a copy.
            EntryKind::Hardlink(t) => match tree.get(t) {
                Some(linked) if inside(t) => {
                    let r = t.strip_prefix(&src).unwrap_or(t).trim_start_matches('/');
                    match &linked.kind {
                        EntryKind::File(_) if !r.is_empty() => {
                            EntryKind::Hardlink(format!("{dst}/{r}"))
                        }
                        other => other.clone(),
                    }
                }
                _ => {
                    return Err(Error::Copy(format!(
                        "{}: /{path} is a hard link to /{t}, outside {}",
                        image.reference, c.src
                    )));
                }
            },
            other => other.clone(),
        };
        let mode = match (&kind, mode) {
            (EntryKind::File(_), Some(m)) => m,
            _ => e.mode,
        };
        layer.insert(Entry {
            path: target,
            kind,
            mode,
            uid: if c.owner.is_some() { uid } else { e.uid },
            gid: if c.owner.is_some() { gid } else { e.gid },
            mtime: 0,
        });
    }
    Ok(())
}
