//! Tar archives and layout directories as blob sources: the member index, positioned reads
//! of one member ([`Region`]) and the names blobs go by.

use super::*;

/// Where blobs come from.
pub(super) enum Blobs {
    /// A layout directory: `blobs/sha256/<hex>`.
    Dir(PathBuf),
    /// Members of a tar file: name -> (offset of the data, size).
    Tar(PathBuf, HashMap<String, (u64, u64)>),
    /// A registry, through the cli's [`Remote`].
    Remote(Arc<dyn Remote>),
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Dir(p) => write!(f, "Dir({})", p.display()),
            Self::Tar(p, m) => write!(f, "Tar({}, {} members)", p.display(), m.len()),
            Self::Remote(_) => f.write_str("Remote"),
        }
    }
}

impl Blobs {
    pub(super) fn open(&self, member: &str) -> Result<Region, Error> {
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
                let &(offset, size) = members.get(member).ok_or_else(|| Error::NoMember {
                    archive: path.clone(),
                    member: member.to_string(),
                })?;
                let file = File::open(path).map_err(|e| bosun_fs::with_path(path, e))?;
                Ok(Region::new(file, offset, size))
            }
            Self::Remote(_) => Err(Error::Inconsistent {
                subject: member.to_string(),
                problem: "a registry blob is streamed, not opened as a file".into(),
            }),
        }
    }

    pub(super) fn read(&self, member: &str) -> Result<Vec<u8>, Error> {
        let reader = self.open(member)?;
        let size = reader.len;
        if size > MAX_DOCUMENT {
            return Err(Error::TooLarge {
                what: member.to_string(),
                limit: MAX_DOCUMENT,
            });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        reader.take(MAX_DOCUMENT).read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// Reads a blob by digest and checks it.
    pub(super) fn read_verified(&self, digest: &Digest) -> Result<Vec<u8>, Error> {
        let bytes = match self {
            Self::Remote(remote) => {
                let mut bytes = Vec::new();
                remote
                    .blob(digest, None)?
                    .take(MAX_DOCUMENT + 1)
                    .read_to_end(&mut bytes)?;
                if bytes.len() as u64 > MAX_DOCUMENT {
                    return Err(Error::TooLarge {
                        what: format!("blob {digest}"),
                        limit: MAX_DOCUMENT,
                    });
                }
                bytes
            }
            _ => self.read(&blob_member(digest))?,
        };
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

impl Blobs {
    /// Reads a manifest or index by digest and checks it (a registry serves them apart from
    /// blobs).
    pub(super) fn read_manifest(&self, digest: &Digest) -> Result<Vec<u8>, Error> {
        match self {
            Self::Remote(remote) => {
                let (_, bytes) = remote.manifest(digest.as_str())?;
                let actual = Digest::of(&bytes);
                if &actual != digest {
                    return Err(Error::Corrupt {
                        what: format!("manifest {digest}"),
                        expected: digest.clone(),
                        actual,
                    });
                }
                Ok(bytes)
            }
            _ => self.read_verified(digest),
        }
    }
}

pub(super) fn blob_member(digest: &Digest) -> String {
    crate::model::layout_blob(digest)
}

/// Indexes a tar archive's regular members. Names are normalized (`./` dropped); a member that
/// climbs out with `..` or is absolute makes the archive invalid.
pub(super) fn index_tar(path: &Path) -> Result<Blobs, Error> {
    let file = File::open(path).map_err(|e| not_found(path, e))?;
    let mut archive = tar::Archive::new(BufReader::new(file));
    let mut members = HashMap::new();
    let mut links = Vec::new();
    let bad = |e: io::Error| Error::Tar {
        what: format!("{}: not a readable tar archive", path.display()),
        source: e,
    };
    for entry in archive.entries_with_seek().map_err(bad)? {
        let entry = entry.map_err(bad)?;
        let kind = entry.header().entry_type();
        let raw = entry.path_bytes();
        let name = String::from_utf8_lossy(&raw).into_owned();
        let clean = clean_member(&name).ok_or_else(|| Error::Escape {
            archive: path.display().to_string(),
            entry: format!("member {name:?} (absolute or `..`)"),
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
                return Err(Error::Escape {
                    archive: path.display().to_string(),
                    entry: format!("link {name:?} -> {target:?}"),
                });
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
        return Err(Error::Inconsistent {
            subject: path.display().to_string(),
            problem: format!("truncated archive (member {name} runs past the end)"),
        });
    }
    Ok(Blobs::Tar(path.to_path_buf(), members))
}

pub(super) fn clean_member(name: &str) -> Option<String> {
    if name.starts_with('/') {
        return None;
    }
    bosun_fs::clean_path(name)
}

/// `blobs/sha256/<hex>` -> hex.
pub(super) fn digest_hex_of(member: &str) -> Option<&str> {
    let hex = member
        .strip_prefix(crate::model::LAYOUT_BLOBS)?
        .strip_prefix('/')?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

pub(super) fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A byte range of a file, read with positioned reads so that readers never share a cursor.
pub struct Region {
    pub(super) file: File,
    pub(super) start: u64,
    pub(super) len: u64,
    pos: u64,
}

impl Region {
    pub(super) fn new(file: File, start: u64, len: u64) -> Self {
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
