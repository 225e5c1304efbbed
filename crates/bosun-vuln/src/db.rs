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
