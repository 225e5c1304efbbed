//! `bosun sbom IMAGE`: the packages an image holds, as SPDX, CycloneDX or a table.

use std::path::Path;

use anyhow::{Context, Result};
use bosun_sbom::{catalog, cyclonedx, spdx};

use crate::cli::{SbomArgs, SbomFormat};
use crate::commands::copy::parse_platform;
use crate::commands::open_image;
use crate::{ExitStatus, Printer};

pub(crate) fn run(store_dir: &Path, args: &SbomArgs, printer: &Printer) -> Result<ExitStatus> {
    let platform = args.platform.as_deref().map(parse_platform).transpose()?;
    let opened = open_image(store_dir, &args.image, platform.as_ref(), &args.registry)?;
    let sbom =
        catalog(&opened.image).with_context(|| format!("cannot catalogue {}", args.image))?;
    let text = match args.output {
        SbomFormat::SpdxJson => serde_json::to_string_pretty(&spdx::document(&sbom))?,
        SbomFormat::CyclonedxJson => serde_json::to_string_pretty(&cyclonedx::document(&sbom))?,
        SbomFormat::Json => serde_json::to_string_pretty(&sbom)?,
        SbomFormat::Table => {
            let mut out = format!("{:<40} {:<28} {}\n", "NAME", "VERSION", "TYPE");
            for p in &sbom.packages {
                out.push_str(&format!(
                    "{:<40} {:<28} {}\n",
                    p.name,
                    p.version,
                    p.kind.as_str()
                ));
            }
            out.trim_end().to_string()
        }
    };
    match &args.file {
        Some(file) => {
            bosun_fs::write_atomic(file, format!("{text}\n").as_bytes())
                .with_context(|| format!("cannot write {}", file.display()))?;
            printer.status(&format!(
                "{} packages of {} written to {}",
                sbom.packages.len(),
                args.image,
                file.display()
            ));
        }
        None => printer.data(&text)?,
    }
    Ok(ExitStatus::Success)
}
