//! One pass over a layer's tar stream: the entry list, and what the content rules find.

use std::io::Read;

use bosun_oci::source::{Image, LayerReader};
use sha2::{Digest as _, Sha256};

use crate::Error;
use crate::secrets::{self, SecretMatch};

/// Captured files larger than this are not kept.
const CAPTURE_CAP: u64 = 64 << 20;

/// How much of a file decides whether it can hold text.
const TEXT_PROBE: u64 = 8 << 10;

/// What kind of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A hard link to an earlier entry.
    Hardlink,
    /// A device, fifo or other special file.
    Special,
}

/// One tar entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path as the tar names it, cleaned the way dive (Go's `path.Clean`) does, without a
    /// leading `/`: `usr/bin/python3`, `etc/.wh.passwd`.
    pub path: String,
    /// What it is.
    pub kind: Kind,
    /// The size the tar header records (0 for links and directories).
    pub size: u64,
    /// Permission bits, setuid/setgid/sticky included.
    pub mode: u32,
    /// Modification time, seconds since the epoch.
    pub mtime: u64,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// Symlink or hard link target.
    pub link: Option<String>,
    /// sha256 of the content (regular files, when asked for).
    pub sha256: Option<String>,
}

impl Entry {
    /// The path the entry removes, when it is a whiteout (`.wh.NAME`) and not opaque.
    pub fn whiteout_target(&self) -> Option<String> {
        let (dir, name) = split_last(&self.path);
        let target = name.strip_prefix(".wh.")?;
        if target.starts_with(".wh.") {
            return None;
        }
        Some(join(dir, target))
    }

    /// The directory whose lower contents the entry hides, when it is `.wh..wh..opq`.
    pub fn opaque_dir(&self) -> Option<&str> {
        let (dir, name) = split_last(&self.path);
        (name == ".wh..wh..opq").then_some(dir)
    }
}

fn split_last(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((d, n)) => (d, n),
        None => ("", path),
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A secret found in a file of a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSecret {
    /// The file (cleaned, no leading `/`).
    pub path: String,
    /// What was found.
    pub found: SecretMatch,
}

/// What one pass over a layer yields.
#[derive(Debug, Default)]
pub struct LayerScan {
    /// Entries in tar order.
    pub entries: Vec<Entry>,
    /// Uncompressed bytes.
    pub uncompressed_size: u64,
    /// Whether the stream was checked against the layer's diff id.
    pub verified: bool,
    /// Secrets found in file contents.
    pub secrets: Vec<FileSecret>,
    /// Contents of the files [`ScanOptions::capture`] asked for: (path, bytes).
    pub captured: Vec<(String, Vec<u8>)>,
}

/// What to do with file contents while scanning.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// Run the secret rules on files that can hold text.
    pub secrets: bool,
    /// Files larger than this are not searched for secrets.
    pub secret_size_cap: u64,
    /// Hash every regular file (for diffs).
    pub hash_content: bool,
    /// Keep the contents of regular files this says yes to (up to 64 MiB each), e.g. the dpkg
    /// database.
    pub capture: Option<fn(&str) -> bool>,
    /// Check plain (uncompressed) layers against their diff ids too; compressed ones always
    /// are, since they must be read whole anyway.
    pub verify: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            secrets: true,
            secret_size_cap: 2 << 20,
            hash_content: false,
            verify: false,
            capture: None,
        }
    }
}

/// Streams layer `index` of `image` once.
pub fn scan(image: &Image, index: usize, options: ScanOptions) -> Result<LayerScan, Error> {
    let reader = image.open_layer(index, options.verify)?;
    let what = format!(
        "layer {index} ({})",
        image.layers[index]
            .digest
            .as_ref()
            .unwrap_or(&image.layers[index].diff_id)
    );
    scan_reader(reader, &what, options)
}

fn scan_reader(
    mut reader: LayerReader,
    what: &str,
    options: ScanOptions,
) -> Result<LayerScan, Error> {
    let mut out = LayerScan::default();
    let mut buf = Vec::new();
    {
        let mut archive = tar::Archive::new(&mut reader);
        let bad = |e: std::io::Error| Error::Layer(what.to_string(), e.to_string());
        for entry in archive.entries_with_seek().map_err(bad)? {
            let mut entry = entry.map_err(bad)?;
            let raw = entry.path_bytes();
            let name = String::from_utf8_lossy(&raw).into_owned();
            let Some(path) = bosun_fs::clean_path(&name) else {
                return Err(Error::Hostile(
                    what.to_string(),
                    format!("entry {name:?} climbs out of the root with `..`"),
                ));
            };
            if path.is_empty() {
                continue;
            }
            let header = entry.header();
            let kind = match header.entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => Kind::File,
                tar::EntryType::Directory => Kind::Dir,
                tar::EntryType::Symlink => Kind::Symlink,
                tar::EntryType::Link => Kind::Hardlink,
                _ => Kind::Special,
            };
            let mode = header.mode().unwrap_or(0);
            let uid = header.uid().unwrap_or(0);
            let mtime = header.mtime().unwrap_or(0);
            let gid = header.gid().unwrap_or(0);
            let link = entry
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned());
            if kind == Kind::Symlink
                && let Some(target) = &link
                && bosun_fs::link_escapes(&path, target)
            {
                return Err(Error::Hostile(
                    what.to_string(),
                    format!("symlink /{path} -> {target} points out of the root"),
                ));
            }
            if kind == Kind::Hardlink
                && let Some(target) = &link
                && bosun_fs::clean_path(target).is_none()
            {
                return Err(Error::Hostile(
                    what.to_string(),
                    format!("hard link /{path} -> {target} points out of the root"),
                ));
            }
            let size = entry.size();
            let mut sha256 = None;
            if kind == Kind::File {
                let captured =
                    options.capture.is_some_and(|wanted| wanted(&path)) && size <= CAPTURE_CAP;
                let want_secrets = options.secrets && size <= options.secret_size_cap;
                let mut hasher = options.hash_content.then(Sha256::new);
                if captured || want_secrets || hasher.is_some() {
                    // Decide "text" from the head, so binaries are skipped (sought over)
                    // rather than read, unless they must be hashed.
                    buf.clear();
                    (&mut entry)
                        .take(TEXT_PROBE)
                        .read_to_end(&mut buf)
                        .map_err(bad)?;
                    let text = want_secrets && secrets::can_hold_text(&buf);
                    let whole = text || captured;
                    if whole {
                        entry.read_to_end(&mut buf).map_err(bad)?;
                    }
                    if text {
                        for found in secrets::scan_file(&path, &buf) {
                            out.secrets.push(FileSecret {
                                path: path.clone(),
                                found,
                            });
                        }
                    }
                    if let Some(h) = hasher.as_mut() {
                        h.update(&buf);
                        if !whole {
                            let mut chunk = [0u8; 64 << 10];
                            loop {
                                match entry.read(&mut chunk).map_err(bad)? {
                                    0 => break,
                                    n => h.update(&chunk[..n]),
                                }
                            }
                        }
                    }
                    if captured {
                        out.captured.push((path.clone(), buf.clone()));
                    }
                    sha256 = hasher.map(|h| hex::encode(h.finalize()));
                }
                let content_found = out.secrets.last().is_some_and(|s| s.path == path);
                if options.secrets
                    && !content_found
                    && let Some(found) = secrets::scan_name(&path, size)
                {
                    out.secrets.push(FileSecret {
                        path: path.clone(),
                        found,
                    });
                }
            }
            out.entries.push(Entry {
                path,
                kind,
                size,
                mode,
                mtime,
                uid,
                gid,
                link,
                sha256,
            });
        }
    }
    let end = reader.finish()?;
    out.uncompressed_size = end.size;
    out.verified = end.verified;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whiteouts() {
        let e = |p: &str| Entry {
            path: p.into(),
            kind: Kind::File,
            size: 0,
            mode: 0,
            mtime: 0,
            uid: 0,
            gid: 0,
            link: None,
            sha256: None,
        };
        assert_eq!(
            e("data/.wh.big").whiteout_target().as_deref(),
            Some("data/big")
        );
        assert_eq!(e(".wh.keep").whiteout_target().as_deref(), Some("keep"));
        assert_eq!(e("data/.wh..wh..opq").whiteout_target(), None);
        assert_eq!(e("data/.wh..wh..opq").opaque_dir(), Some("data"));
    }
}
