//! `bosun copy SRC DST`: any image bosun can read to any place it can write, through the
//! store (content-addressed, so a blob it has is neither fetched nor written twice).

use std::path::Path;

use anyhow::{Context, Result};
use bosun_oci::model::Descriptor;
use bosun_oci::source::{self, ImageRef, host_platform};
use bosun_oci::{Store, export, normalize_name};
use bosun_registry::Reference;
use bosun_registry::transfer::{self, DEFAULT_JOBS, Platforms};

use crate::cli::{Compress, CopyArgs};
use crate::{ExitStatus, Printer, settings};

pub(crate) fn run(store_dir: &Path, args: &CopyArgs, printer: &Printer) -> Result<ExitStatus> {
    let store = Store::open(store_dir)
        .with_context(|| format!("cannot open the store at {}", store_dir.display()))?;
    // Blobs a copy brings in are unnamed until the end: hold gc off meanwhile.
    let _lock = store.lock_shared()?;
    let platform = args.platform.clone();
    let client = std::cell::OnceCell::new();
    let client = || -> Result<&bosun_registry::Client> {
        if client.get().is_none() {
            let _ = client.set(settings::registry_client(&args.registry)?);
        }
        Ok(client.get().expect("set"))
    };
    let source = &args.source;
    // 1. The source, into the store.
    let (name, descriptor): (String, Descriptor) = match ImageRef::parse(source)? {
        ImageRef::Store(name) => {
            let d = store.resolve(&name)?.with_context(|| {
                format!("no image `{name}` in the store at {}", store_dir.display())
            })?;
            (name, d)
        }
        ImageRef::Registry(text) => {
            let client = client()?;
            let located = client.locate(&text)?;
            let which = match (&platform, args.all) {
                (_, true) => Platforms::All,
                (Some(p), _) => Platforms::One(p.clone()),
                (None, false) => Platforms::Host,
            };
            let pulled = transfer::pull_located(&located, &store, &which, DEFAULT_JOBS)?;
            // Signatures and attestations under cosign's tags come along as artifacts about the image.
            let stored =
                bosun_trust::registry::read(&located.repository, &pulled.descriptor.digest)?;
            bosun_trust::store::add(&store, &pulled.descriptor, &stored)?;
            printer.status(&format!(
                "pulled {} ({} blob(s), {} fetched)",
                pulled.source,
                pulled.fetched,
                bosun_analyze::human(pulled.bytes)
            ));
            (located.named.to_string(), pulled.descriptor)
        }
        ImageRef::OciDir(..) | ImageRef::OciArchive(..) | ImageRef::DockerArchive(..) => {
            let image = source::open(source, store_dir, platform.as_ref())?;
            (source.clone(), image.import(&store)?)
        }
    };
    // 2. Narrowed to one platform, recompressed, when asked.
    let mut selected = match &platform {
        Some(p) => export::select_platform(&store, &descriptor, Some(p))?,
        None => descriptor.clone(),
    };
    if let Some(kind) = args.dest_compress {
        let kind = match kind {
            Compress::Zstd => bosun_oci::layer::Compression::Zstd,
            Compress::Gzip => bosun_oci::layer::Compression::Gzip,
        };
        selected = export::recompress(&store, &selected, kind)?;
    }
    // 3. The destination.
    let destination = &args.destination;
    let mut wrote_platform = platform.clone();
    let digest = selected.digest.clone();
    let selected_is_index = matches!(
        selected.media_type.as_str(),
        bosun_oci::model::MEDIA_INDEX | "application/vnd.docker.distribution.manifest.list.v2+json"
    );
    match ImageRef::destination(destination)? {
        ImageRef::Registry(text) => {
            let target = Reference::parse(&text)?;
            let report = transfer::push(
                client()?,
                &store,
                &[(selected.clone(), target.clone())],
                DEFAULT_JOBS,
            )?;
            // The image's signatures also where cosign looks first: its .sig tag.
            bosun_trust::registry::carry(client()?, &store, &[(selected.clone(), target.clone())])?;
            printer.status(&format!(
                "pushed {target}: {} blob(s) uploaded ({}), {} mounted, {} already there, {} artifact(s) beside it",
                report.uploaded,
                bosun_analyze::human(report.bytes),
                report.mounted,
                report.existed,
                report.artifacts
            ));
        }
        ImageRef::OciDir(path, reference) => export::to_oci_dir(
            &store,
            &selected,
            &path,
            reference.as_deref().unwrap_or(&name),
            args.artifacts,
        )?,
        ImageRef::OciArchive(path, reference) => export::to_oci_archive(
            &store,
            &selected,
            &path,
            reference.as_deref().unwrap_or(&name),
            args.artifacts,
        )?,
        ImageRef::DockerArchive(path, reference) => {
            let tag = reference.map_or_else(|| normalize_name(&name), |r| normalize_name(&r));
            // Without --platform, a multi-arch image exports the host's platform when it has it.
            let host = host_platform();
            let platform = platform.or_else(|| {
                export::select_platform(&store, &selected, Some(&host))
                    .ok()
                    .map(|_| host)
            });
            export::to_docker_archive(&store, &selected, platform.as_ref(), &path, &[tag])?;
            wrote_platform = platform;
        }
        ImageRef::Store(name) => {
            let mut d = selected;
            d.annotations.clear();
            store.tag(&name, d)?;
        }
    }
    if let Some(file) = &args.digestfile {
        bosun_fs::write_atomic(file, digest.as_str().as_bytes())
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    let which = wrote_platform.map_or_else(String::new, |p| format!(" ({p})"));
    // Which digest this is: a multi-platform index's, or one image manifest's.
    let kind = match selected_is_index {
        true => "index",
        false => "manifest",
    };
    printer.status(&format!(
        "copied {name}{which} to {destination} ({kind} {digest})"
    ));
    Ok(ExitStatus::Success)
}
