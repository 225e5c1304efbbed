//! The files a spec is made of: the spec itself and every file it includes, in the order
//! their tables apply (a file's includes before the file, depth first, each file once).
//!
//! ```toml
//! include = ["../platform/core.toml"]
//! ```
//!
//! A relative include is read from the including file's directory. Every included file must
//! lie, symlinks resolved, inside one of the allowed roots: the git work tree that holds the
//! spec (else the spec's own directory), and any the caller adds. A spec from a pull request
//! thus cannot read files from elsewhere on the machine that builds it.

use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};
use toml::de::{DeTable, DeValue};

use crate::{Error, syntax};

/// One file of a spec.
pub(crate) struct SourceFile {
    /// How errors name it: the spec's path as given, includes joined onto it.
    pub(crate) path: PathBuf,
    /// Its path relative to the spec's directory, `/`-separated: what the lock records
    /// (empty for the spec itself).
    pub(crate) relative: String,
    /// Its contents.
    pub(crate) text: String,
    /// Where it really is, for cycles and the allowed roots.
    canonical: Option<PathBuf>,
}

impl SourceFile {
    /// The hex sha256 of the file's bytes.
    pub(crate) fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }
}

/// Reads the spec at `path` (with contents `text`) and every file it includes, in order: each
/// file's includes first, then the file. `extra_roots` widens where includes may come from.
pub(crate) fn gather(
    path: &Path,
    text: String,
    extra_roots: &[PathBuf],
) -> Result<Vec<SourceFile>, Error> {
    let root = SourceFile {
        path: path.to_path_buf(),
        relative: String::new(),
        text,
        canonical: std::fs::canonicalize(path).ok(),
    };
    if includes(&root)?.is_empty() {
        return Ok(vec![root]);
    }
    let dir = spec_dir(path);
    let mut roots: Vec<PathBuf> = std::iter::once(work_tree(&dir).unwrap_or(dir))
        .chain(extra_roots.iter().cloned())
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    roots.dedup();
    let mut gathered = Gathered {
        roots,
        files: Vec::new(),
        stack: Vec::new(),
    };
    gathered.visit(root)?;
    Ok(gathered.files)
}

struct Gathered {
    roots: Vec<PathBuf>,
    files: Vec<SourceFile>,
    /// The files being read, outermost first: an include of one of them is a cycle.
    stack: Vec<PathBuf>,
}

impl Gathered {
    fn visit(&mut self, file: SourceFile) -> Result<(), Error> {
        let own = file.canonical.clone().unwrap_or_else(|| file.path.clone());
        self.stack.push(own);
        for (written, span) in includes(&file)? {
            let fail = |message: String| syntax(&file.path, &file.text, span.start, message);
            if written.contains("${") {
                return Err(fail(format!(
                    "include {written:?}: an include path is read before variables and must be literal"
                )));
            }
            let path = lexical(&spec_dir(&file.path).join(&written));
            let canonical = std::fs::canonicalize(&path).map_err(|e| {
                fail(format!(
                    "include {written:?}: cannot read {}: {}",
                    path.display(),
                    match e.kind() {
                        std::io::ErrorKind::NotFound => "no such file".to_string(),
                        _ => e.to_string(),
                    }
                ))
            })?;
            if !self.roots.iter().any(|r| canonical.starts_with(r)) {
                return Err(fail(format!(
                    "include {written:?} is {}, outside the allowed roots ({}); allow its directory with --include-root or BOSUN_INCLUDE_ROOTS",
                    canonical.display(),
                    self.roots
                        .iter()
                        .map(|r| r.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            if let Some(at) = self.stack.iter().position(|s| *s == canonical) {
                let cycle: Vec<String> = self.stack[at..]
                    .iter()
                    .chain([&canonical])
                    .map(|p| p.display().to_string())
                    .collect();
                return Err(fail(format!(
                    "include {written:?} makes a cycle: {}",
                    cycle.join(" -> ")
                )));
            }
            // A file two others include (a diamond) is read once, where it first appears.
            if self
                .files
                .iter()
                .any(|f| f.canonical.as_ref() == Some(&canonical))
            {
                continue;
            }
            let text = crate::read(&path)?;
            let relative = match Path::new(&file.relative).parent() {
                Some(dir) if !file.relative.is_empty() => lexical(&dir.join(&written)),
                _ => lexical(Path::new(&written)),
            };
            self.visit(SourceFile {
                path,
                relative: relative.to_string_lossy().replace('\\', "/"),
                text,
                canonical: Some(canonical),
            })?;
        }
        self.stack.pop();
        self.files.push(file);
        Ok(())
    }
}

/// The `include` entries of a file, with their spans. A file that does not parse has none
/// here: the spec parser reports its error with more to say.
fn includes(file: &SourceFile) -> Result<Vec<(String, Range<usize>)>, Error> {
    let Ok(root) = DeTable::parse(&file.text) else {
        return Ok(Vec::new());
    };
    let Some(value) = root.get_ref().get("include") else {
        return Ok(Vec::new());
    };
    let fail = |span: Range<usize>| {
        syntax(
            &file.path,
            &file.text,
            span.start,
            "`include` must be an array of file paths".into(),
        )
    };
    let DeValue::Array(items) = value.get_ref() else {
        return Err(fail(value.span()));
    };
    items
        .iter()
        .map(|item| match item.get_ref() {
            DeValue::String(s) => Ok((s.to_string(), item.span())),
            _ => Err(fail(item.span())),
        })
        .collect()
}

/// The directory a spec path is in (`.` for a bare file name).
fn spec_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The nearest directory at or above `dir` that holds `.git`.
fn work_tree(dir: &Path) -> Option<PathBuf> {
    let dir = std::fs::canonicalize(dir).ok()?;
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `path` with `.` dropped and `dir/..` folded, without touching the file system: how the
/// user would write the path (the allowed roots are checked on the real one).
fn lexical(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_folds_dots() {
        assert_eq!(
            lexical(Path::new("./a/../../p/./core.toml")),
            Path::new("../p/core.toml")
        );
        assert_eq!(lexical(Path::new("a/b/../c")), Path::new("a/c"));
    }
}
