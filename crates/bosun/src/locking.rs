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

/// Resolves a spec against its mirror, and its image inputs against their registries; a
/// `previous` lock stands where nothing it depends on changed.
pub(crate) fn resolve_with(
    spec: &Spec,
    spec_path: &Path,
    images: Images<'_>,
    previous: bosun_build::lock::Previous<'_>,
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
        Some(store) => gather(
            spec,
            &bosun_spec::project_dir(spec_path),
            None,
            store,
            images.registry,
            printer,
        )?,
        None => Default::default(),
    };
    let project = bosun_spec::project_dir(spec_path);
    let apps = bosun_build::lock::AppLocking {
        project: &project,
        sources: &settings::app_sources(&project),
        fetcher: &Fetcher::new(),
        cache: &settings::cache_dir(),
    };
    let lock = bosun_build::lock::lock_spec(
        spec,
        &repo,
        locked,
        store.as_ref().map(|s| (&inputs, s)),
        previous,
        &apps,
    )?;
    if printer.verbose() {
        printer.status(&format!(
            "resolved in {:.2}s",
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(lock)
}

/// Every image the spec reads, in the store (see [`bosun_build::inputs::gather`]), its
/// registries reached with the settings' client.
pub(crate) fn gather(
    spec: &Spec,
    dir: &Path,
    pinned: Option<&[bosun_spec::LockedInput]>,
    store: &Store,
    registry: &RegistryArgs,
    printer: &Printer,
) -> Result<(
    std::collections::BTreeMap<String, bosun_build::inputs::Input>,
    Vec<bosun_spec::LockedInput>,
)> {
    let remote = bosun_build::inputs::Remote {
        client: &|| settings::registry_client(registry).map_err(|e| format!("{e:#}").into()),
        status: &|line| printer.status(line),
    };
    Ok(bosun_build::inputs::gather(
        spec, dir, pinned, store, &remote,
    )?)
}
