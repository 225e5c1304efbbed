//! An image's final filesystem, for the paths a caller asks for: layers stacked base first,
//! OCI whiteouts applied, every layer checked against its diff id.

use std::collections::BTreeMap;

use super::*;
use crate::layer::{Entry, EntryKind};

impl Image {
    /// The entries of the final filesystem whose paths (no leading `/`) `wanted` accepts,
    /// with the contents of regular files. More than `limit` bytes of content is an error.
    /// Entries that climb out of the root (`..`) make the image invalid.
    pub fn read_tree(
        &self,
        wanted: &dyn Fn(&str) -> bool,
        limit: u64,
    ) -> Result<BTreeMap<String, Entry>, Error> {
        self.walk_tree(wanted, Some(limit))
    }

    /// The entries of the final filesystem whose paths `wanted` accepts, without contents:
    /// regular files come with an empty one.
    pub fn read_paths(
        &self,
        wanted: &dyn Fn(&str) -> bool,
    ) -> Result<BTreeMap<String, Entry>, Error> {
        self.walk_tree(wanted, None)
    }

    /// [`Image::read_tree`], reading contents only with a `limit`.
    fn walk_tree(
        &self,
        wanted: &dyn Fn(&str) -> bool,
        limit: Option<u64>,
    ) -> Result<BTreeMap<String, Entry>, Error> {
        let mut tree: BTreeMap<String, Entry> = BTreeMap::new();
        for index in 0..self.layers.len() {
            let reader = self.open_layer(index, true)?;
            let mut archive = tar::Archive::new(reader);
            let mut added: Vec<Entry> = Vec::new();
            let mut removed: Vec<String> = Vec::new();
            let mut opaque: Vec<String> = Vec::new();
            let bad = |e: io::Error| Error::Tar {
                what: format!("{} layer {index}", self.reference),
                source: e,
            };
            for entry in archive.entries().map_err(bad)? {
                let mut entry = entry.map_err(bad)?;
                let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
                let path = bosun_fs::clean_path(raw.trim_start_matches('/')).ok_or_else(|| {
                    Error::Escape {
                        archive: format!("{} layer {index}", self.reference),
                        entry: format!("entry {raw:?}"),
                    }
                })?;
                let (dir, name) = path.rsplit_once('/').unwrap_or(("", &path));
                if name == ".wh..wh..opq" {
                    opaque.push(dir.to_string());
                    continue;
                }
                if let Some(target) = name.strip_prefix(".wh.") {
                    removed.push(match dir {
                        "" => target.to_string(),
                        d => format!("{d}/{target}"),
                    });
                    continue;
                }
                if !wanted(&path) {
                    continue;
                }
                let header = entry.header();
                let mode = header.mode().unwrap_or(0o644) & 0o7777;
                let uid = header.uid().unwrap_or(0) as u32;
                let gid = header.gid().unwrap_or(0) as u32;
                let link = || {
                    entry
                        .link_name_bytes()
                        .map(|l| String::from_utf8_lossy(&l).into_owned())
                        .unwrap_or_default()
                };
                let kind = match header.entry_type() {
                    t if t.is_dir() => EntryKind::Dir,
                    t if t.is_symlink() => EntryKind::Symlink(link()),
                    t if t.is_hard_link() => {
                        let target = link();
                        EntryKind::Hardlink(
                            bosun_fs::clean_path(target.trim_start_matches('/')).unwrap_or(target),
                        )
                    }
                    t if t.is_file() && limit.is_none() => EntryKind::File(Vec::new()),
                    t if t.is_file() => {
                        let limit = limit.unwrap_or_default();
                        let size = entry.size();
                        let used: u64 = tree
                            .values()
                            .chain(&added)
                            .map(|e| match &e.kind {
                                EntryKind::File(d) => d.len() as u64,
                                _ => 0,
                            })
                            .sum();
                        if used + size > limit {
                            return Err(Error::TooLarge {
                                what: format!("{}: the files asked for", self.reference),
                                limit,
                            });
                        }
                        let mut data = Vec::with_capacity(size as usize);
                        entry.read_to_end(&mut data).map_err(bad)?;
                        EntryKind::File(data)
                    }
                    _ => continue, // devices and fifos have no place in a copy
                };
                added.push(Entry {
                    path,
                    kind,
                    mode,
                    uid,
                    gid,
                    mtime: 0,
                });
            }
            archive.into_inner().finish()?;
            // Whiteouts hide what lower layers hold; then this layer's entries go on top.
            let under = |root: &str, p: &str| {
                root.is_empty() || p == root || p.starts_with(&format!("{root}/"))
            };
            tree.retain(|p, _| {
                !removed.iter().any(|r| under(r, p))
                    && !opaque.iter().any(|d| p != d && under(d, p))
            });
            for e in added {
                tree.insert(e.path.clone(), e);
            }
        }
        Ok(tree)
    }
}
