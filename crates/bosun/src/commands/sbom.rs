//! `bosun sbom IMAGE`: the packages an image holds, as SPDX, CycloneDX or a table.

use std::path::Path;

use anyhow::{Context, Result};
use bosun_oci::Store;
use bosun_oci::source::ImageRef;
use bosun_sbom::{CYCLONEDX_ARTIFACT, SPDX_ARTIFACT, catalog, cyclonedx, spdx};

use crate::cli::{SbomArgs, SbomFormat};
use crate::images::open_image;
use crate::{ExitStatus, Printer};

pub(crate) fn run(store_dir: &Path, args: &SbomArgs, printer: &Printer) -> Result<ExitStatus> {
    let platform = args.platform.clone();
    let opened = open_image(store_dir, &args.image, platform.as_ref(), &args.registry)?;
    // For an image bosun built, the SBOM its build wrote from the lock is the exact one.
    let kind = match args.output {
        SbomFormat::SpdxJson => Some(SPDX_ARTIFACT),
        SbomFormat::CyclonedxJson => Some(CYCLONEDX_ARTIFACT),
        _ => None,
    };
    if let (false, Some(kind), Some(digest)) =
        (args.catalog, kind, opened.image.manifest_digest.as_ref())
    {
        let stored = match ImageRef::parse(&args.image)? {
            ImageRef::Store(_) => match Store::open_existing(store_dir)? {
                Some(store) => bosun_trust::store::artifact(&store, digest, kind)?,
                None => None,
            },
            ImageRef::Registry(text) => {
                let client = crate::settings::registry_client(&args.registry)?;
                let repo = client.locate(&text)?.repository;
                bosun_trust::registry::artifact(&repo, digest, kind)?
            }
            _ => None,
        };
        if let Some(bytes) = stored {
            return write(
                args,
                printer,
                &indented(&bytes)?,
                "the SBOM its build wrote",
            );
        }
    }
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
    let what = format!("{} packages", sbom.packages.len());
    write(args, printer, &text, &what)
}

fn write(args: &SbomArgs, printer: &Printer, text: &str, what: &str) -> Result<ExitStatus> {
    match &args.file {
        Some(file) => {
            bosun_fs::write_atomic(file, format!("{text}\n").as_bytes())
                .with_context(|| format!("cannot write {}", file.display()))?;
            printer.status(&format!(
                "{what} of {} written to {}",
                args.image,
                file.display()
            ));
        }
        None => printer.data(text)?,
    }
    Ok(ExitStatus::Success)
}

/// A stored SBOM document (compact JSON) as `sbom` prints documents: indented, keys in order.
fn indented(bytes: &[u8]) -> Result<String> {
    let doc: serde_json::Value =
        serde_json::from_slice(bytes).context("the stored SBOM is not JSON")?;
    Ok(serde_json::to_string_pretty(&doc)?)
}
