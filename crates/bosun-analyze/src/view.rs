//! The filesystem a container sees: layers stacked with OCI whiteout rules.

use std::collections::BTreeMap;

use crate::layer::{Entry, Kind};

/// Where a visible path comes from: (layer, entry index in that layer).
pub type Origin = (usize, usize);

/// Per-layer changes against the layers below it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Changes {
    /// Paths that did not exist below.
    pub added: u64,
    /// Non-directory paths that existed below and are replaced.
    pub modified: u64,
    /// Paths deleted (whiteouts, and everything under them or under an opaque directory).
    pub removed: u64,
}

/// The stacked filesystem.
#[derive(Debug, Default)]
pub struct View {
    /// Visible paths (no leading `/`) and where they come from.
    pub visible: BTreeMap<String, Origin>,
    /// Per layer.
    pub changes: Vec<Changes>,
    /// For each hidden file entry, the layer that hid it: (origin, hiding layer).
    pub hidden: Vec<(Origin, usize)>,
}

impl View {
    /// Stacks `layers` (base first).
    pub fn stack(layers: &[&[Entry]]) -> Self {
        let mut view = View::default();
        for (l, entries) in layers.iter().enumerate() {
            let mut changes = Changes::default();
            // Whiteouts apply to lower layers only, so delete first, then add.
            for e in entries.iter() {
                if let Some(dir) = e.opaque_dir() {
                    changes.removed += view.remove_under(dir, l, layers);
                } else if let Some(target) = e.whiteout_target() {
                    changes.removed += view.remove_tree(&target, l, layers);
                }
            }
            for (i, e) in entries.iter().enumerate() {
                if e.whiteout_target().is_some() || e.opaque_dir().is_some() {
                    continue;
                }
                match view.visible.insert(e.path.clone(), (l, i)) {
                    None => changes.added += 1,
                    Some(old) => {
                        let was = &layers[old.0][old.1];
                        if was.kind == Kind::File && (old.0 != l) {
                            view.hidden.push((old, l));
                        }
                        if e.kind != Kind::Dir && old.0 != l {
                            changes.modified += 1;
                        }
                        // A directory replaced by something else takes its subtree with it.
                        if was.kind == Kind::Dir && e.kind != Kind::Dir {
                            view.remove_under(&e.path, l, layers);
                        }
                    }
                }
            }
            view.changes.push(changes);
        }
        view
    }

    fn remove_tree(&mut self, path: &str, by: usize, layers: &[&[Entry]]) -> u64 {
        let mut n = self.remove_under(path, by, layers);
        if let Some(old) = self.visible.remove(path) {
            self.note_hidden(old, by, layers);
            n += 1;
        }
        n
    }

    fn remove_under(&mut self, dir: &str, by: usize, layers: &[&[Entry]]) -> u64 {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let keys: Vec<String> = self
            .visible
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in &keys {
            if let Some(old) = self.visible.remove(k) {
                self.note_hidden(old, by, layers);
            }
        }
        keys.len() as u64
    }

    fn note_hidden(&mut self, old: Origin, by: usize, layers: &[&[Entry]]) {
        if layers[old.0][old.1].kind == Kind::File {
            self.hidden.push((old, by));
        }
    }
}

/// Entries for tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::layer::{Entry, Kind};

    /// A regular file of `size` bytes, owned by root, mode 0644.
    pub(crate) fn file(path: &str, size: u64) -> Entry {
        Entry {
            path: path.into(),
            kind: Kind::File,
            size,
            mode: 0o644,
            mtime: 0,
            uid: 0,
            gid: 0,
            link: None,
            sha256: None,
        }
    }

    /// A symlink to `target`.
    pub(crate) fn link(path: &str, target: &str) -> Entry {
        Entry {
            kind: Kind::Symlink,
            link: Some(target.into()),
            ..file(path, 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::file;
    use super::*;

    fn dir(path: &str) -> Entry {
        Entry {
            kind: Kind::Dir,
            ..file(path, 0)
        }
    }

    #[test]
    fn whiteouts_and_opaque_dirs() {
        let l0 = vec![
            dir("a"),
            file("a/x", 10),
            file("a/y", 20),
            dir("b"),
            file("b/z", 5),
            file("keep", 1),
        ];
        let l1 = vec![
            file("a/.wh..wh..opq", 0),
            file("a/new", 3),
            file(".wh.b", 0),
            file("keep", 2),
        ];
        let view = View::stack(&[&l0, &l1]);
        let paths: Vec<&str> = view.visible.keys().map(String::as_str).collect();
        assert_eq!(paths, ["a", "a/new", "keep"]);
        assert_eq!(
            view.changes[1],
            Changes {
                added: 1,
                modified: 1,
                removed: 4
            }
        );
        let mut hidden: Vec<&str> = view
            .hidden
            .iter()
            .map(|((l, i), _)| [&l0, &l1][*l][*i].path.as_str())
            .collect();
        hidden.sort_unstable();
        assert_eq!(hidden, ["a/x", "a/y", "b/z", "keep"]);
    }
}
