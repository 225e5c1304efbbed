//! `bosun copy SRC DST`: write a store image to another transport.

use std::path::Path;

use anyhow::{Context, Result, bail};
use bosun_oci::model::Platform;
use bosun_oci::source::host_platform;
use bosun_oci::{Store, export, normalize_name};

use crate::{ExitStatus, Printer};

pub(crate) fn run(
    store_dir: &Path,
    source: &str,
    destination: &str,
    platform: Option<&str>,
    printer: &Printer,
) -> Result<ExitStatus> {
    let store = Store::open(store_dir)?;
    let name = normalize_name(source.strip_prefix("store:").unwrap_or(source));
    if source.contains(':') && !source.starts_with("store:") && is_transport(source) {
        bail!("copying from {source} is not supported yet; the source must be a store name");
    }
    let descriptor = store
        .resolve(&name)?
        .with_context(|| format!("no image `{name}` in the store at {}", store_dir.display()))?;
    let platform = platform.map(parse_platform).transpose()?;
    let (transport, rest) = destination.split_once(':').with_context(|| format!("destination {destination:?} needs a transport: oci:, oci-archive:, docker-archive: or store:"))?;
    // `PATH[:REF]`: a reference may itself contain `:` (name:tag), so split at the first one.
    let (path, reference) = match rest.split_once(':') {
        Some((p, r)) => (p, Some(r.to_string())),
        None => (rest, None),
    };
    // With --platform, multi-arch images are narrowed to that platform's manifest.
    let selected = match (&platform, transport) {
        (Some(p), "oci" | "oci-archive" | "store") => {
            export::select_platform(&store, &descriptor, Some(p))?
        }
        _ => descriptor.clone(),
    };
    // Which platform went out, when one was picked.
    let mut wrote_platform = platform.clone();
    match transport {
        "oci" => export::to_oci_dir(
            &store,
            &selected,
            Path::new(path),
            reference.as_deref().unwrap_or(&name),
        )?,
        "oci-archive" => export::to_oci_archive(
            &store,
            &selected,
            Path::new(path),
            reference.as_deref().unwrap_or(&name),
        )?,
        "docker-archive" => {
            let tag = reference.map_or_else(|| name.clone(), |r| normalize_name(&r));
            // Without --platform, a multi-arch image exports the host's platform when it has it.
            let host = host_platform();
            let platform = platform.or_else(|| {
                export::select_platform(&store, &descriptor, Some(&host))
                    .ok()
                    .map(|_| host)
            });
            export::to_docker_archive(
                &store,
                &descriptor,
                platform.as_ref(),
                Path::new(path),
                &[tag],
            )?;
            wrote_platform = platform;
        }
        "store" => {
            let mut d = selected;
            d.annotations.clear();
            store.tag(&normalize_name(rest), d)?;
        }
        other => bail!(
            "unknown transport `{other}:` (use oci:, oci-archive:, docker-archive: or store:)"
        ),
    }
    let which = wrote_platform.map_or_else(String::new, |p| {
        let variant = p.variant.map(|v| format!("/{v}")).unwrap_or_default();
        format!(" ({}/{}{variant})", p.os, p.architecture)
    });
    printer.status(&format!("copied {name}{which} to {destination}"));
    Ok(ExitStatus::Success)
}

fn is_transport(s: &str) -> bool {
    ["oci:", "oci-archive:", "docker-archive:", "docker://"]
        .iter()
        .any(|t| s.starts_with(t))
}

pub(crate) fn parse_platform(s: &str) -> Result<Platform> {
    let parts: Vec<&str> = s.split('/').collect();
    match parts[..] {
        [os, arch] => Ok(Platform {
            os: os.into(),
            architecture: arch.into(),
            variant: None,
        }),
        [os, arch, variant] => Ok(Platform {
            os: os.into(),
            architecture: arch.into(),
            variant: Some(variant.into()),
        }),
        _ => bail!("platform {s:?} is not OS/ARCH[/VARIANT]"),
    }
}
