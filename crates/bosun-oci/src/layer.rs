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

/// What an entry is (the same kinds a package's data tarball has).
pub use bosun_fs::EntryKind;

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

/// Uncompressed bytes per independently compressed gzip block (pigz's default).
const GZIP_BLOCK: usize = 128 << 10;
/// Blocks compressed at once, spread over the cores.
const GZIP_BATCH: usize = 32;
/// What deflate may look back at: each block is primed with the previous block's last 32 KiB.
const GZIP_WINDOW: usize = 32 << 10;

/// A gzip stream compressed on every core, as pigz does: the data is cut into fixed blocks,
/// each deflated on its own (primed with the 32 KiB before it, so it compresses nearly as a
/// single stream would) and ended with a sync flush at a byte boundary, the blocks written
/// in order with one CRC-32 over all. The cuts depend on the data alone, so the bytes are the
/// same whatever the number of cores: layer digests stay reproducible.
pub struct ParallelGzip<W: Write> {
    out: W,
    /// Full blocks waiting for a batch.
    blocks: Vec<Vec<u8>>,
    /// The block being filled.
    current: Vec<u8>,
    /// The last 32 KiB before the first waiting block.
    window: Vec<u8>,
    crc: crc32fast::Hasher,
    size: u64,
    started: bool,
}

impl<W: Write> ParallelGzip<W> {
    /// A stream into `out` (level 6, no name, no time, operating system "unknown").
    pub fn new(out: W) -> Self {
        Self {
            out,
            blocks: Vec::new(),
            current: Vec::with_capacity(GZIP_BLOCK),
            window: Vec::new(),
            crc: crc32fast::Hasher::new(),
            size: 0,
            started: false,
        }
    }

    /// Deflates the waiting blocks in parallel and writes them; `last` ends the stream.
    fn flush_blocks(&mut self, last: bool) -> io::Result<()> {
        use rayon::prelude::*;
        if !self.started {
            self.out
                .write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255])?;
            self.started = true;
        }
        let count = self.blocks.len();
        let windows: Vec<&[u8]> = (0..count)
            .map(|i| match i {
                0 => &self.window[..],
                i => {
                    let before = &self.blocks[i - 1];
                    &before[before.len().saturating_sub(GZIP_WINDOW)..]
                }
            })
            .collect();
        let packed: Vec<io::Result<Vec<u8>>> = self
            .blocks
            .par_iter()
            .zip(windows.par_iter())
            .enumerate()
            .map(|(i, (block, window))| deflate_block(block, window, last && i + 1 == count))
            .collect();
        for block in packed {
            self.out.write_all(&block?)?;
        }
        if let Some(tail) = self.blocks.last() {
            let mut window = self.window.clone();
            window.extend_from_slice(&tail[tail.len().saturating_sub(GZIP_WINDOW)..]);
            self.window = window[window.len().saturating_sub(GZIP_WINDOW)..].to_vec();
        }
        self.blocks.clear();
        Ok(())
    }

    /// Ends the stream (the last block, CRC-32 and size) and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        let current = std::mem::take(&mut self.current);
        self.blocks.push(current);
        self.flush_blocks(true)?;
        let crc = self.crc.clone().finalize();
        self.out.write_all(&crc.to_le_bytes())?;
        self.out.write_all(&(self.size as u32).to_le_bytes())?;
        Ok(self.out)
    }
}

impl<W: Write> Write for ParallelGzip<W> {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let written = data.len();
        self.crc.update(data);
        self.size += data.len() as u64;
        while !data.is_empty() {
            let room = GZIP_BLOCK - self.current.len();
            let (now, rest) = data.split_at(room.min(data.len()));
            self.current.extend_from_slice(now);
            data = rest;
            if self.current.len() == GZIP_BLOCK {
                let full = std::mem::replace(&mut self.current, Vec::with_capacity(GZIP_BLOCK));
                self.blocks.push(full);
                if self.blocks.len() == GZIP_BATCH {
                    self.flush_blocks(false)?;
                }
            }
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One block as raw deflate, primed with `window`: ended with a sync flush (byte-aligned, so
/// the next block's bits follow), or as the stream's final block.
fn deflate_block(data: &[u8], window: &[u8], last: bool) -> io::Result<Vec<u8>> {
    use flate2::{Compress, FlushCompress, Status};
    let mut z = Compress::new(flate2::Compression::new(6), false);
    if !window.is_empty() {
        z.set_dictionary(window).map_err(io::Error::other)?;
    }
    let flush = match last {
        true => FlushCompress::Finish,
        false => FlushCompress::Sync,
    };
    let mut out = Vec::with_capacity(data.len() / 2 + 1024);
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(out.capacity().max(1 << 16));
        }
        let consumed = z.total_in() as usize;
        let status = z
            .compress_vec(&data[consumed..], &mut out, flush)
            .map_err(io::Error::other)?;
        let all_in = z.total_in() as usize == data.len();
        match status {
            Status::StreamEnd => break,
            // Done with the flush once the input is in and the output did not fill up.
            _ if !last && all_in && out.len() < out.capacity() => break,
            _ => {}
        }
    }
    Ok(out)
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
            let (diff_id, enc) = layer.write_tar(ParallelGzip::new(out), epoch)?;
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

    /// Data that compresses as layers do: text, repeats across blocks, and random runs.
    fn layer_like(size: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(size);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        while out.len() < size {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match x % 3 {
                0 => out.extend_from_slice(
                    b"usr/share/doc/libfoo/changelog.Debian.gz 0644 root root\n",
                ),
                1 => out.extend_from_slice(&x.to_le_bytes()),
                _ => out.extend(std::iter::repeat_n((x >> 8) as u8, (x % 200) as usize)),
            }
        }
        out.truncate(size);
        out
    }

    fn parallel_gzip(data: &[u8], threads: usize) -> Vec<u8> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut gz = ParallelGzip::new(Vec::new());
            // Odd-sized writes, as tar's are.
            for chunk in data.chunks(7_919) {
                gz.write_all(chunk).unwrap();
            }
            gz.finish().unwrap()
        })
    }

    #[test]
    fn parallel_gzip_is_gzip_and_the_same_on_any_number_of_cores() {
        for size in [
            0,
            1,
            GZIP_BLOCK - 1,
            GZIP_BLOCK,
            GZIP_BLOCK * GZIP_BATCH + 3,
            9 << 20,
        ] {
            let data = layer_like(size);
            let one = parallel_gzip(&data, 1);
            assert_eq!(one, parallel_gzip(&data, 4), "{size} bytes");
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&one[..])
                .read_to_end(&mut back)
                .unwrap();
            assert!(back == data, "{size} bytes round-trip");
            // gzip itself checks the CRC and size.
            if size == 9 << 20 {
                let mut child = std::process::Command::new("gzip")
                    .args(["-t", "-"])
                    .stdin(std::process::Stdio::piped())
                    .spawn()
                    .expect("gzip");
                child.stdin.take().unwrap().write_all(&one).unwrap();
                assert!(child.wait().unwrap().success());
                // Priming each block with the one before keeps the ratio of one stream.
                let mut single =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
                single.write_all(&data).unwrap();
                let single = single.finish().unwrap();
                assert!(
                    one.len() < single.len() + single.len() / 50,
                    "{} vs {}",
                    one.len(),
                    single.len()
                );
            }
        }
    }

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
