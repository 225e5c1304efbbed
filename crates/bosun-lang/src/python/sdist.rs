//! Source distributions, for a build step to make wheels of: the archive checked against
//! the lockfile's hash and unpacked (first component stripped) as the step's sources, and
//! the PEP 517 front end the step runs.

use std::io::Read;

use bosun_oci::layer::Entry;

use super::Dist;
use crate::{Error, safe_relative};

/// Biggest file bosun unpacks from a source distribution (bytes).
const MAX_FILE: u64 = 1 << 30;

/// A PEP 517 front end for Debian's `python3`: reads `[build-system]` from
/// `pyproject.toml` (setuptools' legacy backend without one), imports the backend from the
/// environment (no isolation, no downloads: the step is offline) and builds one wheel into
/// `/out`.
pub const BUILD_WHEEL: &str = r#"
import importlib, os, sys, tomllib
system = {}
if os.path.exists("pyproject.toml"):
    with open("pyproject.toml", "rb") as f:
        system = tomllib.load(f).get("build-system", {})
backend = system.get("build-backend", "setuptools.build_meta:__legacy__")
sys.path[:0] = [os.path.abspath(p) for p in system.get("backend-path", [])]
module, _, attr = backend.partition(":")
try:
    hooks = importlib.import_module(module)
except ImportError as e:
    sys.exit(f"build backend {backend} is not in the build environment ({e}); requires: {system.get('requires', [])}")
for part in filter(None, attr.split(".")):
    hooks = getattr(hooks, part)
print("built", hooks.build_wheel("/out"))
"#;

/// The files of the source distribution `bytes` of `dist`, relative to its top directory,
/// after checking its hash. Links are skipped (a build that needs one is rare, and a link
/// could lead out); a path leaving the archive is an error.
pub fn unpack(bytes: &[u8], dist: &Dist) -> Result<Vec<Entry>, Error> {
    let file = &dist.file.filename;
    let archive = |message: String| Error::Archive {
        package: dist.name.clone(),
        file: file.clone(),
        message,
    };
    let actual = dist.file.hash.digest(bytes);
    if actual != dist.file.hash.hex {
        return Err(Error::Hash {
            package: dist.name.clone(),
            file: file.clone(),
            against: format!("the lockfile's {}", dist.file.hash.algorithm),
            expected: dist.file.hash.hex.clone(),
            actual,
        });
    }
    let mut out = Vec::new();
    let mut add = |raw: &str, mode: u32, data: Vec<u8>| -> Result<(), Error> {
        let inner = raw
            .trim_start_matches("./")
            .split_once('/')
            .map(|(_, r)| r)
            .unwrap_or("");
        if inner.is_empty() {
            return Ok(());
        }
        let rel = safe_relative(inner)
            .ok_or_else(|| archive(format!("entry {raw:?} leaves the archive")))?;
        let mode = if mode & 0o111 != 0 { 0o755 } else { 0o644 };
        out.push(Entry::file(&rel, mode, data));
        Ok(())
    };
    if file.ends_with(".zip") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| archive(format!("not a zip archive: {e}")))?;
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| archive(format!("broken zip archive: {e}")))?;
            if !entry.is_file() || entry.size() > MAX_FILE {
                continue;
            }
            let raw = entry.name().to_string();
            let mode = entry.unix_mode().unwrap_or(0o644);
            let mut data = Vec::with_capacity(entry.size() as usize);
            entry
                .read_to_end(&mut data)
                .map_err(|e| archive(format!("entry {raw:?}: {e}")))?;
            add(&raw, mode, data)?;
        }
    } else {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        let entries = tar
            .entries()
            .map_err(|e| archive(format!("not a gzip tarball: {e}")))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| archive(format!("broken tarball: {e}")))?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            if !entry.header().entry_type().is_file() {
                // Directories come with their files; links and devices are skipped. A path
                // that leaves is refused all the same.
                if safe_relative(raw.trim_start_matches("./")).is_none() {
                    return Err(archive(format!("entry {raw:?} leaves the archive")));
                }
                continue;
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
            add(&raw, mode, data)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Integrity;
    use crate::python::File;
    use sha2::Digest as _;

    fn dist(filename: &str, bytes: &[u8]) -> Dist {
        Dist {
            name: "pkg".into(),
            version: "1.0".into(),
            file: File {
                filename: filename.into(),
                url: format!("https://files.example/{filename}"),
                hash: Integrity::sha256(&hex::encode(sha2::Sha256::digest(bytes))),
                size: None,
            },
            depends: vec![],
        }
    }

    fn tarball(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // Written raw: the tar crate refuses to write `..` itself.
            h.as_gnu_mut().unwrap().name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn unpacks_checked_and_contained() {
        let good = tarball(&[("pkg-1.0/setup.py", b"x"), ("pkg-1.0/pkg/__init__.py", b"")]);
        let entries = unpack(&good, &dist("pkg-1.0.tar.gz", &good)).unwrap();
        let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["setup.py", "pkg/__init__.py"]);

        let mut other = dist("pkg-1.0.tar.gz", &good);
        other.file.hash = Integrity::sha256(&"0".repeat(64));
        let err = unpack(&good, &other).unwrap_err().to_string();
        assert!(err.contains("sha256"), "{err}");

        let hostile = tarball(&[("pkg-1.0/../../etc/passwd", b"x")]);
        let err = unpack(&hostile, &dist("pkg-1.0.tar.gz", &hostile))
            .unwrap_err()
            .to_string();
        assert!(err.contains("leaves the archive"), "{err}");
    }
}
