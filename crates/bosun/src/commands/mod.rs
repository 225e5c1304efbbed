//! One module per subcommand.

mod build;
mod copy;
mod db;
mod diff;
mod disk;
mod init;
mod inputs;
mod inspect;
mod kubernetes;
mod lint;
mod lock;
mod login;
mod pin;
mod policy;
mod sbom;
mod scan;
mod sign;
mod spec;
mod store;

use std::path::{Path, PathBuf};

use anyhow::Result;
use bosun_fs::LockedFile;
use bosun_oci::Store;
use bosun_oci::model::Platform;
use bosun_oci::source::{self, Image, ImageRef};

use bosun_registry::Reference;

use crate::cli::{Cli, Command, RegistryArgs};
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
            update,
            security_only,
            registry,
        } => lock::run(
            &spec,
            lock::Mode {
                check,
                update,
                security_only,
            },
            why.as_deref(),
            arch.as_deref(),
            lock::Images {
                store_dir: &store_dir,
                registry: &registry,
            },
            printer,
        ),
        Command::Build(args) => build::run(&args, &store_dir, printer),
        Command::Images {
            references,
            disk: true,
            format,
            registry,
        } => disk::run(&store_dir, &references, format, &registry, printer),
        Command::Images {
            references,
            format,
            registry,
            ..
        } => match &references[..] {
            [] => store::images(&store_dir, format, printer),
            [repository] => store::tags(repository, format, &registry, printer),
            _ => anyhow::bail!(
                "images lists one repository's tags at a time (or, with --disk, reports on several images)"
            ),
        },
        Command::Rm { names, registry } => store::rm(&store_dir, &names, &registry, printer),
        Command::Gc => store::gc(&store_dir, printer),
        Command::Copy(args) => copy::run(&store_dir, &args, printer),
        Command::Login {
            registry,
            username,
            password_stdin,
            options,
        } => login::login(
            &registry,
            username.as_deref(),
            password_stdin,
            &options,
            printer,
        ),
        Command::Pin {
            files,
            check,
            update,
            format,
            registry,
        } => pin::run(&files, check, update, format, &registry, printer),
        Command::Logout { registry, authfile } => login::logout(&registry, authfile, printer),
        Command::Inspect(args) => inspect::run(&store_dir, &args, printer),
        Command::Diff(args) => diff::run(&store_dir, &args, printer),
        Command::Sbom(args) => sbom::run(&store_dir, &args, printer),
        Command::Scan(args) => scan::run(&store_dir, &args, printer),
        Command::Db { command } => db::run(&command, printer),
        Command::Spec { command } => match command {
            crate::cli::SpecCommand::Schema => spec::schema(printer),
            crate::cli::SpecCommand::Show {
                spec,
                format,
                arch,
                registry,
            } => spec::show(&spec, &registry, format, arch.as_deref(), printer),
            crate::cli::SpecCommand::Push {
                target,
                files,
                registry,
            } => spec::push(&target, &files, &registry, printer),
        },
        Command::Policy {
            command: crate::cli::PolicyCommand::Check(args),
        } => policy::check(&store_dir, &args, printer),
        Command::Policy {
            command: crate::cli::PolicyCommand::Init { output, key, force },
        } => policy::init(&output, key.as_deref(), force, printer),
        Command::Keygen {
            output_key_prefix,
            force,
        } => sign::keygen(&output_key_prefix, force, printer),
        Command::Sign(args) => sign::sign(&store_dir, &args, printer),
        Command::Verify(args) => sign::verify(&store_dir, &args, printer),
        Command::VerifyAttestation(args) => sign::verify_attestation(&store_dir, &args, printer),
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
    registry: &RegistryArgs,
) -> Result<OpenedImage> {
    let lock = match ImageRef::parse(reference)? {
        ImageRef::Store(_) => Store::open_existing(store_dir)?
            .map(|store| store.lock_shared())
            .transpose()?,
        ImageRef::Registry(text) => {
            let client = settings::registry_client(registry)?;
            let (repo, object) = registry_repository(&client, &text)?;
            let remote = std::sync::Arc::new(bosun_registry::transfer::RemoteImage(repo));
            let image = source::open_remote(reference, remote, &object, platform)?;
            return Ok(OpenedImage { image, _lock: None });
        }
        _ => None,
    };
    let image = source::open(reference, store_dir, platform)?;
    Ok(OpenedImage { image, _lock: lock })
}

/// The repository a `docker://` reference (without the prefix) names for reading, and the
/// tag or digest asked for: the first place (a short name through the search list, then
/// registries.conf mirrors) that has the manifest.
pub(crate) fn registry_repository(
    client: &bosun_registry::Client,
    text: &str,
) -> Result<(bosun_registry::Repository, String)> {
    let (repo, object, _) = resolve_in_registry(client, text)?;
    Ok((repo, object))
}

/// [`registry_repository`], and the reference the image is named by before registries.conf
/// sends reads to a mirror: where writes about it (signatures) go.
pub(crate) fn resolve_in_registry(
    client: &bosun_registry::Client,
    text: &str,
) -> Result<(bosun_registry::Repository, String, Reference)> {
    let candidates = Reference::candidates(text, &client.options().conf.search)?;
    let mut endpoints = Vec::new();
    for reference in &candidates {
        for endpoint in client.options().conf.pull_endpoints(reference)? {
            endpoints.push((endpoint, reference.clone()));
        }
    }
    // One place to look: no need to ask first whether it has the image.
    if let [(only, named)] = &endpoints[..] {
        return Ok((
            client.repository(only)?,
            only.reference.object(),
            named.clone(),
        ));
    }
    let mut last = None;
    for (endpoint, named) in endpoints {
        let repo = client.repository(&endpoint)?;
        let object = endpoint.reference.object();
        match repo.resolve(&object) {
            Ok(Some(_)) => return Ok((repo, object, named)),
            Ok(None) => {
                last = Some(bosun_registry::Error::NotFound {
                    reference: endpoint.reference.to_string(),
                })
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("at least one candidate").into())
}

/// The lockfile next to a spec.
pub(crate) fn lock_path(spec: &Path) -> PathBuf {
    // Each spec has its own lock: `other.toml` locks into `other.lock`, so two specs in one
    // directory never overwrite each other's.
    match spec.file_name().and_then(|n| n.to_str()) {
        Some("bosun.toml") | None => spec.with_file_name("bosun.lock"),
        Some(name) => spec.with_file_name(format!(
            "{}.lock",
            name.strip_suffix(".toml").unwrap_or(name)
        )),
    }
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
