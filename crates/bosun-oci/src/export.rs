//! Writing an image from the store to the places other tools read: another OCI layout
//! directory, an OCI archive (a tarred layout), or a Docker archive as `docker save` writes it
//! (loadable by `podman load` and `docker load`). OCI destinations get the artifacts about the
//! image (SBOMs, signatures) too, as referrers in their index.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::Path;

use bosun_fs::AtomicFile;
use serde::Serialize;

use crate::model::{
    Descriptor, Index, MEDIA_INDEX, MEDIA_LAYER_GZIP, MEDIA_LAYER_ZSTD, Manifest, Platform,
    REF_NAME,
};
use crate::{Digest, Error, Store};

/// The artifacts (SBOMs, signatures) about an image: referrers of its manifest, of its
/// index's manifests, and of the index itself.
pub fn referrers_of(store: &Store, descriptor: &Descriptor) -> Result<Vec<Descriptor>, Error> {
    let mut subjects = vec![descriptor.digest.clone()];
    if descriptor.media_type == MEDIA_INDEX
        || descriptor.media_type == "application/vnd.docker.distribution.manifest.list.v2+json"
    {
        let index: Index = store.read_json(&descriptor.digest)?;
        subjects.extend(index.manifests.into_iter().map(|m| m.digest));
    }
    let mut out = Vec::new();
    for subject in &subjects {
        out.extend(store.referrers(subject)?.into_iter().map(|(d, _)| d));
    }
    Ok(out)
}

/// Copies an image (and every blob it reaches, and with `artifacts` the artifacts about it)
/// into the OCI layout at `dir`, named `reference`.
pub fn to_oci_dir(
    store: &Store,
    descriptor: &Descriptor,
    dir: &Path,
    reference: &str,
    artifacts: bool,
) -> Result<(), Error> {
    let target = Store::open(dir)?;
    let mut blobs = BTreeSet::new();
    store.reachable(descriptor, &mut blobs)?;
    let referrers = match artifacts {
        true => referrers_of(store, descriptor)?,
        false => Vec::new(),
    };
    for r in &referrers {
        store.reachable(r, &mut blobs)?;
    }
    for digest in &blobs {
        if target.has_blob(digest) {
            continue;
        }
        let dest = target.blob_path(digest);
        // A hard link is instant and safe for immutable, content-addressed files.
        if fs::hard_link(store.blob_path(digest), &dest).is_err() {
            let mut w = target.blob_writer()?;
            io::copy(&mut store.blob_reader(digest)?, &mut w)?;
            let (written, _) = w.commit()?;
            if &written != digest {
                return Err(Error::Corrupt {
                    what: store.blob_path(digest).display().to_string(),
                    expected: digest.clone(),
                    actual: written,
                });
            }
        }
    }
    let mut d = descriptor.clone();
    d.annotations.clear();
    target.tag(reference, d)?;
    for r in referrers {
        target.add_referrer(r)?;
    }
    Ok(())
}

/// Writes an OCI archive: a tar of an image layout holding this one image, named `reference`
/// (and with `artifacts` the artifacts about it, as unnamed referrers: tools that take the
/// only image of an archive then need its name).
pub fn to_oci_archive(
    store: &Store,
    descriptor: &Descriptor,
    file: &Path,
    reference: &str,
    artifacts: bool,
) -> Result<(), Error> {
    let mut blobs = BTreeSet::new();
    store.reachable(descriptor, &mut blobs)?;
    let referrers = match artifacts {
        true => referrers_of(store, descriptor)?,
        false => Vec::new(),
    };
    for r in &referrers {
        store.reachable(r, &mut blobs)?;
    }
    let mut d = descriptor.clone();
    d.annotations.clear();
    d.annotations.insert(REF_NAME.into(), reference.into());
    let index = Index {
        schema_version: 2,
        media_type: Some(MEDIA_INDEX.into()),
        manifests: std::iter::once(d).chain(referrers).collect(),
        ..Default::default()
    };
    let mut out = AtomicFile::create(file)?;
    {
        let mut tar = tar::Builder::new(io::BufWriter::new(&mut out));
        append_bytes(&mut tar, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        append_bytes(&mut tar, crate::model::LAYOUT_INDEX, &json(&index)?)?;
        append_dir(&mut tar, "blobs/")?;
        append_dir(&mut tar, &format!("{}/", crate::model::LAYOUT_BLOBS))?;
        for digest in &blobs {
            let size = fs::metadata(store.blob_path(digest))
                .map_err(|e| bosun_fs::with_path(&store.blob_path(digest), e))?
                .len();
            append_reader(
                &mut tar,
                &crate::model::layout_blob(digest),
                size,
                store.blob_reader(digest)?,
            )?;
        }
        tar.into_inner()?.flush()?;
    }
    out.commit()?;
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DockerManifestEntry {
    config: String,
    repo_tags: Vec<String>,
    layers: Vec<String>,
}

/// Writes a Docker archive (`docker save` format) of one platform's image, tagged `repo_tags`.
/// Layers are stored uncompressed, so each file's digest is the layer's diff id.
pub fn to_docker_archive(
    store: &Store,
    descriptor: &Descriptor,
    platform: Option<&Platform>,
    file: &Path,
    repo_tags: &[String],
) -> Result<(), Error> {
    let manifest_desc = select_platform(store, descriptor, platform)?;
    let manifest: Manifest = store.read_json(&manifest_desc.digest)?;
    let config = store.read_blob(&manifest.config.digest)?;
    let config_name = format!("{}.json", manifest.config.digest.hex());
    let mut out = AtomicFile::create(file)?;
    {
        let mut tar = tar::Builder::new(io::BufWriter::new(&mut out));
        append_bytes(&mut tar, &config_name, &config)?;
        let mut layer_names = Vec::new();
        for layer in &manifest.layers {
            let mut raw = Vec::new();
            decompressed(&layer.media_type, store.blob_reader(&layer.digest)?)?
                .read_to_end(&mut raw)?;
            let diff_id = Digest::of(&raw);
            let name = format!("{}/layer.tar", diff_id.hex());
            if !layer_names.contains(&name) {
                append_dir(&mut tar, &format!("{}/", diff_id.hex()))?;
                append_bytes(&mut tar, &name, &raw)?;
            }
            layer_names.push(name);
        }
        let entry = DockerManifestEntry {
            config: config_name,
            repo_tags: repo_tags.to_vec(),
            layers: layer_names,
        };
        append_bytes(&mut tar, "manifest.json", &json(&[entry])?)?;
        tar.into_inner()?.flush()?;
    }
    out.commit()?;
    Ok(())
}

/// For an index, the manifest for `platform` (default: the first); a manifest is returned as is.
pub fn select_platform(
    store: &Store,
    descriptor: &Descriptor,
    platform: Option<&Platform>,
) -> Result<Descriptor, Error> {
    if descriptor.media_type != MEDIA_INDEX {
        return Ok(descriptor.clone());
    }
    let index: Index = store.read_json(&descriptor.digest)?;
    let found = index
        .manifests
        .iter()
        .find(|m| match (platform, &m.platform) {
            (None, _) => true,
            (Some(want), Some(have)) => {
                want.architecture == have.architecture
                    && (want.variant.is_none() || want.variant == have.variant)
            }
            (Some(_), None) => false,
        });
    found.cloned().ok_or_else(|| Error::NoPlatform {
        platform: platform.map_or_else(String::new, |p| format!("linux/{}", p.architecture)),
        index: descriptor.digest.clone(),
        available: Vec::new(),
    })
}

/// A reader of a layer's uncompressed tar.
pub fn decompressed<'a>(
    media_type: &str,
    reader: impl Read + 'a,
) -> Result<Box<dyn Read + 'a>, Error> {
    Ok(
        if media_type == MEDIA_LAYER_GZIP || media_type.ends_with("gzip") {
            Box::new(flate2::read::MultiGzDecoder::new(reader))
        } else if media_type == MEDIA_LAYER_ZSTD || media_type.ends_with("zstd") {
            Box::new(zstd::stream::read::Decoder::new(reader)?)
        } else {
            Box::new(reader)
        },
    )
}

fn json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::json("a document", e))
}

fn header(path: &str, size: u64, kind: tar::EntryType, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_path(path).expect("archive paths are short");
    h.set_size(size);
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_mtime(0);
    h.set_cksum();
    h
}

fn append_dir<W: Write>(tar: &mut tar::Builder<W>, path: &str) -> io::Result<()> {
    tar.append(
        &header(path, 0, tar::EntryType::Directory, 0o755),
        io::empty(),
    )
}

fn append_bytes<W: Write>(tar: &mut tar::Builder<W>, path: &str, bytes: &[u8]) -> io::Result<()> {
    tar.append(
        &header(path, bytes.len() as u64, tar::EntryType::Regular, 0o644),
        bytes,
    )
}

fn append_reader<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    size: u64,
    reader: impl Read,
) -> io::Result<()> {
    tar.append(&header(path, size, tar::EntryType::Regular, 0o644), reader)
}

/// Rewrites an image (each platform of an index) with every layer in `compression`: layers
/// already so compressed stay as they are; others are inflated and compressed again (the
/// diff ids, and so the config, do not change; the layer and manifest digests do).
pub fn recompress(
    store: &Store,
    descriptor: &Descriptor,
    compression: crate::layer::Compression,
) -> Result<Descriptor, Error> {
    if descriptor.media_type == MEDIA_INDEX
        || descriptor.media_type == "application/vnd.docker.distribution.manifest.list.v2+json"
    {
        let mut index: Index = store.read_json(&descriptor.digest)?;
        for child in &mut index.manifests {
            let platform = child.platform.take();
            let annotations = std::mem::take(&mut child.annotations);
            *child = recompress(store, child, compression)?;
            child.platform = platform;
            child.annotations = annotations;
        }
        index.media_type = Some(MEDIA_INDEX.into());
        return store.write_json(&index, MEDIA_INDEX);
    }
    let mut manifest: Manifest = store.read_json(&descriptor.digest)?;
    let target = compression.media_type();
    for layer in &mut manifest.layers {
        if layer.media_type == target {
            continue;
        }
        let mut writer = store.blob_writer()?;
        {
            let mut raw = decompressed(&layer.media_type, store.blob_reader(&layer.digest)?)?;
            let out = io::BufWriter::with_capacity(1 << 20, &mut writer);
            match compression {
                crate::layer::Compression::Gzip => {
                    let mut enc = flate2::GzBuilder::new()
                        .mtime(0)
                        .operating_system(255)
                        .write(out, flate2::Compression::new(6));
                    io::copy(&mut raw, &mut enc)?;
                    enc.finish()?.flush()?;
                }
                crate::layer::Compression::Zstd => {
                    let mut enc = zstd::stream::write::Encoder::new(out, 3)?;
                    enc.include_checksum(true)?;
                    io::copy(&mut raw, &mut enc)?;
                    enc.finish()?.flush()?;
                }
                crate::layer::Compression::None => {
                    let mut out = out;
                    io::copy(&mut raw, &mut out)?;
                    out.flush()?;
                }
            }
        }
        let (digest, size) = writer.commit()?;
        layer.media_type = target.to_string();
        layer.digest = digest;
        layer.size = size;
    }
    manifest.media_type = Some(crate::model::MEDIA_MANIFEST.into());
    if manifest.config.media_type == "application/vnd.docker.container.image.v1+json" {
        manifest.config.media_type = crate::model::MEDIA_CONFIG.into();
    }
    store.write_json(&manifest, crate::model::MEDIA_MANIFEST)
}
