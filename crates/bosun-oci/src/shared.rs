//! Built layers kept per user and shared by every store: a layer is a function of its inputs
//! (its cache key), so a fresh store (a CI workspace, a second project, a `--store` elsewhere)
//! takes a layer some store already built instead of assembling and compressing it again.
//!
//! ```text
//! <dir>/keys/<key>        the layer's descriptor and diff id (JSON); its mtime is its last use
//! <dir>/blobs/<hex>       the compressed layer: a hard link to a store's blob where the file
//!                         system allows, else a copy
//! ```
//!
//! Only layers worth compressing are kept (an app's few files are cheaper to rebuild than to
//! look up). The cache is bounded in bytes: past the bound, the layers used longest ago go.
//! Every write is atomic and a miss is never an error, so concurrent builds may share it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::model::Descriptor;
use crate::{Digest, Store};

/// Layers smaller than this are not kept.
const MIN_SIZE: u64 = 256 << 10;

/// The shared layer cache in a directory.
pub struct SharedLayers {
    dir: PathBuf,
    max_bytes: u64,
    /// The bytes its blobs hold, once counted.
    used: Mutex<Option<u64>>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    #[serde(flatten)]
    descriptor: Descriptor,
    diff_id: Digest,
}

impl SharedLayers {
    /// The cache in `dir`, holding at most `max_bytes` of layers.
    pub fn new(dir: PathBuf, max_bytes: u64) -> Self {
        Self {
            dir,
            max_bytes,
            used: Mutex::new(None),
        }
    }

    fn key_path(&self, key: &str) -> PathBuf {
        self.dir.join("keys").join(key)
    }

    fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.dir.join("blobs").join(digest.hex())
    }

    /// The layer stored under `key`, brought into `store` and its layer cache; `None` when the
    /// cache lacks it or it cannot be had.
    pub fn fetch(&self, store: &Store, key: &str) -> Option<(Descriptor, Digest)> {
        if bad_key(key) {
            return None;
        }
        let path = self.key_path(key);
        let entry: Entry = serde_json::from_slice(&fs::read(&path).ok()?).ok()?;
        let digest = &entry.descriptor.digest;
        if !store.has_blob(digest) {
            let from = self.blob_path(digest);
            let to = store.blob_path(digest);
            // A blob of the wrong size is damaged: not taken (a link would put it in the store).
            if fs::metadata(&from).ok()?.len() != entry.descriptor.size {
                return None;
            }
            match fs::hard_link(&from, &to) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                // Another file system: a copy, checked against the digest on the way in.
                Err(_) => {
                    let mut file = fs::File::open(&from).ok()?;
                    let mut writer = store.blob_writer().ok()?;
                    io::copy(&mut file, &mut writer).ok()?;
                    writer.commit_expecting(digest, "a shared layer").ok()?;
                }
            }
        }
        store
            .cache_layer(key, &entry.descriptor, &entry.diff_id)
            .ok()?;
        // Its last use, for eviction.
        let _ = fs::File::options()
            .append(true)
            .open(&path)
            .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        Some((entry.descriptor, entry.diff_id))
    }

    /// Keeps the layer `store` built under `key` (when it is big enough to be worth it), then
    /// evicts the least recently used layers past the bound. Failures only cost a later build.
    pub fn keep(&self, store: &Store, key: &str, descriptor: &Descriptor, diff_id: &Digest) {
        if descriptor.size < MIN_SIZE || bad_key(key) || self.key_path(key).exists() {
            return;
        }
        let _ = self.try_keep(store, key, descriptor, diff_id);
    }

    fn try_keep(
        &self,
        store: &Store,
        key: &str,
        descriptor: &Descriptor,
        diff_id: &Digest,
    ) -> io::Result<()> {
        fs::create_dir_all(self.dir.join("keys"))?;
        fs::create_dir_all(self.dir.join("blobs"))?;
        let blob = self.blob_path(&descriptor.digest);
        let added = match blob.exists() {
            true => 0,
            false => {
                let from = store.blob_path(&descriptor.digest);
                // Linked under a temporary name, then renamed: never a half-written blob.
                let temp = self.dir.join("blobs").join(format!(
                    ".tmp-{}-{}",
                    std::process::id(),
                    descriptor.digest.hex()
                ));
                let _ = fs::remove_file(&temp);
                if fs::hard_link(&from, &temp).is_err() {
                    fs::copy(&from, &temp)?;
                }
                fs::rename(&temp, &blob)?;
                descriptor.size
            }
        };
        let entry = Entry {
            descriptor: descriptor.clone(),
            diff_id: diff_id.clone(),
        };
        bosun_fs::write_cache(&self.key_path(key), &serde_json::to_vec(&entry)?)?;
        let mut used = self.used.lock().expect("not poisoned");
        let total = match *used {
            Some(n) => n + added,
            None => self.count()?,
        };
        *used = Some(match total > self.max_bytes {
            true => self.evict()?,
            false => total,
        });
        Ok(())
    }

    /// The bytes of the blobs.
    fn count(&self) -> io::Result<u64> {
        let mut total = 0;
        for e in fs::read_dir(self.dir.join("blobs"))?.flatten() {
            total += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
        Ok(total)
    }

    /// Drops the layers used longest ago until the cache is within its bound (to three
    /// quarters of it, so that the next layers do not evict again at once); the bytes left.
    fn evict(&self) -> io::Result<u64> {
        let mut keys: Vec<(std::time::SystemTime, PathBuf, Option<Entry>)> = Vec::new();
        for e in fs::read_dir(self.dir.join("keys"))?.flatten() {
            let used = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            let entry = fs::read(e.path())
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            keys.push((used, e.path(), entry));
        }
        keys.sort_by_key(|(used, _, _)| *used);
        let target = self.max_bytes / 4 * 3;
        let mut total = self.count()?;
        let mut kept: std::collections::BTreeSet<Digest> = keys
            .iter()
            .filter_map(|(_, _, e)| e.as_ref().map(|e| e.descriptor.digest.clone()))
            .collect();
        for (i, (_, path, entry)) in keys.iter().enumerate() {
            if total <= target {
                break;
            }
            let _ = fs::remove_file(path);
            let Some(entry) = entry else { continue };
            let digest = &entry.descriptor.digest;
            // A blob goes with the last key that names it.
            let named_later = keys[i + 1..]
                .iter()
                .any(|(_, _, e)| e.as_ref().is_some_and(|e| &e.descriptor.digest == digest));
            if !named_later
                && kept.remove(digest)
                && fs::remove_file(self.blob_path(digest)).is_ok()
            {
                total = total.saturating_sub(entry.descriptor.size);
            }
        }
        // Blobs no key names (a key lost to a crash) go too.
        for e in fs::read_dir(self.dir.join("blobs"))?.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let named = kept.iter().any(|d| d.hex() == name);
            if !named && !name.starts_with(".tmp-") {
                total = total.saturating_sub(e.metadata().map(|m| m.len()).unwrap_or(0));
                let _ = fs::remove_file(e.path());
            }
        }
        Ok(total)
    }

    /// The cache's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Keys are hex hashes; anything else (a path) is refused.
fn bad_key(key: &str) -> bool {
    key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(store: &Store, fill: u8, size: usize) -> (Descriptor, Digest) {
        let bytes = vec![fill; size];
        let digest = store.write_blob(&bytes).unwrap();
        let descriptor = Descriptor {
            media_type: crate::model::MEDIA_LAYER_GZIP.into(),
            digest: digest.clone(),
            size: size as u64,
            platform: None,
            annotations: Default::default(),
        };
        (descriptor, digest)
    }

    #[test]
    fn a_fresh_store_takes_what_another_built_and_the_bound_holds() {
        let dir = tempfile::tempdir().unwrap();
        let shared = SharedLayers::new(dir.path().join("shared"), 3 << 20);
        let a = Store::open(&dir.path().join("a")).unwrap();
        let b = Store::open(&dir.path().join("b")).unwrap();
        let (big, id) = layer(&a, 1, 1 << 20);
        shared.keep(&a, "k1", &big, &id);
        let (small, small_id) = layer(&a, 2, 10);
        shared.keep(&a, "k2", &small, &small_id);
        assert_eq!(shared.fetch(&b, "k1"), Some((big.clone(), id.clone())));
        assert!(
            b.read_blob(&big.digest).is_ok(),
            "the blob is in the new store, intact"
        );
        assert_eq!(b.cached_layer("k1"), Some((big.clone(), id)));
        assert_eq!(shared.fetch(&b, "k2"), None, "small layers are not kept");
        assert_eq!(shared.fetch(&b, "../k1"), None);
        // Past 3 MiB the least recently used layers go.
        for (n, fill) in [(3, 3u8), (4, 4), (5, 5)] {
            let (d, i) = layer(&a, fill, 1 << 20);
            shared.keep(&a, &format!("k{n}"), &d, &i);
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let c = Store::open(&dir.path().join("c")).unwrap();
        assert!(shared.fetch(&c, "k5").is_some());
        assert!(shared.fetch(&c, "k1").is_none(), "the oldest went");
        assert!(shared.count().unwrap() <= 3 << 20);
        // A damaged shared blob is not taken, and never reaches the store.
        let (d, _) = shared.fetch(&c, "k5").unwrap();
        let blob = shared.blob_path(&d.digest);
        fs::remove_file(&blob).unwrap();
        fs::write(&blob, b"short").unwrap();
        let e = Store::open(&dir.path().join("e")).unwrap();
        assert!(shared.fetch(&e, "k5").is_none());
        assert!(!e.has_blob(&d.digest));
    }
}
