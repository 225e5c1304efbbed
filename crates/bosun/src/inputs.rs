//! The images a spec reads (`from`, and copy entries with an `image`): resolved to digests,
//! their blobs brought into the store, and pinned in the lock.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use bosun_build::inputs::{Input, installed_packages};
use bosun_build::lock::FromPackages;
use bosun_oci::Store;
use bosun_oci::model::{Descriptor, Platform, platform_for_debian};
use bosun_oci::source::{self, ImageRef};
use bosun_registry::Reference;
use bosun_registry::transfer::{self, DEFAULT_JOBS, Platforms};
use bosun_spec::{LockedInput, Spec};

use crate::cli::RegistryArgs;
use crate::{Printer, settings};

/// Every input of `spec`, in the store. With `pinned` (a lock's inputs), each is taken by its
/// locked digests and fetched only when the store lacks it (so a locked build works offline
/// once the blobs are there); without, each reference is resolved now. Images on this machine
/// are named relative to the spec's directory, `dir`.
pub(crate) fn gather(
    spec: &Spec,
    dir: &Path,
    pinned: Option<&[LockedInput]>,
    store: &Store,
    registry: &RegistryArgs,
    printer: &Printer,
) -> Result<(BTreeMap<String, Input>, Vec<LockedInput>)> {
    let mut references: Vec<&str> = spec.image.values().flat_map(|i| i.inputs()).collect();
    references.sort();
    references.dedup();
    let client = std::cell::OnceCell::new();
    let mut inputs = BTreeMap::new();
    let mut locked = Vec::new();
    for reference in references {
        let pin = match pinned {
            Some(all) => Some(all.iter().find(|i| i.reference == reference).with_context(
                || format!("bosun.lock does not pin {reference}; run `bosun lock`"),
            )?),
            None => None,
        };
        let mut manifests = BTreeMap::new();
        let mut top: Option<String> = None;
        for arch in &spec.debian.architectures {
            let (root, manifest) = match pin {
                Some(pin) if present(store, pin, arch) => {
                    let digest = pin.manifests[arch].parse()?;
                    (pin.digest.clone(), stored_manifest(store, &digest)?)
                }
                _ => {
                    let client = match client.get() {
                        Some(c) => c,
                        None => {
                            let _ = client.set(settings::registry_client(registry)?);
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
                        printer,
                    )
                    .with_context(|| format!("cannot read {reference}"))?
                }
            };
            if let Some(pin) = pin
                && root != pin.digest
            {
                bail!(
                    "{reference} is {root} now, but bosun.lock pins {}; run `bosun lock` to take the new one",
                    pin.digest
                );
            }
            match &top {
                Some(t) if *t != root => bail!("{reference} changed while it was read; try again"),
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

fn stored_manifest(store: &Store, digest: &bosun_oci::Digest) -> Result<Descriptor> {
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
) -> Result<()> {
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
            bail!(
                "{reference} has no image for {want} (the spec builds {arch}): it is {have}; name a multi-platform image with a {want} manifest, or mark copies whose files fit every architecture with `arch-independent = true`"
            );
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
    printer: &Printer,
) -> Result<(String, Descriptor)> {
    let platform = platform_for_debian(arch);
    match ImageRef::parse(reference)? {
        ImageRef::Registry(text) => {
            let mut target = Reference::parse(&text)?;
            if let Some(d) = digest {
                target = target.with_digest(d.parse()?);
            }
            let pulled = transfer::pull(
                client,
                &target,
                store,
                &Platforms::One(platform),
                DEFAULT_JOBS,
            )?;
            if pulled.fetched > 0 {
                printer.status(&format!(
                    "pulled {} for {arch} ({})",
                    pulled.source,
                    bosun_analyze::human(pulled.bytes)
                ));
            }
            let root = pulled.source.digest.expect("a pull knows its digest");
            Ok((root.to_string(), pulled.descriptor))
        }
        ImageRef::Store(_) => bail!("{reference}: name a transport (docker://, oci:, ...)"),
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
pub(crate) fn from_packages(
    spec: &Spec,
    inputs: &BTreeMap<String, Input>,
    store: &Store,
) -> Result<FromPackages> {
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
