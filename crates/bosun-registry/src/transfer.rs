//! Images between the local store and registries: pull (verified while streaming, blobs
//! before manifests, nothing tagged until everything is there) and push (blobs first, each
//! once per registry, mounted where another repository has it; manifests; tags last).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::Mutex;

use bosun_oci::model::{Descriptor, Index, Manifest, Platform};
use bosun_oci::{Digest, Store};
use rayon::prelude::*;

use crate::Error;
use crate::api::{Pushed, is_index};
use crate::client::{Client, Repository};
use crate::reference::Reference;

/// How many blobs move at once.
pub const DEFAULT_JOBS: usize = 6;

/// Which manifests of an index to take.
#[derive(Debug, Clone, Default)]
pub enum Platforms {
    /// The host's platform when the index has it, else the first.
    #[default]
    Host,
    /// This one.
    One(Platform),
    /// Every manifest of the index, and the index itself.
    All,
}

/// What a pull stored.
#[derive(Debug, Clone)]
pub struct Pulled {
    /// The manifest (or, with [`Platforms::All`], the index) as stored, by digest.
    pub descriptor: Descriptor,
    /// Where it came from, with the digest of what the tag pointed at.
    pub source: Reference,
    /// Blobs downloaded (the rest were in the store already).
    pub fetched: usize,
    /// Bytes downloaded.
    pub bytes: u64,
}

/// Pulls `reference` into `store`, trying registries.conf mirrors first. The caller names it.
pub fn pull(
    client: &Client,
    reference: &Reference,
    store: &Store,
    platforms: &Platforms,
    jobs: usize,
) -> Result<Pulled, Error> {
    let endpoints = client.options().conf.pull_endpoints(reference)?;
    let mut last = None;
    for endpoint in &endpoints {
        let repo = client.repository(endpoint)?;
        match pull_from(&repo, &endpoint.reference, store, platforms, jobs) {
            Ok(mut pulled) => {
                pulled.source = reference.with_digest(pulled.source.digest.clone().expect("set"));
                return Ok(pulled);
            }
            // A mirror that lacks the image or is down: try the next place.
            Err(e) if endpoint.mirror => {
                tracing::debug!(mirror = %endpoint.reference, error = %e, "mirror failed");
                last = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::NotFound {
        reference: reference.to_string(),
    }))
}

/// Pulls the image [`Client::locate`] found, from where it found it (no second search of
/// the mirrors); the pull is named as the reference was.
pub fn pull_located(
    located: &crate::Located,
    store: &Store,
    platforms: &Platforms,
    jobs: usize,
) -> Result<Pulled, Error> {
    let mut pulled = pull_from(&located.repository, &located.read, store, platforms, jobs)?;
    let digest = pulled
        .source
        .digest
        .clone()
        .expect("a pull knows its digest");
    pulled.source = located.named.with_digest(digest);
    Ok(pulled)
}

fn pull_from(
    repo: &Repository,
    reference: &Reference,
    store: &Store,
    platforms: &Platforms,
    jobs: usize,
) -> Result<Pulled, Error> {
    let root = repo.manifest(&reference.object())?;
    let source = reference.with_digest(root.digest.clone());
    let mut manifests: Vec<(Digest, String, Vec<u8>)> = Vec::new();
    let top;
    if is_index(&root.media_type) {
        let index: Index = parse(&source, &root.bytes)?;
        let chosen: Vec<&Descriptor> = match platforms {
            Platforms::All => index.manifests.iter().collect(),
            Platforms::One(p) => vec![choose(&index, Some(p), &source)?],
            Platforms::Host => vec![choose(&index, None, &source)?],
        };
        for d in &chosen {
            let child = repo.manifest(d.digest.as_str())?;
            manifests.push((child.digest, child.media_type, child.bytes));
        }
        top = match platforms {
            Platforms::All => descriptor(&root.media_type, &root.digest, root.bytes.len()),
            _ => {
                let (digest, media_type, bytes) = &manifests[0];
                descriptor(media_type, digest, bytes.len())
            }
        };
    } else {
        top = descriptor(&root.media_type, &root.digest, root.bytes.len());
        manifests.push((
            root.digest.clone(),
            root.media_type.clone(),
            root.bytes.clone(),
        ));
    }
    // Every blob the chosen manifests need, once.
    let mut blobs: BTreeMap<Digest, u64> = BTreeMap::new();
    for (digest, media_type, bytes) in &manifests {
        if is_index(media_type) {
            return Err(Error::Protocol {
                reference: source.to_string(),
                reason: format!("index {digest} nests another index; bosun reads one level"),
            });
        }
        let m: Manifest = parse(&source, bytes)?;
        blobs.insert(m.config.digest, m.config.size);
        for layer in m.layers {
            blobs.insert(layer.digest, layer.size);
        }
    }
    let mut locations = BlobLocations::load(store, repo.registry());
    for digest in blobs.keys() {
        locations.add(digest, &repo.name);
    }
    let missing: Vec<(Digest, u64)> = blobs
        .into_iter()
        .filter(|(d, _)| !store.has_blob(d))
        .collect();
    let fetched = missing.len();
    let bytes = missing.iter().map(|(_, s)| s).sum();
    in_parallel(jobs, &missing, |(digest, size)| {
        let mut writer = store.blob_writer()?;
        repo.fetch_blob(digest, *size, &mut writer)?;
        writer.commit_expecting(digest, &format!("{}@{digest}", repo.display))?;
        Ok(())
    })?;
    // Manifests after their blobs, the index last: a reader never sees a dangling reference.
    for (_, _, bytes) in &manifests {
        store.write_blob(bytes)?;
    }
    if matches!(platforms, Platforms::All) && is_index(&root.media_type) {
        store.write_blob(&root.bytes)?;
    }
    locations.save(store);
    // Artifacts are a bonus: a registry that fails to list them does not fail the pull.
    for (digest, _, _) in &manifests {
        if let Err(e) = pull_referrers(repo, store, digest) {
            tracing::debug!(%digest, error = %e, "artifacts not taken");
        }
    }
    Ok(Pulled {
        descriptor: top,
        source,
        fetched,
        bytes,
    })
}

/// Most artifacts taken per manifest: a registry that lists without end stops here.
const MAX_REFERRERS: usize = 64;

/// Brings the artifacts a registry holds about a manifest (its SBOMs, signatures) into the
/// store as referrers, each checked against its digest as any pull is.
fn pull_referrers(repo: &Repository, store: &Store, subject: &Digest) -> Result<(), Error> {
    for entry in repo.referrers(subject)?.into_iter().take(MAX_REFERRERS) {
        let Some(digest) = entry
            .get("digest")
            .and_then(|d| d.as_str())
            .and_then(|d| d.parse::<Digest>().ok())
        else {
            continue;
        };
        if store.has_blob(&digest) {
            continue;
        }
        let fetched = repo.manifest(digest.as_str())?;
        let manifest: Manifest = parse(&Reference::parse(&repo.display)?, &fetched.bytes)?;
        let about = serde_json::from_slice::<serde_json::Value>(&fetched.bytes)
            .ok()
            .and_then(|v| v.pointer("/subject/digest")?.as_str().map(str::to_string));
        if about.as_deref() != Some(subject.as_str()) {
            continue; // listed for this subject but not about it: not taken
        }
        for blob in std::iter::once(&manifest.config).chain(&manifest.layers) {
            if store.has_blob(&blob.digest) {
                continue;
            }
            let mut writer = store.blob_writer()?;
            repo.fetch_blob(&blob.digest, blob.size, &mut writer)?;
            writer.commit_expecting(&blob.digest, &format!("{}@{}", repo.display, blob.digest))?;
        }
        store.write_blob(&fetched.bytes)?;
        store.add_referrer(descriptor(
            &fetched.media_type,
            &fetched.digest,
            fetched.bytes.len(),
        ))?;
    }
    Ok(())
}

fn descriptor(media_type: &str, digest: &Digest, size: usize) -> Descriptor {
    Descriptor {
        media_type: media_type.to_string(),
        digest: digest.clone(),
        size: size as u64,
        platform: None,
        annotations: BTreeMap::new(),
    }
}

fn parse<T: for<'de> serde::Deserialize<'de>>(
    source: &Reference,
    bytes: &[u8],
) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::Protocol {
        reference: source.to_string(),
        reason: format!("the manifest is not an OCI or Docker schema 2 document: {e}"),
    })
}

/// The index entry for `want` (default: the host's platform, else the first image).
fn choose<'i>(
    index: &'i Index,
    want: Option<&Platform>,
    source: &Reference,
) -> Result<&'i Descriptor, Error> {
    let images: Vec<&Descriptor> = index
        .manifests
        .iter()
        .filter(|d| {
            d.platform
                .as_ref()
                .is_none_or(|p| p.architecture != "unknown")
        })
        .collect();
    let host = bosun_oci::source::host_platform();
    let fits = |want: &Platform, d: &&Descriptor| {
        d.platform.as_ref().is_some_and(|have| {
            have.os == want.os
                && have.architecture == want.architecture
                && (want.variant.is_none() || want.variant == have.variant)
        })
    };
    let found = match want {
        Some(w) => images.iter().find(|d| fits(w, d)),
        None => images.iter().find(|d| fits(&host, d)).or(images.first()),
    };
    found.copied().ok_or_else(|| {
        let have: Vec<String> = images
            .iter()
            .filter_map(|d| d.platform.as_ref())
            .map(|p| format!("{}/{}", p.os, p.architecture))
            .collect();
        Error::NotFound {
            reference: format!(
                "{source}: no manifest for {} (it has {})",
                want.map_or_else(
                    || "any platform".into(),
                    |p| format!("{}/{}", p.os, p.architecture)
                ),
                have.join(", ")
            ),
        }
    })
}

/// What a push did.
#[derive(Debug, Clone, Default)]
pub struct PushReport {
    /// Blobs uploaded, with their bytes.
    pub uploaded: usize,
    /// Bytes uploaded.
    pub bytes: u64,
    /// Blobs mounted from another repository.
    pub mounted: usize,
    /// Blobs the registry had already.
    pub existed: usize,
    /// Artifacts about the images (SBOMs, signatures) pushed with them.
    pub artifacts: usize,
    /// Each destination with the digest it now points at.
    pub images: Vec<(Reference, Digest)>,
}

/// A blob's size and the push targets (by position) that need it.
type Need = (u64, Vec<usize>);

/// Pushes store images to their destinations in one go: every blob goes up once per
/// registry (later repositories mount it), then each image's manifests, then its tag.
pub fn push(
    client: &Client,
    store: &Store,
    images: &[(Descriptor, Reference)],
    jobs: usize,
) -> Result<PushReport, Error> {
    struct Target {
        repo: Repository,
        reference: Reference,
        manifests: Vec<Descriptor>,
        top: Descriptor,
    }
    let mut targets = Vec::new();
    // (registry, digest) -> size and the repositories that need it, in order.
    let mut needs: BTreeMap<(String, Digest), Need> = BTreeMap::new();
    for (descriptor, reference) in images {
        let endpoint = client.options().conf.push_endpoint(reference)?;
        let repo = client.repository(&endpoint)?.for_push();
        let mut manifests = Vec::new();
        let mut blobs = BTreeSet::new();
        collect(store, descriptor, &mut manifests, &mut blobs)?;
        let i = targets.len();
        for (digest, size) in blobs {
            let entry = needs
                .entry((repo.registry().to_string(), digest))
                .or_insert((size, Vec::new()));
            if !entry.1.contains(&i) {
                entry.1.push(i);
            }
        }
        targets.push(Target {
            repo,
            reference: endpoint.reference,
            manifests,
            top: descriptor.clone(),
        });
    }
    let report = Mutex::new(PushReport::default());
    let mut known: BTreeMap<String, BlobLocations> = BTreeMap::new();
    for t in &targets {
        known
            .entry(t.repo.registry().to_string())
            .or_insert_with(|| BlobLocations::load(store, t.repo.registry()));
    }
    let work: Vec<(&str, &Digest, &Need)> =
        needs.iter().map(|((r, d), v)| (r.as_str(), d, v)).collect();
    in_parallel(jobs, &work, |(registry, digest, (size, users))| {
        // Where the registry has it already, from an earlier push or pull of this store.
        let mut first: Option<&str> = known[*registry].any(digest);
        for &i in users {
            let repo = &targets[i].repo;
            let open = || -> std::io::Result<Box<dyn Read + Send>> {
                Ok(Box::new(std::io::BufReader::with_capacity(
                    1 << 20,
                    store.open_blob(digest).map_err(std::io::Error::other)?,
                )))
            };
            let how = repo.push_blob(digest, *size, first, &open)?;
            let mut r = report.lock().expect("report");
            match how {
                Pushed::Existed => r.existed += 1,
                Pushed::Mounted => r.mounted += 1,
                Pushed::Uploaded => {
                    r.uploaded += 1;
                    r.bytes += size;
                }
            }
            first = Some(&repo.name);
        }
        Ok(())
    })?;
    let mut report = report.into_inner().expect("report");
    for ((registry, digest), (_, users)) in &needs {
        let locations = known.get_mut(registry).expect("loaded");
        for &i in users {
            locations.add(digest, &targets[i].repo.name);
        }
    }
    for locations in known.values() {
        locations.save(store);
    }
    // Manifests, image by image in parallel: a fleet's push is a round trip per manifest, so
    // latency, not bandwidth, bounds it. The names of one image in one repository go in one
    // job, in order: they share its referrers (and a registry without the referrers API
    // keeps those in one index that each write reads and rewrites).
    let mut groups: BTreeMap<(&str, &Digest), Vec<&Target>> = BTreeMap::new();
    for t in &targets {
        groups
            .entry((t.repo.name.as_str(), &t.top.digest))
            .or_default()
            .push(t);
    }
    let groups: Vec<Vec<&Target>> = groups.into_values().collect();
    let artifacts = std::sync::atomic::AtomicUsize::new(0);
    in_parallel(jobs, &groups, |group| {
        let mut referred = false;
        for t in group {
            // Children by digest first, the top by digest, then the tag: a tag never points
            // at something incomplete. What the registry has under the same name already is
            // not written again.
            for m in &t.manifests {
                let bytes = store.read_blob(&m.digest)?;
                t.repo
                    .put_manifest_if_changed(m.digest.as_str(), &bytes, &m.media_type)?;
            }
            let bytes = store.read_blob(&t.top.digest)?;
            t.repo
                .put_manifest_if_changed(t.top.digest.as_str(), &bytes, &t.top.media_type)?;
            if t.reference.digest.is_none() {
                t.repo
                    .put_manifest_if_changed(&t.reference.object(), &bytes, &t.top.media_type)?;
            }
            if !std::mem::replace(&mut referred, true) {
                let n = push_referrers(store, &t.repo, &t.top)?;
                artifacts.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            }
        }
        Ok(())
    })?;
    report.artifacts += artifacts.into_inner();
    report.images.extend(
        targets
            .iter()
            .map(|t| (t.reference.clone(), t.top.digest.clone())),
    );
    Ok(report)
}

/// Pushes the artifacts the store holds about an image (its SBOMs, signatures) after it: their
/// blobs, then their manifests ([`Repository::put_referrer`]).
fn push_referrers(store: &Store, repo: &Repository, top: &Descriptor) -> Result<usize, Error> {
    let referrers = bosun_oci::export::referrers_of(store, top)?;
    for r in &referrers {
        let mut blobs = BTreeSet::new();
        store.reachable(r, &mut blobs)?;
        blobs.remove(&r.digest);
        for digest in &blobs {
            let path = store.blob_path(digest);
            let size = std::fs::metadata(&path)
                .map_err(|e| Error::Io(bosun_fs::with_path(&path, e)))?
                .len();
            let open = || -> std::io::Result<Box<dyn Read + Send>> {
                Ok(Box::new(std::io::BufReader::new(
                    store.open_blob(digest).map_err(std::io::Error::other)?,
                )))
            };
            repo.push_blob(digest, size, None, &open)?;
        }
        repo.put_referrer(&store.read_blob(&r.digest)?, &r.media_type)?;
    }
    Ok(referrers.len())
}

/// The image manifests under `descriptor` (itself when it is one) and their blobs.
fn collect(
    store: &Store,
    descriptor: &Descriptor,
    manifests: &mut Vec<Descriptor>,
    blobs: &mut BTreeSet<(Digest, u64)>,
) -> Result<(), Error> {
    if is_index(&descriptor.media_type) {
        let index: Index = store.read_json(&descriptor.digest)?;
        for d in &index.manifests {
            collect(store, d, manifests, blobs)?;
            manifests.push(d.clone());
        }
        return Ok(());
    }
    let m: Manifest = store.read_json(&descriptor.digest)?;
    blobs.insert((m.config.digest, m.config.size));
    for layer in m.layers {
        blobs.insert((layer.digest, layer.size));
    }
    Ok(())
}

/// Runs `f` over `items` on `jobs` threads (network-bound work, so more threads than
/// cores pays); the first error stops the rest.
fn in_parallel<T: Sync>(
    jobs: usize,
    items: &[T],
    f: impl Fn(&T) -> Result<(), Error> + Sync + Send,
) -> Result<(), Error> {
    if items.len() <= 1 {
        return items.iter().try_for_each(f);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.clamp(1, items.len()))
        .thread_name(|i| format!("bosun-transfer-{i}"))
        .build()
        .map_err(|e| Error::Io(std::io::Error::other(e)))?;
    pool.install(|| items.par_iter().try_for_each(f))
}

/// Which repositories of one registry are known to hold a blob (from this store's pushes
/// and pulls), so that a push to another repository mounts instead of uploading, as skopeo's
/// blob-info cache lets it. A hint only: a mount the registry refuses becomes an upload.
struct BlobLocations {
    registry: String,
    repos: BTreeMap<Digest, Vec<String>>,
    changed: bool,
}

/// Repositories remembered per blob.
const LOCATIONS_PER_BLOB: usize = 4;

impl BlobLocations {
    fn path(store: &Store, registry: &str) -> std::path::PathBuf {
        let name: String = registry
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        store
            .root()
            .join("cache/blob-locations-v1")
            .join(format!("{name}.json"))
    }

    fn load(store: &Store, registry: &str) -> Self {
        let repos = std::fs::read(Self::path(store, registry))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Self {
            registry: registry.to_string(),
            repos,
            changed: false,
        }
    }

    fn any(&self, digest: &Digest) -> Option<&str> {
        self.repos.get(digest)?.first().map(String::as_str)
    }

    fn add(&mut self, digest: &Digest, repo: &str) {
        let list = self.repos.entry(digest.clone()).or_default();
        if !list.iter().any(|r| r == repo) {
            list.insert(0, repo.to_string());
            list.truncate(LOCATIONS_PER_BLOB);
            self.changed = true;
        }
    }

    /// Best effort: a cache that cannot be written costs only a later upload.
    fn save(&self, store: &Store) {
        if !self.changed {
            return;
        }
        let path = Self::path(store, &self.registry);
        if let Ok(bytes) = serde_json::to_vec(&self.repos)
            && let Err(e) = bosun_fs::write_atomic(&path, &bytes)
        {
            tracing::debug!(path = %path.display(), error = %e, "cannot record blob locations");
        }
    }
}

/// A repository as a place [`bosun_oci::source`] reads images from: `inspect docker://...`
/// fetches the manifests and config, and streams a layer only when it is read.
pub struct RemoteImage(pub Repository);

impl bosun_oci::source::Remote for RemoteImage {
    fn manifest(&self, object: &str) -> Result<(String, Vec<u8>), bosun_oci::Error> {
        let fetched = self.0.manifest(object).map_err(oci_error)?;
        Ok((fetched.media_type, fetched.bytes))
    }

    fn blob(
        &self,
        digest: &Digest,
        size: Option<u64>,
    ) -> Result<Box<dyn Read + Send>, bosun_oci::Error> {
        Ok(Box::new(self.0.open_blob(digest, size).map_err(oci_error)?))
    }
}

fn oci_error(e: Error) -> bosun_oci::Error {
    match e {
        Error::NotFound { reference } => bosun_oci::Error::Missing { reference },
        Error::Oci(inner) => inner,
        other => bosun_oci::Error::Io(std::io::Error::other(other)),
    }
}
