//! Images a spec reads: `from` (the bottom of an image) and copy entries with an `image`:
//! each reference resolved to a digest (or taken at the lock's), its blobs brought into the
//! store from a registry or a local layout or archive, checked to be built for each
//! architecture of the spec; then read from there: the dpkg database a base already has, and
//! the files a copy takes.

use std::collections::BTreeMap;
use std::path::Path;

use bosun_deb::packages::{PackageRecord, parse_installed};
use bosun_oci::Store;
use bosun_oci::layer::{Entry, EntryKind, LayerBuilder};
use bosun_oci::model::{Descriptor, Platform, platform_for_debian};
use bosun_oci::source::{self, Image, ImageRef, open_descriptor};
use bosun_registry::transfer::{self, DEFAULT_JOBS, Platforms};
use bosun_registry::{Client, Reference};
use bosun_spec::{CopyEntry, LockedInput, Spec};

use crate::Error;
use crate::lock::FromPackages;

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
    let bosun_spec::Placement {
        uid,
        gid,
        mode,
        dst,
    } = c.placement((top.uid, top.gid)).map_err(Error::Copy)?;
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

/// How inputs in registries are reached: a client made when one is first needed (a locked
/// build whose inputs are all in the store needs none), and where progress is said.
pub struct Remote<'a> {
    /// Makes the registry client.
    pub client: &'a dyn Fn() -> Result<Client, Box<dyn std::error::Error + Send + Sync>>,
    /// Says a status line.
    pub status: &'a dyn Fn(&str),
}

/// Every input of `spec`, in the store. With `pinned` (a lock's inputs), each is taken by its
/// locked digests and fetched only when the store lacks it (so a locked build works offline
/// once the blobs are there); without, each reference is resolved now. Images on this machine
/// are named relative to the spec's directory, `dir`.
pub fn gather(
    spec: &Spec,
    dir: &Path,
    pinned: Option<&[LockedInput]>,
    store: &Store,
    remote: &Remote<'_>,
) -> Result<(BTreeMap<String, Input>, Vec<LockedInput>), Error> {
    let mut references: Vec<&str> = spec.image.values().flat_map(|i| i.inputs()).collect();
    references.sort();
    references.dedup();
    let client = std::cell::OnceCell::new();
    let mut inputs = BTreeMap::new();
    let mut locked = Vec::new();
    for reference in references {
        let pin =
            match pinned {
                Some(all) => Some(all.iter().find(|i| i.reference == reference).ok_or_else(
                    || Error::Unpinned {
                        reference: reference.to_string(),
                    },
                )?),
                None => None,
            };
        let mut manifests = BTreeMap::new();
        let mut top: Option<String> = None;
        for arch in &spec.debian.architectures {
            let (root, manifest) = match pin {
                Some(pin) if present(store, pin, arch) => {
                    let digest = pin.manifests[arch].parse().expect("present: it parses");
                    (pin.digest.clone(), stored_manifest(store, &digest)?)
                }
                _ => {
                    let client = match client.get() {
                        Some(c) => c,
                        None => {
                            let _ = client.set((remote.client)().map_err(Error::Client)?);
                            client.get().expect("set")
                        }
                    };
                    fetch(
                        client,
                        reference,
                        dir,
                        pin.map(|p| p.digest.as_str()),
                        arch,
                        store,
                        remote.status,
                    )
                    .map_err(|e| Error::Input {
                        reference: reference.to_string(),
                        source: Box::new(e),
                    })?
                }
            };
            if let Some(pin) = pin
                && root != pin.digest
            {
                return Err(Error::InputMoved {
                    reference: reference.to_string(),
                    now: root,
                    pinned: pin.digest.clone(),
                });
            }
            match &top {
                Some(t) if *t != root => {
                    return Err(Error::InputChanged {
                        reference: reference.to_string(),
                    });
                }
                _ => top = Some(root),
            }
            manifests.insert(arch.clone(), manifest);
        }
        check_platforms(spec, reference, &manifests, store)?;
        // Named in the store by reference and digest, so gc keeps them and the name never moves.
        let digest = top.expect("at least one architecture");
        let name = format!(
            "{}@{digest}",
            reference.split('@').next().unwrap_or(reference)
        );
        store.tag_all(
            manifests
                .values()
                .take(1)
                .map(|d| (name.clone(), d.clone())),
        )?;
        locked.push(LockedInput {
            reference: reference.to_string(),
            digest,
            manifests: manifests
                .iter()
                .map(|(a, d)| (a.clone(), d.digest.to_string()))
                .collect(),
        });
        inputs.insert(
            reference.to_string(),
            Input {
                reference: reference.to_string(),
                manifests,
            },
        );
    }
    Ok((inputs, locked))
}

/// Whether the store holds everything of a pinned input's image for `arch`.
fn present(store: &Store, pin: &LockedInput, arch: &str) -> bool {
    let Some(digest) = pin.manifests.get(arch).and_then(|d| d.parse().ok()) else {
        return false;
    };
    let Ok(descriptor) = stored_manifest(store, &digest) else {
        return false;
    };
    let mut blobs = std::collections::BTreeSet::new();
    store.reachable(&descriptor, &mut blobs).is_ok() && blobs.iter().all(|b| store.has_blob(b))
}

fn stored_manifest(store: &Store, digest: &bosun_oci::Digest) -> Result<Descriptor, Error> {
    let bytes = store.read_blob(digest)?;
    let media_type = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("mediaType")?.as_str().map(str::to_string))
        .unwrap_or_else(|| bosun_oci::model::MEDIA_MANIFEST.to_string());
    Ok(Descriptor {
        media_type,
        digest: digest.clone(),
        size: bytes.len() as u64,
        platform: None,
        annotations: Default::default(),
    })
}

/// Refuses an input whose image for an architecture of the spec is built for another one (a
/// single-platform image read for a multi-architecture spec): its binaries would land in the
/// wrong image. Copies that say their files fit every architecture may take it.
fn check_platforms(
    spec: &Spec,
    reference: &str,
    manifests: &BTreeMap<String, Descriptor>,
    store: &Store,
) -> Result<(), Error> {
    let independent = spec.image.values().all(|i| {
        i.from.as_deref() != Some(reference)
            && i.copy
                .iter()
                .filter(|c| c.image.as_deref() == Some(reference))
                .all(|c| c.arch_independent)
    });
    if independent {
        return Ok(());
    }
    let input = Input {
        reference: reference.to_string(),
        manifests: manifests.clone(),
    };
    for arch in manifests.keys() {
        let config = input.open(store, arch)?.config;
        let want = platform_for_debian(arch);
        let variant_differs = matches!(
            (&config.variant, &want.variant),
            (Some(have), Some(want)) if have != want && want != "v8"
        );
        if config.architecture != want.architecture || variant_differs {
            let have = Platform {
                architecture: config.architecture,
                os: config.os,
                variant: config.variant,
            };
            return Err(Error::WrongPlatform {
                reference: reference.to_string(),
                want: want.to_string(),
                arch: arch.clone(),
                have: have.to_string(),
            });
        }
    }
    Ok(())
}

/// Brings the image `reference` names (at `digest` when pinned) for `arch` into the store:
/// the digest of what the reference names, and the manifest for `arch`.
fn fetch(
    client: &bosun_registry::Client,
    reference: &str,
    dir: &Path,
    digest: Option<&str>,
    arch: &str,
    store: &Store,
    status: &dyn Fn(&str),
) -> Result<(String, Descriptor), Error> {
    let platform = platform_for_debian(arch);
    match ImageRef::parse(reference)? {
        ImageRef::Registry(text) => {
            let mut target = Reference::parse(&text)?;
            if let Some(d) = digest {
                target = target.with_digest(
                    d.parse()
                        .map_err(|e| Error::Copy(format!("{reference}: {e}")))?,
                );
            }
            let pulled = transfer::pull(
                client,
                &target,
                store,
                &Platforms::One(platform),
                DEFAULT_JOBS,
            )?;
            if pulled.fetched > 0 {
                status(&format!(
                    "pulled {} for {arch} ({})",
                    pulled.source,
                    bosun_oci::human(pulled.bytes)
                ));
            }
            let root = pulled.source.digest.expect("a pull knows its digest");
            Ok((root.to_string(), pulled.descriptor))
        }
        ImageRef::Store(_) => Err(Error::InputTransport {
            reference: reference.to_string(),
        }),
        _ => {
            let local = bosun_spec::local_image_in(reference, dir);
            let image = source::open(&local, store.root(), Some(&platform))?;
            let root = image
                .index_digest
                .clone()
                .or(image.manifest_digest.clone())
                .unwrap_or(image.config_digest.clone());
            Ok((root.to_string(), image.import(store)?))
        }
    }
}

/// What each `from` image already has installed, per architecture.
pub fn from_packages(
    spec: &Spec,
    inputs: &BTreeMap<String, Input>,
    store: &Store,
) -> Result<FromPackages, Error> {
    let mut read: BTreeMap<(String, String), Vec<bosun_deb::packages::PackageRecord>> =
        BTreeMap::new();
    let mut out = FromPackages::new();
    for (name, image) in &spec.image {
        let Some(reference) = &image.from else {
            continue;
        };
        let input = &inputs[reference];
        for arch in &spec.debian.architectures {
            let key = (reference.clone(), arch.clone());
            if !read.contains_key(&key) {
                let opened = input.open(store, arch)?;
                read.insert(key.clone(), installed_packages(&opened)?);
            }
            out.entry(name.clone())
                .or_default()
                .insert(arch.clone(), read[&key].clone());
        }
    }
    Ok(out)
}
