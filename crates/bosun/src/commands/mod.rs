//! One module per subcommand.

mod build;
mod copy;
mod diff;
mod init;
mod inspect;
mod lint;
mod lock;
mod store;

use std::path::{Path, PathBuf};

use anyhow::Result;
use bosun_fs::LockedFile;
use bosun_oci::Store;
use bosun_oci::model::Platform;
use bosun_oci::source::{self, Image, ImageRef};

use crate::cli::{Cli, Command};
use crate::{ExitStatus, Printer, settings};

pub(crate) fn run(cli: Cli, printer: &Printer) -> Result<ExitStatus> {
    let store_dir = settings::store_dir(cli.global.store.as_deref());
    match cli.command {
        Command::Init { template, dir } => init::run(template, &dir, printer),
        Command::Lock {
            spec,
            check,
            why,
            arch,
        } => lock::run(&spec.file, check, why.as_deref(), arch.as_deref(), printer),
        Command::Build {
            spec,
            images,
            locked,
            format,
        } => build::run(&spec.file, &images, locked, format, &store_dir, printer),
        Command::Images { format } => store::images(&store_dir, format, printer),
        Command::Rm { names } => store::rm(&store_dir, &names, printer),
        Command::Gc => store::gc(&store_dir, printer),
        Command::Copy {
            source,
            destination,
            platform,
        } => copy::run(
            &store_dir,
            &source,
            &destination,
            platform.as_deref(),
            printer,
        ),
        Command::Inspect(args) => inspect::run(&store_dir, &args, printer),
        Command::Diff(args) => diff::run(&store_dir, &args, printer),
        Command::Lint(args) => lint::run(&store_dir, &args, printer),
    }
}

/// An image opened for reading, and the store's shared lock when it lives in the store (so
/// that a concurrent gc cannot pull blobs from under the reader).
pub(crate) struct OpenedImage {
    pub(crate) image: Image,
    _lock: Option<LockedFile>,
}

pub(crate) fn open_image(
    store_dir: &Path,
    reference: &str,
    platform: Option<&Platform>,
) -> Result<OpenedImage> {
    let lock = match ImageRef::parse(reference)? {
        ImageRef::Store(_) => Store::open_existing(store_dir)?
            .map(|store| store.lock_shared())
            .transpose()?,
        _ => None,
    };
    let image = source::open(reference, store_dir, platform)?;
    Ok(OpenedImage { image, _lock: lock })
}

/// The lockfile next to a spec.
pub(crate) fn lock_path(spec: &Path) -> PathBuf {
    spec.with_file_name("bosun.lock")
}

/// The directory a spec lives in (its project directory).
pub(crate) fn project_dir(spec: &Path) -> PathBuf {
    match spec.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Human-readable bytes.
pub(crate) fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}
