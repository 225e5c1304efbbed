//! Reading images from anywhere bosun can name them: the store, `oci:DIR[:REF]`,
//! `oci-archive:FILE[:REF]` and `docker-archive:FILE[:NAME:TAG]` (what `podman save` and
//! `docker save` write, the legacy `<id>/layer.tar` layout included).
//!
//! Nothing is unpacked: archives are indexed once (member name -> offset) and every layer is
//! streamed from its place. A [`LayerReader`] decompresses (gzip, zstd or none, told by the
//! bytes, not the media type) and hashes while it streams; [`LayerReader::finish`] reads to the
//! end and fails when the blob or its diff id does not match what the image says.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::model::{
    Descriptor, ImageConfig, Index, LAYOUT_INDEX, MEDIA_INDEX, MEDIA_LAYER_GZIP, MEDIA_LAYER_TAR,
    MEDIA_LAYER_ZSTD, MEDIA_MANIFEST, Manifest, Platform, REF_NAME,
};
use crate::{Digest, Error, normalize_name};

/// Documents (index, manifest, config, manifest.json) larger than this are refused.
const MAX_DOCUMENT: u64 = 16 << 20;

mod archive;
mod docker;
mod import;
mod layout;
mod reader;
mod reference;
mod tree;

pub use archive::Region;
use archive::*;
use docker::*;
use layout::*;
pub use reader::{Compression, LayerEnd, LayerReader, sniff};
pub use reference::ImageRef;

/// A place images are fetched from over a protocol: a registry. `bosun-registry` implements
/// it; this crate streams and checks what it gives.
pub trait Remote: Send + Sync {
    /// The manifest or index `object` (a tag or a digest) names: its media type and bytes.
    fn manifest(&self, object: &str) -> Result<(String, Vec<u8>), Error>;
    /// A blob's bytes as a stream (`size` when known); the reader checks them against the
    /// digests it knows.
    fn blob(&self, digest: &Digest, size: Option<u64>) -> Result<Box<dyn Read + Send>, Error>;
}

/// Opens the image a registry serves under `object` (tag or digest), reading only the
/// manifests and config until a layer is asked for.
pub fn open_remote(
    reference: &str,
    remote: Arc<dyn Remote>,
    object: &str,
    platform: Option<&Platform>,
) -> Result<Image, Error> {
    let (media_type, bytes) = remote.manifest(object)?;
    let top = Descriptor {
        media_type,
        digest: Digest::of(&bytes),
        size: bytes.len() as u64,
        platform: None,
        annotations: Default::default(),
    };
    open_top(reference, Blobs::Remote(remote), &top, platform)
}

/// Opens the image `top` names (a manifest, or an index to choose from with `platform`) in
/// the OCI layout at `root` (the store, usually): for images known by digest, not by name.
pub fn open_descriptor(
    reference: &str,
    root: &Path,
    top: &Descriptor,
    platform: Option<&Platform>,
) -> Result<Image, Error> {
    open_top(reference, Blobs::Dir(root.to_path_buf()), top, platform)
}

/// One layer of an opened image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerInfo {
    /// The media type as recorded (Docker archives: as sniffed).
    pub media_type: String,
    /// The digest of the blob as stored, when the source records one.
    pub digest: Option<Digest>,
    /// Size of the blob as stored (compressed).
    pub size: u64,
    /// Digest of the uncompressed tar, from the config.
    pub diff_id: Digest,
}

/// An image opened for reading.
#[derive(Debug)]
pub struct Image {
    /// The reference as the user gave it.
    pub reference: String,
    /// Digest of the index the manifest was chosen from, if any.
    pub index_digest: Option<Digest>,
    /// The platforms of that index, in order.
    pub platforms: Vec<Platform>,
    /// Digest of the manifest (none for Docker archives, which have no manifest).
    pub manifest_digest: Option<Digest>,
    /// The manifest; for Docker archives, one made from `manifest.json`.
    pub manifest: Option<Manifest>,
    /// Digest of the config blob.
    pub config_digest: Digest,
    /// The image config.
    pub config: ImageConfig,
    /// The config as stored (every field, also those [`ImageConfig`] does not model).
    pub config_bytes: Vec<u8>,
    /// The manifest as stored (none for Docker archives).
    pub manifest_bytes: Option<Vec<u8>>,
    /// Layers, base first.
    pub layers: Vec<LayerInfo>,
    blobs: Blobs,
    layer_paths: Vec<String>,
}

fn not_found(path: &Path, e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::NotFound {
        Error::NoFile {
            path: path.to_path_buf(),
        }
    } else {
        bosun_fs::with_path(path, e).into()
    }
}

fn parse_json<T: for<'de> Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::json(what, e))
}

/// Opens `reference`; store names are looked up in the layout at `store_root`. For an index,
/// `platform` picks the manifest (default: the host's architecture when present, else the
/// first).
pub fn open(
    reference: &str,
    store_root: &Path,
    platform: Option<&Platform>,
) -> Result<Image, Error> {
    open_parsed(reference, ImageRef::parse(reference)?, store_root, platform)
}

/// [`open`] for a reference already parsed (`reference` is its text, for messages).
pub fn open_parsed(
    reference: &str,
    parsed: ImageRef,
    store_root: &Path,
    platform: Option<&Platform>,
) -> Result<Image, Error> {
    match parsed {
        ImageRef::Store(name) => {
            if !store_root.join(LAYOUT_INDEX).is_file() {
                return Err(Error::NoStore {
                    name,
                    root: store_root.to_path_buf(),
                });
            }
            open_layout(
                reference,
                Blobs::Dir(store_root.to_path_buf()),
                Some(&name),
                platform,
                true,
            )
        }
        ImageRef::OciDir(dir, r) => {
            if !dir.join(LAYOUT_INDEX).is_file() {
                return Err(Error::NotLayout {
                    reference: reference.to_string(),
                    dir,
                });
            }
            open_layout(reference, Blobs::Dir(dir), r.as_deref(), platform, false)
        }
        ImageRef::OciArchive(file, r) => {
            let blobs = index_tar(&file)?;
            open_layout(reference, blobs, r.as_deref(), platform, false)
        }
        ImageRef::DockerArchive(file, r) => {
            let blobs = index_tar(&file)?;
            open_docker(reference, blobs, r.as_deref())
        }
        ImageRef::Registry(_) => Err(Error::Remote {
            reference: reference.to_string(),
        }),
    }
    .map_err(|e| e.about(reference))
}

/// The platform of the machine bosun runs on.
pub fn host_platform() -> Platform {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        "mips64" => "mips64le",
        other => other,
    };
    Platform {
        os: "linux".into(),
        architecture: arch.into(),
        variant: None,
    }
}
