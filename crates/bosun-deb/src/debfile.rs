//! Reading `.deb` files (deb(5)): an `ar` archive holding `debian-binary`, `control.tar[.*]`
//! and `data.tar[.*]`, each tarball gzip, xz, zstd or uncompressed. Reading streams: only the
//! current entry's content is in memory.

use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::Error;

/// What an entry of the data tarball is (the same kinds an image layer has).
pub use bosun_fs::EntryKind;

/// One entry of a package's data tarball, with its path normalised: no leading `./` or `/`,
/// no `..`, no empty components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataEntry {
    /// Normalised path, such as `usr/bin/python3.13`.
    pub path: String,
    /// Kind and payload.
    pub kind: EntryKind,
    /// Permission bits (including setuid/setgid/sticky).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: u64,
}

/// The control files of a package (`control`, `md5sums`, `conffiles`, ...), by name.
pub type ControlFiles = BTreeMap<String, Vec<u8>>;

/// Reads a `.deb`: its control files, and each data entry passed to `on_entry` in archive
/// order. `what` names the package in errors.
pub fn read_deb(
    path: &Path,
    on_entry: impl FnMut(DataEntry) -> Result<(), Error>,
) -> Result<ControlFiles, Error> {
    read(path, None, on_entry)
}

/// Reads a `.deb` as [`read_deb`] does and, when its data is xz-compressed, also writes the
/// same package to `copy` with its data recompressed with zstd: the same entries, read five
/// to ten times faster the next time (xz decoding is most of the cost of a cold build).
/// Failing to write the copy is not an error; the package is read all the same.
pub fn read_deb_keeping_fast_copy(
    path: &Path,
    copy: &Path,
    on_entry: impl FnMut(DataEntry) -> Result<(), Error>,
) -> Result<ControlFiles, Error> {
    read(path, Some(copy), on_entry)
}

/// The members of a fast copy being written: the control tarball as it was, the data
/// recompressed.
#[derive(Default)]
struct FastCopy {
    control: Option<(String, Vec<u8>)>,
    data: Option<Vec<u8>>,
}

impl FastCopy {
    fn write(self, path: &Path) -> std::io::Result<()> {
        let (Some((control_name, control)), Some(data)) = (self.control, self.data) else {
            return Ok(());
        };
        let mut file = bosun_fs::AtomicFile::create(path)?;
        {
            let mut ar = ar::Builder::new(&mut file);
            for (name, bytes) in [
                ("debian-binary", &b"2.0\n"[..]),
                (control_name.as_str(), &control[..]),
                ("data.tar.zst", &data[..]),
            ] {
                let header = ar::Header::new(name.as_bytes().to_vec(), bytes.len() as u64);
                ar.append(&header, bytes)?;
            }
        }
        file.commit()
    }
}

/// Passes everything read through to a zstd encoder.
struct Tee<R> {
    inner: R,
    copy: zstd::stream::write::Encoder<'static, Vec<u8>>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        std::io::Write::write_all(&mut self.copy, &buf[..n])?;
        Ok(n)
    }
}

fn read(
    path: &Path,
    fast_copy: Option<&Path>,
    mut on_entry: impl FnMut(DataEntry) -> Result<(), Error>,
) -> Result<ControlFiles, Error> {
    let what = path.display().to_string();
    let bad = |reason: String| Error::Deb {
        what: what.clone(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut archive = ar::Archive::new(BufReader::with_capacity(256 * 1024, file));
    let mut control = None;
    let mut saw_data = false;
    let mut saw_magic = false;
    let mut copy = FastCopy::default();
    while let Some(member) = archive.next_entry() {
        let member = member.map_err(|e| bad(format!("not an ar archive: {e}")))?;
        let name = String::from_utf8_lossy(member.header().identifier())
            .trim_end_matches('/')
            .to_string();
        if name == "debian-binary" {
            let mut v = String::new();
            member
                .take(16)
                .read_to_string(&mut v)
                .map_err(|e| bad(e.to_string()))?;
            if !v.starts_with("2.") {
                return Err(bad(format!("unsupported deb format {:?}", v.trim())));
            }
            saw_magic = true;
        } else if let Some(comp) = name.strip_prefix("control.tar") {
            let mut raw = Vec::new();
            member
                .take(64 << 20)
                .read_to_end(&mut raw)
                .map_err(|e| bad(format!("{name}: {e}")))?;
            control = Some(read_control(decompress(comp, &raw[..]).map_err(&bad)?).map_err(&bad)?);
            copy.control = Some((name.clone(), raw));
        } else if let Some(comp) = name.strip_prefix("data.tar") {
            let reader = decompress(comp, member).map_err(&bad)?;
            let encoder = (fast_copy.is_some() && comp == ".xz")
                .then(|| zstd::stream::write::Encoder::new(Vec::new(), 1).ok())
                .flatten()
                .and_then(|mut e| e.include_checksum(true).ok().map(|()| e));
            match encoder {
                Some(copy_to) => {
                    let mut tee = Tee {
                        inner: reader,
                        copy: copy_to,
                    };
                    read_data(Box::new(&mut tee), &mut on_entry, &bad)?;
                    // The tar reader stops at the end-of-archive blocks: keep the rest too.
                    std::io::copy(&mut tee, &mut std::io::sink())
                        .map_err(|e| bad(format!("data.tar: {e}")))?;
                    copy.data = tee.copy.finish().ok();
                }
                None => read_data(reader, &mut on_entry, &bad)?,
            }
            saw_data = true;
        }
    }
    if !saw_magic {
        return Err(bad("no debian-binary member".into()));
    }
    if !saw_data {
        return Err(bad("no data.tar member".into()));
    }
    let control = control.ok_or_else(|| bad("no control.tar member".into()))?;
    if let Some(path) = fast_copy
        && let Err(e) = copy.write(path)
    {
        tracing::debug!(path = %path.display(), error = %e, "cannot keep a fast copy");
    }
    Ok(control)
}

fn decompress<'a, R: Read + 'a>(suffix: &str, reader: R) -> Result<Box<dyn Read + 'a>, String> {
    Ok(match suffix {
        "" => Box::new(reader),
        ".gz" => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        ".xz" => Box::new(liblzma::read::XzDecoder::new_multi_decoder(reader)),
        ".zst" => Box::new(zstd::stream::read::Decoder::new(reader).map_err(|e| e.to_string())?),
        other => return Err(format!("unsupported compression `{other}`")),
    })
}

fn read_control(reader: Box<dyn Read + '_>) -> Result<ControlFiles, String> {
    let mut files = ControlFiles::new();
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().map_err(|e| format!("control.tar: {e}"))? {
        let mut entry = entry.map_err(|e| format!("control.tar: {e}"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| e.to_string())?
            .to_string_lossy()
            .into_owned();
        let name = path.trim_start_matches("./").to_string();
        if name.contains('/') || name.is_empty() {
            continue;
        }
        let mut data = Vec::new();
        entry
            .by_ref()
            .take(64 << 20)
            .read_to_end(&mut data)
            .map_err(|e| format!("control.tar: {e}"))?;
        files.insert(name, data);
    }
    if !files.contains_key("control") {
        return Err("control.tar has no control file".into());
    }
    Ok(files)
}

fn read_data(
    reader: Box<dyn Read + '_>,
    on_entry: &mut impl FnMut(DataEntry) -> Result<(), Error>,
    bad: &impl Fn(String) -> Error,
) -> Result<(), Error> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|e| bad(format!("data.tar: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| bad(format!("data.tar: {e}")))?;
        let raw_path = entry.path_bytes().into_owned();
        let raw_path =
            String::from_utf8(raw_path).map_err(|_| bad("data.tar: non-UTF-8 path".into()))?;
        let Some(path) = normalize(&raw_path) else {
            return Err(bad(format!("data.tar: unsafe path {raw_path:?}")));
        };
        let header = entry.header();
        let mode = header.mode().map_err(|e| bad(e.to_string()))? & 0o7777;
        let uid = header.uid().map_err(|e| bad(e.to_string()))? as u32;
        let gid = header.gid().map_err(|e| bad(e.to_string()))? as u32;
        let mtime = header.mtime().unwrap_or(0);
        let link = || -> Result<String, Error> {
            let l = entry
                .link_name_bytes()
                .ok_or_else(|| bad(format!("{raw_path}: link without target")))?;
            String::from_utf8(l.into_owned())
                .map_err(|_| bad(format!("{raw_path}: non-UTF-8 link target")))
        };
        let kind = match header.entry_type() {
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => {
                let target = link()?;
                if bosun_fs::link_escapes(&path, &target) {
                    return Err(bad(format!(
                        "data.tar: symlink {path} -> {target} escapes the root"
                    )));
                }
                EntryKind::Symlink(target)
            }
            tar::EntryType::Link => {
                let target = link()?;
                let norm = normalize(&target)
                    .ok_or_else(|| bad(format!("data.tar: unsafe hard link {target:?}")))?;
                EntryKind::Hardlink(norm)
            }
            t if t.is_file() => {
                let mut data = Vec::with_capacity(entry.size() as usize);
                entry
                    .read_to_end(&mut data)
                    .map_err(|e| bad(format!("data.tar: {path}: {e}")))?;
                EntryKind::File(data)
            }
            // Device nodes, fifos: nothing a container image should carry from a package.
            _ => continue,
        };
        if path.is_empty() {
            continue; // the "./" root entry
        }
        on_entry(DataEntry {
            path,
            kind,
            mode,
            uid,
            gid,
            mtime,
        })?;
    }
    Ok(())
}

/// Strips `./` and `/`, drops `.` components; `None` when a `..` component appears.
pub fn normalize(path: &str) -> Option<String> {
    let mut parts = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_and_refuses_traversal() {
        assert_eq!(normalize("./usr/bin/x").as_deref(), Some("usr/bin/x"));
        assert_eq!(normalize("/etc//./a").as_deref(), Some("etc/a"));
        assert_eq!(normalize("./").as_deref(), Some(""));
        assert_eq!(normalize("usr/../../etc/passwd"), None);
    }

    fn entries(path: &Path, copy: Option<&Path>) -> (ControlFiles, Vec<DataEntry>) {
        let mut out = Vec::new();
        let on_entry = |e| {
            out.push(e);
            Ok(())
        };
        let control = match copy {
            Some(copy) => read_deb_keeping_fast_copy(path, copy, on_entry),
            None => read_deb(path, on_entry),
        };
        (control.unwrap(), out)
    }

    #[test]
    fn fast_copy_holds_the_same_package() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = bosun_test::Pkg::new("hello", "1.0")
            .file("usr/bin/hello", 0o755, vec![7u8; 300_000])
            .symlink("usr/bin/hi", "hello");
        let deb = dir.path().join("hello.deb");
        std::fs::write(&deb, bosun_test::DebBuilder::build(&pkg, None)).unwrap();
        let copy = dir.path().join("fast/hello.deb");
        let original = entries(&deb, Some(&copy));
        assert_eq!(entries(&copy, None), original);
        assert!(original.1.iter().any(|e| e.path == "usr/bin/hello"));
        let mut members = Vec::new();
        let mut ar = ar::Archive::new(std::fs::File::open(&copy).unwrap());
        while let Some(m) = ar.next_entry() {
            members.push(String::from_utf8_lossy(m.unwrap().header().identifier()).into_owned());
        }
        assert_eq!(members, ["debian-binary", "control.tar.gz", "data.tar.zst"]);
        // Only xz data is worth a copy.
        let gz = dir.path().join("gz.deb");
        std::fs::write(
            &gz,
            bosun_test::DebBuilder::build(&pkg.compression("gz"), None),
        )
        .unwrap();
        entries(&gz, Some(&dir.path().join("fast/gz.deb")));
        assert!(!dir.path().join("fast/gz.deb").exists());
        // A copy that fails its checksum fails to read (the builder then reads the .deb).
        let mut bytes = std::fs::read(&copy).unwrap();
        let at = bytes.len() - 40;
        bytes[at] ^= 0xff;
        std::fs::write(&copy, bytes).unwrap();
        assert!(read_deb(&copy, |_| Ok(())).is_err());
    }
}
