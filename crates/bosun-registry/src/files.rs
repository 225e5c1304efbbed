//! Files carried through a registry as an OCI artifact, one layer per file titled with its
//! name (as `oras push` writes them), or read from an image's filesystem: what spec includes
//! (`docker://REF#core.toml`, `docker://REF#/etc/app.toml`) and database copies are made of.
//! Every manifest and file read is kept in a cache by digest, so a read pinned by digest
//! needs no network the second time.

use std::path::PathBuf;
use std::sync::Arc;

use bosun_oci::Digest;
use bosun_oci::layer::EntryKind;
use bosun_oci::model::Platform;

use crate::transfer::RemoteImage;
use crate::{Client, Error, Reference, Repository};

/// The annotation that names a file of an artifact.
pub const TITLE: &str = "org.opencontainers.image.title";

/// A directory of manifests and files by digest.
pub struct FileCache {
    dir: PathBuf,
}

impl FileCache {
    /// The cache in `dir` (made when first written).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    fn path(&self, digest: &Digest) -> PathBuf {
        self.dir.join(digest.as_str().replace(':', "-"))
    }

    /// A blob, when the cache has it intact.
    fn get(&self, digest: &Digest) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.path(digest)).ok()?;
        (Digest::of(&bytes) == *digest).then_some(bytes)
    }

    /// Keeps a blob; a cache that cannot be written costs only the next read.
    fn keep(&self, bytes: &[u8]) {
        if std::fs::create_dir_all(&self.dir).is_ok() {
            let _ = bosun_fs::write_atomic(&self.path(&Digest::of(bytes)), bytes);
        }
    }
}

/// Why a file could not be read from an artifact or image.
fn missing(reference: &str, reason: String) -> Error {
    Error::File {
        reference: reference.to_string(),
        reason,
    }
}

/// The file `file` of what `reference` names (at `pin` when given, wherever the tag is
/// now): a titled layer of an artifact, or with a leading `/` a file of the image's
/// filesystem (of an index, its first image, so every machine reads the same file). At most
/// `max` bytes. The manifest's digest, and the file.
pub fn read(
    client: &Client,
    cache: &FileCache,
    reference: &str,
    pin: Option<&Digest>,
    file: &str,
    max: u64,
) -> Result<(Digest, Vec<u8>), Error> {
    let pinned = |digest: &Digest| -> Result<String, Error> {
        Ok(format!("{}@{digest}", Reference::parse(reference)?.name()))
    };
    let mut repo = None;
    let manifest = match pin.and_then(|d| cache.get(d)) {
        Some(bytes) => bytes,
        None => {
            let text = match pin {
                Some(d) => pinned(d)?,
                None => reference.to_string(),
            };
            let located = client.locate(&text)?;
            let fetched = located.repository.manifest(&located.object())?;
            cache.keep(&fetched.bytes);
            repo = Some(located.repository);
            fetched.bytes
        }
    };
    let digest = Digest::of(&manifest);
    let repository = |repo: Option<Repository>| -> Result<Repository, Error> {
        match repo {
            Some(r) => Ok(r),
            None => Ok(client.locate(&pinned(&digest)?)?.repository),
        }
    };
    let parsed: serde_json::Value = serde_json::from_slice(&manifest)
        .map_err(|e| missing(reference, format!("its manifest is not JSON: {e}")))?;
    if file.starts_with('/') {
        let note = cache.dir.join(format!(
            "{}-{}",
            digest.as_str().replace(':', "-"),
            Digest::of(file.as_bytes()).as_str().replace(':', "-")
        ));
        if let Some(bytes) = std::fs::read_to_string(&note)
            .ok()
            .and_then(|d| d.trim().parse::<Digest>().ok())
            .and_then(|d| cache.get(&d))
        {
            return Ok((digest, bytes));
        }
        let platform: Option<Platform> = parsed["manifests"]
            .get(0)
            .and_then(|m| serde_json::from_value(m["platform"].clone()).ok());
        let image = bosun_oci::source::open_remote(
            &format!("docker://{reference}"),
            Arc::new(RemoteImage(repository(repo)?)),
            digest.as_str(),
            platform.as_ref(),
        )?;
        let wanted = file.trim_start_matches('/');
        let tree = image.read_tree(&|p| p == wanted, max)?;
        let bytes = match tree.get(wanted).map(|e| &e.kind) {
            Some(EntryKind::File(bytes)) => bytes.clone(),
            Some(_) => {
                return Err(missing(
                    reference,
                    format!("{file} in the image is not a regular file"),
                ));
            }
            None => return Err(missing(reference, format!("the image has no {file}"))),
        };
        cache.keep(&bytes);
        let _ = bosun_fs::write_atomic(&note, Digest::of(&bytes).as_str().as_bytes());
        return Ok((digest, bytes));
    }
    if parsed["manifests"].is_array() {
        return Err(missing(
            reference,
            format!(
                "it names an index; give the artifact that holds {file}, or a path in the image (#/etc/...)"
            ),
        ));
    }
    let layers = parsed["layers"].as_array().cloned().unwrap_or_default();
    let Some(layer) = layers.iter().find(|l| l["annotations"][TITLE] == file) else {
        let titles: Vec<&str> = layers
            .iter()
            .filter_map(|l| l["annotations"][TITLE].as_str())
            .collect();
        return Err(missing(
            reference,
            format!(
                "the artifact has no file {file} (it has: {})",
                match titles.is_empty() {
                    true => "no titled files".to_string(),
                    false => titles.join(", "),
                }
            ),
        ));
    };
    let blob: Digest = layer["digest"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .map_err(|e| {
            missing(
                reference,
                format!("the manifest gives {file} no digest: {e}"),
            )
        })?;
    let size = layer["size"].as_u64().unwrap_or(u64::MAX);
    if size > max {
        return Err(missing(
            reference,
            format!("{file} is {size} bytes; at most {max} are read"),
        ));
    }
    if let Some(bytes) = cache.get(&blob) {
        return Ok((digest, bytes));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    repository(repo)?.fetch_blob(&blob, size, &mut bytes)?;
    cache.keep(&bytes);
    Ok((digest, bytes))
}
