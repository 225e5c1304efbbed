//! What differs between two images: config field by field, layers, files and Debian packages.
//!
//! Layers are matched by diff id, so a layer both images share is read once. Every layer is
//! read whole (file contents are hashed) and checked against its diff id on the way.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bosun_deb::Version;
use bosun_oci::source::Image;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::Error;
use crate::inspect::{masked_value, redact_step};
use crate::layer::{self, Entry, Kind, LayerScan, ScanOptions};
use crate::owners::{self, OwnerKind, Owners};
use crate::secrets;
use crate::view::View;

/// What to compare.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Compare modification times too (reproducibility work); off, a file whose only change
    /// is its mtime is not listed.
    pub times: bool,
    /// Compare files and packages (reads every layer); off, only config and layers.
    pub skip_files: bool,
    /// Compare the bytes each package and unowned directory holds ([`DiffReport::owners`]).
    pub owners: bool,
}

/// How the bytes one owner holds changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerChange {
    /// What kind of owner.
    pub kind: OwnerKind,
    /// Package name, or the directory of unowned files.
    pub name: String,
    /// Version in the first image (absent when it is not there).
    pub a_version: Option<String>,
    /// Version in the second image.
    pub b_version: Option<String>,
    /// Bytes in the first image (absent when it is not there).
    pub a_bytes: Option<u64>,
    /// Bytes in the second image.
    pub b_bytes: Option<u64>,
    /// `b_bytes - a_bytes`, absent sides counting 0.
    pub delta: i64,
}

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// As given.
    pub reference: String,
    /// Manifest digest (none for Docker archives).
    pub digest: Option<String>,
    /// Config digest (Docker's image id).
    pub config_digest: String,
    /// `os/arch[/variant]`.
    pub platform: String,
}

/// A value that differs; `None` where the field is absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Where, e.g. `config.Env.PATH`, `history[2].created`.
    pub field: String,
    /// In A.
    pub a: Option<Value>,
    /// In B.
    pub b: Option<Value>,
}

/// A layer in one or both images.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerRef {
    /// Uncompressed digest.
    pub diff_id: String,
    /// Position in A.
    pub index_a: Option<usize>,
    /// Position in B.
    pub index_b: Option<usize>,
    /// Blob bytes (A's when shared).
    pub size: u64,
    /// The history step that made it (A's when shared), secrets masked.
    pub created_by: Option<String>,
}

/// Layers compared by content.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LayerDiff {
    /// How many layers, from the base up, the images have in common.
    pub common_base: usize,
    /// In both.
    pub shared: Vec<LayerRef>,
    /// Only in A.
    pub only_a: Vec<LayerRef>,
    /// Only in B.
    pub only_b: Vec<LayerRef>,
}

/// A path in the final filesystem of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileState {
    /// What it is.
    pub kind: Kind,
    /// Bytes (regular files and hard links, whose size is their target's).
    pub size: u64,
    /// Permission bits, octal.
    pub mode: String,
    /// Owner.
    pub uid: u64,
    /// Group.
    pub gid: u64,
    /// Symlink or hard link target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// sha256 of the content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Modification time.
    pub mtime: u64,
}

/// A path present in one image only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRef {
    /// Absolute path.
    pub path: String,
    /// What is there.
    #[serde(flatten)]
    pub state: FileState,
}

/// A path in both images that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// Absolute path.
    pub path: String,
    /// What differs: `kind`, `content`, `size`, `mode`, `owner`, `link`, `mtime`.
    pub what: Vec<&'static str>,
    /// In A.
    pub a: FileState,
    /// In B.
    pub b: FileState,
}

/// Files compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileDiff {
    /// Only in B.
    pub added: Vec<FileRef>,
    /// Only in A.
    pub removed: Vec<FileRef>,
    /// In both, different.
    pub changed: Vec<FileChange>,
}

/// An installed Debian package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Name.
    pub name: String,
    /// Architecture.
    pub architecture: String,
    /// Version.
    pub version: String,
}

/// A package in both images at different versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageChange {
    /// Name.
    pub name: String,
    /// Architecture.
    pub architecture: String,
    /// Version in A.
    pub a: String,
    /// Version in B.
    pub b: String,
    /// `upgrade` or `downgrade` (dpkg's ordering).
    pub direction: &'static str,
}

/// Packages compared, from the dpkg database (`var/lib/dpkg/status` and the `status.d/`
/// directory distroless images use).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PackageDiff {
    /// Only in B.
    pub added: Vec<Package>,
    /// Only in A.
    pub removed: Vec<Package>,
    /// Version changes.
    pub changed: Vec<PackageChange>,
}

/// Everything that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    /// The first image.
    pub a: Side,
    /// The second image.
    pub b: Side,
    /// Same manifest (or, when either side has none, same config and layers).
    pub identical: bool,
    /// Manifest fields and layer blobs that differ while their content does not.
    pub manifest: Vec<FieldChange>,
    /// Config fields.
    pub config: Vec<FieldChange>,
    /// Layers.
    pub layers: LayerDiff,
    /// Files in the final filesystems (absent when not compared).
    pub files: Option<FileDiff>,
    /// Packages (absent when not compared).
    pub packages: Option<PackageDiff>,
    /// Owners whose bytes or version changed, biggest change first (with `owners`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners: Option<Vec<OwnerChange>>,
    /// Things worth knowing about the comparison itself.
    pub notes: Vec<String>,
}

/// Compares `a` with `b`.
pub fn diff(a: &Image, b: &Image, options: &Options) -> Result<DiffReport, Error> {
    let identical = match (&a.manifest_digest, &b.manifest_digest) {
        (Some(x), Some(y)) => x == y,
        _ => {
            a.config_digest == b.config_digest
                && a.layers
                    .iter()
                    .map(|l| &l.diff_id)
                    .eq(b.layers.iter().map(|l| &l.diff_id))
        }
    };
    let mut report = DiffReport {
        a: side(a),
        b: side(b),
        identical,
        manifest: manifest_changes(a, b),
        config: config_changes(a, b)?,
        layers: layer_diff(a, b),
        files: None,
        packages: None,
        owners: None,
        notes: Vec::new(),
    };
    if identical || options.skip_files {
        return Ok(report);
    }
    let [(files_a, status_a, owners_a), (files_b, status_b, owners_b)] =
        final_filesystems(a, b, options.owners)?;
    if options.owners {
        report.owners = Some(owner_changes(&owners_a, &owners_b));
    }
    let files = file_diff(&files_a, &files_b, options.times);
    if files.added.is_empty()
        && files.removed.is_empty()
        && files.changed.is_empty()
        && (!report.layers.only_a.is_empty() || !report.layers.only_b.is_empty())
    {
        report.notes.push(if options.times {
            "the layers differ but no file does: the tar headers (entry order, or fields bosun does not compare such as xattrs) must".into()
        } else {
            "the layers differ but no file's content, mode, owner or link does: compare modification times with --times".into()
        });
    }
    report.files = Some(files);
    report.packages = Some(package_diff(&status_a, &status_b, &mut report.notes));
    Ok(report)
}

fn side(image: &Image) -> Side {
    let c = &image.config;
    Side {
        reference: image.reference.clone(),
        digest: image.manifest_digest.as_ref().map(ToString::to_string),
        config_digest: image.config_digest.to_string(),
        platform: match &c.variant {
            Some(v) => format!("{}/{}/{v}", c.os, c.architecture),
            None => format!("{}/{}", c.os, c.architecture),
        },
    }
}

/// Manifest fields other than the config and layer descriptors (those are compared by
/// content elsewhere), and shared layers stored as different blobs.
fn manifest_changes(a: &Image, b: &Image) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if let (Some(ma), Some(mb)) = (&a.manifest_bytes, &b.manifest_bytes) {
        let strip = |bytes: &[u8]| -> Value {
            let mut v: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.remove("config");
                o.remove("layers");
            }
            v
        };
        json_diff("manifest", &strip(ma), &strip(mb), &mut out);
    }
    for (i, la) in a.layers.iter().enumerate() {
        let Some(lb) = b.layers.get(i) else { break };
        // Docker archives do not name their blobs by digest; there is nothing to compare.
        if la.diff_id == lb.diff_id
            && la.digest.is_some()
            && lb.digest.is_some()
            && la.digest != lb.digest
        {
            out.push(FieldChange {
                field: format!("layers[{i}]"),
                a: Some(Value::String(blob_text(la))),
                b: Some(Value::String(blob_text(lb))),
            });
        }
    }
    out
}

fn blob_text(l: &bosun_oci::source::LayerInfo) -> String {
    match &l.digest {
        Some(d) => format!("{d} ({}, {} bytes)", l.media_type, l.size),
        None => format!("({}, {} bytes)", l.media_type, l.size),
    }
}

/// The raw configs, field by field. Layer diff ids are left to the layer comparison; env
/// entries are keyed by name; secrets are masked.
fn config_changes(a: &Image, b: &Image) -> Result<Vec<FieldChange>, Error> {
    let load = |image: &Image| -> Result<Value, Error> {
        let mut v: Value = serde_json::from_slice(&image.config_bytes)
            .map_err(|e| Error::Config(format!("config {}", image.config_digest), e.to_string()))?;
        if let Some(o) = v.as_object_mut() {
            o.remove("rootfs");
            // Docker's copy of the config of the container the last step ran in.
            o.remove("container_config");
            for key in ["config", "Config"] {
                if let Some(env) = o.get_mut(key).and_then(|c| c.get_mut("Env")) {
                    *env = env_object(env);
                }
            }
        }
        Ok(v)
    };
    let mut out = Vec::new();
    json_diff("", &load(a)?, &load(b)?, &mut out);
    for change in &mut out {
        let (field, a, b) = (&change.field, &mut change.a, &mut change.b);
        for value in [a, b].into_iter().flatten() {
            mask(field, value);
        }
    }
    Ok(out)
}

/// `["K=v", ...]` as `{"K": "v"}`, so that env changes show per variable.
fn env_object(env: &Value) -> Value {
    let mut map = serde_json::Map::new();
    for item in env.as_array().into_iter().flatten() {
        if let Some(kv) = item.as_str() {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            map.insert(k.to_string(), Value::String(v.to_string()));
        }
    }
    Value::Object(map)
}

fn mask(field: &str, value: &mut Value) {
    let Value::String(text) = value else {
        if let Value::Array(items) = value {
            for item in items {
                mask(field, item);
            }
        }
        return;
    };
    let name = field.rsplit('.').next().unwrap_or(field);
    *text = if field.ends_with("created_by") {
        redact_step(text)
    } else if (field.contains(".Env.") || field.contains(".Labels.")) && masked_value(name, text) {
        secrets::mask(text)
    } else {
        secrets::redact(text)
    };
}

/// Recursive field-by-field comparison: objects by key, arrays by position.
fn json_diff(at: &str, a: &Value, b: &Value, out: &mut Vec<FieldChange>) {
    if a == b {
        return;
    }
    let child = |key: &str| {
        if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => json_diff(&child(k), va, vb, out),
                    (va, vb) => out.push(FieldChange {
                        field: child(k),
                        a: va.cloned(),
                        b: vb.cloned(),
                    }),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let field = format!("{at}[{i}]");
                match (x.get(i), y.get(i)) {
                    (Some(va), Some(vb)) => json_diff(&field, va, vb, out),
                    (va, vb) => out.push(FieldChange {
                        field,
                        a: va.cloned(),
                        b: vb.cloned(),
                    }),
                }
            }
        }
        _ => out.push(FieldChange {
            field: at.to_string(),
            a: Some(a.clone()),
            b: Some(b.clone()),
        }),
    }
}

fn layer_diff(a: &Image, b: &Image) -> LayerDiff {
    let created_by = |image: &Image, index: usize| -> Option<String> {
        image
            .config
            .history
            .iter()
            .filter(|h| !h.empty_layer)
            .nth(index)
            .and_then(|h| h.created_by.as_deref())
            .map(redact_step)
    };
    let mut out = LayerDiff {
        common_base: a
            .layers
            .iter()
            .zip(&b.layers)
            .take_while(|(x, y)| x.diff_id == y.diff_id)
            .count(),
        ..LayerDiff::default()
    };
    let position = |image: &Image, diff_id| image.layers.iter().position(|l| &l.diff_id == diff_id);
    for (i, l) in a.layers.iter().enumerate() {
        let in_b = position(b, &l.diff_id);
        let r = LayerRef {
            diff_id: l.diff_id.to_string(),
            index_a: Some(i),
            index_b: in_b,
            size: l.size,
            created_by: created_by(a, i),
        };
        if in_b.is_some() {
            out.shared.push(r);
        } else {
            out.only_a.push(r);
        }
    }
    for (i, l) in b.layers.iter().enumerate() {
        if position(a, &l.diff_id).is_none() {
            out.only_b.push(LayerRef {
                diff_id: l.diff_id.to_string(),
                index_a: None,
                index_b: Some(i),
                size: l.size,
                created_by: created_by(b, i),
            });
        }
    }
    out
}

type Files = BTreeMap<String, FileState>;

/// The dpkg database files a filesystem holds: (path, content).
type Status = Vec<(String, Vec<u8>)>;

fn dpkg_file(path: &str) -> bool {
    path == "var/lib/dpkg/status"
        || path
            .strip_prefix("var/lib/dpkg/status.d/")
            .is_some_and(|name| !name.contains('/') && !name.ends_with(".md5sums"))
}

/// Which owners grew, shrank, appeared or went.
fn owner_changes(a: &Owners, b: &Owners) -> Vec<OwnerChange> {
    type Key = (OwnerKind, String);
    let index = |o: &Owners| -> BTreeMap<Key, (Option<String>, u64)> {
        o.packages
            .iter()
            .chain(&o.unowned)
            .map(|p| ((p.kind, p.name.clone()), (p.version.clone(), p.bytes)))
            .collect()
    };
    let (a, b) = (index(a), index(b));
    let keys: BTreeSet<&Key> = a.keys().chain(b.keys()).collect();
    let mut out: Vec<OwnerChange> = keys
        .into_iter()
        .filter_map(|key| {
            let (x, y) = (a.get(key), b.get(key));
            let delta = y.map_or(0, |v| v.1 as i64) - x.map_or(0, |v| v.1 as i64);
            let a_version = x.and_then(|v| v.0.clone());
            let b_version = y.and_then(|v| v.0.clone());
            let changed = delta != 0 || a_version != b_version || x.is_none() || y.is_none();
            changed.then(|| OwnerChange {
                kind: key.0,
                name: key.1.clone(),
                a_version,
                b_version,
                a_bytes: x.map(|v| v.1),
                b_bytes: y.map(|v| v.1),
                delta,
            })
        })
        .collect();
    out.sort_by(|p, q| {
        q.delta
            .unsigned_abs()
            .cmp(&p.delta.unsigned_abs())
            .then_with(|| (p.kind, &p.name).cmp(&(q.kind, &q.name)))
    });
    out
}

/// One side's final filesystem, dpkg database files and (when asked) bytes by owner.
type Stacked = (Files, Status, Owners);

/// Both final filesystems, reading each distinct layer once, all of them in parallel.
fn final_filesystems(a: &Image, b: &Image, with_owners: bool) -> Result<[Stacked; 2], Error> {
    let mut jobs: Vec<(&Image, usize)> = Vec::new();
    let mut seen = HashMap::new();
    for image in [a, b] {
        for (i, l) in image.layers.iter().enumerate() {
            seen.entry(l.diff_id.clone()).or_insert_with(|| {
                jobs.push((image, i));
                jobs.len() - 1
            });
        }
    }
    let options = ScanOptions {
        secrets: false,
        hash_content: true,
        verify: true,
        capture: Some(match with_owners {
            true => |p: &str| dpkg_file(p) || owners::owner_file(p),
            false => dpkg_file,
        }),
        ..ScanOptions::default()
    };
    let scans: Vec<LayerScan> = jobs
        .par_iter()
        .map(|&(image, i)| layer::scan(image, i, options))
        .collect::<Result<_, _>>()?;
    let stack = |image: &Image| -> Stacked {
        let layers: Vec<&LayerScan> = image
            .layers
            .iter()
            .map(|l| &scans[seen[&l.diff_id]])
            .collect();
        let entries: Vec<&[Entry]> = layers.iter().map(|s| s.entries.as_slice()).collect();
        let view = View::stack(&entries);
        let mut files = Files::new();
        let mut status = Status::new();
        for (path, &(l, i)) in &view.visible {
            let e = &entries[l][i];
            let mut state = FileState {
                kind: e.kind,
                size: e.size,
                mode: format!("{:04o}", e.mode & 0o7777),
                uid: e.uid,
                gid: e.gid,
                link: e.link.clone(),
                sha256: e.sha256.clone(),
                mtime: e.mtime,
            };
            if e.kind == Kind::Hardlink
                && let Some(target) = e.link.as_deref().and_then(bosun_fs::clean_path)
                && let Some(&(tl, ti)) = view.visible.get(&target)
            {
                state.size = entries[tl][ti].size;
                state.sha256 = entries[tl][ti].sha256.clone();
            }
            if dpkg_file(path)
                && let Some((_, bytes)) = layers[l].captured.iter().find(|(p, _)| p == path)
            {
                status.push((path.clone(), bytes.clone()));
            }
            files.insert(format!("/{path}"), state);
        }
        let owners = match with_owners {
            true => {
                let captured: Vec<&[(String, Vec<u8>)]> =
                    layers.iter().map(|s| s.captured.as_slice()).collect();
                owners::owners(&entries, &view, &captured)
            }
            false => Owners::default(),
        };
        (files, status, owners)
    };
    Ok([stack(a), stack(b)])
}

fn file_diff(a: &Files, b: &Files, times: bool) -> FileDiff {
    let mut out = FileDiff::default();
    for (path, x) in a {
        match b.get(path) {
            None => out.removed.push(FileRef {
                path: path.clone(),
                state: x.clone(),
            }),
            Some(y) => {
                let mut what = Vec::new();
                if x.kind != y.kind {
                    what.push("kind");
                }
                if x.sha256 != y.sha256 {
                    what.push("content");
                }
                if x.size != y.size && x.kind != Kind::Dir {
                    what.push("size");
                }
                if x.mode != y.mode {
                    what.push("mode");
                }
                if (x.uid, x.gid) != (y.uid, y.gid) {
                    what.push("owner");
                }
                if x.link != y.link {
                    what.push("link");
                }
                if times && x.mtime != y.mtime {
                    what.push("mtime");
                }
                if !what.is_empty() {
                    out.changed.push(FileChange {
                        path: path.clone(),
                        what,
                        a: x.clone(),
                        b: y.clone(),
                    });
                }
            }
        }
    }
    for (path, y) in b {
        if !a.contains_key(path) {
            out.added.push(FileRef {
                path: path.clone(),
                state: y.clone(),
            });
        }
    }
    out
}

/// Installed packages from the dpkg database files: (name, arch) -> version.
fn installed(status: &Status, notes: &mut Vec<String>) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for (path, bytes) in status {
        let text = String::from_utf8_lossy(bytes);
        let paragraphs = match bosun_deb::control::parse(&text) {
            Ok(p) => p,
            Err(e) => {
                notes.push(format!(
                    "/{path}: not a dpkg database ({e}); its packages are not compared"
                ));
                continue;
            }
        };
        for p in paragraphs {
            let (Some(name), Some(version)) = (p.get("Package"), p.get("Version")) else {
                continue;
            };
            // dpkg keeps removed-but-configured and half-installed packages in its status.
            if p.get("Status").is_some_and(|s| !s.ends_with(" installed")) {
                continue;
            }
            let arch = p.get("Architecture").unwrap_or("").to_string();
            out.insert((name.to_string(), arch), version.to_string());
        }
    }
    out
}

fn package_diff(a: &Status, b: &Status, notes: &mut Vec<String>) -> PackageDiff {
    let pa = installed(a, notes);
    let pb = installed(b, notes);
    let package = |(name, arch): &(String, String), version: &String| Package {
        name: name.clone(),
        architecture: arch.clone(),
        version: version.clone(),
    };
    let mut out = PackageDiff::default();
    for (key, va) in &pa {
        match pb.get(key) {
            None => out.removed.push(package(key, va)),
            Some(vb) if vb != va => {
                let newer = match (Version::parse(va), Version::parse(vb)) {
                    (Ok(x), Ok(y)) => y > x,
                    _ => vb > va,
                };
                out.changed.push(PackageChange {
                    name: key.0.clone(),
                    architecture: key.1.clone(),
                    a: va.clone(),
                    b: vb.clone(),
                    direction: if newer { "upgrade" } else { "downgrade" },
                });
            }
            Some(_) => {}
        }
    }
    for (key, vb) in &pb {
        if !pa.contains_key(key) {
            out.added.push(package(key, vb));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn configs_differ_field_by_field() {
        let mut out = Vec::new();
        json_diff(
            "",
            &json!({"config": {"User": "root", "Env": {"PATH": "/bin", "A": "1"}}, "history": [{"created": "x"}]}),
            &json!({"config": {"User": "app", "Env": {"PATH": "/bin"}}, "history": [{"created": "y"}, {"created": "z"}]}),
            &mut out,
        );
        let fields: Vec<&str> = out.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "config.Env.A",
                "config.User",
                "history[0].created",
                "history[1]"
            ]
        );
        assert_eq!(out[0].b, None);
    }

    #[test]
    fn secrets_in_config_changes_are_masked() {
        let mut v = Value::String("ghp_abcdefghijklmnopqrstuvwxyz0123456789".into());
        mask("config.Env.GITHUB_TOKEN", &mut v);
        assert_eq!(v, Value::String("ghp_… (40 chars)".into()));
        let mut v = Value::String("RUN curl https://ci:Hq7vT3kPz@git.internal/x".into());
        mask("history[1].created_by", &mut v);
        assert!(!v.as_str().unwrap().contains("Hq7vT3kPz"), "{v}");
    }

    #[test]
    fn packages_by_dpkg_order() {
        let status =
            |text: &str| vec![("var/lib/dpkg/status".to_string(), text.as_bytes().to_vec())];
        let a = status(
            "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\n\n\
             Package: gone\nStatus: install ok installed\nArchitecture: all\nVersion: 1.0\n\n\
             Package: half\nStatus: deinstall ok config-files\nArchitecture: all\nVersion: 1.0\n\n\
             Package: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a-1\n",
        );
        let b = status(
            "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u3\n\n\
             Package: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a-1~deb12u1\n\n\
             Package: new\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3\n",
        );
        let d = package_diff(&a, &b, &mut Vec::new());
        assert_eq!(
            d.added.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["new"]
        );
        assert_eq!(
            d.removed
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            ["gone"]
        );
        let changes: Vec<(&str, &str)> = d
            .changed
            .iter()
            .map(|c| (c.name.as_str(), c.direction))
            .collect();
        assert_eq!(changes, [("libc6", "upgrade"), ("tzdata", "downgrade")]);
    }
}
