//! The advisory database a command reads: a directory (`--db`, else the cache's), or a copy
//! in a registry (`--db docker://REF`) brought into the cache by digest and checked against
//! `--db-key`.

use std::path::PathBuf;

use anyhow::Result;
use bosun_sign::key::PublicKey;
use bosun_vuln::copy::Copy;

use crate::cli::{DbArgs, RegistryArgs};
use crate::{Printer, settings};

/// The database directory `--db` names locally (none: the cache's).
pub(crate) fn db_dir(args: &DbArgs) -> PathBuf {
    match &args.db {
        Some(db) => PathBuf::from(db),
        None => settings::cache_dir().join("vuln-db-v1"),
    }
}

/// Whether `--db` names a copy in a registry.
pub(crate) fn remote(args: &DbArgs) -> Option<&str> {
    args.db.as_deref().filter(|d| {
        matches!(
            bosun_oci::source::ImageRef::parse(d),
            Ok(bosun_oci::source::ImageRef::Registry(_))
        )
    })
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
    let copy = open_copy(reference, args.db_key.as_deref(), registry)?;
    let (dir, fetched) = copy.cached(&settings::cache_dir().join("vuln-db-remote-v1"))?;
    if fetched {
        printer.status(&format!("fetched the vulnerability database {reference}"));
    }
    Ok(dir)
}

/// The copy `reference` names, checked against `key` when given.
pub(crate) fn open_copy(
    reference: &str,
    key: Option<&str>,
    registry: &RegistryArgs,
) -> Result<Copy> {
    let key = key
        .map(|name| PublicKey::load(name).map(|k| (name, k)))
        .transpose()?;
    let client = settings::registry_client(registry)?;
    Ok(Copy::open(
        &client,
        reference,
        key.as_ref().map(|(name, k)| (*name, k)),
    )?)
}
