//! Who owns the bytes of an image's final filesystem: Debian packages (the dpkg database's
//! file lists, or a distroless `status.d/<pkg>.md5sums`), Python distributions
//! (`*.dist-info/RECORD`), npm packages (`node_modules/<name>/`), bosun's build steps
//! (`var/lib/bosun/steps/<step>.list`), and what nobody owns, grouped by directory. Each visible regular file counts once, for its first claimant in
//! that order, so owned plus unowned bytes are the filesystem's total.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::layer::{Entry, Kind};
use crate::view::View;

/// How [`Owners::file_owner`] names an owner: a Debian package by its name, others with
/// their kind (`flask (python)`); an unowned directory by nothing.
pub fn label(kind: OwnerKind, name: &str) -> String {
    match kind {
        OwnerKind::Deb => name.to_string(),
        OwnerKind::Python => format!("{name} (python)"),
        OwnerKind::Npm => format!("{name} (npm)"),
        OwnerKind::Step => format!("{name} (build step)"),
        OwnerKind::Unowned => String::new(),
    }
}

/// Whether the layer pass should keep a file's contents for [`owners`].
pub fn owner_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path == "var/lib/dpkg/status"
        || path
            .strip_prefix("var/lib/dpkg/status.d/")
            .is_some_and(|n| !n.contains('/'))
        || path
            .strip_prefix("var/lib/dpkg/info/")
            .is_some_and(|n| !n.contains('/') && n.ends_with(".list"))
        || (name == "RECORD" && parent_name(path).is_some_and(|d| d.ends_with(".dist-info")))
        || (name == "package.json" && npm_package_dir(path).is_some_and(|d| d == parent(path)))
        || step_list(path).is_some()
}

/// The step whose file list `path` is.
fn step_list(path: &str) -> Option<&str> {
    path.strip_prefix(bosun_oci::model::STEP_LISTS)?
        .strip_suffix(".list")
        .filter(|n| !n.is_empty() && !n.contains('/'))
}

/// What kind of owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OwnerKind {
    /// A Debian package.
    Deb,
    /// A Python distribution.
    Python,
    /// An npm package.
    Npm,
    /// A build step's outputs.
    Step,
    /// Files no package claims, by directory.
    Unowned,
}

/// One owner and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    /// What kind.
    pub kind: OwnerKind,
    /// Package name, or the directory (`/app`) of unowned files.
    pub name: String,
    /// Version, when the package says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Visible regular files.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The layer holding most of its bytes.
    pub layer: Option<usize>,
    /// Bytes per layer.
    pub layers: BTreeMap<usize, u64>,
    /// Debian packages of the image that depend on it (directly, or on a name it provides).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_by: Option<Vec<String>>,
}

impl Owner {
    /// Nothing in the image depends on it: a candidate for removal.
    pub fn is_leaf(&self) -> bool {
        self.required_by.as_ref().is_some_and(|r| r.is_empty())
    }
}

/// A file a later layer hid: its bytes are stored but nobody sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HiddenFile {
    /// The path, with a leading `/`.
    pub path: String,
    /// Bytes.
    pub bytes: u64,
    /// The layer that holds it.
    pub layer: usize,
    /// The layer that replaced or deleted it.
    pub hidden_by: usize,
    /// Who owns the path in the final filesystem, if anyone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// Bytes by owner.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Owners {
    /// Bytes of every visible regular file.
    pub total_bytes: u64,
    /// Of which packages own.
    pub owned_bytes: u64,
    /// Of which nobody owns.
    pub unowned_bytes: u64,
    /// Packages, biggest first.
    pub packages: Vec<Owner>,
    /// Unowned files by directory, biggest first.
    pub unowned: Vec<Owner>,
    /// Bytes stored in layers but hidden by later ones.
    pub hidden_bytes: u64,
    /// Those files, biggest first.
    pub hidden: Vec<HiddenFile>,
    /// Each owned visible file's owner (`libc6`, `attrs (python)`), for [`tree`].
    #[serde(skip)]
    pub file_owner: HashMap<String, String>,
}

/// A node of the size tree: image → layer → owner → directory → file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// Its name (a layer's is `layer N`).
    #[serde(rename = "n")]
    pub name: String,
    /// Bytes below it.
    #[serde(rename = "b")]
    pub bytes: u64,
    /// Children, biggest first.
    #[serde(rename = "c", skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

/// Children one directory keeps before the rest are summed into one node.
const TREE_WIDTH: usize = 100;

/// The size tree of the visible files, for the treemap: per layer, per owner, then the path.
pub fn tree(name: &str, layers: &[&[Entry]], view: &View, owners: &Owners) -> Node {
    #[derive(Default)]
    struct Building {
        bytes: u64,
        children: BTreeMap<String, Building>,
    }
    impl Building {
        fn finish(self, name: String) -> Node {
            let mut children: Vec<Node> = self
                .children
                .into_iter()
                .map(|(n, b)| b.finish(n))
                .collect();
            children.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
            if children.len() > TREE_WIDTH {
                let rest = children.split_off(TREE_WIDTH - 1);
                children.push(Node {
                    name: format!("({} more)", rest.len()),
                    bytes: rest.iter().map(|n| n.bytes).sum(),
                    children: Vec::new(),
                });
            }
            Node {
                name,
                bytes: self.bytes,
                children,
            }
        }
    }
    let mut root = Building::default();
    for (path, &(l, i)) in &view.visible {
        let e = &layers[l][i];
        if e.kind != Kind::File || e.size == 0 {
            continue;
        }
        let owner = owners
            .file_owner
            .get(path)
            .cloned()
            .unwrap_or_else(|| "(unowned)".into());
        let mut node = &mut root;
        node.bytes += e.size;
        for step in [format!("layer {l}"), owner]
            .into_iter()
            .chain(path.split('/').map(str::to_string))
        {
            node = node.children.entry(step).or_default();
            node.bytes += e.size;
        }
    }
    root.finish(name.to_string())
}

/// Attributes the final filesystem of `layers` (stacked as `view`) to owners. `captured` holds
/// each layer's captured files ([`owner_file`]).
pub fn owners(layers: &[&[Entry]], view: &View, captured: &[&[(String, Vec<u8>)]]) -> Owners {
    let entry = |path: &str| view.visible.get(path).map(|&(l, i)| (l, &layers[l][i]));
    // Each layer's captured files by path, indexed once: a package's list is looked up per
    // package, and a Debian image has hundreds of them.
    let by_path: Vec<HashMap<&str, &[u8]>> = captured
        .iter()
        .map(|files| {
            files
                .iter()
                .map(|(p, b)| (p.as_str(), b.as_slice()))
                .collect()
        })
        .collect();
    let content = |path: &str| -> Option<&str> {
        let &(l, _) = view.visible.get(path)?;
        std::str::from_utf8(by_path[l].get(path)?).ok()
    };
    let mut claims: HashMap<String, usize> = HashMap::new();
    let mut list: Vec<(OwnerKind, String, Option<String>)> = Vec::new();
    let claim = |owner: usize, path: &str, claims: &mut HashMap<String, usize>| {
        if let Some(real) = resolve(layers, view, path)
            && entry(&real).is_some_and(|(_, e)| e.kind == Kind::File)
        {
            claims.entry(real).or_insert(owner);
        }
    };

    // Debian packages, with what depends on what.
    let debs = installed(&view.visible, &content);
    for p in &debs {
        let owner = list.len();
        list.push((OwnerKind::Deb, p.name.clone(), Some(p.version.clone())));
        for path in p.files(&content) {
            claim(owner, &path, &mut claims);
        }
    }
    // Python distributions.
    for path in view.visible.keys() {
        let Some(dist) = parent_name(path).filter(|_| path.ends_with("/RECORD")) else {
            continue;
        };
        let Some(dist) = dist.strip_suffix(".dist-info") else {
            continue;
        };
        let Some(text) = content(path) else { continue };
        let (name, version) = dist.split_once('-').unwrap_or((dist, ""));
        let owner = list.len();
        list.push((
            OwnerKind::Python,
            name.to_string(),
            (!version.is_empty()).then(|| version.to_string()),
        ));
        let site = parent(parent(path));
        for line in text.lines() {
            let file = record_path(line);
            if !file.is_empty() {
                claim(owner, &format!("{site}/{file}"), &mut claims);
            }
        }
    }
    // Build steps: the files their lists name.
    for path in view.visible.keys() {
        let Some(step) = step_list(path) else {
            continue;
        };
        let Some(text) = content(path) else { continue };
        let owner = list.len();
        list.push((OwnerKind::Step, step.to_string(), None));
        claim(owner, path, &mut claims);
        for file in text.lines().filter(|l| l.starts_with('/')) {
            claim(owner, &file[1..], &mut claims);
        }
    }
    // npm packages: what is under node_modules/<name>/ and no deeper package.
    let mut npm: BTreeMap<String, usize> = BTreeMap::new();
    for (path, &(l, i)) in &view.visible {
        if layers[l][i].kind != Kind::File || claims.contains_key(path) {
            continue;
        }
        let Some(dir) = npm_package_dir(path) else {
            continue;
        };
        let owner = *npm.entry(dir.to_string()).or_insert_with(|| {
            let name = dir.rsplit_once("node_modules/").map_or(dir, |(_, n)| n);
            let version = content(&format!("{dir}/package.json"))
                .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
                .and_then(|v| v["version"].as_str().map(str::to_string));
            list.push((OwnerKind::Npm, name.to_string(), version));
            list.len() - 1
        });
        claims.insert(path.clone(), owner);
    }

    let mut out = Owners::default();
    let mut held: Vec<Owner> = list
        .iter()
        .map(|(kind, name, version)| Owner {
            kind: *kind,
            name: name.clone(),
            version: version.clone(),
            files: 0,
            bytes: 0,
            layer: None,
            layers: BTreeMap::new(),
            required_by: None,
        })
        .collect();
    let mut unowned: BTreeMap<String, Owner> = BTreeMap::new();
    for (path, &(l, i)) in &view.visible {
        let e = &layers[l][i];
        if e.kind != Kind::File {
            continue;
        }
        out.total_bytes += e.size;
        let owner = match claims.get(path) {
            Some(&o) => {
                out.owned_bytes += e.size;
                &mut held[o]
            }
            None => {
                out.unowned_bytes += e.size;
                let dir = format!("/{}", parent(path));
                unowned.entry(dir.clone()).or_insert_with(|| Owner {
                    kind: OwnerKind::Unowned,
                    name: dir,
                    version: None,
                    files: 0,
                    bytes: 0,
                    layer: None,
                    layers: BTreeMap::new(),
                    required_by: None,
                })
            }
        };
        owner.files += 1;
        owner.bytes += e.size;
        *owner.layers.entry(l).or_default() += e.size;
    }
    // What depends on each Debian package, by name or by a virtual name it provides (the
    // first owners are the packages, in the same order).
    for (o, d) in held.iter_mut().zip(&debs) {
        let names: BTreeSet<&str> = std::iter::once(d.name.as_str())
            .chain(d.provides.iter().map(String::as_str))
            .collect();
        let users = debs
            .iter()
            .filter(|u| u.name != d.name && u.depends.iter().any(|n| names.contains(n.as_str())))
            .map(|u| u.name.clone())
            .collect();
        o.required_by = Some(users);
    }
    let finish = |mut owners: Vec<Owner>| {
        for o in &mut owners {
            o.layer = o
                .layers
                .iter()
                .max_by_key(|&(l, b)| (*b, std::cmp::Reverse(*l)))
                .map(|(l, _)| *l);
        }
        owners.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
        owners
    };
    out.file_owner = claims
        .iter()
        .map(|(path, &o)| {
            let (kind, name, _) = &list[o];
            (path.clone(), label(*kind, name))
        })
        .collect();
    out.packages = finish(
        held.into_iter()
            .filter(|o| o.files > 0 || o.kind == OwnerKind::Deb)
            .collect(),
    );
    out.unowned = finish(unowned.into_values().collect());
    for &((l, i), by) in &view.hidden {
        let e = &layers[l][i];
        out.hidden_bytes += e.size;
        out.hidden.push(HiddenFile {
            path: format!("/{}", e.path),
            bytes: e.size,
            layer: l,
            hidden_by: by,
            owner: claims.get(&e.path).map(|&o| list[o].1.clone()),
        });
    }
    out.hidden
        .sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.path.cmp(&b.path)));
    out
}

/// Bytes per directory, cumulative, for every directory down to `depth` components.
pub fn by_dir(layers: &[&[Entry]], view: &View, depth: usize) -> Vec<(String, u64, u64)> {
    let mut dirs: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (path, &(l, i)) in &view.visible {
        let e = &layers[l][i];
        if e.kind != Kind::File {
            continue;
        }
        let parts: Vec<&str> = path.split('/').collect();
        for d in 1..parts.len().min(depth + 1) {
            let slot = dirs
                .entry(format!("/{}", parts[..d].join("/")))
                .or_default();
            slot.0 += 1;
            slot.1 += e.size;
        }
    }
    let mut out: Vec<(String, u64, u64)> = dirs.into_iter().map(|(d, (f, b))| (d, f, b)).collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    out
}

/// An installed Debian package and where its file list is.
struct Installed {
    name: String,
    version: String,
    arch: String,
    depends: BTreeSet<String>,
    provides: Vec<String>,
    /// `status.d/<name>` (distroless) rather than `status` with `info/`.
    distroless: bool,
}

impl Installed {
    /// The paths its list names (`info/<pkg>[:arch].list`, or the md5sums of `status.d`).
    fn files<'a>(&self, content: &impl Fn(&str) -> Option<&'a str>) -> Vec<String> {
        if self.distroless {
            let text =
                content(&format!("var/lib/dpkg/status.d/{}.md5sums", self.name)).or_else(|| {
                    content(&format!(
                        "var/lib/dpkg/status.d/{}:{}.md5sums",
                        self.name, self.arch
                    ))
                });
            return text
                .into_iter()
                .flat_map(str::lines)
                .filter_map(|l| l.split_once(char::is_whitespace))
                .map(|(_, path)| path.trim().trim_start_matches('/').to_string())
                .collect();
        }
        let text = content(&format!(
            "var/lib/dpkg/info/{}:{}.list",
            self.name, self.arch
        ))
        .or_else(|| content(&format!("var/lib/dpkg/info/{}.list", self.name)));
        text.into_iter()
            .flat_map(str::lines)
            .map(|l| l.trim().trim_start_matches('/').to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }
}

fn installed<'a>(
    visible: &BTreeMap<String, (usize, usize)>,
    content: &impl Fn(&str) -> Option<&'a str>,
) -> Vec<Installed> {
    let mut out = Vec::new();
    let mut read = |text: &str, distroless: bool| {
        let Ok(paragraphs) = bosun_deb::control::parse(text) else {
            return;
        };
        for p in paragraphs {
            if p.get("Status")
                .is_some_and(|s| !s.trim_end().ends_with(" installed"))
            {
                continue;
            }
            let Some(name) = p.get("Package") else {
                continue;
            };
            let names = |field: &str| -> Vec<String> {
                bosun_deb::packages::parse_relations(p.get(field).unwrap_or(""))
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .map(|atom| atom.name)
                    .collect()
            };
            let mut depends: BTreeSet<String> = names("Depends").into_iter().collect();
            depends.extend(names("Pre-Depends"));
            out.push(Installed {
                name: name.to_string(),
                version: p.get("Version").unwrap_or("").to_string(),
                arch: p.get("Architecture").unwrap_or("").to_string(),
                depends,
                provides: names("Provides"),
                distroless,
            });
        }
    };
    if let Some(text) = content("var/lib/dpkg/status") {
        read(text, false);
    }
    for path in visible.keys() {
        if let Some(n) = path.strip_prefix("var/lib/dpkg/status.d/")
            && !n.contains('/')
            && !n.ends_with(".md5sums")
            && let Some(text) = content(path)
        {
            read(text, true);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    out
}

/// The path of a visible entry that `path` names, following symlinked directories on the way
/// (`bin/ls` is `usr/bin/ls` in a merged-/usr image). The last component is not followed.
fn resolve(layers: &[&[Entry]], view: &View, path: &str) -> Option<String> {
    let mut path = bosun_fs::clean_path(path)?;
    // Bounded, as the kernel bounds symlink hops.
    for _ in 0..40 {
        if view.visible.contains_key(&path) {
            return Some(path);
        }
        let parts: Vec<&str> = path.split('/').collect();
        let mut next = None;
        for d in 1..parts.len() {
            let prefix = parts[..d].join("/");
            let &(l, i) = view.visible.get(&prefix)?;
            let e = &layers[l][i];
            if e.kind == Kind::Symlink
                && let Some(target) = &e.link
            {
                let base = match target.starts_with('/') {
                    true => target.clone(),
                    false => format!("{}/{target}", parent(&prefix)),
                };
                next = Some(format!("{base}/{}", parts[d..].join("/")));
                break;
            }
        }
        path = bosun_fs::clean_path(&next?)?;
    }
    None
}

/// The first field of a RECORD line (CSV; a path with a comma is quoted).
fn record_path(line: &str) -> String {
    match line.strip_prefix('"') {
        Some(rest) => {
            let mut out = String::new();
            let mut chars = rest.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, chars.peek()) {
                    ('"', Some('"')) => {
                        out.push('"');
                        chars.next();
                    }
                    ('"', _) => break,
                    (c, _) => out.push(c),
                }
            }
            out
        }
        None => line.split(',').next().unwrap_or("").to_string(),
    }
}

/// `a/node_modules/@s/n` for `a/node_modules/@s/n/lib/x.js`: the innermost package directory.
fn npm_package_dir(path: &str) -> Option<&str> {
    let at = path.rfind("node_modules/")? + "node_modules/".len();
    let rest = &path[at..];
    let mut parts = rest.splitn(3, '/');
    let first = parts.next()?;
    let len = match first.starts_with('@') {
        true => first.len() + 1 + parts.next()?.len(),
        false => first.len(),
    };
    // A file directly in node_modules (`.package-lock.json`) belongs to no package.
    parts.next()?;
    Some(&path[..at + len])
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn parent_name(path: &str) -> Option<&str> {
    parent(path).rsplit('/').next().filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::testing::{file, link};

    #[test]
    fn every_byte_has_one_owner_or_a_directory() {
        let status = "Package: libc6\nStatus: install ok installed\nVersion: 2.41\nArchitecture: amd64\n\nPackage: hello\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\nDepends: libc6 (>= 2.34)\n";
        let base = vec![
            link("bin", "usr/bin"),
            file("usr/bin/hello", 100),
            file("usr/lib/libc.so.6", 1000),
            file("var/lib/dpkg/status", status.len() as u64),
            file("var/lib/dpkg/info/hello.list", 20),
            file("var/lib/dpkg/info/libc6:amd64.list", 30),
            file("etc/big.conf", 7),
        ];
        let app = vec![
            file("app/site/requests-2.32.dist-info/RECORD", 50),
            file("app/site/requests/__init__.py", 40),
            file("app/node_modules/@s/n/index.js", 9),
            file("app/node_modules/@s/n/node_modules/left-pad/index.js", 3),
            file("app/main.py", 5),
            file("etc/big.conf", 8),
        ];
        let layers: Vec<&[Entry]> = vec![&base, &app];
        let view = View::stack(&layers);
        let cap0 = vec![
            (
                "var/lib/dpkg/status".to_string(),
                status.as_bytes().to_vec(),
            ),
            (
                "var/lib/dpkg/info/hello.list".into(),
                b"/.\n/bin\n/bin/hello\n".to_vec(),
            ),
            (
                "var/lib/dpkg/info/libc6:amd64.list".into(),
                b"/usr/lib/libc.so.6\n/var/lib/dpkg/status\n".to_vec(),
            ),
        ];
        let cap1 = vec![(
            "app/site/requests-2.32.dist-info/RECORD".to_string(),
            b"requests/__init__.py,sha256=x,40\nrequests-2.32.dist-info/RECORD,,\n".to_vec(),
        )];
        let o = owners(&layers, &view, &[&cap0, &cap1]);
        let bytes = |name: &str| o.packages.iter().find(|p| p.name == name).map(|p| p.bytes);
        assert_eq!(bytes("hello"), Some(100), "through the merged-/usr link");
        assert_eq!(bytes("libc6"), Some(1000 + status.len() as u64));
        assert_eq!(bytes("requests"), Some(90));
        assert_eq!(bytes("@s/n"), Some(9));
        assert_eq!(bytes("left-pad"), Some(3));
        assert_eq!(o.owned_bytes + o.unowned_bytes, o.total_bytes);
        let dirs: Vec<(&str, u64)> = o
            .unowned
            .iter()
            .map(|u| (u.name.as_str(), u.bytes))
            .collect();
        assert_eq!(dirs, [("/var/lib/dpkg/info", 50), ("/etc", 8), ("/app", 5)]);
        let libc = o.packages.iter().find(|p| p.name == "libc6").unwrap();
        assert_eq!(
            libc.required_by.as_deref(),
            Some(&["hello".to_string()][..])
        );
        assert!(
            o.packages
                .iter()
                .find(|p| p.name == "hello")
                .unwrap()
                .is_leaf()
        );
        assert_eq!(o.hidden_bytes, 7);
        assert_eq!((o.hidden[0].layer, o.hidden[0].hidden_by), (0, 1));
    }

    #[test]
    fn names_and_paths() {
        assert_eq!(record_path("\"a,b.py\",sha256=x,1"), "a,b.py");
        assert_eq!(
            npm_package_dir("x/node_modules/a/b.js"),
            Some("x/node_modules/a")
        );
        assert_eq!(
            npm_package_dir("node_modules/@s/n/p/q.js"),
            Some("node_modules/@s/n")
        );
        assert_eq!(npm_package_dir("node_modules/.package-lock.json"), None);
        assert!(owner_file("var/lib/dpkg/info/libc6:amd64.list"));
        assert!(owner_file(
            "usr/lib/python3/dist-packages/x-1.dist-info/RECORD"
        ));
        assert!(owner_file("app/node_modules/a/package.json"));
        assert!(!owner_file("app/node_modules/a/lib/package.json"));
    }
}
