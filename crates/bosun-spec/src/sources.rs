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

use crate::{Error, LoadOptions, syntax};

/// How deep includes may nest: a chain longer than any layout needs is a mistake, and
/// each level is a frame of recursion.
const MAX_DEPTH: usize = 32;

/// One file of a spec.
pub(crate) struct SourceFile {
    /// How errors name it: the spec's path as given, includes joined onto it.
    pub(crate) path: PathBuf,
    /// Its path relative to the spec's directory, `/`-separated, or `docker://REF#FILE`: what
    /// the lock records (empty for the spec itself).
    pub(crate) relative: String,
    /// Its contents.
    pub(crate) text: String,
    /// For a file of a registry artifact: the artifact's reference as written, the manifest
    /// digest it was read at, and its title there.
    pub(crate) remote: Option<(String, String, String)>,
    /// Where it really is, for cycles and the allowed roots.
    canonical: Option<PathBuf>,
    /// Where each line starts, once asked: a spec of 1,000 images asks thousands of times.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// The 1-based line and column of byte `offset`.
    pub(crate) fn position(&self, offset: usize) -> (usize, usize) {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let offset = offset.min(self.text.len());
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |l| l.chars().count())
            + 1;
        (line, column)
    }

    /// The hex sha256 of the file's bytes.
    pub(crate) fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }
}

/// Reads the spec at `path` (with contents `text`) and every file it includes, in order: each
/// file's includes first, then the file.
pub(crate) fn gather(
    path: &Path,
    text: String,
    options: &LoadOptions,
) -> Result<Vec<SourceFile>, Error> {
    let root = SourceFile {
        path: path.to_path_buf(),
        relative: String::new(),
        text,
        remote: None,
        canonical: std::fs::canonicalize(path).ok(),
        line_starts: Default::default(),
    };
    if includes(&root)?.is_empty() {
        return Ok(vec![root]);
    }
    let mut gathered = Gathered {
        roots: allowed_roots(path, &options.include_roots),
        options,
        files: Vec::new(),
        stack: Vec::new(),
    };
    gathered.visit(root)?;
    Ok(gathered.files)
}

struct Gathered<'o> {
    roots: Vec<PathBuf>,
    options: &'o LoadOptions,
    files: Vec<SourceFile>,
    /// The files being read, outermost first: an include of one of them is a cycle.
    stack: Vec<PathBuf>,
}

impl Gathered<'_> {
    fn visit(&mut self, file: SourceFile) -> Result<(), Error> {
        let own = file.canonical.clone().unwrap_or_else(|| file.path.clone());
        self.stack.push(own);
        let mut listed: Vec<Option<PathBuf>> = Vec::new();
        for (written, span) in includes(&file)? {
            let fail = |message: String| syntax(&file.path, &file.text, span.start, message);
            if self.stack.len() > MAX_DEPTH {
                return Err(fail(format!(
                    "include {written:?}: includes nest more than {MAX_DEPTH} deep"
                )));
            }
            if written.contains("${") {
                return Err(fail(format!(
                    "include {written:?}: an include path is read before variables and must be literal"
                )));
            }
            let child = match (written.strip_prefix("docker://"), &file.remote) {
                (Some(rest), _) => {
                    let (reference, title) = rest.split_once('#').ok_or_else(|| {
                        fail(format!(
                            "include {written:?}: name the file of the artifact, as docker://HOST/REPO:TAG#core.toml"
                        ))
                    })?;
                    let pin = self.options.pinned.get(&written).cloned();
                    self.fetch(reference, pin, title, &written)
                        .map_err(|e| fail(format!("include {written:?}: {e}")))?
                }
                // A relative include in a registry file: another file of the same artifact,
                // read at the same manifest.
                (None, Some((reference, digest, title))) => {
                    let joined = match Path::new(title).parent() {
                        Some(dir) => lexical(&dir.join(&written)),
                        None => lexical(Path::new(&written)),
                    };
                    let joined = joined.to_string_lossy().replace('\\', "/");
                    if Path::new(&written).is_absolute() || joined.starts_with("..") {
                        return Err(fail(format!(
                            "include {written:?}: a file from a registry includes only other files of its artifact, or registry files"
                        )));
                    }
                    let full = format!("docker://{reference}#{joined}");
                    self.fetch(reference, Some(digest.clone()), &joined, &full)
                        .map_err(|e| fail(format!("include {full:?}: {e}")))?
                }
                (None, None) => self.local(&file, &written).map_err(fail)?,
            };
            let canonical = child.canonical.clone().unwrap_or_default();
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
            // The same file twice in one list is a slip; two files that include a third (a
            // diamond) read it once, where it first appears.
            if listed.contains(&child.canonical) {
                return Err(fail(format!(
                    "include {written:?} names a file this list already includes"
                )));
            }
            listed.push(child.canonical.clone());
            if self.files.iter().any(|f| f.canonical == child.canonical) {
                continue;
            }
            self.visit(child)?;
        }
        self.stack.pop();
        self.files.push(file);
        Ok(())
    }

    /// A file on this machine that `file` includes as `written`.
    fn local(&self, file: &SourceFile, written: &str) -> Result<SourceFile, String> {
        let path = lexical(&spec_dir(&file.path).join(written));
        let canonical = std::fs::canonicalize(&path).map_err(|e| {
            format!(
                "include {written:?}: cannot read {}: {}",
                path.display(),
                match e.kind() {
                    std::io::ErrorKind::NotFound => "no such file".to_string(),
                    _ => e.to_string(),
                }
            )
        })?;
        if !self.roots.iter().any(|r| canonical.starts_with(r)) {
            return Err(format!(
                "include {written:?} is {}, outside the allowed roots ({}); allow its directory with --include-root or BOSUN_INCLUDE_ROOTS",
                canonical.display(),
                self.roots
                    .iter()
                    .map(|r| r.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let text = crate::read(&path).map_err(|e| e.to_string())?;
        let relative = match Path::new(&file.relative).parent() {
            Some(dir) if !file.relative.is_empty() => lexical(&dir.join(written)),
            _ => lexical(Path::new(written)),
        };
        Ok(SourceFile {
            path,
            relative: relative.to_string_lossy().replace('\\', "/"),
            text,
            remote: None,
            canonical: Some(canonical),
            line_starts: Default::default(),
        })
    }

    /// File `title` of the artifact `reference` names, at manifest `pin` when given; `full`
    /// is how the spec names it.
    fn fetch(
        &self,
        reference: &str,
        pin: Option<String>,
        title: &str,
        full: &str,
    ) -> Result<SourceFile, String> {
        let fetcher = self
            .options
            .fetcher
            .as_ref()
            .ok_or("registry includes are not read here")?;
        let (digest, bytes) = fetcher.fetch(reference, pin.as_deref(), title)?;
        let text =
            String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_string())?;
        Ok(SourceFile {
            path: PathBuf::from(full),
            relative: full.to_string(),
            text,
            canonical: Some(PathBuf::from(format!(
                "docker://{reference}@{digest}#{title}"
            ))),
            remote: Some((reference.to_string(), digest, title.to_string())),
            line_starts: Default::default(),
        })
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

/// The directories files a spec names may lie in, symlinks resolved: the git work tree that
/// holds the spec (else its directory), and the caller's `extra` roots.
fn allowed_roots(spec: &Path, extra: &[PathBuf]) -> Vec<PathBuf> {
    let dir = spec_dir(spec);
    let mut roots: Vec<PathBuf> = std::iter::once(work_tree(&dir).unwrap_or(dir))
        .chain(extra.iter().cloned())
        .filter_map(|r| std::fs::canonicalize(r).ok())
        .collect();
    roots.dedup();
    roots
}

/// The transports whose images are files on this machine.
const LOCAL_TRANSPORTS: [&str; 3] = ["oci:", "oci-archive:", "docker-archive:"];

/// A reference to an image on this machine split into its transport, path and the `:REF`
/// after the path (empty for none). A path may hold `:` itself when the whole rest names an
/// existing file below `dir`.
fn split_local<'t>(text: &'t str, dir: &Path) -> Option<(&'t str, &'t str, &'t str)> {
    let transport = LOCAL_TRANSPORTS.iter().find(|t| text.starts_with(*t))?;
    let rest = &text[transport.len()..];
    let at = match dir.join(rest).exists() {
        true => rest.len(),
        false => rest.find(':').unwrap_or(rest.len()),
    };
    Some((&text[..transport.len()], &rest[..at], &rest[at..]))
}

/// `reference` with the path of an image on this machine (`oci:`, `oci-archive:`,
/// `docker-archive:`) taken from `dir`, the spec's directory, where it is relative: specs
/// name such images relative to themselves. Other references are returned as they are.
pub fn local_image_in(reference: &str, dir: &Path) -> String {
    match split_local(reference, dir) {
        Some((transport, path, tail)) if Path::new(path).is_relative() => {
            format!("{transport}{}{tail}", dir.join(path).display())
        }
        _ => reference.to_string(),
    }
}

/// How the spec at `spec` writes the image on this machine that `reference` names: relative
/// to the spec's directory, so its lock and its images' history name no one machine's paths;
/// an error when the file lies outside the allowed roots, as for includes.
pub(crate) fn localize_image(
    reference: &str,
    spec: &Path,
    include_roots: &[PathBuf],
) -> Result<String, String> {
    let dir = spec_dir(spec);
    let Some((transport, path, tail)) = split_local(reference, &dir) else {
        return Ok(reference.to_string());
    };
    let Ok(base) = std::fs::canonicalize(&dir) else {
        return Ok(reference.to_string());
    };
    let full = lexical(&base.join(path));
    // Checked where it really is when it exists (a symlink may lead out).
    let real = std::fs::canonicalize(&full).unwrap_or_else(|_| full.clone());
    let roots = allowed_roots(spec, include_roots);
    if !roots.iter().any(|r| real.starts_with(r)) {
        return Err(format!(
            "{reference}: {} is outside the allowed roots ({}); keep it in the work tree, or allow its directory with --include-root or BOSUN_INCLUDE_ROOTS",
            real.display(),
            roots
                .iter()
                .map(|r| r.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if Path::new(path).is_relative() {
        return Ok(reference.to_string());
    }
    Ok(format!(
        "{transport}{}{tail}",
        relative_path(&full, &base).display()
    ))
}

/// `path` as seen from `dir` (both absolute and folded): `..` for each of `dir`'s own
/// components past the common ancestor.
fn relative_path(path: &Path, dir: &Path) -> PathBuf {
    let (p, d): (Vec<_>, Vec<_>) = (path.components().collect(), dir.components().collect());
    let common = p.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let up = std::iter::repeat_n(Component::ParentDir, d.len() - common);
    let relative: PathBuf = up.chain(p[common..].iter().copied()).collect();
    match relative.as_os_str().is_empty() {
        true => PathBuf::from("."),
        false => relative,
    }
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
    fn positions_count_lines_and_characters() {
        let file = SourceFile {
            path: PathBuf::from("s.toml"),
            relative: String::new(),
            text: "a = 1\né = \"x\"\n\nz".into(),
            remote: None,
            canonical: None,
            line_starts: Default::default(),
        };
        for (offset, expected) in [
            (0, (1, 1)),
            (4, (1, 5)),
            (6, (2, 1)),
            (10, (2, 4)),
            (15, (3, 1)),
            (16, (4, 1)),
            (99, (4, 2)),
        ] {
            assert_eq!(file.position(offset), expected, "{offset}");
            assert_eq!(crate::position(&file.text, offset), expected, "{offset}");
        }
    }

    #[test]
    fn relative_paths() {
        let r = |p: &str, d: &str| relative_path(Path::new(p), Path::new(d));
        assert_eq!(r("/w/app/deps.tar", "/w/app"), Path::new("deps.tar"));
        assert_eq!(
            r("/w/out/deps.tar", "/w/app/sub"),
            Path::new("../../out/deps.tar")
        );
        assert_eq!(r("/w/app", "/w/app"), Path::new("."));
    }

    #[test]
    fn local_images_relative_to_the_spec() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::write(root.join("deps.tar"), "").unwrap();
        let spec = root.join("app/bosun.toml");
        let abs = format!("oci-archive:{}:app", root.join("deps.tar").display());
        assert_eq!(
            localize_image(&abs, &spec, &[]).unwrap(),
            "oci-archive:../deps.tar:app"
        );
        assert_eq!(
            localize_image("oci:layout:v1", &spec, &[]).unwrap(),
            "oci:layout:v1"
        );
        assert_eq!(
            localize_image("docker://reg.internal/a:1", &spec, &[]).unwrap(),
            "docker://reg.internal/a:1"
        );
        let outside = tempfile::tempdir().unwrap();
        let far = format!("oci-archive:{}", outside.path().join("x.tar").display());
        let e = localize_image(&far, &spec, &[]).unwrap_err();
        assert!(e.contains("outside the allowed roots"), "{e}");
        assert!(localize_image("oci:../../../elsewhere", &spec, &[]).is_err());
        // Allowed by the caller: kept as written relative to the spec.
        let allowed = localize_image(&far, &spec, &[outside.path().to_path_buf()]).unwrap();
        assert!(allowed.starts_with("oci-archive:../../"), "{allowed}");
        assert_eq!(
            local_image_in("oci-archive:../deps.tar:app", &root.join("app")),
            format!("oci-archive:{}/../deps.tar:app", root.join("app").display())
        );
    }

    #[test]
    fn lexical_folds_dots() {
        assert_eq!(
            lexical(Path::new("./a/../../p/./core.toml")),
            Path::new("../p/core.toml")
        );
        assert_eq!(lexical(Path::new("a/b/../c")), Path::new("a/c"));
    }
}
