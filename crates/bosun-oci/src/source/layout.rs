//! OCI image layouts (a directory, an `oci-archive`, the store): index, manifest, platform.

use super::*;

pub(super) fn open_layout(
    reference: &str,
    blobs: Blobs,
    name: Option<&str>,
    platform: Option<&Platform>,
    store: bool,
) -> Result<Image, Error> {
    let index: Index = parse_json(LAYOUT_INDEX, &blobs.read(LAYOUT_INDEX)?)?;
    let wanted = |d: &&Descriptor| -> bool {
        let Some(name) = name else { return true };
        let Some(have) = d.annotations.get(REF_NAME) else {
            return false;
        };
        // The store records full names; other layouts often record only the tag.
        have == name || (!store && normalize_name(have) == normalize_name(name))
    };
    let mut matches: Vec<&Descriptor> = index.manifests.iter().filter(wanted).collect();
    // Without a name, the named images are the candidates: unnamed entries beside them are
    // artifacts about them (SBOMs, signatures).
    if name.is_none() && matches.iter().any(|d| d.annotations.contains_key(REF_NAME)) {
        matches.retain(|d| d.annotations.contains_key(REF_NAME));
    }
    let top = match (&matches[..], name) {
        ([one], _) => (*one).clone(),
        ([], Some(name)) => {
            let place = match (&blobs, store) {
                (Blobs::Dir(dir), true) => format!("the store at {}", dir.display()),
                _ => reference.to_string(),
            };
            return Err(Error::NoImage {
                name: name.to_string(),
                place,
            });
        }
        ([], None) => {
            return Err(Error::Empty {
                reference: reference.to_string(),
            });
        }
        (many, _) => {
            let names: Vec<String> = many
                .iter()
                .filter_map(|d| d.annotations.get(REF_NAME).cloned())
                .collect();
            return Err(Error::Ambiguous {
                reference: reference.to_string(),
                names,
            });
        }
    };
    open_top(reference, blobs, &top, platform)
}

/// Opens the image `top` names (a manifest, or an index to choose from).
pub(super) fn open_top(
    reference: &str,
    blobs: Blobs,
    top: &Descriptor,
    platform: Option<&Platform>,
) -> Result<Image, Error> {
    let (index_digest, platforms, manifest_descriptor) = choose_manifest(&blobs, top, platform)?;
    let manifest_bytes = blobs.read_manifest(&manifest_descriptor.digest)?;
    let manifest: Manifest = parse_json(
        &format!("manifest {}", manifest_descriptor.digest),
        &manifest_bytes,
    )?;
    let config_bytes = blobs.read_verified(&manifest.config.digest)?;
    let config: ImageConfig =
        parse_json(&format!("config {}", manifest.config.digest), &config_bytes)?;
    if config.rootfs.diff_ids.len() != manifest.layers.len() {
        return Err(Error::Inconsistent {
            subject: format!("manifest {}", manifest_descriptor.digest),
            problem: format!(
                "has {} layers but its config lists {} diff ids",
                manifest.layers.len(),
                config.rootfs.diff_ids.len()
            ),
        });
    }
    let layers = manifest
        .layers
        .iter()
        .zip(&config.rootfs.diff_ids)
        .map(|(d, diff_id)| LayerInfo {
            media_type: d.media_type.clone(),
            digest: Some(d.digest.clone()),
            size: d.size,
            diff_id: diff_id.clone(),
        })
        .collect::<Vec<_>>();
    let layer_paths = manifest
        .layers
        .iter()
        .map(|d| blob_member(&d.digest))
        .collect();
    Ok(Image {
        reference: reference.to_string(),
        index_digest,
        platforms,
        manifest_digest: Some(manifest_descriptor.digest.clone()),
        config_digest: manifest.config.digest.clone(),
        manifest: Some(manifest),
        config,
        config_bytes,
        manifest_bytes: Some(manifest_bytes),
        layers,
        blobs,
        layer_paths,
    })
}

pub(super) type Chosen = (Option<Digest>, Vec<Platform>, Descriptor);

pub(super) fn choose_manifest(
    blobs: &Blobs,
    top: &Descriptor,
    platform: Option<&Platform>,
) -> Result<Chosen, Error> {
    let is_index = top.media_type == MEDIA_INDEX
        || top.media_type == "application/vnd.docker.distribution.manifest.list.v2+json";
    if !is_index {
        return Ok((None, Vec::new(), top.clone()));
    }
    let index: Index = parse_json(
        &format!("index {}", top.digest),
        &blobs.read_manifest(&top.digest)?,
    )?;
    let manifests: Vec<&Descriptor> = index
        .manifests
        .iter()
        .filter(|d| d.media_type == MEDIA_MANIFEST || d.media_type.ends_with("manifest.v2+json"))
        // Attestation manifests carry `unknown/unknown` platforms.
        .filter(|d| {
            d.platform
                .as_ref()
                .is_none_or(|p| p.architecture != "unknown")
        })
        .collect();
    let platforms: Vec<Platform> = manifests
        .iter()
        .filter_map(|d| d.platform.clone())
        .collect();
    let fits = |want: &Platform, d: &Descriptor| {
        d.platform.as_ref().is_some_and(|have| {
            have.architecture == want.architecture
                && (want.variant.is_none() || want.variant == have.variant)
        })
    };
    let chosen = match platform {
        Some(want) => {
            manifests
                .iter()
                .find(|d| fits(want, d))
                .ok_or_else(|| Error::NoPlatform {
                    platform: format!("{}/{}", want.os, want.architecture),
                    index: top.digest.clone(),
                    available: platforms
                        .iter()
                        .map(|p| format!("{}/{}", p.os, p.architecture))
                        .collect(),
                })?
        }
        None => {
            let host = host_platform();
            manifests
                .iter()
                .find(|d| fits(&host, d))
                .or(manifests.first())
                .ok_or_else(|| Error::Inconsistent {
                    subject: format!("index {}", top.digest),
                    problem: "lists no image manifest".into(),
                })?
        }
    };
    Ok((Some(top.digest.clone()), platforms, (*chosen).clone()))
}
