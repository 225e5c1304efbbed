//! `bosun sbom IMAGE`: the packages an image holds, as SPDX, CycloneDX or a table.

use std::path::Path;

use anyhow::{Context, Result};
use bosun_oci::Store;
use bosun_oci::model::Manifest;
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
    if let (false, Some(kind), Ok(ImageRef::Store(_)), Some(digest)) = (
        args.catalog,
        kind,
        ImageRef::parse(&args.image),
        opened.image.manifest_digest.as_ref(),
    ) && let Some(store) = Store::open_existing(store_dir)?
        && let Some((artifact, _)) = store
            .referrers(digest)?
            .into_iter()
            .find(|(_, k)| k.as_deref() == Some(kind))
    {
        let manifest: Manifest = store.read_json(&artifact.digest)?;
        let layer = manifest
            .layers
            .first()
            .context("an SBOM artifact without content")?;
        let text = indented(&store.read_blob(&layer.digest)?)?;
        return write(args, printer, &text, "the SBOM its build wrote");
    }
    // An image in a registry may have its build's SBOM beside it (pushed as a referrer).
    if let (false, Some(kind), Ok(ImageRef::Registry(text)), Some(digest)) = (
        args.catalog,
        kind,
        ImageRef::parse(&args.image),
        opened.image.manifest_digest.as_ref(),
    ) {
        let client = crate::settings::registry_client(&args.registry)?;
        let repo = client.locate(&text)?.repository;
        if let Some(text) = pushed_sbom(&repo, digest, kind)? {
            return write(
                args,
                printer,
                &indented(text.as_bytes())?,
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

/// The document of the first artifact of type `kind` a registry holds about `digest`, checked
/// against its digests.
fn pushed_sbom(
    repo: &bosun_registry::Repository,
    digest: &bosun_oci::Digest,
    kind: &str,
) -> Result<Option<String>> {
    let listed = repo.referrers(digest)?;
    let Some(entry) = listed.iter().find(|e| e["artifactType"] == kind) else {
        return Ok(None);
    };
    let Some(artifact) = entry["digest"].as_str() else {
        return Ok(None);
    };
    let fetched = repo.manifest(artifact)?;
    let manifest: Manifest = serde_json::from_slice(&fetched.bytes)
        .with_context(|| format!("{}@{artifact} is not a manifest", repo.display))?;
    let Some(layer) = manifest.layers.first() else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    repo.fetch_blob(&layer.digest, layer.size, &mut bytes)?;
    Ok(Some(String::from_utf8(bytes)?))
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
