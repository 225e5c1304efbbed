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
    Descriptor, ImageConfig, Index, MEDIA_INDEX, MEDIA_LAYER_GZIP, MEDIA_LAYER_TAR,
    MEDIA_LAYER_ZSTD, MEDIA_MANIFEST, Manifest, Platform, REF_NAME,
};
use crate::{Digest, Error, normalize_name};

/// Documents (index, manifest, config, manifest.json) larger than this are refused.
const MAX_DOCUMENT: u64 = 16 << 20;

/// An image reference with its transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// A name in the local store.
    Store(String),
    /// An OCI image layout directory, optionally with a ref name.
    OciDir(PathBuf, Option<String>),
    /// A tar of an OCI image layout.
    OciArchive(PathBuf, Option<String>),
    /// A `docker save` / `podman save` archive, optionally with a `NAME:TAG`.
    DockerArchive(PathBuf, Option<String>),
}

impl ImageRef {
    /// Parses `store:NAME`, `oci:DIR[:REF]`, `oci-archive:FILE[:REF]`,
    /// `docker-archive:FILE[:REF]`, or a bare store name.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let Some((transport, rest)) = text.split_once(':') else {
            return Ok(Self::Store(normalize_name(text)));
        };
        let path_and_ref = |rest: &str| -> (PathBuf, Option<String>) {
            // A path may itself contain `:`; prefer the longest prefix that exists.
            if Path::new(rest).exists() {
                return (PathBuf::from(rest), None);
            }
            match rest.split_once(':') {
                Some((p, r)) if !r.is_empty() => (PathBuf::from(p), Some(r.to_string())),
                _ => (PathBuf::from(rest), None),
            }
        };
        Ok(match transport {
            "store" => Self::Store(normalize_name(rest)),
            "oci" => {
                let (p, r) = path_and_ref(rest);
                Self::OciDir(p, r)
            }
            "oci-archive" => {
                let (p, r) = path_and_ref(rest);
                Self::OciArchive(p, r)
            }
            "docker-archive" => {
                let (p, r) = path_and_ref(rest);
                Self::DockerArchive(p, r)
            }
            "docker" if rest.starts_with("//") => {
                return Err(Error::Invalid(format!(
                    "{text}: registry images are not supported yet; copy it to an archive first (skopeo copy {text} oci-archive:FILE)"
                )));
            }
            // `name:tag` without a transport is a store name.
            _ if !text.contains("://") => Self::Store(normalize_name(text)),
            other => {
                return Err(Error::Invalid(format!(
                    "{text}: unknown transport `{other}:` (use a store name, oci:, oci-archive: or docker-archive:)"
                )));
            }
        })
    }
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

/// Where blobs come from.
#[derive(Debug)]
enum Blobs {
    /// A layout directory: `blobs/sha256/<hex>`.
    Dir(PathBuf),
    /// Members of a tar file: name -> (offset of the data, size).
    Tar(PathBuf, HashMap<String, (u64, u64)>),
}

impl Blobs {
    fn open(&self, member: &str) -> Result<Region, Error> {
        match self {
            Self::Dir(root) => {
                let path = root.join(member);
                let file = File::open(&path).map_err(|e| not_found(&path, e))?;
                let len = file
                    .metadata()
                    .map_err(|e| bosun_fs::with_path(&path, e))?
                    .len();
                Ok(Region::new(file, 0, len))
            }
            Self::Tar(path, members) => {
                let &(offset, size) = members.get(member).ok_or_else(|| {
                    Error::NotFound(format!("{}: no member {member}", path.display()))
                })?;
                let file = File::open(path).map_err(|e| bosun_fs::with_path(path, e))?;
                Ok(Region::new(file, offset, size))
            }
        }
    }

    fn read(&self, member: &str) -> Result<Vec<u8>, Error> {
        let reader = self.open(member)?;
        let size = reader.len;
        if size > MAX_DOCUMENT {
            return Err(Error::Invalid(format!(
                "{member}: {size} bytes is too large for a document"
            )));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        reader.take(MAX_DOCUMENT).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Reads a blob by digest and checks it.
    fn read_verified(&self, digest: &Digest) -> Result<Vec<u8>, Error> {
        let bytes = self.read(&blob_member(digest))?;
        let actual = Digest::of(&bytes);
        if &actual != digest {
            return Err(Error::Corrupt {
                what: format!("blob {digest}"),
                expected: digest.clone(),
                actual,
            });
        }
        Ok(bytes)
    }
}

fn blob_member(digest: &Digest) -> String {
    format!("blobs/sha256/{}", digest.hex())
}

fn not_found(path: &Path, e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::NotFound {
        Error::NotFound(format!("{}: no such file", path.display()))
    } else {
        bosun_fs::with_path(path, e).into()
    }
}

fn parse_json<T: for<'de> Deserialize<'de>>(what: &str, bytes: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(bytes).map_err(|e| Error::Invalid(format!("{what}: {e}")))
}

/// Opens `reference`; store names are looked up in the layout at `store_root`. For an index,
/// `platform` picks the manifest (default: the host's architecture when present, else the
/// first).
pub fn open(
    reference: &str,
    store_root: &Path,
    platform: Option<&Platform>,
) -> Result<Image, Error> {
    let parsed = ImageRef::parse(reference)?;
    let context = |e: Error| match e {
        Error::Io(io) => Error::Io(io),
        Error::Invalid(m) if !m.starts_with(reference) => {
            Error::Invalid(format!("{reference}: {m}"))
        }
        other => other,
    };
    match parsed {
        ImageRef::Store(name) => {
            if !store_root.join("index.json").is_file() {
                return Err(Error::NotFound(format!(
                    "no image `{name}`: there is no store at {}",
                    store_root.display()
                )));
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
            if !dir.join("index.json").is_file() {
                return Err(Error::NotFound(format!(
                    "{reference}: {} is not an OCI image layout (no index.json)",
                    dir.display()
                )));
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
    }
    .map_err(context)
}

/// Indexes a tar archive's regular members. Names are normalized (`./` dropped); a member that
/// climbs out with `..` or is absolute makes the archive invalid.
fn index_tar(path: &Path) -> Result<Blobs, Error> {
    let file = File::open(path).map_err(|e| not_found(path, e))?;
    let mut archive = tar::Archive::new(BufReader::new(file));
    let mut members = HashMap::new();
    let mut links = Vec::new();
    let bad = |e: io::Error| {
        Error::Invalid(format!(
            "{}: not a readable tar archive: {e}",
            path.display()
        ))
    };
    for entry in archive.entries_with_seek().map_err(bad)? {
        let entry = entry.map_err(bad)?;
        let kind = entry.header().entry_type();
        let raw = entry.path_bytes();
        let name = String::from_utf8_lossy(&raw).into_owned();
        let clean = clean_member(&name).ok_or_else(|| {
            Error::Invalid(format!(
                "{}: member {name:?} escapes the archive (absolute or `..`)",
                path.display()
            ))
        })?;
        if kind.is_file() {
            let size = entry.size();
            let offset = entry.raw_file_position();
            members.insert(clean, (offset, size));
        } else if kind.is_symlink() || kind.is_hard_link() {
            // `podman save` links the legacy `<id>/layer.tar` names to the real layer files.
            let target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned())
                .unwrap_or_default();
            let base = if kind.is_symlink() {
                clean.rsplit_once('/').map_or("", |(d, _)| d).to_string()
            } else {
                String::new()
            };
            let resolved =
                clean_member(&format!("{base}/{target}")).filter(|_| !target.starts_with('/'));
            let Some(resolved) = resolved else {
                return Err(Error::Invalid(format!(
                    "{}: link {name:?} -> {target:?} escapes the archive",
                    path.display()
                )));
            };
            links.push((clean, resolved));
        }
    }
    for (link, target) in links {
        if let Some(&place) = members.get(&target) {
            members.insert(link, place);
        }
    }
    // A truncated archive has members whose data runs past the end.
    let len = std::fs::metadata(path)
        .map_err(|e| bosun_fs::with_path(path, e))?
        .len();
    if let Some((name, _)) = members.iter().find(|(_, (o, s))| o + s > len) {
        return Err(Error::Invalid(format!(
            "{}: truncated archive (member {name} runs past the end)",
            path.display()
        )));
    }
    Ok(Blobs::Tar(path.to_path_buf(), members))
}

fn clean_member(name: &str) -> Option<String> {
    if name.starts_with('/') {
        return None;
    }
    bosun_fs::clean_path(name)
}

fn open_layout(
    reference: &str,
    blobs: Blobs,
    name: Option<&str>,
    platform: Option<&Platform>,
    store: bool,
) -> Result<Image, Error> {
    let index: Index = parse_json("index.json", &blobs.read("index.json")?)?;
    let wanted = |d: &&Descriptor| -> bool {
        let Some(name) = name else { return true };
        let Some(have) = d.annotations.get(REF_NAME) else {
            return false;
        };
        // The store records full names; other layouts often record only the tag.
        have == name || (!store && normalize_name(have) == normalize_name(name))
    };
    let matches: Vec<&Descriptor> = index.manifests.iter().filter(wanted).collect();
    let top = match (&matches[..], name) {
        ([one], _) => (*one).clone(),
        ([], Some(name)) => {
            return Err(Error::NotFound(format!(
                "no image named `{name}` in {reference}"
            )));
        }
        ([], None) => {
            return Err(Error::NotFound(format!(
                "{reference}: the layout holds no image"
            )));
        }
        (many, _) => {
            let names: Vec<&str> = many
                .iter()
                .filter_map(|d| d.annotations.get(REF_NAME).map(String::as_str))
                .collect();
            return Err(Error::Invalid(format!(
                "{reference} holds {} images; name one ({})",
                many.len(),
                names.join(", ")
            )));
        }
    };
    let (index_digest, platforms, manifest_descriptor) = choose_manifest(&blobs, &top, platform)?;
    let manifest_bytes = blobs.read_verified(&manifest_descriptor.digest)?;
    let manifest: Manifest = parse_json(
        &format!("manifest {}", manifest_descriptor.digest),
        &manifest_bytes,
    )?;
    let config_bytes = blobs.read_verified(&manifest.config.digest)?;
    let config: ImageConfig =
        parse_json(&format!("config {}", manifest.config.digest), &config_bytes)?;
    if config.rootfs.diff_ids.len() != manifest.layers.len() {
        return Err(Error::Invalid(format!(
            "manifest {} has {} layers but its config lists {} diff ids",
            manifest_descriptor.digest,
            manifest.layers.len(),
            config.rootfs.diff_ids.len()
        )));
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

type Chosen = (Option<Digest>, Vec<Platform>, Descriptor);

fn choose_manifest(
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
        &blobs.read_verified(&top.digest)?,
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
        Some(want) => manifests.iter().find(|d| fits(want, d)).ok_or_else(|| {
            Error::NotFound(format!(
                "no manifest for platform {}/{} in index {} (it has {})",
                want.os,
                want.architecture,
                top.digest,
                platforms
                    .iter()
                    .map(|p| format!("{}/{}", p.os, p.architecture))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?,
        None => {
            let host = host_platform();
            manifests
                .iter()
                .find(|d| fits(&host, d))
                .or(manifests.first())
                .ok_or_else(|| {
                    Error::Invalid(format!("index {} lists no image manifest", top.digest))
                })?
        }
    };
    Ok((Some(top.digest.clone()), platforms, (*chosen).clone()))
}

/// The platform of the machine bosun runs on.
pub fn host_platform() -> Platform {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64le",
        other => other,
    };
    Platform {
        os: "linux".into(),
        architecture: arch.into(),
        variant: None,
    }
}

/// One entry of a Docker archive's `manifest.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerEntry {
    config: String,
    #[serde(default, deserialize_with = "nullable_vec")]
    repo_tags: Vec<String>,
    layers: Vec<String>,
}

fn nullable_vec<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

fn open_docker(reference: &str, blobs: Blobs, name: Option<&str>) -> Result<Image, Error> {
    let entries: Vec<DockerEntry> = parse_json("manifest.json", &blobs.read("manifest.json")?)?;
    let entry = match (name, &entries[..]) {
        (_, []) => {
            return Err(Error::Invalid(format!(
                "{reference}: manifest.json lists no image"
            )));
        }
        (None, [one]) => one,
        (None, many) => {
            let tags: Vec<&str> = many
                .iter()
                .flat_map(|e| e.repo_tags.iter().map(String::as_str))
                .collect();
            return Err(Error::Invalid(format!(
                "{reference} holds {} images; name one ({})",
                many.len(),
                tags.join(", ")
            )));
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
                .ok_or_else(|| Error::NotFound(format!("no image named `{name}` in {reference}")))?
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
                .map_err(|e: crate::DigestError| Error::Invalid(e.to_string()))?,
            actual: config_digest,
        });
    }
    let config: ImageConfig = parse_json(&format!("config {}", entry.config), &config_bytes)?;
    if config.rootfs.diff_ids.len() != entry.layers.len() {
        return Err(Error::Invalid(format!(
            "manifest.json lists {} layers but the config lists {} diff ids",
            entry.layers.len(),
            config.rootfs.diff_ids.len()
        )));
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

/// `blobs/sha256/<hex>` -> hex.
fn digest_hex_of(member: &str) -> Option<&str> {
    let hex = member.strip_prefix("blobs/sha256/")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip (`1f 8b`).
    Gzip,
    /// zstd (`28 b5 2f fd`).
    Zstd,
    /// A plain tar.
    None,
}

/// Tells the compression from a blob's first bytes.
pub fn sniff(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

impl Image {
    /// The manifest's media type for a layer as OCI names it (Docker types mapped).
    pub fn oci_media_type(layer: &LayerInfo) -> &'static str {
        if layer.media_type.ends_with("gzip") {
            MEDIA_LAYER_GZIP
        } else if layer.media_type.ends_with("zstd") {
            MEDIA_LAYER_ZSTD
        } else {
            MEDIA_LAYER_TAR
        }
    }

    /// Opens layer `index` (0 = base) as its uncompressed tar stream.
    ///
    /// Compressed layers are hashed as they are inflated (it costs little next to inflating)
    /// and checked by [`LayerReader::finish`]. Plain tar layers can be walked header to header
    /// without reading file data (the reader seeks); hashing them would read every byte, so it
    /// happens only when `verify` asks, on a second thread while the caller walks the headers.
    pub fn open_layer(&self, index: usize, verify: bool) -> Result<LayerReader, Error> {
        let info = &self.layers[index];
        let mut region = self.blobs.open(&self.layer_paths[index])?;
        if region.len != info.size {
            return Err(Error::Invalid(format!(
                "layer {index} ({}): blob is {} bytes, the manifest says {}",
                self.layer_paths[index], region.len, info.size
            )));
        }
        let what = format!(
            "layer {index} ({})",
            info.digest.as_ref().unwrap_or(&info.diff_id)
        );
        let mut head = [0u8; 4];
        let n = read_up_to(&mut region, &mut head)?;
        region.rewind()?;
        let (source, background) = match sniff(&head[..n]) {
            Compression::None => {
                let background = verify.then(|| BackgroundHash::start(&region)).transpose()?;
                (Source::Plain(region), background)
            }
            kind => {
                let buffered = BufReader::with_capacity(256 << 10, region);
                let inner: Box<dyn Read + Send> = match kind {
                    Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
                    _ => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
                };
                (Source::Decoded(inner), None)
            }
        };
        Ok(LayerReader {
            what,
            hasher: matches!(source, Source::Decoded(_)).then(Sha256::new),
            source,
            position: 0,
            background,
            expected_diff_id: info.diff_id.clone(),
        })
    }
}

/// A byte range of a file, read with positioned reads so that readers never share a cursor.
pub struct Region {
    file: File,
    start: u64,
    len: u64,
    pos: u64,
}

impl Region {
    fn new(file: File, start: u64, len: u64) -> Self {
        Self {
            file,
            start,
            len,
            pos: 0,
        }
    }
}

impl Read for Region {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::unix::fs::FileExt as _;
        let left = self.len.saturating_sub(self.pos);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.start + self.pos)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file is shorter than its index says (truncated?)",
            ));
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Region {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
        };
        self.pos = target
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

/// Hashes a plain layer on its own thread; dropping it stops the work.
struct BackgroundHash {
    stop: Arc<AtomicBool>,
    job: Option<std::thread::JoinHandle<io::Result<(Digest, u64)>>>,
}

impl BackgroundHash {
    fn start(region: &Region) -> Result<Self, Error> {
        let mut copy = Region::new(region.file.try_clone()?, region.start, region.len);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let job = std::thread::spawn(move || {
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 1 << 20];
            let mut total = 0u64;
            while !stopped.load(Ordering::Relaxed) {
                match copy.read(&mut buf)? {
                    0 => break,
                    n => {
                        hasher.update(&buf[..n]);
                        total += n as u64;
                    }
                }
            }
            Ok((Digest::from_hasher(hasher), total))
        });
        Ok(Self {
            stop,
            job: Some(job),
        })
    }

    fn wait(mut self) -> io::Result<(Digest, u64)> {
        let job = self.job.take().expect("joined once");
        job.join()
            .unwrap_or_else(|_| Err(io::Error::other("the hashing thread panicked")))
    }
}

impl Drop for BackgroundHash {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

enum Source {
    /// A plain tar, seekable.
    Plain(Region),
    /// An inflating stream, hashed as it is read.
    Decoded(Box<dyn Read + Send>),
}

/// A layer's uncompressed tar stream; [`LayerReader::finish`] checks it against its diff id.
///
/// Only the uncompressed side is hashed: the config that lists the diff ids is itself checked
/// against the manifest (and the manifest against the index), so a diff id match proves every
/// byte the analysis saw; hashing the compressed blob too would cost a second pass for nothing.
///
/// It seeks: over a plain tar for real, over an inflating stream by reading forward (so the
/// hash still sees every byte).
pub struct LayerReader {
    what: String,
    source: Source,
    /// Hashes what an inflating stream yields.
    hasher: Option<Sha256>,
    position: u64,
    background: Option<BackgroundHash>,
    expected_diff_id: Digest,
}

/// How a layer stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerEnd {
    /// Uncompressed bytes.
    pub size: u64,
    /// Whether every byte was checked against the diff id.
    pub verified: bool,
}

impl Read for LayerReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &mut self.source {
            Source::Plain(region) => region.read(buf),
            Source::Decoded(inner) => inner.read(buf),
        }
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", self.what)))?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for LayerReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match &mut self.source {
            Source::Plain(region) => {
                self.position = region.seek(to)?;
                Ok(self.position)
            }
            Source::Decoded(_) => match to {
                SeekFrom::Current(d) if d >= 0 => {
                    io::copy(&mut self.by_ref().take(d as u64), &mut io::sink())?;
                    Ok(self.position)
                }
                _ => Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "a compressed layer only seeks forward",
                )),
            },
        }
    }
}

impl LayerReader {
    /// Whether [`LayerReader::finish`] will check the stream against the diff id.
    pub fn verifies(&self) -> bool {
        self.hasher.is_some() || self.background.is_some()
    }

    /// Ends the stream: checks the diff id when the layer was hashed, and says how big the
    /// uncompressed tar is.
    pub fn finish(mut self) -> Result<LayerEnd, Error> {
        let (actual, size) = match &self.source {
            Source::Plain(region) => {
                let size = region.len;
                match self.background.take() {
                    Some(job) => {
                        let (digest, hashed) = job.wait().map_err(|e| {
                            Error::Io(io::Error::new(e.kind(), format!("{}: {e}", self.what)))
                        })?;
                        debug_assert_eq!(hashed, size);
                        (Some(digest), size)
                    }
                    None => (None, size),
                }
            }
            Source::Decoded(_) => {
                io::copy(&mut self, &mut io::sink())?;
                (self.hasher.take().map(Digest::from_hasher), self.position)
            }
        };
        if let Some(actual) = &actual
            && *actual != self.expected_diff_id
        {
            return Err(Error::Corrupt {
                what: self.what,
                expected: self.expected_diff_id,
                actual: actual.clone(),
            });
        }
        Ok(LayerEnd {
            size,
            verified: actual.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_read_and_seek_within_their_range() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("blob");
        std::fs::write(&path, b"headBODY-OF-TENtail").unwrap();
        let mut region = Region::new(File::open(&path).unwrap(), 4, 11);
        let mut buf = [0u8; 4];
        region.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"BODY");
        assert_eq!(region.seek(SeekFrom::Current(4)).unwrap(), 8);
        let mut rest = Vec::new();
        region.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"TEN");
        assert_eq!(region.seek(SeekFrom::End(-3)).unwrap(), 8);
        assert!(region.seek(SeekFrom::Current(-9)).is_err());

        // The index promises more than the file holds.
        let mut short = Region::new(File::open(&path).unwrap(), 10, 100);
        let err = short.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }
}
