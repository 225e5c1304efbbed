//! `bosun db update`, `db status`, `db push`: the advisory database, downloaded, described,
//! and carried through a registry as an OCI artifact (one gzip layer per file, titled with
//! its path), so that a fleet's CI jobs and machines without internet read one copy. A
//! `docker://REF` in place of `--db DIR` reads such a copy (cached by digest), checked against
//! `--db-key` when one is given.

use anyhow::{Result, bail};
use bosun_deb::Fetcher;
use bosun_vuln::Ecosystem;
use bosun_vuln::copy;
use bosun_vuln::db::{self, Db, Sources};

use crate::cli::{DbArgs, DbCommand, Format, OsvEcosystem, RegistryArgs};
use crate::vulndb::{db_dir, open_copy, remote, resolve};
use crate::{ExitStatus, Printer, settings};

/// `bosun db push`.
fn push(
    target: &str,
    args: &DbArgs,
    key: Option<&str>,
    registry: &RegistryArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let reference = bosun_registry::Reference::parse_target(target)?;
    let signing = key.map(crate::keys::private).transpose()?;
    let client = settings::registry_client(registry)?;
    let (digest, files) = copy::push(&client, &reference, &db_dir(args), signing.as_ref())?;
    printer.status(&format!(
        "pushed the vulnerability database ({files} file(s){}) to {target}",
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
            let copy = open_copy(from, db.db_key.as_deref(), registry)?;
            let meta = copy.install(&dir)?;
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
