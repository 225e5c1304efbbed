//! One module per subcommand.

mod build;
mod copy;
mod init;
mod inspect;
mod lock;
mod store;

use std::path::{Path, PathBuf};

use anyhow::Result;

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
    }
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
