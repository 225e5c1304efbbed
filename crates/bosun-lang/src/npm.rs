//! `package-lock.json` (lockfile versions 2 and 3): the `node_modules` tree `npm ci
//! --omit=dev --ignore-scripts` would lay out, for the image's platform.
//!
//! The lock's `packages` map is the tree itself, keyed by install path. bosun walks it from
//! the root package the way Node resolves `require` (a dependency of `a/node_modules/b` is
//! looked for in `a/node_modules/b/node_modules`, then each `node_modules` above), so only
//! what production needs is installed; optional packages whose `os`, `cpu` or `libc` rule
//! out the image are left out with what only they need. A tarball's URL is its `resolved`
//! field, or (npm's `omit-lockfile-registry-resolved` leaves it out) the registry
//! configured for its scope; every tarball is checked against its `integrity`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Read;
use std::path::Path;

use bosun_oci::layer::Entry;
use serde::Deserialize;

use crate::{Error, Integrity, safe_relative};

/// Where tarballs come from when the lock does not say.
#[derive(Debug, Clone, Default)]
pub struct Registries {
    /// The default registry (`registry=` in `.npmrc`).
    pub default: Option<String>,
    /// Registries by scope (`@scope:registry=`).
    pub scoped: BTreeMap<String, String>,
}

impl Registries {
    /// Takes the registry settings of an `.npmrc` (`registry=`, `@scope:registry=`); a
    /// later file overrides an earlier one, as npm layers its configuration files.
    pub fn read_npmrc(&mut self, text: &str) {
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with(['#', ';']) {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim(), value.trim().trim_matches('"'));
            if value.is_empty() || value.contains("${") {
                continue;
            }
            if key == "registry" {
                self.default = Some(value.to_string());
            } else if let Some(scope) = key.strip_suffix(":registry").filter(|s| s.starts_with('@'))
            {
                self.scoped.insert(scope.to_string(), value.to_string());
            }
        }
    }
}

/// What to take from the lock.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Install `devDependencies` too.
    pub dev: bool,
    /// Packages whose install scripts may be skipped (installed as if `--ignore-scripts`).
    pub ignore_scripts: Vec<String>,
    /// Packages whose install scripts run in a sandboxed build step.
    pub build: Vec<String>,
}

/// The lifecycle scripts npm runs when it installs a package, in order.
pub const INSTALL_SCRIPTS: [&str; 3] = ["preinstall", "install", "postinstall"];

/// The install scripts of an unpacked package, from its `package.json`, in the order npm
/// runs them: `(event, command)`.
pub fn install_scripts(package_json: &[u8]) -> Vec<(&'static str, String)> {
    let Ok(manifest) = serde_json::from_slice::<serde_json::Value>(package_json) else {
        return Vec::new();
    };
    INSTALL_SCRIPTS
        .iter()
        .filter_map(|event| {
            let command = manifest["scripts"][event].as_str()?;
            Some((*event, command.to_string()))
        })
        .collect()
}

/// One package to install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Install path, such as `node_modules/@rollup/rollup-linux-x64-gnu`.
    pub path: String,
    /// Package name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Tarball URL (empty for a link).
    pub url: String,
    /// The lock's integrity (for a link, none).
    pub integrity: Option<Integrity>,
    /// `bin` entries: command name to file inside the package.
    pub bin: BTreeMap<String, String>,
    /// For a link (`link: true`), the directory it points at, relative to the project.
    pub link: Option<String>,
    /// Names of the packages it needs.
    pub depends: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Lock {
    #[serde(default)]
    lockfile_version: u32,
    #[serde(default)]
    packages: BTreeMap<String, Entry_>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry_ {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    resolved: Option<String>,
    #[serde(default)]
    integrity: Option<String>,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    in_bundle: bool,
    #[serde(default)]
    has_install_script: bool,
    #[serde(default)]
    os: Vec<String>,
    #[serde(default)]
    cpu: Vec<String>,
    #[serde(default)]
    libc: Vec<String>,
    #[serde(default)]
    bin: Option<serde_json::Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, String>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, String>,
    #[serde(default)]
    peer_dependencies: BTreeMap<String, String>,
}

/// Node's `process.arch` for a Debian architecture.
pub fn cpu(debian_arch: &str) -> Option<&'static str> {
    Some(match debian_arch {
        "amd64" => "x64",
        "arm64" => "arm64",
        "armhf" | "armel" => "arm",
        "i386" => "ia32",
        "ppc64el" => "ppc64",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "mips64el" => "mips64el",
        _ => return None,
    })
}

/// npm's rule for `os`, `cpu` and `libc` lists: `!x` excludes, and a list with positive
/// entries must name the value.
fn allows(list: &[String], value: &str) -> bool {
    if list.iter().any(|v| v.strip_prefix('!') == Some(value)) {
        return false;
    }
    let positive: Vec<&String> = list.iter().filter(|v| !v.starts_with('!')).collect();
    positive.is_empty() || positive.iter().any(|v| *v == value || *v == "any")
}

/// The name a lock path installs: what follows its last `node_modules/`.
fn name_of(path: &str) -> &str {
    path.rsplit_once("node_modules/").map_or(path, |(_, n)| n)
}

/// Where Node finds `name` from a package installed at `from`.
fn lookup<'a, T>(packages: &'a BTreeMap<String, T>, from: &str, name: &str) -> Option<&'a str> {
    let mut base = from.to_string();
    loop {
        let candidate = match base.is_empty() {
            true => format!("node_modules/{name}"),
            false => format!("{base}/node_modules/{name}"),
        };
        if let Some((k, _)) = packages.get_key_value(&candidate) {
            return Some(k.as_str());
        }
        if base.is_empty() {
            return None;
        }
        base = match base.rfind("/node_modules/") {
            Some(i) => base[..i].to_string(),
            None => String::new(),
        };
    }
}

/// The packages to install from the `package-lock.json` text at `path` for Debian
/// architecture `arch`, sorted by install path.
pub fn lock(
    path: &Path,
    text: &str,
    arch: &str,
    registries: &Registries,
    selection: &Selection,
) -> Result<Vec<Package>, Error> {
    let invalid = |message: String| Error::Lockfile {
        path: path.to_path_buf(),
        message,
    };
    let lock: Lock = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
    if !(2..=3).contains(&lock.lockfile_version) {
        return Err(invalid(format!(
            "lockfileVersion {} is not one bosun reads (2 or 3: written by npm 7 or newer)",
            lock.lockfile_version
        )));
    }
    let cpu = cpu(arch).ok_or_else(|| invalid(format!("no Node.js architecture for {arch}")))?;
    if !lock.packages.contains_key("") {
        return Err(invalid("no root package (\"\" in packages)".into()));
    }
    let fits =
        |e: &Entry_| allows(&e.os, "linux") && allows(&e.cpu, cpu) && allows(&e.libc, "glibc");
    // Breadth first from the root: each install path reached, with the names it needs.
    let mut reached: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut queue: VecDeque<String> = VecDeque::from([String::new()]);
    while let Some(at) = queue.pop_front() {
        if reached.contains_key(&at) {
            continue;
        }
        // A link's dependencies are its target's, found from where the target is.
        let own = &lock.packages[&at];
        let from = match (own.link, &own.resolved) {
            (true, Some(target)) => target.clone(),
            _ => at.clone(),
        };
        let entry = lock.packages.get(&from).unwrap_or(own);
        let mut edges: Vec<(&String, bool)> = Vec::new();
        edges.extend(entry.dependencies.keys().map(|n| (n, true)));
        edges.extend(entry.optional_dependencies.keys().map(|n| (n, false)));
        edges.extend(entry.peer_dependencies.keys().map(|n| (n, false)));
        if at.is_empty() && selection.dev {
            edges.extend(entry.dev_dependencies.keys().map(|n| (n, true)));
        }
        let mut deps = BTreeSet::new();
        for (name, required) in edges {
            let Some(found) = lookup(&lock.packages, &from, name) else {
                if required {
                    return Err(invalid(format!(
                        "{} needs {name}, which the lock does not hold (run `npm install`)",
                        if at.is_empty() {
                            "the project"
                        } else {
                            name_of(&at)
                        }
                    )));
                }
                continue;
            };
            let dep = &lock.packages[found];
            if !fits(dep) {
                if required && !entry.optional_dependencies.contains_key(name) {
                    return Err(invalid(format!(
                        "{name} is for {} and the image is linux/{cpu} (glibc)",
                        describe(dep)
                    )));
                }
                continue;
            }
            deps.insert(name.clone());
            if !reached.contains_key(found) {
                queue.push_back(found.to_string());
            }
        }
        reached.insert(at, deps);
    }
    let mut out = Vec::new();
    for (at, deps) in reached {
        if at.is_empty() {
            continue;
        }
        let e = &lock.packages[&at];
        let name = e.name.clone().unwrap_or_else(|| name_of(&at).to_string());
        if e.link {
            let target = e.resolved.clone().unwrap_or_default();
            if safe_relative(&target).is_none() {
                return Err(invalid(format!(
                    "{at} links to {target:?}, outside the project"
                )));
            }
            out.push(Package {
                path: at.clone(),
                name,
                version: String::new(),
                url: String::new(),
                integrity: None,
                bin: BTreeMap::new(),
                link: Some(target),
                depends: deps.into_iter().collect(),
            });
            continue;
        }
        // Workspace packages live in the project (copied with the app); bundled ones come in
        // their parent's tarball.
        if !at.contains("node_modules/") || e.in_bundle {
            continue;
        }
        if safe_relative(&at).as_deref() != Some(at.as_str()) {
            return Err(invalid(format!("install path {at:?} leaves node_modules")));
        }
        let version = e
            .version
            .clone()
            .ok_or_else(|| invalid(format!("{at} has no version")))?;
        if e.has_install_script
            && !selection.ignore_scripts.contains(&name)
            && !selection.build.contains(&name)
        {
            return Err(invalid(format!(
                "{name} {version} has an install script, which bosun runs only in a sandboxed build step: list it in the image's `node = {{ build = [\"{name}\"] }}` to run it there, or in `ignore_scripts` to install it without"
            )));
        }
        let url = match &e.resolved {
            Some(r) if r.starts_with("https://") || r.starts_with("http://") => r.clone(),
            Some(r) => {
                return Err(invalid(format!(
                    "{name} {version} comes from {r}, which bosun does not fetch (registry tarballs only)"
                )));
            }
            None => {
                let scope = name
                    .split_once('/')
                    .map(|(s, _)| s)
                    .filter(|s| s.starts_with('@'));
                let registry = scope
                    .and_then(|s| registries.scoped.get(s))
                    .or(registries.default.as_ref())
                    .ok_or_else(|| {
                        invalid(format!(
                            "{name} has no `resolved` URL and no npm registry is configured (`registry=` in .npmrc, NPM_CONFIG_REGISTRY, or the spec's `registry`)"
                        ))
                    })?;
                let base = name.rsplit('/').next().unwrap_or(&name);
                format!(
                    "{}/{name}/-/{base}-{version}.tgz",
                    registry.trim_end_matches('/')
                )
            }
        };
        let integrity = e
            .integrity
            .as_deref()
            .and_then(Integrity::parse)
            .ok_or_else(|| invalid(format!("{name} {version} has no integrity hash")))?;
        let bin = match &e.bin {
            Some(serde_json::Value::Object(map)) => map
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect(),
            Some(serde_json::Value::String(file)) => BTreeMap::from([(
                name.rsplit('/').next().unwrap_or(&name).to_string(),
                file.clone(),
            )]),
            _ => BTreeMap::new(),
        };
        out.push(Package {
            path: at.clone(),
            name,
            version,
            url,
            integrity: Some(integrity),
            bin,
            link: None,
            depends: deps.into_iter().collect(),
        });
    }
    Ok(out)
}

fn describe(e: &Entry_) -> String {
    let mut parts = Vec::new();
    for (what, list) in [("os", &e.os), ("cpu", &e.cpu), ("libc", &e.libc)] {
        if !list.is_empty() {
            parts.push(format!("{what} {}", list.join("/")));
        }
    }
    parts.join(", ")
}

/// Biggest file bosun unpacks from a tarball (bytes).
const MAX_FILE: u64 = 1 << 30;

/// Unpacks the tarball `bytes` of `pkg` under `root` (the directory holding the app's
/// `node_modules`, relative, such as `app`). Links inside the tarball are skipped, as npm
/// skips them; a path leaving the package is an error.
pub fn install(bytes: &[u8], pkg: &Package, root: &str) -> Result<Vec<Entry>, Error> {
    let file = format!("{}-{}.tgz", pkg.name, pkg.version);
    let archive = |message: String| Error::Archive {
        package: pkg.name.clone(),
        file: file.clone(),
        message,
    };
    if let Some(integrity) = &pkg.integrity {
        let actual = integrity.digest(bytes);
        if actual != integrity.hex {
            return Err(Error::Hash {
                package: pkg.name.clone(),
                file: file.clone(),
                against: format!("the lockfile's {}", integrity.algorithm),
                expected: integrity.hex.clone(),
                actual,
            });
        }
    }
    let dir = join(root, &pkg.path);
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut files: BTreeMap<String, Entry> = BTreeMap::new();
    let entries = tar
        .entries()
        .map_err(|e| archive(format!("not a gzip tarball: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| archive(format!("broken tarball: {e}")))?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        // The first component is the package's folder (`package/`, whatever its name).
        let inner = raw
            .trim_start_matches("./")
            .split_once('/')
            .map(|(_, r)| r)
            .unwrap_or("");
        if inner.is_empty() && kind.is_dir() {
            continue;
        }
        let Some(rel) = safe_relative(inner) else {
            return Err(archive(format!("entry {raw:?} leaves the package")));
        };
        if !kind.is_file() {
            continue; // directories come with their files; links and devices are skipped
        }
        if entry.size() > MAX_FILE {
            return Err(archive(format!("entry {raw:?} is {} bytes", entry.size())));
        }
        let mode = entry.header().mode().unwrap_or(0o644);
        let mut data = Vec::with_capacity(entry.size() as usize);
        entry
            .by_ref()
            .take(MAX_FILE + 1)
            .read_to_end(&mut data)
            .map_err(|e| archive(format!("entry {raw:?}: {e}")))?;
        let path = format!("{dir}/{rel}");
        let mode = if mode & 0o111 != 0 { 0o755 } else { 0o644 };
        files.insert(path.clone(), Entry::file(&path, mode, data));
    }
    // Commands: their files are executable, as npm makes them.
    for file in pkg.bin.values() {
        let Some(rel) = safe_relative(file) else {
            return Err(archive(format!("bin {file:?} leaves the package")));
        };
        if let Some(e) = files.get_mut(&format!("{dir}/{rel}")) {
            e.mode = 0o755;
        }
    }
    Ok(files.into_values().collect())
}

/// The `node_modules/.bin` links and workspace links of the installed packages.
pub fn links(packages: &[Package], root: &str) -> Result<Vec<Entry>, Error> {
    let mut out = Vec::new();
    for p in packages {
        if let Some(target) = &p.link {
            let from_dir = parent(&p.path);
            out.push(Entry::symlink(
                &join(root, &p.path),
                &crate::relative(from_dir, target),
            ));
            continue;
        }
        let bin_dir = match p.path.rfind("node_modules/") {
            Some(i) => format!("{}node_modules/.bin", &p.path[..i]),
            None => continue,
        };
        for (command, file) in &p.bin {
            let command = command.rsplit('/').next().unwrap_or(command);
            let (Some(file), true) = (
                safe_relative(file),
                !command.is_empty() && command != "." && command != "..",
            ) else {
                return Err(Error::Archive {
                    package: p.name.clone(),
                    file: "package-lock.json".into(),
                    message: format!("bin {command:?} -> {file:?} is not a safe link"),
                });
            };
            let target = crate::relative(&bin_dir, &format!("{}/{file}", p.path));
            out.push(Entry::symlink(
                &join(root, &format!("{bin_dir}/{command}")),
                &target,
            ));
        }
    }
    Ok(out)
}

fn join(root: &str, path: &str) -> String {
    match root.trim_matches('/') {
        "" => path.to_string(),
        r => format!("{r}/{path}"),
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_oci::layer::EntryKind;

    const SHA: &str = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";

    fn lockfile() -> String {
        format!(
            r#"{{"name":"app","lockfileVersion":3,"requires":true,"packages":{{
  "":{{"name":"app","dependencies":{{"express":"4.21.2","rollup":"4.34.8","@scope/lib":"1.0.0"}},"devDependencies":{{"left-pad":"1.3.0"}}}},
  "node_modules/express":{{"version":"4.21.2","integrity":"{SHA}","dependencies":{{"mime":"1.6.0","debug":"2.6.9"}}}},
  "node_modules/mime":{{"version":"1.6.0","integrity":"{SHA}","bin":{{"mime":"cli.js"}}}},
  "node_modules/debug":{{"version":"4.4.0","integrity":"{SHA}"}},
  "node_modules/express/node_modules/debug":{{"version":"2.6.9","integrity":"{SHA}","dependencies":{{"ms":"2.0.0"}}}},
  "node_modules/express/node_modules/ms":{{"version":"2.0.0","integrity":"{SHA}"}},
  "node_modules/rollup":{{"version":"4.34.8","integrity":"{SHA}","bin":{{"rollup":"dist/bin/rollup"}},"optionalDependencies":{{"@rollup/rollup-linux-x64-gnu":"4.34.8","@rollup/rollup-linux-x64-musl":"4.34.8","@rollup/rollup-linux-arm64-gnu":"4.34.8","fsevents":"2.3.3"}}}},
  "node_modules/@rollup/rollup-linux-x64-gnu":{{"version":"4.34.8","integrity":"{SHA}","cpu":["x64"],"os":["linux"],"libc":["glibc"],"optional":true}},
  "node_modules/@rollup/rollup-linux-x64-musl":{{"version":"4.34.8","integrity":"{SHA}","cpu":["x64"],"os":["linux"],"libc":["musl"],"optional":true}},
  "node_modules/@rollup/rollup-linux-arm64-gnu":{{"version":"4.34.8","integrity":"{SHA}","cpu":["arm64"],"os":["linux"],"libc":["glibc"],"optional":true}},
  "node_modules/fsevents":{{"version":"2.3.3","integrity":"{SHA}","os":["darwin"],"optional":true,"hasInstallScript":true}},
  "node_modules/@scope/lib":{{"version":"1.0.0","integrity":"{SHA}"}},
  "node_modules/left-pad":{{"version":"1.3.0","integrity":"{SHA}","dev":true}}
}}}}"#
        )
    }

    fn registries() -> Registries {
        Registries {
            default: Some("https://npm.example/".into()),
            scoped: BTreeMap::from([("@scope".into(), "https://scoped.example/r".into())]),
        }
    }

    #[test]
    fn lays_out_production_for_the_platform() {
        let path = Path::new("package-lock.json");
        let x64 = lock(
            path,
            &lockfile(),
            "amd64",
            &registries(),
            &Selection::default(),
        )
        .unwrap();
        let paths: Vec<&str> = x64.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "node_modules/@rollup/rollup-linux-x64-gnu",
                "node_modules/@scope/lib",
                "node_modules/express",
                "node_modules/express/node_modules/debug",
                "node_modules/express/node_modules/ms",
                "node_modules/mime",
                "node_modules/rollup",
            ]
        );
        assert_eq!(
            x64[1].url,
            "https://scoped.example/r/@scope/lib/-/lib-1.0.0.tgz"
        );
        assert_eq!(
            x64[2].url,
            "https://npm.example/express/-/express-4.21.2.tgz"
        );
        assert_eq!(x64[2].depends, ["debug", "mime"]);
        let arm = lock(
            path,
            &lockfile(),
            "arm64",
            &registries(),
            &Selection::default(),
        )
        .unwrap();
        assert!(
            arm.iter()
                .any(|p| p.name == "@rollup/rollup-linux-arm64-gnu")
        );
        assert!(!arm.iter().any(|p| p.name.contains("x64")));
        let dev = lock(
            path,
            &lockfile(),
            "amd64",
            &registries(),
            &Selection {
                dev: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(dev.iter().any(|p| p.name == "left-pad"));
        let links = links(&x64, "app").unwrap();
        let mime = links
            .iter()
            .find(|e| e.path == "app/node_modules/.bin/mime")
            .unwrap();
        assert_eq!(mime.kind, EntryKind::Symlink("../mime/cli.js".into()));
    }

    #[test]
    fn refuses_what_it_cannot_install() {
        let path = Path::new("app/package-lock.json");
        let text = lockfile();
        let err = lock(
            path,
            &text.replace(
                "\"node_modules/mime\":{\"version\":\"1.6.0\",",
                "\"node_modules/mime\":{\"version\":\"1.6.0\",\"hasInstallScript\":true,",
            ),
            "amd64",
            &registries(),
            &Selection::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("mime 1.6.0 has an install script"), "{err}");
        assert!(err.contains("build = [\"mime\"]"), "{err}");
        assert_eq!(
            install_scripts(
                br#"{"scripts":{"postinstall":"node x.js","test":"t","preinstall":"echo"}}"#
            ),
            [
                ("preinstall", "echo".to_string()),
                ("postinstall", "node x.js".to_string())
            ]
        );
        let ok = Selection {
            ignore_scripts: vec!["mime".into()],
            ..Default::default()
        };
        assert!(
            lock(
                path,
                &text.replace(
                    "\"node_modules/mime\":{\"version\":\"1.6.0\",",
                    "\"node_modules/mime\":{\"version\":\"1.6.0\",\"hasInstallScript\":true,"
                ),
                "amd64",
                &registries(),
                &ok
            )
            .is_ok()
        );
        let err = lock(
            path,
            &text,
            "amd64",
            &Registries::default(),
            &Selection::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no npm registry is configured"), "{err}");
        let err = lock(
            path,
            &text.replace("\"lockfileVersion\":3", "\"lockfileVersion\":1"),
            "amd64",
            &registries(),
            &Selection::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("lockfileVersion 1"), "{err}");
        let err = lock(
            path,
            &text.replace("\"node_modules/mime\":{", "\"node_modules/mimeX\":{"),
            "amd64",
            &registries(),
            &Selection::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("express needs mime"), "{err}");
        let err = lock(
            path,
            &text.replace(
                "{\"version\":\"1.0.0\",",
                "{\"version\":\"1.0.0\",\"cpu\":[\"s390x\"],",
            ),
            "amd64",
            &registries(),
            &Selection::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("@scope/lib is for cpu s390x"), "{err}");
    }

    fn tarball(entries: &[(&str, &[u8], u32)], symlink: Option<(&str, &str)>) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        {
            let mut tar = tar::Builder::new(&mut gz);
            for (path, data, mode) in entries {
                let mut h = tar::Header::new_gnu();
                h.set_size(data.len() as u64);
                h.set_mode(*mode);
                h.set_entry_type(tar::EntryType::Regular);
                // Write the name raw so hostile paths stay hostile.
                h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
                h.set_cksum();
                tar.append(&h, *data).unwrap();
            }
            if let Some((path, target)) = symlink {
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                tar.append_link(&mut h, path, target).unwrap();
            }
            tar.finish().unwrap();
        }
        gz.finish().unwrap()
    }

    fn pkg(bytes: &[u8]) -> Package {
        let digest = Integrity {
            algorithm: "sha512".into(),
            hex: String::new(),
        };
        Package {
            path: "node_modules/mime".into(),
            name: "mime".into(),
            version: "1.6.0".into(),
            url: String::new(),
            integrity: Some(Integrity {
                hex: digest.digest(bytes),
                ..digest
            }),
            bin: BTreeMap::from([("mime".into(), "cli.js".into())]),
            link: None,
            depends: vec![],
        }
    }

    #[test]
    fn unpacks_tarballs_safely() {
        let good = tarball(
            &[
                ("package/package.json", b"{}", 0o644),
                ("package/cli.js", b"x", 0o644),
                ("package/lib/run.sh", b"x", 0o775),
            ],
            Some(("package/evil", "/etc/passwd")),
        );
        let entries = install(&good, &pkg(&good), "app").unwrap();
        let paths: Vec<(&str, u32)> = entries.iter().map(|e| (e.path.as_str(), e.mode)).collect();
        assert_eq!(
            paths,
            [
                ("app/node_modules/mime/cli.js", 0o755),
                ("app/node_modules/mime/lib/run.sh", 0o755),
                ("app/node_modules/mime/package.json", 0o644)
            ]
        );
        let bad = tarball(&[("package/../../etc/x", b"x", 0o644)], None);
        let err = install(&bad, &pkg(&bad), "app").unwrap_err().to_string();
        assert!(err.contains("leaves the package"), "{err}");
        let mut wrong = pkg(&good);
        wrong.integrity.as_mut().unwrap().hex = "00".repeat(64);
        let err = install(&good, &wrong, "app").unwrap_err().to_string();
        assert!(
            err.starts_with("mime: mime-1.6.0.tgz does not match the lockfile's sha512"),
            "{err}"
        );
        assert!(install(b"junk", &pkg(b"junk"), "app").is_err());
    }

    #[test]
    fn reads_npmrc() {
        let mut r = Registries::default();
        r.read_npmrc("registry=https://a.example/\n@corp:registry = https://corp.example/npm\n//a.example/:_authToken=${TOKEN}\n; comment\n");
        r.read_npmrc("registry=\"https://b.example/\"\n");
        assert_eq!(r.default.as_deref(), Some("https://b.example/"));
        assert_eq!(r.scoped["@corp"], "https://corp.example/npm");
    }

    #[test]
    fn relative_links() {
        assert_eq!(
            crate::relative("node_modules/.bin", "node_modules/@s/x/bin/x.js"),
            "../@s/x/bin/x.js"
        );
        assert_eq!(
            crate::relative("node_modules", "packages/y"),
            "../packages/y"
        );
    }
}
