//! Fixture Debian repositories: `.deb` files built here, indexes, and an `InRelease` signed by
//! a throwaway gpg key, laid out as a real archive (`dists/`, `pool/`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// A package to put in a fixture repository.
#[derive(Debug, Clone)]
pub struct Pkg {
    pub name: String,
    pub version: String,
    pub arch: String,
    pub fields: Vec<(String, String)>,
    pub files: Vec<(String, u32, Vec<u8>)>,
    pub symlinks: Vec<(String, String)>,
    /// `xz`, `gz`, `zst` or `none` for the data tarball.
    pub compression: String,
}

impl Pkg {
    pub fn new(name: &str, version: &str) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            arch: "amd64".into(),
            fields: Vec::new(),
            files: vec![(
                format!("usr/share/doc/{name}/copyright"),
                0o644,
                format!("{name} copyright\n").into_bytes(),
            )],
            symlinks: Vec::new(),
            compression: "xz".into(),
        }
    }
    pub fn field(mut self, name: &str, value: &str) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }
    pub fn depends(self, value: &str) -> Self {
        self.field("Depends", value)
    }
    pub fn arch(mut self, arch: &str) -> Self {
        self.arch = arch.into();
        self
    }
    pub fn file(mut self, path: &str, mode: u32, content: impl Into<Vec<u8>>) -> Self {
        self.files.push((path.into(), mode, content.into()));
        self
    }
    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        self.symlinks.push((path.into(), target.into()));
        self
    }
    pub fn compression(mut self, c: &str) -> Self {
        self.compression = c.into();
        self
    }
    fn control(&self) -> String {
        let mut c = format!(
            "Package: {}\nVersion: {}\nArchitecture: {}\nMaintainer: bosun tests <test@bosun.invalid>\n",
            self.name, self.version, self.arch
        );
        for (k, v) in &self.fields {
            c.push_str(&format!("{k}: {v}\n"));
        }
        c.push_str(&format!("Description: fixture package {}\n", self.name));
        c
    }
}

/// Builds `.deb` bytes.
pub struct DebBuilder;

impl DebBuilder {
    /// The `.deb` for `pkg`. `extra_data` entries are appended raw (for hostile archives).
    pub fn build(pkg: &Pkg, hostile_path: Option<&str>) -> Vec<u8> {
        let control = tar_bytes(|t| {
            append(t, "./", tar::EntryType::Directory, 0o755, b"", None);
            append(
                t,
                "./control",
                tar::EntryType::Regular,
                0o644,
                pkg.control().as_bytes(),
                None,
            );
        });
        let data = tar_bytes(|t| {
            append(t, "./", tar::EntryType::Directory, 0o755, b"", None);
            let mut dirs = std::collections::BTreeSet::new();
            for (path, _, _) in &pkg.files {
                let mut p = path.as_str();
                while let Some((parent, _)) = p.rsplit_once('/') {
                    dirs.insert(parent.to_string());
                    p = parent;
                }
            }
            for (path, _) in &pkg.symlinks {
                if let Some((parent, _)) = path.rsplit_once('/') {
                    dirs.insert(parent.to_string());
                }
            }
            for d in dirs {
                append(
                    t,
                    &format!("./{d}/"),
                    tar::EntryType::Directory,
                    0o755,
                    b"",
                    None,
                );
            }
            for (path, mode, content) in &pkg.files {
                append(
                    t,
                    &format!("./{path}"),
                    tar::EntryType::Regular,
                    *mode,
                    content,
                    None,
                );
            }
            for (path, target) in &pkg.symlinks {
                append(
                    t,
                    &format!("./{path}"),
                    tar::EntryType::Symlink,
                    0o777,
                    b"",
                    Some(target),
                );
            }
            if let Some(evil) = hostile_path {
                raw_append(t, evil, b"pwned");
            }
        });
        let (suffix, data) = compress(&pkg.compression, data);
        let mut out = Vec::new();
        {
            let mut ar = ar::Builder::new(&mut out);
            for (name, bytes) in [
                ("debian-binary".to_string(), b"2.0\n".to_vec()),
                ("control.tar.gz".into(), compress("gz", control).1),
                (format!("data.tar{suffix}"), data),
            ] {
                let header = ar::Header::new(name.into_bytes(), bytes.len() as u64);
                ar.append(&header, &bytes[..]).expect("ar");
            }
        }
        out
    }
}

fn tar_bytes(f: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut t = tar::Builder::new(Vec::new());
    f(&mut t);
    t.into_inner().expect("tar")
}

fn append(
    t: &mut tar::Builder<Vec<u8>>,
    path: &str,
    kind: tar::EntryType,
    mode: u32,
    data: &[u8],
    link: Option<&str>,
) {
    let mut h = tar::Header::new_gnu();
    h.set_path(path).expect("path");
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(data.len() as u64);
    h.set_mtime(1_700_000_000);
    h.set_uid(0);
    h.set_gid(0);
    if let Some(l) = link {
        h.set_link_name(l).expect("link");
    }
    h.set_cksum();
    t.append(&h, data).expect("append");
}

/// Writes a header with a path the tar crate would refuse (`../x`, `/etc/x`).
fn raw_append(t: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    let name = &mut h.as_old_mut().name;
    name[..path.len()].copy_from_slice(path.as_bytes());
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_size(data.len() as u64);
    h.set_cksum();
    t.append(&h, data).expect("append");
}

fn compress(kind: &str, data: Vec<u8>) -> (&'static str, Vec<u8>) {
    match kind {
        "gz" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(&data).expect("gz");
            (".gz", e.finish().expect("gz"))
        }
        "zst" => (".zst", zstd::encode_all(&data[..], 3).expect("zstd")),
        "none" => ("", data),
        _ => {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
            e.write_all(&data).expect("xz");
            (".xz", e.finish().expect("xz"))
        }
    }
}

/// A signed fixture repository on disk.
pub struct FixtureRepo {
    pub dir: tempfile::TempDir,
    gnupg: tempfile::TempDir,
    /// The public keyring that verifies this repository.
    pub keyring: PathBuf,
}

impl Default for FixtureRepo {
    fn default() -> Self {
        Self::new()
    }
}

impl FixtureRepo {
    /// A new, empty repository with its own signing key.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let gnupg = tempfile::Builder::new()
            .prefix("g")
            .tempdir_in("/tmp")
            .expect("gnupg home");
        gpg(
            gnupg.path(),
            &[
                "--quick-gen-key",
                "bosun fixture <fixture@bosun.invalid>",
                "ed25519",
                "sign",
                "1y",
            ],
        );
        let keyring = dir.path().join("keyring.gpg");
        let out = gpg(gnupg.path(), &["--export"]);
        std::fs::write(&keyring, out).expect("keyring");
        Self {
            dir,
            gnupg,
            keyring,
        }
    }

    /// The repository root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `packages` into `pool/` and the suite's indexes and signed `InRelease`.
    pub fn publish(&self, suite: &str, packages: &[Pkg]) {
        self.publish_with(suite, packages, &[], 7 * 86_400);
    }

    /// Like [`publish`](Self::publish), with hostile data paths per package name and a
    /// `Valid-Until` that many seconds from now (negative: already expired).
    pub fn publish_with(
        &self,
        suite: &str,
        packages: &[Pkg],
        hostile: &[(&str, &str)],
        valid_for: i64,
    ) {
        let mut by_arch: std::collections::BTreeMap<String, String> =
            std::collections::BTreeMap::new();
        for arch in ["amd64", "arm64", "all"] {
            by_arch.insert(arch.into(), String::new());
        }
        for p in packages {
            let evil = hostile
                .iter()
                .find(|(n, _)| *n == p.name)
                .map(|(_, path)| *path);
            let deb = DebBuilder::build(p, evil);
            let rel = format!(
                "pool/main/{}/{}_{}_{}.deb",
                &p.name[..1],
                p.name,
                p.version.replace(':', "%3a"),
                p.arch
            );
            let path = self.root().join(&rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &deb).unwrap();
            let mut para = p.control();
            para.push_str(&format!(
                "Filename: {rel}\nSize: {}\nSHA256: {}\n\n",
                deb.len(),
                hex::encode(Sha256::digest(&deb))
            ));
            by_arch
                .get_mut(&p.arch)
                .expect("known arch")
                .push_str(&para);
        }
        let dist = self.root().join("dists").join(suite);
        let mut sums = String::new();
        for (arch, text) in &by_arch {
            let dir = format!("main/binary-{arch}");
            std::fs::create_dir_all(dist.join(&dir)).unwrap();
            for (name, bytes) in [
                ("Packages".to_string(), text.as_bytes().to_vec()),
                (
                    "Packages.xz".into(),
                    compress("xz", text.as_bytes().to_vec()).1,
                ),
                (
                    "Packages.gz".into(),
                    compress("gz", text.as_bytes().to_vec()).1,
                ),
            ] {
                std::fs::write(dist.join(&dir).join(&name), &bytes).unwrap();
                sums.push_str(&format!(
                    " {} {} {dir}/{name}\n",
                    hex::encode(Sha256::digest(&bytes)),
                    bytes.len()
                ));
            }
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let release = format!(
            "Origin: bosun\nLabel: bosun fixture\nSuite: {suite}\nCodename: {suite}\nDate: {}\nValid-Until: {}\nArchitectures: amd64 arm64 all\nComponents: main\nSHA256:\n{sums}",
            rfc2822(now - 60),
            rfc2822(now + valid_for)
        );
        std::fs::write(dist.join("Release"), &release).unwrap();
        let _ = std::fs::remove_file(dist.join("InRelease"));
        gpg(
            self.gnupg.path(),
            &[
                "--clearsign",
                "-o",
                dist.join("InRelease").to_str().unwrap(),
                dist.join("Release").to_str().unwrap(),
            ],
        );
    }
}

fn gpg(home: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("gpg")
        .arg("--homedir")
        .arg(home)
        .args([
            "--batch",
            "--yes",
            "--quiet",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
        ])
        .args(args)
        .output()
        .expect("gpg is installed (scripts/test installs gnupg)");
    assert!(
        out.status.success(),
        "gpg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn rfc2822(secs: i64) -> String {
    let out = Command::new("date")
        .args(["-u", "-R", "-d", &format!("@{secs}")])
        .output()
        .expect("date");
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .replace("+0000", "UTC")
}
