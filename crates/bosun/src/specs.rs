//! Specs named on the command line, read with their includes: local files, and files in
//! registries (`docker://REF#FILE`) read through the registry client the settings make.

use std::sync::OnceLock;

use anyhow::Result;
use bosun_registry::Client;
use bosun_registry::files::{self, FileCache};

use crate::cli::{RegistryArgs, SpecArgs};
use crate::settings;

/// The largest spec file bosun reads from a registry.
const MAX_FILE: u64 = 4 << 20;

/// Which manifest a registry include is read at.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pins {
    /// The one the lock beside the spec records, when it records one: what builds read.
    Locked,
    /// What each tag names now: what `bosun lock` reads.
    Fresh,
}

impl SpecArgs {
    /// Reads the spec and its includes, its variables set.
    pub(crate) fn load(&self, registry: &RegistryArgs, pins: Pins) -> Result<bosun_spec::Spec> {
        let from_env = std::env::var_os("BOSUN_INCLUDE_ROOTS").unwrap_or_default();
        let pinned = match pins {
            Pins::Locked => bosun_spec::Lockfile::load(&bosun_spec::lock_path(&self.file))
                .map(|lock| {
                    lock.includes
                        .into_iter()
                        .filter_map(|i| Some((i.path, i.digest?)))
                        .collect()
                })
                .unwrap_or_default(),
            Pins::Fresh => Default::default(),
        };
        let options = bosun_spec::LoadOptions {
            set: self.set.iter().cloned().collect(),
            include_roots: self
                .include_roots
                .iter()
                .cloned()
                .chain(std::env::split_paths(&from_env).filter(|p| !p.as_os_str().is_empty()))
                .collect(),
            fetcher: Some(std::sync::Arc::new(RegistryIncludes {
                registry: registry.clone(),
                client: OnceLock::new(),
                cache: FileCache::new(settings::cache_dir().join("spec-includes-v1")),
            })),
            pinned,
        };
        Ok(bosun_spec::Spec::load_with(&self.file, &options)?)
    }
}

/// Reads registry includes, keeping each manifest and file it reads in the cache by digest:
/// a spec whose includes the lock pins is read again without the network.
struct RegistryIncludes {
    registry: RegistryArgs,
    client: OnceLock<Result<Client, String>>,
    cache: FileCache,
}

impl bosun_spec::IncludeFetcher for RegistryIncludes {
    fn fetch(
        &self,
        reference: &str,
        pin: Option<&str>,
        file: &str,
    ) -> Result<(String, Vec<u8>), String> {
        let client = self
            .client
            .get_or_init(|| settings::registry_client(&self.registry).map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(Clone::clone)?;
        let pin = pin
            .map(str::parse::<bosun_oci::Digest>)
            .transpose()
            .map_err(|e| e.to_string())?;
        files::read(client, &self.cache, reference, pin.as_ref(), file, MAX_FILE)
            .map(|(digest, bytes)| (digest.to_string(), bytes))
            .map_err(|e| format!("{:#}", anyhow::Error::from(e)))
    }
}
