//! `bosun diff A B`: config, layers, files and packages that differ; exit 1 when any do.

use std::path::Path;

use anyhow::{Context, Result};
use bosun_analyze::diff::{self, Options};

use crate::cli::{DiffArgs, Format};
use crate::images::open_image;
use crate::{ExitStatus, Printer};

pub(crate) fn run(store_dir: &Path, args: &DiffArgs, printer: &Printer) -> Result<ExitStatus> {
    let platform = args.platform.clone();
    let a = open_image(store_dir, &args.a, platform.as_ref(), &args.registry)?;
    let b = open_image(store_dir, &args.b, platform.as_ref(), &args.registry)?;
    let options = Options {
        times: args.times,
        skip_files: args.no_files,
        owners: args.by.is_some(),
    };
    let report = diff::diff(&a.image, &b.image, &options)
        .with_context(|| format!("cannot compare {} with {}", args.a, args.b))?;
    match args.format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&report)?)?,
        Format::Table => printer.data(&bosun_analyze::text::diff(&report))?,
    }
    Ok(if report.identical {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
