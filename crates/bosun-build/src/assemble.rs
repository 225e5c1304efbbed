//! Turning `.deb` files into layer entries, and doing the few things maintainer scripts would
//! have done that matter in a container: merged-/usr, accounts, the CA bundle, and a dpkg
//! database in the distroless `status.d` layout so scanners and SBOM tools see every package.
//! Nothing from a package is ever executed.

use std::collections::BTreeMap;

use bosun_deb::Cache;
use bosun_deb::debfile::{self, ControlFiles, DataEntry, EntryKind as DebKind};
use bosun_oci::layer::{Entry, EntryKind, LayerBuilder};
use bosun_spec::{ACCOUNTS, LockedPackage};
use md5::{Digest as _, Md5};
use rayon::prelude::*;

use crate::Error;

/// Top-level directories that are symlinks into `/usr` on a merged-/usr system.
const MERGED: [&str; 4] = ["bin", "sbin", "lib", "lib64"];
/// Other legacy top-level directories some architectures use; mapped the same way.
const ALSO_MERGED: [&str; 3] = ["lib32", "libx32", "libo32"];

/// Options that change what goes into a package layer.
#[derive(Debug, Clone, Copy)]
pub struct AssembleOptions {
    /// Keep `/usr/share/doc`, man and info pages.
    pub keep_docs: bool,
}

/// The base filesystem every image's first layer carries.
pub fn skeleton(layer: &mut LayerBuilder) {
    for d in [
        "etc",
        "home",
        "root",
        "tmp",
        "usr",
        "usr/bin",
        "usr/lib",
        "usr/lib64",
        "usr/sbin",
        "var",
        "var/lib",
        "var/lib/dpkg",
        "var/lib/dpkg/status.d",
    ] {
        let mode = match d {
            "tmp" => 0o1777,
            "root" => 0o700,
            _ => 0o755,
        };
        layer.insert(Entry::dir(d, mode));
    }
    for d in MERGED {
        layer.insert(Entry::symlink(d, &format!("usr/{d}")));
    }
    for a in &ACCOUNTS {
        if a.id != 0 && a.home.starts_with("/home/") {
            layer.insert(Entry {
                uid: a.id,
                gid: a.id,
                ..Entry::dir(&a.home[1..], 0o700)
            });
        }
    }
    let passwd: String = ACCOUNTS
        .iter()
        .map(|a| {
            format!(
                "{n}:x:{i}:{i}:{n}:{h}:/sbin/nologin\n",
                n = a.name,
                i = a.id,
                h = a.home
            )
        })
        .collect();
    let group: String = ACCOUNTS
        .iter()
        .map(|a| format!("{}:x:{}:\n", a.name, a.id))
        .collect();
    layer.insert(Entry::file("etc/passwd", 0o644, passwd.into_bytes()));
    layer.insert(Entry::file("etc/group", 0o644, group.into_bytes()));
    layer.insert(Entry::file(
        "etc/nsswitch.conf",
        0o644,
        b"passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\nethers: files\nrpc: files\n".to_vec(),
    ));
}

/// A package read from the cache: its control files and data entries.
struct ReadPackage {
    name: String,
    control: ControlFiles,
    entries: Vec<DataEntry>,
}

/// Adds `packages` (in the given order; later ones win a path conflict) to `layer`.
/// `debs` holds each package's verified `.deb`.
pub fn add_packages(
    layer: &mut LayerBuilder,
    packages: &[&LockedPackage],
    debs: &Cache,
    options: AssembleOptions,
) -> Result<(), Error> {
    // Decompression is the expensive part: read packages in parallel, merge in order.
    let read: Vec<ReadPackage> = packages
        .par_iter()
        .map(|p| read_package(p, debs))
        .collect::<Result<_, _>>()?;
    for pkg in read {
        merge_package(layer, pkg, options)?;
    }
    if layer.get("usr/share/ca-certificates").is_some() {
        ca_bundle(layer);
    }
    Ok(())
}

/// Reads a package from its fast copy when there is one, else from its `.deb` (leaving a fast
/// copy for the next build).
fn read_package(p: &LockedPackage, debs: &Cache) -> Result<ReadPackage, Error> {
    let mut entries = Vec::new();
    let fast = debs.fast_deb_path(&p.sha256);
    if fast.exists() {
        match debfile::read_deb(&fast, |e| {
            entries.push(e);
            Ok(())
        }) {
            Ok(control) => {
                return Ok(ReadPackage {
                    name: p.name.clone(),
                    control,
                    entries,
                });
            }
            Err(e) => {
                tracing::warn!(package = %p.name, error = %e, "damaged fast copy; reading the .deb");
                entries.clear();
                let _ = std::fs::remove_file(&fast);
            }
        }
    }
    let read = debfile::read_deb_keeping_fast_copy(&debs.deb_path(&p.sha256), &fast, |e| {
        entries.push(e);
        Ok(())
    });
    let control = read.map_err(|e| Error::Package {
        package: format!("{} {}", p.name, p.version),
        source: e,
    })?;
    Ok(ReadPackage {
        name: p.name.clone(),
        control,
        entries,
    })
}

fn merge_package(
    layer: &mut LayerBuilder,
    pkg: ReadPackage,
    options: AssembleOptions,
) -> Result<(), Error> {
    let mut md5sums = String::new();
    for entry in pkg.entries {
        let Some(path) = merged_usr(&entry.path) else {
            continue;
        };
        if !options.keep_docs && is_doc(&path) {
            continue;
        }
        let kind = match entry.kind {
            DebKind::File(data) => {
                md5sums.push_str(&format!("{}  {path}\n", hex::encode(Md5::digest(&data))));
                EntryKind::File(data)
            }
            DebKind::Dir => {
                if layer.get(&path).is_some() {
                    continue; // keep the first owner's directory metadata
                }
                EntryKind::Dir
            }
            DebKind::Symlink(target) => {
                EntryKind::Symlink(relocate_link(&entry.path, &path, &target))
            }
            DebKind::Hardlink(target) => match merged_usr(&target) {
                Some(t) => EntryKind::Hardlink(t),
                None => continue,
            },
        };
        let new = Entry {
            path: path.clone(),
            kind,
            mode: entry.mode,
            uid: entry.uid,
            gid: entry.gid,
            mtime: entry.mtime,
        };
        if let Some(old) = layer.insert(new)
            && !matches!(old.kind, EntryKind::Dir)
        {
            tracing::debug!(
                path,
                package = pkg.name,
                "file shipped by two packages; the later one wins"
            );
        }
    }
    let mut control = pkg.control.get("control").cloned().unwrap_or_default();
    if !control.ends_with(b"\n") {
        control.push(b'\n');
    }
    let status_dir = "var/lib/dpkg/status.d";
    layer.insert(Entry::file(
        &format!("{status_dir}/{}", pkg.name),
        0o644,
        control,
    ));
    layer.insert(Entry::file(
        &format!("{status_dir}/{}.md5sums", pkg.name),
        0o644,
        md5sums.into_bytes(),
    ));
    Ok(())
}

/// Maps a package path onto merged-/usr: `bin/x` -> `usr/bin/x`. The top-level directories
/// themselves are the skeleton's symlinks, so packages' entries for them are dropped (`None`).
pub fn merged_usr(path: &str) -> Option<String> {
    for d in MERGED.iter().chain(&ALSO_MERGED) {
        if path == *d {
            return None;
        }
        if let Some(rest) = path.strip_prefix(d).and_then(|r| r.strip_prefix('/')) {
            return Some(format!("usr/{d}/{rest}"));
        }
    }
    Some(path.to_string())
}

/// Relative symlink targets are relative to the link's directory; when merged-/usr moved the
/// link, point the target at the same place from the new directory.
fn relocate_link(old_path: &str, new_path: &str, target: &str) -> String {
    if target.starts_with('/') || old_path == new_path {
        return target.to_string();
    }
    let old_dir = old_path.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = old_dir.split('/').filter(|s| !s.is_empty()).collect();
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let absolute = merged_usr(&parts.join("/")).unwrap_or_else(|| parts.join("/"));
    let new_dir: Vec<&str> = new_path
        .rsplit_once('/')
        .map_or("", |(d, _)| d)
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let target: Vec<&str> = absolute.split('/').collect();
    let common = new_dir
        .iter()
        .zip(&target)
        .take_while(|(a, b)| a == b)
        .count();
    let mut rel: Vec<&str> = vec![".."; new_dir.len() - common];
    rel.extend(&target[common..]);
    rel.join("/")
}

/// Documentation left out by default: `/usr/share/doc` except copyright files (and the
/// per-package directory symlinks), man and info pages.
fn is_doc(path: &str) -> bool {
    if let Some(rest) = path.strip_prefix("usr/share/doc/") {
        let depth = rest.matches('/').count();
        return !(depth == 0 || (depth == 1 && rest.ends_with("/copyright")));
    }
    [
        "usr/share/man/",
        "usr/share/info/",
        "usr/share/lintian/",
        "usr/share/linda/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// `/etc/ssl/certs/ca-certificates.crt` as `update-ca-certificates` would build it: every
/// certificate the package ships, sorted by path, concatenated. OpenSSL's default paths point
/// at it too, so TLS works even without the `openssl` package.
fn ca_bundle(layer: &mut LayerBuilder) {
    let mut bundle = Vec::new();
    let certs: BTreeMap<&str, &Vec<u8>> = layer
        .entries()
        .filter(|e| e.path.starts_with("usr/share/ca-certificates/") && e.path.ends_with(".crt"))
        .filter_map(|e| match &e.kind {
            EntryKind::File(d) => Some((e.path.as_str(), d)),
            _ => None,
        })
        .collect();
    for data in certs.values() {
        bundle.extend_from_slice(data);
        if !bundle.ends_with(b"\n") {
            bundle.push(b'\n');
        }
    }
    layer.insert(Entry::dir("etc/ssl", 0o755));
    layer.insert(Entry::dir("etc/ssl/certs", 0o755));
    layer.insert(Entry::file(
        "etc/ssl/certs/ca-certificates.crt",
        0o644,
        bundle,
    ));
    for (link, target) in [
        ("usr/lib/ssl/cert.pem", "/etc/ssl/certs/ca-certificates.crt"),
        ("usr/lib/ssl/certs", "/etc/ssl/certs"),
    ] {
        if layer.get(link).is_none() {
            layer.insert(Entry::symlink(link, target));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_usr_paths_and_links() {
        assert_eq!(merged_usr("bin/ls").as_deref(), Some("usr/bin/ls"));
        assert_eq!(merged_usr("lib"), None);
        assert_eq!(merged_usr("library/x").as_deref(), Some("library/x"));
        assert_eq!(merged_usr("usr/bin/x").as_deref(), Some("usr/bin/x"));
        assert_eq!(
            relocate_link(
                "lib/x86_64-linux-gnu/libz.so.1",
                "usr/lib/x86_64-linux-gnu/libz.so.1",
                "libz.so.1.3"
            ),
            "libz.so.1.3"
        );
        assert_eq!(
            relocate_link("sbin/foo", "usr/sbin/foo", "../usr/bin/bar"),
            "../bin/bar"
        );
        assert_eq!(
            relocate_link("lib64/ld.so", "usr/lib64/ld.so", "/lib/x/ld.so"),
            "/lib/x/ld.so"
        );
    }

    #[test]
    fn docs_filter() {
        assert!(!is_doc("usr/share/doc/libc6/copyright"));
        assert!(!is_doc("usr/share/doc/libc6"));
        assert!(is_doc("usr/share/doc/libc6/changelog.Debian.gz"));
        assert!(is_doc("usr/share/man/man1/ls.1.gz"));
        assert!(!is_doc("usr/share/zoneinfo/UTC"));
    }

    #[test]
    fn skeleton_has_accounts_and_tmp() {
        let mut l = LayerBuilder::new();
        skeleton(&mut l);
        let EntryKind::File(passwd) = &l.get("etc/passwd").unwrap().kind else {
            panic!()
        };
        assert!(String::from_utf8_lossy(passwd).contains("nonroot:x:65532:65532:"));
        assert_eq!(l.get("tmp").unwrap().mode, 0o1777);
        assert_eq!(l.get("home/nonroot").unwrap().uid, 65532);
        assert_eq!(
            l.get("bin").unwrap().kind,
            EntryKind::Symlink("usr/bin".into())
        );
    }
}
