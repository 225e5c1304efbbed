//! `docker-archive` files: `manifest.json`, and the legacy `<id>/layer.tar` layout.

use super::*;

/// One entry of a Docker archive's `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DockerEntry {
    config: String,
    #[serde(default, deserialize_with = "nullable_vec")]
    repo_tags: Vec<String>,
    layers: Vec<String>,
}

pub(super) fn nullable_vec<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

pub(super) fn open_docker(
    reference: &str,
    blobs: Blobs,
    name: Option<&str>,
) -> Result<Image, Error> {
    let entries: Vec<DockerEntry> = parse_json("manifest.json", &blobs.read("manifest.json")?)?;
    let entry = match (name, &entries[..]) {
        (_, []) => {
            return Err(Error::Inconsistent {
                subject: reference.to_string(),
                problem: "manifest.json lists no image".into(),
            });
        }
        (None, [one]) => one,
        (None, many) => {
            let tags: Vec<String> = many
                .iter()
                .flat_map(|e| e.repo_tags.iter().cloned())
                .collect();
            return Err(Error::Ambiguous {
                reference: reference.to_string(),
                names: tags,
            });
        }
        (Some(name), all) => {
            let want = normalize_name(name);
            all.iter()
                .find(|e| {
                    e.repo_tags.iter().any(|t| {
                        let t = normalize_name(t);
                        t == want
                            || t.strip_prefix("localhost/") == Some(want.as_str())
                            || t.strip_prefix("docker.io/library/") == Some(want.as_str())
                    })
                })
                .ok_or_else(|| Error::NoImage {
                    name: name.to_string(),
                    place: reference.to_string(),
                })?
        }
    };
    let config_bytes = blobs.read(&entry.config)?;
    let config_digest = Digest::of(&config_bytes);
    // Modern archives name the config by its digest; hold them to it.
    if let Some(hex) = digest_hex_of(&entry.config)
        && hex != config_digest.hex()
    {
        return Err(Error::Corrupt {
            what: format!("config {}", entry.config),
            expected: format!("sha256:{hex}")
                .parse()
                .map_err(|e: crate::DigestError| Error::Inconsistent {
                    subject: format!("config {}", entry.config),
                    problem: e.to_string(),
                })?,
            actual: config_digest,
        });
    }
    let config: ImageConfig = parse_json(&format!("config {}", entry.config), &config_bytes)?;
    if config.rootfs.diff_ids.len() != entry.layers.len() {
        return Err(Error::Inconsistent {
            subject: "manifest.json".into(),
            problem: format!(
                "lists {} layers but the config lists {} diff ids",
                entry.layers.len(),
                config.rootfs.diff_ids.len()
            ),
        });
    }
    let mut layers = Vec::with_capacity(entry.layers.len());
    for (path, diff_id) in entry.layers.iter().zip(&config.rootfs.diff_ids) {
        let mut reader = blobs.open(path)?;
        let size = reader.len;
        let mut head = [0u8; 4];
        let n = read_up_to(&mut reader, &mut head)?;
        let media_type = match sniff(&head[..n]) {
            Compression::Gzip => "application/vnd.docker.image.rootfs.diff.tar.gzip",
            Compression::Zstd => "application/vnd.docker.image.rootfs.diff.tar.zstd",
            Compression::None => "application/vnd.docker.image.rootfs.diff.tar",
        };
        let digest = match digest_hex_of(path) {
            Some(hex) => format!("sha256:{hex}").parse().ok(),
            None => None,
        };
        layers.push(LayerInfo {
            media_type: media_type.to_string(),
            digest,
            size,
            diff_id: diff_id.clone(),
        });
    }
    Ok(Image {
        reference: reference.to_string(),
        index_digest: None,
        platforms: Vec::new(),
        manifest_digest: None,
        manifest: None,
        config_digest,
        config,
        config_bytes,
        manifest_bytes: None,
        layers,
        blobs,
        layer_paths: entry.layers.clone(),
    })
}
