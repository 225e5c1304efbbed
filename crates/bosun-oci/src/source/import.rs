//! Taking an opened image into the store as it is: the same blobs, the same digests.

use super::*;
use crate::Store;
use crate::model::MEDIA_CONFIG;

impl Image {
    /// The stored bytes of layer `index` (compressed as they are), for copying.
    pub fn open_raw_layer(&self, index: usize) -> Result<Region, Error> {
        self.blobs.open(&self.layer_paths[index])
    }

    /// Copies this image (its chosen platform) into `store` and returns the manifest's
    /// descriptor; nothing is named. Blobs keep their bytes, so an image with a manifest keeps
    /// its digest. A Docker archive has no manifest: one is written (OCI media types, the
    /// layers as the archive holds them), so its digest is new but reproducible.
    pub fn import(&self, store: &Store) -> Result<Descriptor, Error> {
        let mut layers = Vec::with_capacity(self.layers.len());
        for (i, info) in self.layers.iter().enumerate() {
            let what = format!("{} layer {i}", self.reference);
            let digest = match &info.digest {
                Some(d) if store.has_blob(d) => d.clone(),
                expected => {
                    let mut writer = store.blob_writer()?;
                    io::copy(&mut self.open_raw_layer(i)?, &mut writer)?;
                    match expected {
                        Some(d) => {
                            writer.commit_expecting(d, &what)?;
                            d.clone()
                        }
                        None => writer.commit()?.0,
                    }
                }
            };
            let mut region = self.open_raw_layer(i)?;
            let mut head = [0u8; 4];
            let n = read_up_to(&mut region, &mut head)?;
            layers.push(Descriptor {
                media_type: match &self.manifest_bytes {
                    Some(_) => info.media_type.clone(),
                    None => match sniff(&head[..n]) {
                        Compression::Gzip => MEDIA_LAYER_GZIP,
                        Compression::Zstd => MEDIA_LAYER_ZSTD,
                        Compression::None => MEDIA_LAYER_TAR,
                    }
                    .to_string(),
                },
                digest,
                size: info.size,
                platform: None,
                annotations: Default::default(),
            });
        }
        let config = store.write_blob(&self.config_bytes)?;
        if config != self.config_digest {
            return Err(Error::Corrupt {
                what: format!("{} config", self.reference),
                expected: self.config_digest.clone(),
                actual: config,
            });
        }
        let (bytes, media_type) = match (&self.manifest_bytes, &self.manifest) {
            (Some(bytes), Some(m)) => (
                bytes.clone(),
                m.media_type
                    .clone()
                    .unwrap_or_else(|| MEDIA_MANIFEST.into()),
            ),
            _ => {
                let manifest = Manifest {
                    schema_version: 2,
                    media_type: Some(MEDIA_MANIFEST.into()),
                    config: Descriptor {
                        media_type: MEDIA_CONFIG.into(),
                        digest: config,
                        size: self.config_bytes.len() as u64,
                        platform: None,
                        annotations: Default::default(),
                    },
                    layers,
                    annotations: Default::default(),
                };
                let bytes =
                    serde_json::to_vec(&manifest).map_err(|e| Error::json("a manifest", e))?;
                (bytes, MEDIA_MANIFEST.to_string())
            }
        };
        let digest = store.write_blob(&bytes)?;
        Ok(Descriptor {
            media_type,
            digest,
            size: bytes.len() as u64,
            platform: None,
            annotations: Default::default(),
        })
    }
}
