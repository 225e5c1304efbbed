//! The local store: an OCI image layout (image-spec "Image Layout") that any OCI tool reads,
//! plus bosun's own caches beside it.
//!
//! ```text
//! <store>/oci-layout                 {"imageLayoutVersion":"1.0.0"}
//! <store>/index.json                 one descriptor per name, named by the
//!                                    org.opencontainers.image.ref.name annotation
//! <store>/blobs/sha256/<hex>         manifests, indexes, configs, layers
//! <store>/cache/layers-v1/<key>      layer cache: a hash of a layer's inputs -> its descriptor
//! <store>/tmp/                       partial writes (`.tmp-PID-*`); removed by gc, and by
//!                                    the next build once their process is gone
//! <store>/.lock                      shared while building, exclusive while collecting garbage
//! <store>/.index.lock                exclusive while index.json is rewritten
//! ```
//!
//! Blobs are written to `tmp/`, fsynced, and renamed to their digest, so a reader never sees a
//! partial blob and two writers of the same blob both succeed. `index.json` changes happen
//! under `.index.lock` with the same temp-and-rename step.
//!
//! Artifacts about an image (SBOMs, signatures) are unnamed entries of `index.json`; bosun
//! annotates each with its subject's digest (`dev.bosun.subject`) and its `artifactType`
//! (`dev.bosun.artifact-type`), so they are found without reading every artifact manifest.
//! Entries without them (written by other tools) are read once per change of `index.json`.
//! A build writes all its names and artifacts in one rewrite.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use bosun_fs::{AtomicFile, LockedFile, with_path};
use serde::{Deserialize, Serialize};

use crate::layer::HashWriter;
use crate::model::{
    Descriptor, Index, LAYOUT_BLOBS, LAYOUT_INDEX, MEDIA_INDEX, MEDIA_MANIFEST, Manifest, Platform,
    REF_NAME, layout_blob,
};
use crate::{Digest, Error};

/// An OCI image layout on disk used as bosun's store.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    /// The referrers of the `index.json` last read, with what identifies that file (inode,
    /// size, mtime): each rewrite is a new file, so a changed index is never taken for it.
    referrers: std::sync::Arc<std::sync::Mutex<Option<ReadReferrers>>>,
}

/// The annotation of an artifact's `index.json` entry naming its subject's digest.
pub const SUBJECT: &str = "dev.bosun.subject";
/// The annotation of an artifact's `index.json` entry giving its `artifactType`.
pub const ARTIFACT_TYPE: &str = "dev.bosun.artifact-type";

/// Artifacts by subject digest: each entry's descriptor and `artifactType`.
type Referrers = BTreeMap<String, Vec<(Descriptor, Option<String>)>>;

/// The referrers of one version of `index.json`, and what identifies that version.
type ReadReferrers = (IndexStamp, std::sync::Arc<Referrers>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IndexStamp {
    inode: u64,
    size: u64,
    modified: Option<std::time::SystemTime>,
}

/// A blob being written; it gets its name from its digest on [`BlobWriter::commit`].
pub struct BlobWriter {
    file: HashWriter<io::BufWriter<AtomicFile>>,
    store: Store,
}

impl BlobWriter {
    /// Moves the blob to `blobs/sha256/<hex>` and returns its digest and size.
    pub fn commit(self) -> Result<(Digest, u64), Error> {
        let (digest, size, temp) = self.finish()?;
        place(temp)?;
        Ok((digest, size))
    }

    /// Like [`BlobWriter::commit`], for content that must have a known digest (a download):
    /// when it does not, nothing is stored and the error says what came instead.
    pub fn commit_expecting(self, expected: &Digest, what: &str) -> Result<u64, Error> {
        let (actual, size, temp) = self.finish()?;
        if &actual != expected {
            return Err(Error::Corrupt {
                what: what.to_string(),
                expected: expected.clone(),
                actual,
            });
        }
        place(temp)?;
        Ok(size)
    }

    fn finish(self) -> Result<(Digest, u64, (AtomicFile, PathBuf)), Error> {
        let size = self.file.len();
        let (digest, buffered) = self.file.finish();
        let temp = buffered
            .into_inner()
            .map_err(|e| Error::Io(e.into_error()))?;
        let target = self.store.blob_path(&digest);
        Ok((digest, size, (temp, target)))
    }
}

/// Renames a finished blob into place, unless the same content is already there.
fn place((mut temp, target): (AtomicFile, PathBuf)) -> Result<(), Error> {
    if target.exists() {
        return Ok(()); // same content already there; drop the temp file
    }
    temp.flush()?;
    temp.retarget(&target);
    temp.commit()?;
    Ok(())
}

impl Write for BlobWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// What garbage collection removed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GcReport {
    /// Blobs removed.
    pub blobs: usize,
    /// Bytes freed.
    pub bytes: u64,
}

/// A named image in the store.
#[derive(Debug, Clone, Serialize)]
pub struct StoredImage {
    /// `name:tag`.
    pub name: String,
    /// The manifest or index.
    pub descriptor: Descriptor,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OciLayout {
    image_layout_version: String,
}

impl Store {
    /// Opens the store at `root` for reading: `None` when there is no store there yet (no
    /// `index.json`), so a reader never creates one as a side effect.
    pub fn open_existing(root: &Path) -> Result<Option<Self>, Error> {
        match root.join(LAYOUT_INDEX).is_file() {
            true => Self::open(root).map(Some),
            false => Ok(None),
        }
    }

    /// Opens the store at `root`, creating an empty layout there if none exists.
    pub fn open(root: &Path) -> Result<Self, Error> {
        let store = Self {
            root: root.to_path_buf(),
            referrers: Default::default(),
        };
        fs::create_dir_all(store.root.join(LAYOUT_BLOBS)).map_err(|e| with_path(root, e))?;
        let layout = root.join("oci-layout");
        match fs::read(&layout) {
            Ok(bytes) => {
                let parsed: OciLayout = serde_json::from_slice(&bytes)
                    .map_err(|e| Error::json(layout.display().to_string(), e))?;
                if !parsed.image_layout_version.starts_with("1.") {
                    return Err(Error::Inconsistent {
                        subject: layout.display().to_string(),
                        problem: format!(
                            "unsupported layout version {}",
                            parsed.image_layout_version
                        ),
                    });
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                bosun_fs::write_atomic(&layout, br#"{"imageLayoutVersion":"1.0.0"}"#)?;
            }
            Err(e) => return Err(with_path(&layout, e).into()),
        }
        if !root.join(LAYOUT_INDEX).exists() {
            let _guard = store.index_lock()?;
            if !root.join(LAYOUT_INDEX).exists() {
                store.write_index(&Index {
                    schema_version: 2,
                    media_type: Some(MEDIA_INDEX.into()),
                    ..Default::default()
                })?;
            }
        }
        Ok(store)
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a blob lives.
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root.join(layout_blob(digest))
    }

    /// Whether a blob is present.
    pub fn has_blob(&self, digest: &Digest) -> bool {
        self.blob_path(digest).exists()
    }

    /// Starts writing a blob.
    pub fn blob_writer(&self) -> Result<BlobWriter, Error> {
        let temp = self.root.join("tmp").join("blob");
        // Blobs are named by their content: nothing may change them in place.
        let file = AtomicFile::create_read_only(&temp)?;
        Ok(BlobWriter {
            file: HashWriter::new(io::BufWriter::with_capacity(1 << 20, file)),
            store: self.clone(),
        })
    }

    /// Writes a blob from memory.
    pub fn write_blob(&self, bytes: &[u8]) -> Result<Digest, Error> {
        let digest = Digest::of(bytes);
        if !self.has_blob(&digest) {
            let mut w = self.blob_writer()?;
            w.write_all(bytes)?;
            w.commit()?;
        }
        Ok(digest)
    }

    /// Reads a blob, checking its digest.
    pub fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>, Error> {
        let path = self.blob_path(digest);
        let bytes = fs::read(&path).map_err(|e| with_path(&path, e))?;
        let actual = Digest::of(&bytes);
        if &actual != digest {
            return Err(Error::Corrupt {
                what: path.display().to_string(),
                expected: digest.clone(),
                actual,
            });
        }
        Ok(bytes)
    }

    /// Opens a blob for streaming (the caller verifies if it needs to).
    pub fn open_blob(&self, digest: &Digest) -> Result<fs::File, Error> {
        let path = self.blob_path(digest);
        fs::File::open(&path).map_err(|e| with_path(&path, e).into())
    }

    /// Writes a JSON document as a blob and returns its descriptor.
    pub fn write_json<T: Serialize>(
        &self,
        value: &T,
        media_type: &str,
    ) -> Result<Descriptor, Error> {
        let bytes = serde_json::to_vec(value).map_err(|e| Error::json("a document", e))?;
        let digest = self.write_blob(&bytes)?;
        Ok(Descriptor {
            media_type: media_type.into(),
            digest,
            size: bytes.len() as u64,
            platform: None,
            annotations: BTreeMap::new(),
        })
    }

    /// Reads and parses a JSON blob.
    pub fn read_json<T: for<'de> Deserialize<'de>>(&self, digest: &Digest) -> Result<T, Error> {
        let bytes = self.read_blob(digest)?;
        serde_json::from_slice(&bytes).map_err(|e| Error::json(format!("blob {digest}"), e))
    }

    /// Each platform of the image `descriptor` names and its compressed size (layers and
    /// config: what pulling that platform transfers), in the image's order. A
    /// single-platform image names its platform in its config.
    pub fn platform_sizes(&self, descriptor: &Descriptor) -> Result<Vec<(Platform, u64)>, Error> {
        let manifests = match descriptor.media_type == MEDIA_INDEX {
            true => self.read_json::<Index>(&descriptor.digest)?.manifests,
            false => vec![descriptor.clone()],
        };
        let mut out = Vec::new();
        for m in &manifests {
            let manifest: Manifest = self.read_json(&m.digest)?;
            let size = manifest.layers.iter().map(|l| l.size).sum::<u64>() + manifest.config.size;
            let platform = match &m.platform {
                Some(p) => p.clone(),
                None => {
                    let config: serde_json::Value = self.read_json(&manifest.config.digest)?;
                    let field = |k: &str| config[k].as_str().unwrap_or("").to_string();
                    Platform {
                        os: field("os"),
                        architecture: field("architecture"),
                        variant: config["variant"].as_str().map(str::to_string),
                    }
                }
            };
            out.push((platform, size));
        }
        Ok(out)
    }

    /// Holds the store against garbage collection while a build writes blobs.
    pub fn lock_shared(&self) -> Result<LockedFile, Error> {
        let lock = LockedFile::shared(&self.root.join(".lock"))?;
        self.remove_abandoned();
        Ok(lock)
    }

    /// Removes the partial blobs a killed process left in `tmp/` (a Ctrl-C in a build leaves
    /// megabytes there), as every writer starts: what a live process writes stays.
    fn remove_abandoned(&self) {
        let dir = self.root.join("tmp");
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let gone = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|at| bosun_fs::abandoned(&name, at));
            if gone {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    fn index_lock(&self) -> Result<LockedFile, Error> {
        Ok(LockedFile::exclusive(&self.root.join(".index.lock"))?)
    }

    /// The layout's `index.json`.
    pub fn index(&self) -> Result<Index, Error> {
        let path = self.root.join(LAYOUT_INDEX);
        let bytes = fs::read(&path).map_err(|e| with_path(&path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::json(path.display().to_string(), e))
    }

    fn write_index(&self, index: &Index) -> Result<(), Error> {
        let bytes = serde_json::to_vec(index).map_err(|e| Error::json("the store's index", e))?;
        bosun_fs::write_atomic(&self.root.join(LAYOUT_INDEX), &bytes)?;
        Ok(())
    }

    /// Points `name` (used exactly as given) at `descriptor`, replacing any earlier image of
    /// that name.
    pub fn tag(&self, name: &str, descriptor: Descriptor) -> Result<(), Error> {
        self.tag_all([(name.to_string(), descriptor)])
    }

    /// Points every name at its descriptor in one rewrite of `index.json` (under the lock, atomic),
    /// and none when nothing changes: tagging a build of N images costs one write, not N, and
    /// a no-op rebuild costs none.
    pub fn tag_all(
        &self,
        names: impl IntoIterator<Item = (String, Descriptor)>,
    ) -> Result<(), Error> {
        self.tag_all_with(names, [])
    }

    /// Points every name at its descriptor and lists every artifact (from
    /// [`Store::prepare_artifact`], or a copied referrer) in one rewrite of `index.json`.
    pub fn tag_all_with(
        &self,
        names: impl IntoIterator<Item = (String, Descriptor)>,
        artifacts: impl IntoIterator<Item = Descriptor>,
    ) -> Result<(), Error> {
        let _guard = self.index_lock()?;
        let before = self.index()?;
        let mut by_name: BTreeMap<String, Descriptor> = BTreeMap::new();
        let mut unnamed = Vec::new();
        for d in &before.manifests {
            match d.annotations.get(REF_NAME) {
                Some(name) => {
                    by_name.insert(name.clone(), d.clone());
                }
                None => unnamed.push(d.clone()),
            }
        }
        for (name, mut descriptor) in names {
            descriptor.annotations.insert(REF_NAME.into(), name.clone());
            by_name.insert(name, descriptor);
        }
        let listed: BTreeSet<Digest> = unnamed.iter().map(|d| d.digest.clone()).collect();
        let mut added: Vec<Descriptor> = Vec::new();
        for artifact in artifacts {
            if !listed.contains(&artifact.digest)
                && !added.iter().any(|a| a.digest == artifact.digest)
            {
                added.push(self.annotated(artifact));
            }
        }
        // New artifacts first, as they were listed before batching.
        added.reverse();
        let unnamed: Vec<Descriptor> = added.into_iter().chain(unnamed).collect();
        let mut index = before.clone();
        index.manifests = unnamed.into_iter().chain(by_name.into_values()).collect();
        index.manifests.sort_by(|a, b| {
            a.annotations
                .get(REF_NAME)
                .cmp(&b.annotations.get(REF_NAME))
        });
        if index == before {
            return Ok(());
        }
        self.write_index(&index)
    }

    /// Removes a name (exactly as given); returns whether it existed. Blobs stay until [`Store::gc`].
    pub fn untag(&self, name: &str) -> Result<bool, Error> {
        let name = name.to_string();
        let _guard = self.index_lock()?;
        let mut index = self.index()?;
        let before = index.manifests.len();
        index
            .manifests
            .retain(|d| d.annotations.get(REF_NAME) != Some(&name));
        let removed = index.manifests.len() != before;
        if removed {
            self.write_index(&index)?;
        }
        Ok(removed)
    }

    /// The images in the store, sorted by name.
    pub fn list(&self) -> Result<Vec<StoredImage>, Error> {
        Ok(self
            .index()?
            .manifests
            .into_iter()
            .filter_map(|d| {
                Some(StoredImage {
                    name: d.annotations.get(REF_NAME)?.clone(),
                    descriptor: d,
                })
            })
            .collect())
    }

    /// The descriptor of a named image (exact name).
    pub fn resolve(&self, name: &str) -> Result<Option<Descriptor>, Error> {
        Ok(self
            .list()?
            .into_iter()
            .find(|i| i.name == name)
            .map(|i| i.descriptor))
    }

    /// Every blob reachable from `descriptor` (itself included).
    pub fn reachable(
        &self,
        descriptor: &Descriptor,
        out: &mut BTreeSet<Digest>,
    ) -> Result<(), Error> {
        if !out.insert(descriptor.digest.clone()) {
            return Ok(());
        }
        match descriptor.media_type.as_str() {
            MEDIA_MANIFEST | "application/vnd.docker.distribution.manifest.v2+json" => {
                let m: Manifest = self.read_json(&descriptor.digest)?;
                out.insert(m.config.digest);
                out.extend(m.layers.into_iter().map(|l| l.digest));
            }
            MEDIA_INDEX | "application/vnd.docker.distribution.manifest.list.v2+json" => {
                let i: Index = self.read_json(&descriptor.digest)?;
                for d in &i.manifests {
                    self.reachable(d, out)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Adds an artifact about another image (an SBOM, a signature: a manifest with a
    /// `subject`) to `index.json`, unnamed, as OCI image layouts hold referrers; it is found by
    /// its subject ([`Store::referrers`]) and lives as long as its subject does.
    pub fn add_referrer(&self, descriptor: Descriptor) -> Result<(), Error> {
        self.tag_all_with([], [descriptor])
    }

    /// `descriptor` with the annotations that let [`Store::referrers`] find it without reading
    /// its manifest (read here once when it lacks them).
    fn annotated(&self, mut descriptor: Descriptor) -> Descriptor {
        if descriptor.annotations.contains_key(SUBJECT) {
            return descriptor;
        }
        if let Ok(manifest) = self.read_json::<serde_json::Value>(&descriptor.digest) {
            if let Some(subject) = manifest.pointer("/subject/digest").and_then(|v| v.as_str()) {
                descriptor
                    .annotations
                    .insert(SUBJECT.into(), subject.to_string());
            }
            if let Some(kind) = manifest.get("artifactType").and_then(|t| t.as_str()) {
                descriptor
                    .annotations
                    .insert(ARTIFACT_TYPE.into(), kind.to_string());
            }
        }
        descriptor
    }

    /// Stores `content` as an OCI 1.1 artifact about `subject` (a manifest whose
    /// `artifactType` says what it is, with an empty config, the content as its one layer, and
    /// the subject), and lists it in `index.json` as a referrer.
    pub fn write_artifact(
        &self,
        subject: &Descriptor,
        artifact_type: &str,
        content: &[u8],
        annotations: BTreeMap<String, String>,
    ) -> Result<Descriptor, Error> {
        let descriptor = self.prepare_artifact(subject, artifact_type, content, annotations)?;
        self.add_referrer(descriptor.clone())?;
        Ok(descriptor)
    }

    /// Stores an artifact as [`Store::write_artifact`] does, without listing it: the caller
    /// lists many at once with [`Store::tag_all_with`].
    pub fn prepare_artifact(
        &self,
        subject: &Descriptor,
        artifact_type: &str,
        content: &[u8],
        annotations: BTreeMap<String, String>,
    ) -> Result<Descriptor, Error> {
        const EMPTY: &[u8] = b"{}";
        let empty = self.write_blob(EMPTY)?;
        let blob = self.write_blob(content)?;
        let mut subject = subject.clone();
        subject.annotations.clear();
        subject.platform = None;
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_MANIFEST,
            "artifactType": artifact_type,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": EMPTY.len()},
            "layers": [{"mediaType": artifact_type, "digest": blob, "size": content.len()}],
            "subject": subject,
            "annotations": annotations,
        });
        let mut descriptor = self.write_json(&manifest, MEDIA_MANIFEST)?;
        descriptor
            .annotations
            .insert(SUBJECT.into(), subject.digest.to_string());
        descriptor
            .annotations
            .insert(ARTIFACT_TYPE.into(), artifact_type.to_string());
        Ok(descriptor)
    }

    /// The unnamed manifests of `index.json` whose `subject` is `digest`, with their
    /// `artifactType`.
    pub fn referrers(&self, subject: &Digest) -> Result<Vec<(Descriptor, Option<String>)>, Error> {
        let all = self.all_referrers()?;
        Ok(all.get(subject.as_str()).cloned().unwrap_or_default())
    }

    /// Every artifact of `index.json` by subject, parsed once per version of the file: a
    /// build of 1,000 images asks 1,000 times.
    fn all_referrers(&self) -> Result<std::sync::Arc<Referrers>, Error> {
        use std::os::unix::fs::MetadataExt;
        let path = self.root.join(LAYOUT_INDEX);
        let stamp = |m: fs::Metadata| IndexStamp {
            inode: m.ino(),
            size: m.len(),
            modified: m.modified().ok(),
        };
        let before = stamp(fs::metadata(&path).map_err(|e| with_path(&path, e))?);
        let mut cached = self.referrers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, map)) = cached.as_ref()
            && *at == before
        {
            return Ok(map.clone());
        }
        let index = self.index()?;
        let mut map = Referrers::new();
        for d in index.manifests {
            if d.annotations.contains_key(REF_NAME) || !self.has_blob(&d.digest) {
                continue;
            }
            let d = self.annotated(d);
            let Some(subject) = d.annotations.get(SUBJECT).cloned() else {
                continue;
            };
            let kind = d.annotations.get(ARTIFACT_TYPE).cloned();
            map.entry(subject).or_default().push((d, kind));
        }
        let map = std::sync::Arc::new(map);
        // Kept only when the file read is the file stamped (no rewrite in between).
        if fs::metadata(&path).map(stamp).ok() == Some(before) {
            *cached = Some((before, map.clone()));
        }
        Ok(map)
    }

    /// Removes blobs no name reaches (nor an artifact whose subject a name reaches), stale
    /// temporary files, and layer-cache entries whose blob is gone. Waits for running builds
    /// to finish first.
    pub fn gc(&self) -> Result<GcReport, Error> {
        let _guard = LockedFile::exclusive(&self.root.join(".lock"))?;
        let mut keep = BTreeSet::new();
        for image in self.list()? {
            self.reachable(&image.descriptor, &mut keep)?;
        }
        // Artifacts live as long as their subjects: an artifact about an artifact too.
        let unnamed: Vec<Descriptor> = self
            .index()?
            .manifests
            .into_iter()
            .filter(|d| !d.annotations.contains_key(REF_NAME))
            .collect();
        let subject_of = |d: &Descriptor| -> Option<Digest> {
            let v: serde_json::Value = self.read_json(&d.digest).ok()?;
            v.pointer("/subject/digest")?.as_str()?.parse().ok()
        };
        let subjects: Vec<(Descriptor, Option<Digest>)> =
            unnamed.iter().map(|d| (d.clone(), subject_of(d))).collect();
        loop {
            let before = keep.len();
            for (d, subject) in &subjects {
                if subject.as_ref().is_some_and(|s| keep.contains(s)) && !keep.contains(&d.digest) {
                    self.reachable(d, &mut keep)?;
                }
            }
            if keep.len() == before {
                break;
            }
        }
        {
            let _index = self.index_lock()?;
            let mut index = self.index()?;
            let count = index.manifests.len();
            index
                .manifests
                .retain(|d| d.annotations.contains_key(REF_NAME) || keep.contains(&d.digest));
            if index.manifests.len() != count {
                self.write_index(&index)?;
            }
        }
        let mut report = GcReport::default();
        let dir = self.root.join(LAYOUT_BLOBS);
        for entry in fs::read_dir(&dir).map_err(|e| with_path(&dir, e))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let keep_it = format!("sha256:{name}")
                .parse::<Digest>()
                .is_ok_and(|d| keep.contains(&d));
            if !keep_it {
                report.bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
                report.blobs += 1;
                fs::remove_file(entry.path()).map_err(|e| with_path(&entry.path(), e))?;
            }
        }
        // Partial writes of interrupted processes: the blob staging area, and the temp files
        // of atomic writes next to index.json and in the layer cache.
        let _ = fs::remove_dir_all(self.root.join("tmp"));
        for dir in [self.root.clone(), self.root.join("cache/layers-v1")] {
            for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
                if entry.file_name().to_string_lossy().starts_with(".tmp-") {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        let cache = self.root.join("cache/layers-v1");
        if let Ok(entries) = fs::read_dir(&cache) {
            for entry in entries.flatten() {
                let live = fs::read(entry.path())
                    .ok()
                    .and_then(|b| serde_json::from_slice::<Descriptor>(&b).ok())
                    .is_some_and(|d| self.has_blob(&d.digest));
                if !live {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(report)
    }

    /// Looks up the layer cache.
    pub fn cached_layer(&self, key: &str) -> Option<(Descriptor, Digest)> {
        let bytes = fs::read(self.root.join("cache/layers-v1").join(key)).ok()?;
        let entry: CachedLayer = serde_json::from_slice(&bytes).ok()?;
        self.has_blob(&entry.descriptor.digest)
            .then_some((entry.descriptor, entry.diff_id))
    }

    /// Records a layer in the layer cache.
    pub fn cache_layer(
        &self,
        key: &str,
        descriptor: &Descriptor,
        diff_id: &Digest,
    ) -> Result<(), Error> {
        let entry = CachedLayer {
            descriptor: descriptor.clone(),
            diff_id: diff_id.clone(),
        };
        let bytes =
            serde_json::to_vec(&entry).map_err(|e| Error::json("a layer cache entry", e))?;
        // A cache entry: a crash may lose it (the layer is built again), never half-write it.
        bosun_fs::write_cache(&self.root.join("cache/layers-v1").join(key), &bytes)?;
        Ok(())
    }

    /// Reads a blob's whole content through a reader (for exports).
    pub fn blob_reader(&self, digest: &Digest) -> Result<impl Read, Error> {
        self.open_blob(digest).map(io::BufReader::new)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedLayer {
    #[serde(flatten)]
    descriptor: Descriptor,
    diff_id: Digest,
}

/// `name` -> `name:latest`; names with a tag or digest stay as they are.
pub fn normalize_name(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.contains(':') || last.contains('@') {
        name.to_string()
    } else {
        format!("{name}:latest")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many names in one rewrite of index.json; the same names again, no rewrite at all.
    #[test]
    fn tag_all_writes_once_and_not_when_unchanged() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = store
            .write_json(&serde_json::json!({"a": 1}), MEDIA_MANIFEST)
            .unwrap();
        let b = store
            .write_json(&serde_json::json!({"b": 2}), MEDIA_MANIFEST)
            .unwrap();
        store.tag("keep:1", a.clone()).unwrap();
        let names = |d: &Descriptor| -> Vec<(String, Descriptor)> {
            (0..50)
                .map(|i| (format!("app{i}:latest"), d.clone()))
                .collect()
        };
        store.tag_all(names(&a)).unwrap();
        let index = dir.path().join("index.json");
        let written = std::fs::metadata(&index).unwrap().ino();
        assert_eq!(store.list().unwrap().len(), 51);
        store.tag_all(names(&a)).unwrap();
        assert_eq!(
            std::fs::metadata(&index).unwrap().ino(),
            written,
            "no-op: no rewrite"
        );
        store.tag_all(names(&b)).unwrap();
        assert_ne!(std::fs::metadata(&index).unwrap().ino(), written);
        assert_eq!(
            store.resolve("app7:latest").unwrap().unwrap().digest,
            b.digest
        );
        assert_eq!(store.resolve("keep:1").unwrap().unwrap().digest, a.digest);
        // Blobs are read-only.
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.blob_path(&a.digest))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o222, 0, "{mode:o}");
    }

    /// Artifacts listed with the names in one rewrite, found by subject from the index's
    /// annotations; an entry another tool listed without them is found by its manifest; a
    /// second process's rewrite is seen.
    #[test]
    fn referrers_by_subject_in_one_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let image = store
            .write_json(&serde_json::json!({"image": 1}), MEDIA_MANIFEST)
            .unwrap();
        let sbom = store
            .prepare_artifact(&image, "application/spdx+json", b"{}", BTreeMap::new())
            .unwrap();
        assert!(
            store.referrers(&image.digest).unwrap().is_empty(),
            "not listed yet"
        );
        store
            .tag_all_with(
                [("app:1".to_string(), image.clone())],
                [sbom.clone(), sbom.clone()],
            )
            .unwrap();
        let found = store.referrers(&image.digest).unwrap();
        assert_eq!(found.len(), 1, "listed once");
        assert_eq!(found[0].1.as_deref(), Some("application/spdx+json"));
        // Listed by another tool: no annotations; and by another process.
        let other = store
            .prepare_artifact(
                &image,
                "application/vnd.dev.cosign.simplesigning.v1+json",
                b"x",
                BTreeMap::new(),
            )
            .unwrap();
        let bare = Descriptor {
            annotations: BTreeMap::new(),
            ..other
        };
        let mut index = store.index().unwrap();
        index.manifests.insert(0, bare);
        Store::open(dir.path())
            .unwrap()
            .write_index(&index)
            .unwrap();
        let kinds: Vec<Option<String>> = store
            .referrers(&image.digest)
            .unwrap()
            .into_iter()
            .map(|(_, k)| k)
            .collect();
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert!(kinds.contains(&Some(
            "application/vnd.dev.cosign.simplesigning.v1+json".into()
        )));
    }

    /// A partial blob of a process that is gone, and quiet for a minute, is removed when the
    /// next writer starts; one of this (live) process stays.
    #[test]
    fn abandoned_partial_blobs_go_at_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let tmp = dir.path().join("tmp");
        fs::create_dir_all(&tmp).unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(600);
        let left = tmp.join(".tmp-4194304999-abc");
        let mine = tmp.join(format!(".tmp-{}-def", std::process::id()));
        let other = tmp.join("notes");
        for f in [&left, &mine, &other] {
            fs::File::create(f).unwrap().set_modified(old).unwrap();
        }
        drop(store.lock_shared().unwrap());
        assert!(!left.exists(), "a dead writer's file goes");
        assert!(mine.exists() && other.exists());
    }

    #[test]
    fn blobs_tags_and_gc() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let config = store
            .write_json(
                &serde_json::json!({"a": 1}),
                "application/vnd.oci.image.config.v1+json",
            )
            .unwrap();
        let manifest = Manifest {
            schema_version: 2,
            media_type: Some(MEDIA_MANIFEST.into()),
            config,
            layers: vec![],
            annotations: BTreeMap::new(),
        };
        let desc = store.write_json(&manifest, MEDIA_MANIFEST).unwrap();
        let orphan = store.write_blob(b"orphan").unwrap();
        store.tag("app:latest", desc.clone()).unwrap();
        assert_eq!(
            store.resolve("app:latest").unwrap().unwrap().digest,
            desc.digest
        );
        let report = store.gc().unwrap();
        assert_eq!(report.blobs, 1);
        assert!(!store.has_blob(&orphan) && store.has_blob(&desc.digest));
        assert!(store.untag("app:latest").unwrap());
        assert_eq!(store.gc().unwrap().blobs, 2);
        // The layout stays readable after everything.
        Store::open(dir.path()).unwrap();
    }

    #[test]
    fn corrupt_blob_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let d = store.write_blob(b"hello").unwrap();
        fs::write(store.blob_path(&d), b"tampered").unwrap();
        assert!(matches!(store.read_blob(&d), Err(Error::Corrupt { .. })));
    }

    #[test]
    fn names() {
        assert_eq!(normalize_name("a"), "a:latest");
        assert_eq!(
            normalize_name("localhost:5000/a"),
            "localhost:5000/a:latest"
        );
        assert_eq!(normalize_name("a:1"), "a:1");
    }
}
