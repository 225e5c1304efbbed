//! Resolving a spec into a lock, as `lock` and `build` do: the mirror the settings name,
//! the image inputs through the registry client, the app lockfiles through the package
//! indexes the machine is configured for.

use std::path::Path;

use anyhow::{Context, Result};
use bosun_deb::{Cache, Fetcher, Repository};
use bosun_oci::Store;
use bosun_spec::{Lockfile, Spec};

use crate::cli::RegistryArgs;
use crate::{Printer, settings};

/// Where image inputs go and how registries are reached.
#[derive(Clone, Copy)]
pub(crate) struct Images<'a> {
    pub(crate) store_dir: &'a Path,
    pub(crate) registry: &'a RegistryArgs,
}

/// Resolves a spec against its mirror, and its image inputs against their registries.
pub(crate) fn resolve(
    spec: &Spec,
    spec_path: &Path,
    images: Images<'_>,
    printer: &Printer,
) -> Result<Lockfile> {
    resolve_with(spec, spec_path, images, Previous::None, printer)
}

/// Resolves again from an existing lock: it stands where nothing it depends on changed
/// (`bosun lock` without flags).
pub(crate) fn relock(
    spec: &Spec,
    spec_path: &Path,
    images: Images<'_>,
    old: &Lockfile,
    printer: &Printer,
) -> Result<Lockfile> {
    resolve_with(spec, spec_path, images, Previous::Reuse(old), printer)
}

/// What an existing lock is to a new resolution.
#[derive(Clone, Copy)]
pub(crate) enum Previous<'a> {
    /// No lock yet.
    None,
    /// Kept as it is when nothing it depends on changed.
    Reuse(&'a Lockfile),
    /// `--security-only`: its versions stay unless a security suite has newer ones.
    Pins(&'a Lockfile),
}

pub(crate) fn resolve_with(
    spec: &Spec,
    spec_path: &Path,
    images: Images<'_>,
    previous: Previous<'_>,
    printer: &Printer,
) -> Result<Lockfile> {
    let mirrors = settings::mirrors(spec)?;
    let keyring = settings::keyring(spec, &bosun_spec::project_dir(spec_path))?;
    let config = settings::repository(spec, &mirrors);
    let started = std::time::Instant::now();
    let repo = Repository::open(
        &config,
        &keyring,
        Fetcher::new(),
        Cache::new(settings::cache_dir()),
        settings::now(),
    )?;
    let has_inputs = spec.image.values().any(|i| !i.inputs().is_empty());
    let store =
        match has_inputs {
            true => Some(Store::open(images.store_dir).with_context(|| {
                format!("cannot open the store at {}", images.store_dir.display())
            })?),
            false => None,
        };
    let (inputs, locked) = match &store {
        Some(store) => crate::inputs::gather(
            spec,
            &bosun_spec::project_dir(spec_path),
            None,
            store,
            images.registry,
            printer,
        )?,
        None => Default::default(),
    };
    // Resolution is a function of the spec, the signed releases, the image inputs and the
    // rules: with all four unchanged, one small request per suite answers `bosun lock`.
    let from = || -> Result<_> {
        Ok(match &store {
            Some(store) => crate::inputs::from_packages(spec, &inputs, store)?,
            None => Default::default(),
        })
    };
    let pins = match previous {
        Previous::Pins(old) => Some(old),
        _ => None,
    };
    let no_needs = Default::default();
    let mut lock = match previous {
        Previous::Reuse(old)
            if old.is_reusable(
                &spec.resolution_hash(),
                &bosun_build::lock::releases(&repo),
                &locked,
            ) =>
        {
            tracing::debug!("the spec, releases and inputs are unchanged: the lock stands");
            let mut lock = Lockfile {
                includes: spec.includes().to_vec(),
                ..old.clone()
            };
            lock_apps(&mut lock, spec, spec_path, Some(old))?;
            lock
        }
        _ => {
            let mut lock = bosun_build::lock::resolve(spec, &repo, &from()?, pins, &no_needs)?;
            lock.inputs = locked.clone();
            lock.includes = spec.includes().to_vec();
            lock_apps(&mut lock, spec, spec_path, None)?;
            lock
        }
    };
    // The system libraries the app's native wheels load (libstdc++...) join the image's
    // packages: a second resolution, with them as roots, when the first lacks them.
    let needs = bosun_build::app::needs(&lock);
    if !bosun_build::app::needs_met(&lock, spec, &needs) {
        let mut again = bosun_build::lock::resolve(spec, &repo, &from()?, pins, &needs)?;
        again.inputs = locked;
        again.includes = spec.includes().to_vec();
        again.apps = std::mem::take(&mut lock.apps);
        again.app_packages = std::mem::take(&mut lock.app_packages);
        lock = again;
    }
    if printer.verbose() {
        printer.status(&format!(
            "resolved in {:.2}s",
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(lock)
}

/// Chooses the files of the app dependencies (PyPI, npm) for each image and architecture,
/// from the app lockfiles as they are now. An earlier lock's choice stands when its Debian
/// packages were kept and no app lockfile changed (a hashed requirements file asks the
/// package index, which a standing lock need not).
fn lock_apps(
    lock: &mut Lockfile,
    spec: &Spec,
    spec_path: &Path,
    kept: Option<&Lockfile>,
) -> Result<()> {
    let project = bosun_spec::project_dir(spec_path);
    if !spec
        .image
        .values()
        .any(|i| i.python.is_some() || i.node.is_some())
    {
        lock.apps.clear();
        lock.app_packages.clear();
        return Ok(());
    }
    let now = bosun_build::app::app_lockfiles(spec, &project)?;
    if let Some(old) = kept
        && old.changed_app(&now).is_none()
    {
        return Ok(());
    }
    let sources = settings::app_sources(&project);
    let (apps, packages) = bosun_build::app::lock_apps(
        spec,
        lock,
        &project,
        &sources,
        &Fetcher::new(),
        &settings::cache_dir(),
    )?;
    lock.apps = apps;
    lock.app_packages = packages;
    Ok(())
}
