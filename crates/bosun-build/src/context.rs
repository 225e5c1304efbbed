//! What a build is given (the store, caches, inputs, step outputs) and what it makes (images
//! and their layers), shared by the image builder and the SBOMs written beside its images.

use std::collections::BTreeMap;
use std::path::Path;

use bosun_deb::{Cache, Fetcher, Reporter};
use bosun_oci::layer::LayerBuilder;
use bosun_oci::model::Descriptor;
use bosun_oci::{Digest, Store};
use bosun_spec::LockedPackage;
use serde::Serialize;

use crate::Error;
use crate::app::AppLayer;
use crate::inputs::Input;

/// Everything a build needs besides the spec and the lockfile.
pub struct BuildContext<'a> {
    /// The store images go into.
    pub store: &'a Store,
    /// The `.deb` cache.
    pub debs: &'a Cache,
    /// HTTP client for missing `.deb` files.
    pub fetcher: &'a Fetcher,
    /// Project directory (`copy` sources are relative to it).
    pub project: &'a Path,
    /// Archive root by lockfile archive name (`debian`, `security`).
    pub mirrors: BTreeMap<String, String>,
    /// `SOURCE_DATE_EPOCH`; `None` derives it from the lockfile.
    pub source_date_epoch: Option<i64>,
    /// Parallel downloads.
    pub parallel_downloads: usize,
    /// Download progress.
    pub reporter: &'a dyn Reporter,
    /// The images the spec reads (`from`, copy entries' `image`), in the store, by reference.
    pub inputs: &'a BTreeMap<String, Input>,
    /// A layer cache elsewhere (a registry), asked for what the store's own cache lacks.
    pub remote: Option<&'a dyn RemoteLayers>,
    /// The user's layers shared by every store, asked before the remote cache and given
    /// every layer built.
    pub shared: Option<&'a bosun_oci::shared::SharedLayers>,
    /// Build every layer anew, asking no layer cache (the layers built are still recorded).
    pub no_cache: bool,
    /// Where locked packages the mirror has dropped are found again.
    pub snapshot: Option<Snapshot>,
    /// What cataloguing for the SBOMs found in each layer, shared by the images of a build:
    /// N images on one core read its layer once.
    pub scans: &'a bosun_sbom::LayerScans,
    /// The outputs of the build steps the images copy from ([`crate::step::run_steps`]).
    pub steps: &'a crate::step::StepOutputs,
}

/// A snapshot archive (Debian's snapshot service, or one laid out like it): every file the
/// archive ever published, at `ROOT/archive/ARCHIVE/TIMESTAMP/POOL-PATH`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The service's root URL.
    pub root: String,
    /// The lock's releases: the date each locked suite had when it was read.
    pub releases: Vec<bosun_spec::LockedRelease>,
}

impl Snapshot {
    /// Where the snapshot archive has `pkg`: its suite's archive at a day after the release
    /// date the lock recorded. The service answers with the newest snapshot at or before the
    /// time asked and imports the archive a few times a day, so the first snapshot holding a
    /// release's files follows its `Date`; a superseded file stays in the pool for days.
    pub fn url(&self, pkg: &LockedPackage) -> Option<String> {
        let release = self.releases.iter().find(|r| r.suite == pkg.suite)?;
        let archive = match release.archive.as_str() {
            "security" => "debian-security",
            _ => "debian",
        };
        let at = jiff::Timestamp::from_second(release.date.saturating_add(86_400)).ok()?;
        Some(format!(
            "{}/archive/{archive}/{}/{}",
            self.root.trim_end_matches('/'),
            at.strftime("%Y%m%dT%H%M%SZ"),
            pkg.filename
        ))
    }
}

/// A layer cache elsewhere, shared between machines.
pub trait RemoteLayers: Sync {
    /// The layer stored under `key`, brought into the store (and its layer cache), when the
    /// remote cache has it.
    fn fetch(&self, key: &str) -> Result<Option<(Descriptor, Digest)>, Error>;
}

/// One layer of a built image.
#[derive(Debug, Clone, Serialize)]
pub struct BuiltLayer {
    /// Compressed digest.
    pub digest: Digest,
    /// Compressed size.
    pub size: u64,
    /// What made it.
    pub created_by: String,
    /// Whether it came from the layer cache.
    pub cached: bool,
    /// Whether the layer cache that had it was the remote one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub remote: bool,
    /// The layer cache's key: a hash of everything that decides the layer's bytes.
    #[serde(skip)]
    pub key: String,
    /// Digest of the uncompressed tar.
    #[serde(skip)]
    pub diff_id: Digest,
}

/// A built image.
#[derive(Debug, Clone, Serialize)]
pub struct BuiltImage {
    /// The image's name in the spec.
    pub image: String,
    /// The store names it got.
    pub tags: Vec<String>,
    /// Manifest (one architecture) or index (several).
    pub digest: Digest,
    /// Media type of `digest`.
    pub media_type: String,
    /// Layers per architecture.
    pub layers: BTreeMap<String, Vec<BuiltLayer>>,
    /// What its names point at, for [`bosun_oci::Store::tag_all_with`].
    #[serde(skip)]
    pub descriptor: Descriptor,
    /// The artifacts (SBOMs) written about it and not yet listed in the store's
    /// `index.json`: [`bosun_oci::Store::tag_all_with`] lists them with the names.
    #[serde(skip)]
    pub artifacts: Vec<Descriptor>,
    /// What the user should know about the image: it was built, but something in it will
    /// not work as it looks (a copied symlink to a file the image lacks).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Its debug twin, built in the same run (`debug = true`).
    #[serde(skip)]
    pub debug: Option<Box<BuiltImage>>,
}

pub(crate) struct LayerPlan<'l> {
    pub(crate) created_by: String,
    pub(crate) packages: Vec<&'l LockedPackage>,
    pub(crate) skeleton: bool,
    pub(crate) app: Option<LayerBuilder>,
    /// The app's PyPI or npm dependencies.
    pub(crate) deps: Option<AppLayer<'l>>,
    /// A debug twin's layer: busybox's commands linked in `DEBUG_DIR`.
    pub(crate) debug: bool,
}

impl BuiltImage {
    /// The image as `build` prints it: its names and digest, then each layer of each
    /// architecture, whether it was built, taken from the cache or pulled from a remote one.
    pub fn table(&self) -> Vec<String> {
        let mut out = vec![format!("{}  {}", self.tags.join(", "), self.digest)];
        for (arch, layers) in &self.layers {
            for l in layers {
                let how = match (l.remote, l.cached) {
                    (true, _) => "pulled",
                    (false, true) => "cached",
                    (false, false) => "built",
                };
                out.push(format!(
                    "  {arch:<6} {how:<6} {:>9}  {}  {}",
                    bosun_oci::human(l.size),
                    &l.digest.hex()[..12],
                    l.created_by
                ));
            }
        }
        out
    }
}
