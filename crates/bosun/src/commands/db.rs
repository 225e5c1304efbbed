//! `bosun db update`, `db status`, `db push`: the advisory database, downloaded, described,
//! and carried through a registry as an OCI artifact (one gzip layer per file, titled with
//! its path), so that a fleet's CI jobs and machines without internet read one copy. A
//! `docker://REF` in place of `--db DIR` reads such a copy (cached by digest), checked against
//! `--db-key` when one is given.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bosun_deb::Fetcher;
use bosun_oci::Digest;
use bosun_oci::model::Descriptor;
use bosun_vuln::Ecosystem;
use bosun_vuln::db::{self, Db, Sources};

use crate::cli::{DbArgs, DbCommand, Format, OsvEcosystem, RegistryArgs};
use crate::{ExitStatus, Printer, settings};

/// The artifact type of a database copy.
const DB_ARTIFACT: &str = "application/vnd.bosun.vuln-db.v1";
/// One file of it.
const DB_FILE: &str = "application/vnd.bosun.vuln-db.file.v1+gzip";
const TITLE: &str = "org.opencontainers.image.title";
/// The most one file of a copy may inflate to (the tracker's releases are tens of MB).
const MAX_FILE: u64 = 2 << 30;

/// The database directory `--db` names locally (none: the cache's).
pub(crate) fn db_dir(args: &DbArgs) -> PathBuf {
    match &args.db {
        Some(db) => PathBuf::from(db),
        None => settings::cache_dir().join("vuln-db-v1"),
    }
}

/// Whether `--db` names a copy in a registry.
fn remote(args: &DbArgs) -> Option<&str> {
    args.db.as_deref().filter(|d| d.starts_with("docker://"))
}

/// The directory of the database `--db` names: a directory, or a registry copy brought into
/// the cache (by digest: a tag that moves brings the new copy; one already there is not
/// downloaded again), its signature checked with `--db-key` when given.
pub(crate) fn resolve(
    args: &DbArgs,
    registry: &RegistryArgs,
    printer: &Printer,
) -> Result<PathBuf> {
    let Some(reference) = remote(args) else {
        return Ok(db_dir(args));
    };
    let cache = settings::cache_dir().join("vuln-db-remote-v1");
    let (repo, manifest) = open_copy(reference, args.db_key.as_deref(), registry)?;
    let dir = cache.join(manifest.descriptor.digest.hex());
    if Db::open(&dir).is_err() {
        printer.status(&format!("fetching the vulnerability database {reference}"));
        install(&repo, &manifest, &dir)?;
    }
    Ok(dir)
}

/// A database copy's manifest as read from the registry.
struct Copy {
    descriptor: Descriptor,
    layers: Vec<serde_json::Value>,
}

/// Reads the copy `reference` names, refusing what is not one and, with `key`, one without
/// a valid signature by that key.
fn open_copy(
    reference: &str,
    key: Option<&str>,
    registry: &RegistryArgs,
) -> Result<(bosun_registry::Repository, Copy)> {
    let text = reference.strip_prefix("docker://").unwrap_or(reference);
    let client = settings::registry_client(registry)?;
    let located = client.locate(text)?;
    let (repo, object) = (located.repository, located.object);
    let fetched = repo.manifest(&object)?;
    let manifest: serde_json::Value = serde_json::from_slice(&fetched.bytes)
        .with_context(|| format!("{reference}: its manifest is not JSON"))?;
    if manifest["artifactType"] != DB_ARTIFACT {
        bail!(
            "{reference} is no vulnerability database (artifact type {}, not {DB_ARTIFACT}); `bosun db push` makes one",
            manifest["artifactType"]
        );
    }
    let descriptor = Descriptor {
        media_type: fetched.media_type,
        digest: fetched.digest,
        size: fetched.bytes.len() as u64,
        platform: None,
        annotations: Default::default(),
    };
    if let Some(key) = key {
        let place = bosun_trust::Place::read_only(repo.clone(), descriptor.clone());
        let checked = place.signatures(&bosun_sign::key::PublicKey::load(key)?)?;
        let refused = checked.rejected;
        if checked.accepted.is_empty() {
            bail!(
                "{reference}@{}: no valid signature by {key}{}",
                descriptor.digest,
                match refused.is_empty() {
                    true => String::new(),
                    false => format!(" ({})", refused.join("; ")),
                }
            );
        }
    }
    let layers = manifest["layers"].as_array().cloned().unwrap_or_default();
    Ok((repo, Copy { descriptor, layers }))
}

/// Downloads every file of a copy, each checked against its digest, and installs them in
/// `dir` (only names a database holds; see [`db::install`]).
fn install(repo: &bosun_registry::Repository, copy: &Copy, dir: &Path) -> Result<db::Meta> {
    let mut files = Vec::new();
    for layer in &copy.layers {
        let title = layer["annotations"][TITLE]
            .as_str()
            .context("a layer of the copy has no title")?;
        if layer["mediaType"] != DB_FILE {
            bail!("{title}: media type {}, not {DB_FILE}", layer["mediaType"]);
        }
        let digest: Digest = layer["digest"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .with_context(|| format!("{title}: no digest"))?;
        let size = layer["size"].as_u64().unwrap_or(u64::MAX);
        if size > MAX_FILE {
            bail!("{title} is {size} bytes, more than a database file");
        }
        let mut packed = Vec::with_capacity(size as usize);
        repo.fetch_blob(&digest, size, &mut packed)?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(&packed[..])
            .take(MAX_FILE + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("{title}: not gzip"))?;
        if bytes.len() as u64 > MAX_FILE {
            bail!("{title} inflates to more than {MAX_FILE} bytes");
        }
        files.push((title.to_string(), bytes));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(db::install(dir, &files)?)
}

/// `bosun db push`: the database as an artifact, the same database giving the same digest
/// (its creation time is its newest fetch, the gzip streams carry no time); signed with
/// `key` when given, as `bosun sign` signs (deterministically: a re-push adds nothing).
fn push(
    target: &str,
    args: &DbArgs,
    key: Option<&str>,
    registry: &RegistryArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let text = target.strip_prefix("docker://").with_context(|| {
        format!("{target:?}: give a registry reference as docker://HOST/REPO:TAG")
    })?;
    let reference = bosun_registry::Reference::parse(text)?;
    let signing = key.map(crate::keys::private).transpose()?;
    let dir = db_dir(args);
    let opened = Db::open(&dir)?;
    let mut files = Vec::new();
    for name in db::files(&dir)? {
        let path = dir.join(&name);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &bytes)?;
        files.push((name, DB_FILE, gz.finish()?));
    }
    let created = bosun_oci::model::rfc3339(opened.fetched().unwrap_or(0));
    let annotations = [("org.opencontainers.image.created".to_string(), created)].into();
    let client = settings::registry_client(registry)?;
    let repo = client.push_repository(&reference)?;
    let digest = repo.push_artifact(&reference.object(), DB_ARTIFACT, &files, &annotations)?;
    if let Some(key) = &signing {
        let signature =
            bosun_trust::make::signature(key, &repo.display, &digest, &Default::default());
        bosun_trust::registry::push_to_tag(&repo, &digest, &[signature])?;
    }
    printer.status(&format!(
        "pushed the vulnerability database ({} file(s){}) to {target}",
        files.len(),
        if signing.is_some() { ", signed" } else { "" }
    ));
    printer.data(&format!("docker://{}@{digest}", reference.name()))?;
    Ok(ExitStatus::Success)
}

/// `bosun db update`, `db status` and `db push`.
pub(crate) fn run(command: &DbCommand, printer: &Printer) -> Result<ExitStatus> {
    match command {
        DbCommand::Update {
            db,
            from: Some(from),
            registry,
            ..
        } => {
            let dir = db_dir(db);
            if remote(db).is_some() {
                bail!("--db names where the copy goes: give a directory");
            }
            let (repo, copy) = open_copy(from, db.db_key.as_deref(), registry)?;
            let meta = install(&repo, &copy, &dir)?;
            printer.status(&format!(
                "updated {} from {from}@{}: {}",
                dir.display(),
                copy.descriptor.digest,
                counts(&meta)
            ));
            Ok(ExitStatus::Success)
        }
        DbCommand::Update {
            db,
            tracker_url,
            osv_url,
            ecosystems,
            ..
        } => {
            let dir = db_dir(db);
            let ecosystems = match ecosystems.is_empty() {
                true => Ecosystem::OSV.to_vec(),
                false => ecosystems
                    .iter()
                    .map(|e| match e {
                        OsvEcosystem::Pypi => Ecosystem::PyPI,
                        OsvEcosystem::Npm => Ecosystem::Npm,
                        OsvEcosystem::Go => Ecosystem::Go,
                        OsvEcosystem::Crates => Ecosystem::CratesIo,
                    })
                    .collect(),
            };
            let sources = Sources {
                tracker: tracker_url.clone(),
                osv: osv_url.clone(),
                ecosystems,
            };
            let started = std::time::Instant::now();
            let meta = db::update(&dir, &sources, &Fetcher::new(), settings::now(), &|url| {
                printer.status(&format!("fetching {url}"))
            })?;
            printer.status(&format!(
                "updated {} in {:.1}s: {}",
                dir.display(),
                started.elapsed().as_secs_f64(),
                counts(&meta)
            ));
            Ok(ExitStatus::Success)
        }
        DbCommand::Push {
            target,
            db,
            key,
            registry,
        } => push(target, db, key.as_deref(), registry, printer),
        DbCommand::Status {
            db,
            format,
            registry,
        } => {
            let dir = resolve(db, registry, printer)?;
            let opened = Db::open(&dir)?;
            match format {
                Format::Json => {
                    printer.data(&serde_json::to_string_pretty(&opened.meta.sources)?)?
                }
                Format::Table => {
                    printer.data(&format!(
                        "{:<10} {:<22} {:>8}  URL",
                        "SOURCE", "FETCHED", "RECORDS"
                    ))?;
                    for s in &opened.meta.sources {
                        printer.data(&format!(
                            "{:<10} {:<22} {:>8}  {}",
                            s.name.osv_name(),
                            bosun_oci::model::rfc3339(s.fetched),
                            s.records,
                            s.url
                        ))?;
                    }
                }
            }
            Ok(ExitStatus::Success)
        }
    }
}

/// `N source, ...` for status lines.
fn counts(meta: &db::Meta) -> String {
    meta.sources
        .iter()
        .map(|s| format!("{} {}", s.records, s.name.osv_name()))
        .collect::<Vec<_>>()
        .join(", ")
}
