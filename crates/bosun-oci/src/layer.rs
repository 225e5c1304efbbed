//! Reproducible layer tarballs.
//!
//! The same entries always give the same bytes: entries sorted by path, parents created for
//! every entry, mtimes clamped to `SOURCE_DATE_EPOCH`, numeric owners with empty user and
//! group names, ustar headers with a PAX record only where a path or link target does not fit,
//! hard links pointing at the first path of their group, and a compressor with fixed settings
//! (gzip: no name, mtime 0, OS "unknown").

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use crate::Digest;

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file with its content.
    File(Vec<u8>),
    /// A directory.
    Dir,
    /// A symbolic link to a target.
    Symlink(String),
    /// A hard link to another file entry of the same layer (path without leading `/`).
    Hardlink(String),
}

/// One entry of a layer. Paths are relative (`usr/bin/python3`), without `./` or `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path in the image.
    pub path: String,
    /// Kind and payload.
    pub kind: EntryKind,
    /// Permission bits.
    pub mode: u32,
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// Modification time (clamped to the epoch when written).
    pub mtime: u64,
}

impl Entry {
    /// A root-owned directory.
    pub fn dir(path: &str, mode: u32) -> Self {
        Self {
            path: path.into(),
            kind: EntryKind::Dir,
            mode,
            uid: 0,
            gid: 0,
            mtime: 0,
        }
    }

    /// A root-owned file.
    pub fn file(path: &str, mode: u32, data: Vec<u8>) -> Self {
        Self {
            path: path.into(),
            kind: EntryKind::File(data),
            mode,
            uid: 0,
            gid: 0,
            mtime: 0,
        }
    }

    /// A symlink.
    pub fn symlink(path: &str, target: &str) -> Self {
        Self {
            path: path.into(),
            kind: EntryKind::Symlink(target.into()),
            mode: 0o777,
            uid: 0,
            gid: 0,
            mtime: 0,
        }
    }
}

/// Layer compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// gzip (level 6).
    Gzip,
    /// zstd (level 3).
    Zstd,
    /// none.
    None,
}

impl Compression {
    /// The layer media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Gzip => crate::model::MEDIA_LAYER_GZIP,
            Self::Zstd => crate::model::MEDIA_LAYER_ZSTD,
            Self::None => crate::model::MEDIA_LAYER_TAR,
        }
    }
}

/// A set of entries that becomes one layer.
#[derive(Debug, Clone, Default)]
pub struct LayerBuilder {
    entries: BTreeMap<String, Entry>,
}

impl LayerBuilder {
    /// An empty layer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces an entry; returns the one replaced.
    pub fn insert(&mut self, entry: Entry) -> Option<Entry> {
        self.entries.insert(entry.path.clone(), entry)
    }

    /// The entry at `path`.
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    /// Removes the entry at `path`.
    pub fn remove(&mut self, path: &str) -> Option<Entry> {
        self.entries.remove(path)
    }

    /// All entries, sorted by path.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the layer has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Writes the tarball to `out`, returning the digest of the uncompressed bytes (the diff id).
    pub fn write_tar<W: Write>(&self, out: W, epoch: u64) -> io::Result<(Digest, W)> {
        let mut hashing = HashWriter::new(out);
        {
            let mut tar = tar::Builder::new(&mut hashing);
            // Directory entries for every parent that has none.
            let mut parents: BTreeMap<String, Entry> = BTreeMap::new();
            for path in self.entries.keys() {
                let mut p = path.as_str();
                while let Some((parent, _)) = p.rsplit_once('/') {
                    if !self.entries.contains_key(parent) {
                        parents
                            .entry(parent.to_string())
                            .or_insert_with(|| Entry::dir(parent, 0o755));
                    }
                    p = parent;
                }
            }
            let mut all: Vec<&Entry> = self.entries.values().chain(parents.values()).collect();
            all.sort_by(|a, b| a.path.cmp(&b.path));
            let leaders = hardlink_leaders(&self.entries);
            for entry in all {
                write_entry(&mut tar, entry, &self.entries, &leaders, epoch)?;
            }
            tar.finish()?;
        }
        let (digest, out) = hashing.finish();
        Ok((digest, out))
    }
}

/// For each hard-link group, the path that sorts first: tar requires a link's target to come
/// earlier in the archive, and paths are written sorted.
fn hardlink_leaders(entries: &BTreeMap<String, Entry>) -> HashMap<String, String> {
    let mut leader: HashMap<String, String> = HashMap::new();
    for e in entries.values() {
        if let EntryKind::Hardlink(target) = &e.kind
            && matches!(
                entries.get(target).map(|t| &t.kind),
                Some(EntryKind::File(_))
            )
        {
            let cur = leader
                .entry(target.clone())
                .or_insert_with(|| target.clone());
            if e.path < *cur {
                *cur = e.path.clone();
            }
        }
    }
    leader
}

fn write_entry<W: Write>(
    tar: &mut tar::Builder<W>,
    entry: &Entry,
    entries: &BTreeMap<String, Entry>,
    leaders: &HashMap<String, String>,
    epoch: u64,
) -> io::Result<()> {
    // Resolve hard-link groups: the leader carries the content, everyone else links to it.
    let (source, link_to): (&Entry, Option<&str>) = match &entry.kind {
        EntryKind::Hardlink(target) => match (entries.get(target), leaders.get(target)) {
            (
                Some(
                    t @ Entry {
                        kind: EntryKind::File(_),
                        ..
                    },
                ),
                Some(lead),
            ) if *lead == entry.path => (t, None),
            (
                Some(Entry {
                    kind: EntryKind::File(_),
                    ..
                }),
                Some(lead),
            ) => (entry, Some(lead.as_str())),
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "hard link {} points to {target}, which is not a file in this layer",
                        entry.path
                    ),
                ));
            }
        },
        EntryKind::File(_) => match leaders.get(&entry.path) {
            Some(lead) if *lead != entry.path => (entry, Some(lead.as_str())),
            _ => (entry, None),
        },
        _ => (entry, None),
    };
    let mut header = tar::Header::new_ustar();
    header.set_mode(source.mode & 0o7777);
    header.set_uid(u64::from(source.uid));
    header.set_gid(u64::from(source.gid));
    header.set_mtime(source.mtime.min(epoch));
    let mut pax: Vec<(&str, &[u8])> = Vec::new();
    let name = if matches!(source.kind, EntryKind::Dir) {
        format!("{}/", entry.path)
    } else {
        entry.path.clone()
    };
    if header.set_path(&name).is_err() {
        pax.push(("path", name.as_bytes()));
        set_truncated_name(&mut header, &name);
    }
    let (kind, data, link): (tar::EntryType, &[u8], Option<&str>) = match (&source.kind, link_to) {
        (_, Some(lead)) => (tar::EntryType::Link, &[], Some(lead)),
        (EntryKind::File(d), None) => (tar::EntryType::Regular, d, None),
        (EntryKind::Dir, None) => (tar::EntryType::Directory, &[], None),
        (EntryKind::Symlink(t), None) => (tar::EntryType::Symlink, &[], Some(t.as_str())),
        (EntryKind::Hardlink(_), None) => unreachable!("resolved above"),
    };
    header.set_entry_type(kind);
    header.set_size(data.len() as u64);
    if let Some(link) = link
        && header.set_link_name(link).is_err()
    {
        pax.push(("linkpath", link.as_bytes()));
    }
    if !pax.is_empty() {
        tar.append_pax_extensions(pax)?;
    }
    header.set_cksum();
    tar.append(&header, data)
}

/// Fills the ustar name field with a prefix of `name` when a PAX record carries the real one.
fn set_truncated_name(header: &mut tar::Header, name: &str) {
    let field = &mut header.as_old_mut().name;
    let n = name.len().min(field.len());
    field[..n].copy_from_slice(&name.as_bytes()[..n]);
}

/// A writer that hashes and counts what passes through it, finishing into a [`Digest`].
pub struct HashWriter<W>(bosun_fs::HashWriter<W>);

impl<W: Write> HashWriter<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Self(bosun_fs::HashWriter::new(inner))
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The digest of everything written, and the inner writer.
    pub fn finish(self) -> (Digest, W) {
        let (hasher, inner) = self.0.finish();
        (Digest::from_hasher(hasher), inner)
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Compresses a layer into `out`: returns the diff id (uncompressed digest).
pub fn write_compressed<W: Write>(
    layer: &LayerBuilder,
    compression: Compression,
    epoch: u64,
    out: W,
) -> io::Result<Digest> {
    let out = io::BufWriter::with_capacity(1 << 20, out);
    match compression {
        Compression::Gzip => {
            let enc = flate2::GzBuilder::new()
                .mtime(0)
                .operating_system(255)
                .write(out, flate2::Compression::new(6));
            let (diff_id, enc) = layer.write_tar(enc, epoch)?;
            enc.finish()?.flush()?;
            Ok(diff_id)
        }
        Compression::Zstd => {
            let mut enc = zstd::stream::write::Encoder::new(out, 3)?;
            enc.include_checksum(true)?;
            let (diff_id, enc) = layer.write_tar(enc, epoch)?;
            enc.finish()?.flush()?;
            Ok(diff_id)
        }
        Compression::None => {
            let (diff_id, mut out) = layer.write_tar(out, epoch)?;
            out.flush()?;
            Ok(diff_id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn sample() -> LayerBuilder {
        let mut l = LayerBuilder::new();
        l.insert(Entry::file("usr/bin/b", 0o755, b"bee".to_vec()));
        l.insert(Entry {
            kind: EntryKind::Hardlink("usr/bin/b".into()),
            ..Entry::file("usr/bin/a", 0o755, vec![])
        });
        l.insert(Entry::symlink("bin", "usr/bin"));
        let long = format!("usr/share/{}/file", "x".repeat(200));
        l.insert(Entry::file(&long, 0o644, b"long".to_vec()));
        l
    }

    fn listing(bytes: &[u8]) -> Vec<(String, tar::EntryType, String)> {
        let mut a = tar::Archive::new(bytes);
        a.entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let path = e.path().unwrap().to_string_lossy().into_owned();
                let kind = e.header().entry_type();
                let link = e
                    .link_name()
                    .unwrap()
                    .map(|l| l.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let mut s = String::new();
                e.read_to_string(&mut s).unwrap();
                (path, kind, format!("{link}{s}"))
            })
            .collect()
    }

    #[test]
    fn sorted_with_parents_links_and_pax() {
        let (_, bytes) = sample().write_tar(Vec::new(), 100).unwrap();
        let l = listing(&bytes);
        let paths: Vec<&str> = l.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(
            &paths[..5],
            ["bin", "usr/", "usr/bin/", "usr/bin/a", "usr/bin/b"]
        );
        assert_eq!(
            l[3],
            ("usr/bin/a".into(), tar::EntryType::Regular, "bee".into())
        );
        assert_eq!(
            l[4],
            ("usr/bin/b".into(), tar::EntryType::Link, "usr/bin/a".into())
        );
        assert!(
            l.iter()
                .any(|(p, _, c)| p.ends_with("/file") && p.len() > 200 && c == "long")
        );
    }

    #[test]
    fn same_input_same_bytes() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        let d1 = write_compressed(&sample(), Compression::Gzip, 5, &mut a).unwrap();
        let d2 = write_compressed(&sample(), Compression::Gzip, 5, &mut b).unwrap();
        assert_eq!((d1, &a), (d2, &b));
        let mut z = Vec::new();
        write_compressed(&sample(), Compression::Zstd, 5, &mut z).unwrap();
        assert_ne!(a, z);
    }

    #[test]
    fn mtime_is_clamped() {
        let mut l = LayerBuilder::new();
        l.insert(Entry {
            mtime: 9_999,
            ..Entry::file("f", 0o644, vec![])
        });
        let (_, bytes) = l.write_tar(Vec::new(), 10).unwrap();
        let mut a = tar::Archive::new(&bytes[..]);
        let e = a.entries().unwrap().next().unwrap().unwrap();
        assert_eq!(e.header().mtime().unwrap(), 10);
        assert_eq!(e.header().username().unwrap(), Some(""));
    }
}
