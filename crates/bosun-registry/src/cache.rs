//! A layer cache kept in a registry, so that machines share built layers: one OCI artifact
//! manifest (tagged as the user says) whose layers are the cached blobs, each annotated with
//! the key of its inputs and its diff id. A build looks a layer's key up there before building
//! it, and downloads the blob instead of fetching `.deb` files and compressing.

use std::collections::BTreeMap;

use bosun_oci::model::Descriptor;
use bosun_oci::{Digest, Store};

use crate::Error;
use crate::client::{Client, Repository};
use crate::reference::Reference;

/// The artifact type of a cache manifest.
pub const CACHE_ARTIFACT: &str = "application/vnd.bosun.layer-cache.v1";
const KEY: &str = "dev.bosun.cache.key";
const DIFF_ID: &str = "dev.bosun.cache.diff-id";
/// The OCI empty descriptor's content (`{}`), the config of an artifact.
const EMPTY: &[u8] = b"{}";
/// Entries a cache manifest keeps (the newest first); older ones fall out.
const MAX_ENTRIES: usize = 2000;

/// A cached layer: its blob and diff id.
pub type CachedLayer = (Descriptor, Digest);

/// A registry-held layer cache.
pub struct RemoteCache {
    repo: Repository,
    reference: Reference,
    entries: BTreeMap<String, CachedLayer>,
    /// Keys in the order they were added, newest last.
    order: Vec<String>,
}

impl RemoteCache {
    /// Reads the cache manifest `reference` names; a missing one is an empty cache.
    pub fn load(client: &Client, reference: &Reference, push: bool) -> Result<Self, Error> {
        let endpoint = client.options().conf.push_endpoint(reference)?;
        let mut repo = client.repository(&endpoint)?;
        if push {
            repo = repo.for_push();
        }
        let mut cache = Self {
            repo,
            reference: endpoint.reference,
            entries: BTreeMap::new(),
            order: Vec::new(),
        };
        let fetched = match cache.repo.manifest(&cache.reference.object()) {
            Ok(f) => f,
            Err(Error::NotFound { .. }) => return Ok(cache),
            Err(e) => return Err(e),
        };
        let manifest: serde_json::Value =
            serde_json::from_slice(&fetched.bytes).map_err(|e| Error::Protocol {
                reference: cache.reference.to_string(),
                reason: format!("not a cache manifest: {e}"),
            })?;
        if manifest.get("artifactType").and_then(|t| t.as_str()) != Some(CACHE_ARTIFACT) {
            return Err(Error::Protocol {
                reference: cache.reference.to_string(),
                reason: format!("not a bosun layer cache (artifactType is not {CACHE_ARTIFACT})"),
            });
        }
        let layers: Vec<Descriptor> = manifest
            .get("layers")
            .cloned()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| Error::Protocol {
                reference: cache.reference.to_string(),
                reason: format!("bad layer list: {e}"),
            })?
            .unwrap_or_default();
        for mut d in layers {
            let (Some(key), Some(diff_id)) = (
                d.annotations.remove(KEY),
                d.annotations.remove(DIFF_ID).and_then(|i| i.parse().ok()),
            ) else {
                continue;
            };
            d.annotations.clear();
            cache.order.push(key.clone());
            cache.entries.insert(key, (d, diff_id));
        }
        Ok(cache)
    }

    /// How many layers it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The layer cached under `key`, its blob brought into `store` (checked against its
    /// digest while it streams) and entered in the store's own layer cache.
    pub fn fetch(&self, store: &Store, key: &str) -> Result<Option<CachedLayer>, Error> {
        let Some((descriptor, diff_id)) = self.entries.get(key) else {
            return Ok(None);
        };
        if !store.has_blob(&descriptor.digest) {
            let mut writer = store.blob_writer()?;
            self.repo
                .fetch_blob(&descriptor.digest, descriptor.size, &mut writer)?;
            writer.commit_expecting(&descriptor.digest, &self.reference.to_string())?;
        }
        store.cache_layer(key, descriptor, diff_id)?;
        Ok(Some((descriptor.clone(), diff_id.clone())))
    }

    /// Adds layers (their blobs from `store`) and pushes the blobs the registry lacks, then
    /// the manifest under the cache's tag.
    pub fn push(
        &mut self,
        store: &Store,
        layers: Vec<(String, CachedLayer)>,
    ) -> Result<usize, Error> {
        let mut uploaded = 0;
        for (key, (descriptor, diff_id)) in layers {
            let open = || -> std::io::Result<Box<dyn std::io::Read + Send>> {
                Ok(Box::new(std::io::BufReader::with_capacity(
                    1 << 20,
                    store
                        .open_blob(&descriptor.digest)
                        .map_err(std::io::Error::other)?,
                )))
            };
            if self
                .repo
                .push_blob(&descriptor.digest, descriptor.size, None, &open)?
                == crate::Pushed::Uploaded
            {
                uploaded += 1;
            }
            self.order.retain(|k| *k != key);
            self.order.push(key.clone());
            self.entries.insert(key, (descriptor, diff_id));
        }
        while self.order.len() > MAX_ENTRIES {
            let old = self.order.remove(0);
            self.entries.remove(&old);
        }
        let empty = Digest::of(EMPTY);
        self.repo.push_blob(&empty, EMPTY.len() as u64, None, &|| {
            Ok(Box::new(std::io::Cursor::new(EMPTY)))
        })?;
        let layers: Vec<serde_json::Value> = self
            .order
            .iter()
            .map(|key| {
                let (d, diff_id) = &self.entries[key];
                serde_json::json!({
                    "mediaType": d.media_type, "digest": d.digest, "size": d.size,
                    "annotations": { KEY: key, DIFF_ID: diff_id },
                })
            })
            .collect();
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": bosun_oci::model::MEDIA_MANIFEST,
            "artifactType": CACHE_ARTIFACT,
            "config": { "mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": EMPTY.len() },
            "layers": layers,
        });
        let bytes = serde_json::to_vec(&manifest).expect("JSON");
        self.repo.put_manifest(
            &self.reference.object(),
            &bytes,
            bosun_oci::model::MEDIA_MANIFEST,
        )?;
        Ok(uploaded)
    }
}
