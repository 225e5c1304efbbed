//! App files: `copy` entries from the project directory, filtered by an ignore file with
//! `.dockerignore` semantics (patterns relative to the project root, `*` within one path
//! component, `**` across components, `!` to re-include, the last matching pattern wins).

use std::path::{Path, PathBuf};

use bosun_oci::layer::{Entry, EntryKind, LayerBuilder};
use bosun_spec::CopyEntry;
use globset::GlobMatcher;

use crate::Error;

/// Compiled ignore patterns.
pub struct Ignore {
    rules: Vec<(GlobMatcher, bool)>,
}

impl Ignore {
    /// Reads `.bosunignore`, else `.dockerignore`, from `project` (or the named file).
    pub fn load(project: &Path, file: Option<&str>) -> Result<Self, Error> {
        let candidates: Vec<PathBuf> = match file {
            Some(f) => vec![project.join(f)],
            None => vec![project.join(".bosunignore"), project.join(".dockerignore")],
        };
        for path in &candidates {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    return Self::parse(&text)
                        .map_err(|e| Error::Copy(format!("{}: {e}", path.display())));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && file.is_none() => {}
                Err(e) => return Err(read_error(path, e)),
            }
        }
        Ok(Self::none())
    }

    /// No patterns: nothing is ignored.
    pub fn none() -> Self {
        Self { rules: Vec::new() }
    }

    /// These patterns and one more, which wins over them.
    pub fn with(mut self, pattern: &str) -> Result<Self, Error> {
        let more = Self::parse(pattern).map_err(Error::Copy)?;
        self.rules.extend(more.rules);
        Ok(self)
    }

    /// Compiles ignore-file text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negate, pattern) = match line.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, line),
            };
            let pattern = pattern.trim_start_matches('/').trim_end_matches('/');
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("bad pattern {pattern:?}: {e}"))?;
            rules.push((glob.compile_matcher(), negate));
        }
        Ok(Self { rules })
    }

    /// Whether `path` (relative to the project) is ignored: a pattern matching a directory
    /// ignores everything below it.
    pub fn is_ignored(&self, path: &str) -> bool {
        let mut ignored = false;
        for (glob, negate) in &self.rules {
            let mut prefix = String::new();
            let hit = path.split('/').any(|c| {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(c);
                glob.is_match(&prefix)
            });
            if hit {
                ignored = !negate;
            }
        }
        ignored
    }
}

/// Adds the files of `entries` to `layer`. Sources must resolve inside `project`; symlinks
/// found while walking are copied as symlinks, never followed.
pub fn add_copies(
    layer: &mut LayerBuilder,
    project: &Path,
    entries: &[CopyEntry],
    ignore: &Ignore,
) -> Result<(), Error> {
    let root = project.canonicalize().map_err(|e| read_error(project, e))?;
    for c in entries {
        let src = project.join(&c.src);
        let real = src.canonicalize().map_err(|e| read_error(&src, e))?;
        if !real.starts_with(&root) {
            return Err(Error::Copy(format!(
                "copy src {:?} resolves to {}, outside the project directory {}",
                c.src,
                real.display(),
                root.display()
            )));
        }
        let bosun_spec::Placement {
            uid,
            gid,
            mode,
            dst,
        } = c.placement((0, 0)).map_err(Error::Copy)?;
        let meta = std::fs::metadata(&real).map_err(|e| read_error(&real, e))?;
        let owner = Owner { uid, gid, mode };
        if meta.is_dir() {
            layer.insert(Entry {
                uid,
                gid,
                ..Entry::dir(&dst, 0o755)
            });
            walk(layer, &root, &real, &dst, ignore, owner)?;
        } else {
            let dst = if c.dst.ends_with('/') {
                format!(
                    "{dst}/{}",
                    real.file_name().unwrap_or_default().to_string_lossy()
                )
            } else {
                dst
            };
            add_file(layer, &real, &dst, owner)?;
        }
    }
    Ok(())
}

/// Adds everything under `dir` (paths relative to it, owned by root, modes kept as
/// [`add_copies`] keeps them), except what `ignore` ignores.
pub(crate) fn add_tree(layer: &mut LayerBuilder, dir: &Path, ignore: &Ignore) -> Result<(), Error> {
    let root = dir.canonicalize().map_err(|e| read_error(dir, e))?;
    let owner = Owner {
        uid: 0,
        gid: 0,
        mode: None,
    };
    walk(layer, &root, &root, "", ignore, owner)
}

#[derive(Clone, Copy)]
struct Owner {
    uid: u32,
    gid: u32,
    mode: Option<u32>,
}

fn walk(
    layer: &mut LayerBuilder,
    root: &Path,
    dir: &Path,
    dst: &str,
    ignore: &Ignore,
    owner: Owner,
) -> Result<(), Error> {
    let err = |e: std::io::Error| read_error(dir, e);
    let mut children: Vec<_> = std::fs::read_dir(dir)
        .map_err(err)?
        .collect::<Result<_, _>>()
        .map_err(err)?;
    children.sort_by_key(|e| e.file_name());
    for child in children {
        let path = child.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if ignore.is_ignored(&rel) {
            continue;
        }
        let name = child.file_name().to_string_lossy().into_owned();
        let target = match dst {
            "" => name,
            dst => format!("{dst}/{name}"),
        };
        let ft = child.file_type().map_err(err)?;
        if ft.is_symlink() {
            let link = std::fs::read_link(&path).map_err(err)?;
            layer.insert(Entry {
                uid: owner.uid,
                gid: owner.gid,
                ..Entry::symlink(&target, &link.to_string_lossy())
            });
        } else if ft.is_dir() {
            layer.insert(Entry {
                uid: owner.uid,
                gid: owner.gid,
                ..Entry::dir(&target, 0o755)
            });
            walk(layer, root, &path, &target, ignore, owner)?;
        } else if ft.is_file() {
            add_file(layer, &path, &target, owner)?;
        }
    }
    Ok(())
}

fn add_file(layer: &mut LayerBuilder, path: &Path, dst: &str, owner: Owner) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let data = std::fs::read(path).map_err(|e| read_error(path, e))?;
    let host_mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode())
        .unwrap_or(0o644);
    let mode = owner
        .mode
        .unwrap_or(if host_mode & 0o111 != 0 { 0o755 } else { 0o644 });
    layer.insert(Entry {
        path: dst.into(),
        kind: EntryKind::File(data),
        mode,
        uid: owner.uid,
        gid: owner.gid,
        mtime: 0,
    });
    Ok(())
}

/// A copy source that cannot be read, the io error kept as the cause.
fn read_error(path: &Path, source: std::io::Error) -> Error {
    Error::CopyRead {
        path: path.to_path_buf(),
        source,
    }
}

/// The symlinks copied into an image (`copied`, the copy layer) whose targets the image does
/// not hold, as `(link, target)` with absolute paths: a host virtualenv's `bin/python3` link,
/// or one into the build machine's home directory, copies fine and then fails in the
/// container. `image` is the built image, all its layers.
pub fn dangling_links(
    copied: &LayerBuilder,
    image: &bosun_oci::source::Image,
) -> Result<Vec<(String, String)>, Error> {
    let links: Vec<(&str, &str)> = copied
        .entries()
        .filter_map(|e| match &e.kind {
            EntryKind::Symlink(target) => Some((e.path.as_str(), target.as_str())),
            _ => None,
        })
        .collect();
    // Links that lead into the copy itself need no look at the rest of the image.
    let own: std::collections::BTreeMap<String, Entry> = copied
        .entries()
        .map(|e| (e.path.clone(), e.clone()))
        .collect();
    let links: Vec<(&str, &str)> = links
        .into_iter()
        .filter(|(path, target)| resolves(&own, &|_| true, path, target) != Ok(true))
        .collect();
    if links.is_empty() {
        return Ok(Vec::new());
    }
    // Each round reads the paths the links' resolution needs; following a link may need
    // more, so a few rounds settle it (links that still need more count as dangling).
    let mut wanted: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut verdicts: Vec<Option<bool>> = vec![None; links.len()];
    for _ in 0..8 {
        let tree = image.read_paths(&|p: &str| wanted.contains(p))?;
        let mut more = Vec::new();
        for ((path, target), verdict) in links.iter().zip(&mut verdicts) {
            if verdict.is_none() {
                match resolves(&tree, &|p| wanted.contains(p), path, target) {
                    Ok(found) => *verdict = Some(found),
                    Err(need) => more.extend(need),
                }
            }
        }
        if more.is_empty() {
            break;
        }
        wanted.extend(more);
    }
    Ok(links
        .iter()
        .zip(verdicts)
        .filter(|(_, v)| *v != Some(true))
        .map(|((path, target), _)| (format!("/{path}"), target.to_string()))
        .collect())
}

/// Whether the symlink at `link` to `target` leads to an entry of `tree`, following links
/// in the tree (at most 40, as the kernel does). `Err` names the paths whose entries are
/// needed to know and were not read (`read` says which were).
fn resolves(
    tree: &std::collections::BTreeMap<String, Entry>,
    read: &dyn Fn(&str) -> bool,
    link: &str,
    target: &str,
) -> Result<bool, Vec<String>> {
    let start: Vec<&str> = match target.starts_with('/') {
        true => Vec::new(),
        false => link.split('/').collect::<Vec<_>>()[..link.matches('/').count()].to_vec(),
    };
    let mut at: Vec<String> = start.iter().map(|s| s.to_string()).collect();
    let mut rest: std::collections::VecDeque<String> = target
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let mut hops = 0;
    while let Some(part) = rest.pop_front() {
        match part.as_str() {
            "." => continue,
            ".." => {
                at.pop();
                continue;
            }
            _ => {}
        }
        at.push(part);
        let path = at.join("/");
        if !read(&path) {
            // Ask for this path and, at once, the rest as it stands.
            let mut need = vec![path.clone()];
            let mut next = at.clone();
            for p in &rest {
                next.push(p.clone());
                need.push(next.join("/"));
            }
            return Err(need);
        }
        match tree.get(&path).map(|e| &e.kind) {
            Some(EntryKind::Symlink(to)) => {
                hops += 1;
                if hops > 40 {
                    return Ok(false);
                }
                at.pop();
                if to.starts_with('/') {
                    at.clear();
                }
                for p in to.split('/').filter(|p| !p.is_empty()).rev() {
                    rest.push_front(p.to_string());
                }
            }
            Some(_) => {}
            // A directory a layer only implies has no entry of its own; the last part must.
            None if rest.is_empty() => return Ok(false),
            None => {}
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_semantics() {
        let ig = Ignore::parse("# c\n.git\n*.pyc\n**/__pycache__\nsecrets/\n!secrets/public.txt\n")
            .unwrap();
        assert!(ig.is_ignored(".git/config"));
        assert!(ig.is_ignored("a.pyc"));
        assert!(
            !ig.is_ignored("sub/a.pyc"),
            "`*` stays in one component, anchored at the root"
        );
        assert!(ig.is_ignored("x/y/__pycache__/m.pyc"));
        assert!(ig.is_ignored("secrets/key"));
        assert!(!ig.is_ignored("secrets/public.txt"));
        assert!(!ig.is_ignored("main.py"));
    }

    #[test]
    fn copies_tree_with_owner_and_refuses_escape() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("proj/app/sub")).unwrap();
        std::fs::write(p.join("proj/app/main.py"), "print(1)").unwrap();
        std::fs::write(p.join("proj/app/sub/x.pyc"), "").unwrap();
        std::fs::write(p.join("outside"), "secret").unwrap();
        std::os::unix::fs::symlink(p.join("outside"), p.join("proj/escape")).unwrap();
        let ig = Ignore::parse("**/*.pyc").unwrap();
        let mut l = LayerBuilder::new();
        let entry = CopyEntry {
            src: "app/".into(),
            dst: "/app".into(),
            owner: Some("nonroot".into()),
            mode: None,
            image: None,
            step: None,
            arch_independent: false,
        };
        add_copies(&mut l, &p.join("proj"), &[entry], &ig).unwrap();
        assert_eq!(l.get("app/main.py").unwrap().uid, 65532);
        assert!(l.get("app/sub/x.pyc").is_none());
        let bad = CopyEntry {
            src: "escape".into(),
            dst: "/x".into(),
            owner: None,
            mode: None,
            image: None,
            step: None,
            arch_independent: false,
        };
        let err = add_copies(&mut l, &p.join("proj"), &[bad], &ig).unwrap_err();
        assert!(err.to_string().contains("outside the project"), "{err}");
    }

    #[test]
    fn links_resolve_through_the_tree() {
        let tree: std::collections::BTreeMap<String, Entry> = [
            Entry::symlink("bin", "usr/bin"),
            Entry::dir("usr/bin", 0o755),
            Entry::file("usr/bin/python3.13", 0o755, vec![]),
            Entry::symlink("usr/bin/python3", "python3.13"),
            Entry::symlink("loop", "loop"),
        ]
        .into_iter()
        .map(|e| (e.path.clone(), e))
        .collect();
        let all = |_: &str| true;
        let ok = |link: &str, target: &str| resolves(&tree, &all, link, target);
        assert_eq!(ok("app/venv/bin/python3", "/usr/bin/python3"), Ok(true));
        assert_eq!(ok("app/venv/bin/python3", "/bin/python3"), Ok(true));
        assert_eq!(ok("app/x", "../bin/./python3"), Ok(true));
        assert_eq!(ok("app/x", "../../../../usr/bin/python3.13"), Ok(true));
        assert_eq!(
            ok("app/venv/bin/python3", "/home/u/.pyenv/bin/python3"),
            Ok(false)
        );
        assert_eq!(ok("app/x", "/usr/bin/python2"), Ok(false));
        assert_eq!(ok("app/x", "/loop"), Ok(false));
        // What was not read is asked for, with the rest of the path.
        let none = |_: &str| false;
        assert_eq!(
            resolves(&tree, &none, "app/x", "/usr/bin/python3"),
            Err(vec![
                "usr".into(),
                "usr/bin".into(),
                "usr/bin/python3".into()
            ])
        );
    }
}
