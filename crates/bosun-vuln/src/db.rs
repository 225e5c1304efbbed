//! The advisory database: downloaded by `bosun db update`, read by `bosun scan`.
//!
//! ```text
//! <db>/meta.json                what was fetched from where, and when
//! <db>/debian/<release>.tsv     the tracker's entries of one release (tracker::TrackerEntry lines)
//! <db>/osv/<ecosystem>.tsv      OSV advisories per package (osv::OsvEntry lines)
//! ```
//!
//! Every file is replaced atomically, `meta.json` after the data it describes, and an update
//! holds `<db>/.lock`, so a scan running beside an update reads one generation of each file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bosun_deb::Fetcher;
use serde::{Deserialize, Serialize};

use crate::osv::{self, OsvEntry};
use crate::tracker::{self, TrackerEntry};
use crate::{Ecosystem, Error};

/// The Security Tracker's documented JSON export.
pub const DEFAULT_TRACKER_URL: &str = "https://security-tracker.debian.org/tracker/data/json";
/// The root of OSV's documented per-ecosystem exports (`<root>/<Ecosystem>/all.zip`).
pub const DEFAULT_OSV_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// Where to download from.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The tracker's JSON export.
    pub tracker: String,
    /// OSV's export root.
    pub osv: String,
    /// The OSV ecosystems to fetch.
    pub ecosystems: Vec<Ecosystem>,
}

/// What the database holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Meta {
    /// One entry per source, the newest fetch of each.
    pub sources: Vec<SourceMeta>,
}

/// One downloaded source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// `debian`, or the OSV ecosystem (`pypi`, `npm`, `go`, `crates.io`).
    pub name: Ecosystem,
    /// Where it came from.
    pub url: String,
    /// When it was fetched (Unix seconds).
    pub fetched: i64,
    /// Advisories read (tracker: issues × releases; OSV: records).
    pub records: usize,
    /// Tracker: the releases it covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub releases: Vec<String>,
}

/// An opened database.
#[derive(Debug)]
pub struct Db {
    dir: PathBuf,
    /// What it holds.
    pub meta: Meta,
}

fn meta_path(dir: &Path) -> PathBuf {
    dir.join("meta.json")
}

fn read_meta(dir: &Path) -> Result<Option<Meta>, Error> {
    let path = meta_path(dir);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::invalid(path.display(), e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    bosun_fs::write_atomic(path, text.as_bytes()).map_err(|e| Error::io(path, e))
}

/// A release codename the export uses, safe as a file name.
fn release_file(dir: &Path, release: &str) -> Option<PathBuf> {
    let ok = !release.is_empty()
        && release
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then(|| dir.join("debian").join(format!("{release}.tsv")))
}

fn osv_file(dir: &Path, ecosystem: Ecosystem) -> PathBuf {
    dir.join("osv")
        .join(format!("{}.tsv", ecosystem.osv_name()))
}

/// Downloads every source into `dir`, one after another, and indexes it. `progress` hears
/// what is being fetched. A source that fails stops the update with its error; the sources
/// done before it stay updated.
pub fn update(
    dir: &Path,
    sources: &Sources,
    fetcher: &Fetcher,
    now: i64,
    progress: &dyn Fn(&str),
) -> Result<Meta, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let _lock = bosun_fs::LockedFile::exclusive(&dir.join(".lock"))
        .map_err(|e| Error::io(dir.join(".lock"), e))?;
    let mut meta = read_meta(dir)?.unwrap_or_default();
    let record = |meta: &mut Meta, source: SourceMeta| -> Result<(), Error> {
        meta.sources.retain(|s| s.name != source.name);
        meta.sources.push(source);
        meta.sources.sort_by_key(|s| s.name);
        write(
            &meta_path(dir),
            &serde_json::to_string_pretty(meta).expect("meta serializes"),
        )
    };

    progress(&sources.tracker);
    let mut temp = download(dir, fetcher, &sources.tracker)?;
    let by_release = tracker::read_export(temp.as_file_mut(), &sources.tracker)?;
    if by_release.is_empty() {
        return Err(Error::invalid(
            &sources.tracker,
            "the export holds no release",
        ));
    }
    let mut records = 0;
    for (release, entries) in &by_release {
        let Some(path) = release_file(dir, release) else {
            continue;
        };
        records += entries.len();
        let text: String = entries.iter().map(|e| e.to_line() + "\n").collect();
        write(&path, &text)?;
    }
    record(
        &mut meta,
        SourceMeta {
            name: Ecosystem::Debian,
            url: sources.tracker.clone(),
            fetched: now,
            records,
            releases: by_release.into_keys().collect(),
        },
    )?;

    for &ecosystem in &sources.ecosystems {
        let url = format!(
            "{}/{}/all.zip",
            sources.osv.trim_end_matches('/'),
            ecosystem.osv_name()
        );
        progress(&url);
        let temp = download(dir, fetcher, &url)?;
        let (lines, records) = osv::read_export(temp.as_file(), ecosystem, &url)?;
        let mut text = lines.join("\n");
        text.push('\n');
        write(&osv_file(dir, ecosystem), &text)?;
        record(
            &mut meta,
            SourceMeta {
                name: ecosystem,
                url,
                fetched: now,
                records,
                releases: Vec::new(),
            },
        )?;
    }
    Ok(meta)
}

/// The files of the database in `dir`, relative to it, `meta.json` last: what a copy of the
/// database (`bosun db push`) carries. [`Error::NoDatabase`] when there is none.
pub fn files(dir: &Path) -> Result<Vec<String>, Error> {
    let meta = read_meta(dir)?.ok_or_else(|| Error::NoDatabase(dir.to_path_buf()))?;
    let mut out = Vec::new();
    for source in &meta.sources {
        match source.name {
            Ecosystem::Debian => out.extend(
                source
                    .releases
                    .iter()
                    .filter(|r| release_file(dir, r).is_some_and(|p| p.is_file()))
                    .map(|r| format!("debian/{r}.tsv")),
            ),
            e => out.push(format!("osv/{}.tsv", e.osv_name())),
        }
    }
    out.push("meta.json".into());
    Ok(out)
}

/// Where `name` (as [`files`] gives it) lives in a database at `dir`; `None` for a name no
/// database holds, so a copy from elsewhere can write nothing else.
fn file_path(dir: &Path, name: &str) -> Option<PathBuf> {
    if name == "meta.json" {
        return Some(meta_path(dir));
    }
    if let Some(release) = name
        .strip_prefix("debian/")
        .and_then(|n| n.strip_suffix(".tsv"))
    {
        return release_file(dir, release);
    }
    let written = name.strip_prefix("osv/")?.strip_suffix(".tsv")?;
    Ecosystem::OSV
        .into_iter()
        .find(|e| e.osv_name() == written)
        .map(|e| osv_file(dir, e))
}

/// Puts a copy of a database (`files` as [`files`] names them, with their bytes) into `dir`:
/// every name checked, `meta.json` parsed and each source it lists present, the data written
/// before `meta.json`, under the update lock, so a scan beside it reads one generation.
pub fn install(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Meta, Error> {
    let meta_bytes = files
        .iter()
        .find(|(n, _)| n == "meta.json")
        .map(|(_, b)| b)
        .ok_or_else(|| Error::invalid(dir.display(), "the copy has no meta.json"))?;
    let meta: Meta = serde_json::from_slice(meta_bytes)
        .map_err(|e| Error::invalid("the copy's meta.json", e))?;
    for (name, _) in files {
        if file_path(dir, name).is_none() {
            return Err(Error::invalid(
                name,
                "is no file of a vulnerability database",
            ));
        }
    }
    let listed = |name: &str| files.iter().any(|(n, _)| n == name);
    for source in &meta.sources {
        let present = match source.name {
            Ecosystem::Debian => source
                .releases
                .iter()
                .all(|r| listed(&format!("debian/{r}.tsv"))),
            e => listed(&format!("osv/{}.tsv", e.osv_name())),
        };
        if !present {
            return Err(Error::invalid(
                "the copy",
                format!(
                    "meta.json lists {} but its data is missing",
                    source.name.osv_name()
                ),
            ));
        }
    }
    for sub in ["debian", "osv"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| Error::io(dir.join(sub), e))?;
    }
    let _lock = bosun_fs::LockedFile::exclusive(&dir.join(".lock"))
        .map_err(|e| Error::io(dir.join(".lock"), e))?;
    for (name, bytes) in files.iter().filter(|(n, _)| n != "meta.json") {
        let path = file_path(dir, name).expect("checked above");
        bosun_fs::write_atomic(&path, bytes).map_err(|e| Error::io(&path, e))?;
    }
    bosun_fs::write_atomic(&meta_path(dir), meta_bytes)
        .map_err(|e| Error::io(meta_path(dir), e))?;
    Ok(meta)
}

/// Downloads `url` into a temporary file inside `dir` (removed when dropped).
fn download(dir: &Path, fetcher: &Fetcher, url: &str) -> Result<tempfile::NamedTempFile, Error> {
    let mut temp = tempfile::Builder::new()
        .prefix(".download-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    fetcher.download(url, temp.as_file_mut(), &|_| {})?;
    use std::io::Seek;
    temp.as_file_mut()
        .rewind()
        .map_err(|e| Error::io(temp.path(), e))?;
    Ok(temp)
}

impl Db {
    /// Opens the database in `dir`; [`Error::NoDatabase`] when nothing was downloaded there.
    pub fn open(dir: &Path) -> Result<Db, Error> {
        match read_meta(dir)? {
            Some(meta) => Ok(Db {
                dir: dir.to_path_buf(),
                meta,
            }),
            None => Err(Error::NoDatabase(dir.to_path_buf())),
        }
    }

    /// The source of `name`, when the database has it.
    pub fn source(&self, name: Ecosystem) -> Option<&SourceMeta> {
        self.meta.sources.iter().find(|s| s.name == name)
    }

    /// When the oldest source was fetched (Unix seconds).
    pub fn fetched(&self) -> Option<i64> {
        self.meta.sources.iter().map(|s| s.fetched).min()
    }

    /// The tracker's entries for `release` of the given source packages; `None` when the
    /// tracker data does not cover the release.
    pub fn debian(
        &self,
        release: &str,
        sources: &BTreeSet<&str>,
    ) -> Result<Option<Vec<TrackerEntry>>, Error> {
        let covered = self
            .source(Ecosystem::Debian)
            .is_some_and(|s| s.releases.iter().any(|r| r == release));
        let Some(path) = release_file(&self.dir, release).filter(|_| covered) else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Some(tracker::select(&text, sources)))
    }

    /// OSV's entries for the given packages of `ecosystem`; `None` when it was not fetched.
    pub fn osv(
        &self,
        ecosystem: Ecosystem,
        names: &BTreeSet<&str>,
    ) -> Result<Option<Vec<(String, OsvEntry)>>, Error> {
        if self.source(ecosystem).is_none() {
            return Ok(None);
        }
        let path = osv_file(&self.dir, ecosystem);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Some(osv::select(&text, names)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_installs_only_database_files() {
        let from = tempfile::tempdir().unwrap();
        let meta = Meta {
            sources: vec![
                SourceMeta {
                    name: Ecosystem::Debian,
                    url: "file:tracker".into(),
                    fetched: 1,
                    records: 1,
                    releases: vec!["trixie".into()],
                },
                SourceMeta {
                    name: Ecosystem::PyPI,
                    url: "file:osv".into(),
                    fetched: 1,
                    records: 0,
                    releases: vec![],
                },
            ],
        };
        std::fs::create_dir_all(from.path().join("debian")).unwrap();
        std::fs::create_dir_all(from.path().join("osv")).unwrap();
        std::fs::write(from.path().join("debian/trixie.tsv"), "t\n").unwrap();
        std::fs::write(from.path().join("osv/PyPI.tsv"), "p\n").unwrap();
        std::fs::write(meta_path(from.path()), serde_json::to_vec(&meta).unwrap()).unwrap();
        let names = files(from.path()).unwrap();
        assert_eq!(names, ["debian/trixie.tsv", "osv/PyPI.tsv", "meta.json"]);
        let copy: Vec<(String, Vec<u8>)> = names
            .iter()
            .map(|n| (n.clone(), std::fs::read(from.path().join(n)).unwrap()))
            .collect();
        let to = tempfile::tempdir().unwrap();
        install(to.path(), &copy).unwrap();
        assert_eq!(Db::open(to.path()).unwrap().meta.sources, meta.sources);
        assert_eq!(
            std::fs::read(to.path().join("osv/PyPI.tsv")).unwrap(),
            b"p\n"
        );
        // Names outside a database, or data meta.json promises and the copy lacks: refused.
        for bad in [
            "../escape.tsv",
            "debian/../../x.tsv",
            "osv/Evil.tsv",
            "other.json",
        ] {
            let mut hostile = copy.clone();
            hostile.push((bad.into(), b"x".to_vec()));
            assert!(install(to.path(), &hostile).is_err(), "{bad}");
        }
        let short: Vec<_> = copy
            .iter()
            .filter(|(n, _)| n != "osv/PyPI.tsv")
            .cloned()
            .collect();
        assert!(install(tempfile::tempdir().unwrap().path(), &short).is_err());
        assert!(matches!(
            files(to.path().join("none").as_path()),
            Err(Error::NoDatabase(_))
        ));
    }
}
