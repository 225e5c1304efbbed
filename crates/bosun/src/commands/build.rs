//! `bosun build`: lock when needed, then build images into the store.

use std::path::Path;

use anyhow::{Context, Result, bail};
use bosun_build::lock::{Previous, Standing};
use bosun_build::provenance;
use bosun_build::step::Stage;
use bosun_build::{BuildContext, RemoteLayers, build_image};
use bosun_deb::{Cache, Fetcher};
use bosun_oci::Store;
use bosun_registry::cache::RemoteCache;
use bosun_spec::Lockfile;

use bosun_registry::Reference;

use crate::cli::{BuildArgs, Format};
use crate::reporters::DownloadReporter;
use crate::{ExitStatus, Printer, settings};

pub(crate) fn run(args: &BuildArgs, store_dir: &Path, printer: &Printer) -> Result<ExitStatus> {
    let started = std::time::Instant::now();
    let started_on = jiff::Timestamp::now();
    let (spec_path, images, locked, format) =
        (&args.spec.file, &args.images, args.locked, args.format);
    let spec = args.spec.load(&args.registry, crate::specs::Pins::Locked)?;
    // A bad --push fails before any work, and so does an unreadable registries.conf.
    let push = args
        .push
        .as_deref()
        .map(|target| -> Result<_> {
            let repo = target.strip_prefix("docker://").with_context(|| {
                format!("--push {target:?}: give a registry repository as docker://HOST/NAMESPACE")
            })?;
            Ok((
                repo.trim_end_matches('/').to_string(),
                settings::registry_client(&args.registry)?,
            ))
        })
        .transpose()?;
    // So is a key that cannot be read, or a wrong password.
    let signing_key = match (args.sign, args.key.as_deref()) {
        (true, Some(key)) => Some(crate::keys::private(key)?),
        _ => None,
    };
    let mut names = spec.selection(images, spec_path)?;
    if let Some((i, n)) = args.shard {
        let before = names.len();
        names.retain(|name| bosun_spec::Spec::shard_of(name, n) == i);
        printer.status(&format!(
            "shard {i}/{n}: {} of {before} image(s)",
            names.len()
        ));
    }
    if args.list {
        for name in &names {
            printer.data(name)?;
        }
        return Ok(ExitStatus::Success);
    }
    let lock_path = bosun_spec::lock_path(spec_path);
    let loaded = Lockfile::load(&lock_path).ok();
    let project = bosun_spec::project_dir(spec_path);
    let standing = Standing::of(loaded.as_ref(), &spec, &project)?;
    let lock = match (loaded, &standing) {
        (Some(lock), Standing::Holds) => lock,
        (other, standing) => {
            let why = standing.why();
            if locked {
                bail!(
                    "{} {why}; run `bosun lock` (or drop --locked)",
                    lock_path.display()
                );
            }
            printer.status(&format!("{} {why}; locking", lock_path.display()));
            let images = crate::locking::Images {
                store_dir,
                registry: &args.registry,
            };
            let lock = match (other, standing) {
                // An app lockfile changed: its packages are chosen again, and the Debian
                // pins stand unless the releases moved or its native code needs more.
                (Some(old), Standing::AppChanged(_)) => crate::locking::resolve_with(
                    &spec,
                    spec_path,
                    images,
                    Previous::Reuse(&old),
                    printer,
                )?,
                // Only an include changed, and not what resolution reads: the pins stand.
                (Some(old), Standing::IncludeChanged(_)) => Lockfile {
                    includes: spec.includes().to_vec(),
                    ..old
                },
                _ => {
                    crate::locking::resolve_with(&spec, spec_path, images, Previous::None, printer)?
                }
            };
            bosun_fs::write_atomic(&lock_path, lock.to_toml().as_bytes())
                .with_context(|| format!("cannot write {}", lock_path.display()))?;
            lock
        }
    };
    let mirrors = settings::mirrors(&spec).unwrap_or_default();
    let store = Store::open(store_dir)
        .with_context(|| format!("cannot open the store at {}", store_dir.display()))?;
    // The images the spec reads, by the lock's digests (fetched only when the store lacks them).
    let inputs = match spec.image.values().any(|i| !i.inputs().is_empty()) {
        true => {
            let dir = bosun_spec::project_dir(spec_path);
            let pins = Some(&lock.inputs[..]);
            crate::locking::gather(&spec, &dir, pins, &store, &args.registry, printer)?.0
        }
        false => Default::default(),
    };
    let cache_ref = |flag: &str, value: &Option<String>| -> Result<Option<Reference>> {
        value
            .as_deref()
            .map(|v| Reference::parse_target(v).with_context(|| format!("{flag} {v:?}")))
            .transpose()
    };
    let cache_from = cache_ref("--cache-from", &args.cache_from)?;
    let cache_to = cache_ref("--cache-to", &args.cache_to)?;
    let registry_client = match (&cache_from, &cache_to) {
        (None, None) => None,
        _ => Some(settings::registry_client(&args.registry)?),
    };
    let remote = match (&cache_from, &registry_client) {
        (Some(r), Some(client)) => {
            let cache = RemoteCache::load(client, r, cache_to.as_ref() == Some(r))
                .with_context(|| format!("cannot read the layer cache {r}"))?;
            printer.status(&format!("layer cache {r}: {} layer(s)", cache.len()));
            Some(RegistryCache {
                cache,
                store: &store,
            })
        }
        _ => None,
    };
    let debs = Cache::new(settings::cache_dir());
    let fetcher = Fetcher::new();
    let reporter = DownloadReporter::new(printer.progress());
    let project = bosun_spec::project_dir(spec_path);
    let scans = bosun_sbom::LayerScans::default();
    let shared = settings::shared_layers()?;
    let ctx = BuildContext {
        store: &store,
        debs: &debs,
        fetcher: &fetcher,
        project: &project,
        mirrors,
        source_date_epoch: settings::source_date_epoch()?,
        parallel_downloads: 8,
        reporter: &reporter,
        inputs: &inputs,
        remote: remote.as_ref().map(|r| r as &dyn RemoteLayers),
        shared: shared.as_ref(),
        no_cache: args.no_cache,
        snapshot: settings::snapshot(&spec).map(|root| bosun_build::Snapshot {
            root,
            releases: lock.releases.clone(),
        }),
        scans: &scans,
        steps: &Default::default(),
    };
    let not_sources = [spec_path.to_path_buf(), bosun_spec::lock_path(spec_path)];
    let steps =
        bosun_build::step::run_steps(&spec, &lock, &names, &ctx, &not_sources, &|run, stage| {
            let what = format!("step {} for {}", run.step, run.architecture);
            printer.status(&match stage {
                Stage::Cached => format!("{what}: cached"),
                Stage::Fetch => format!("fetching for {what} (network on)"),
                Stage::Build => format!("running {what} (network off)"),
            });
        })
        .context("cannot run the build steps")?;
    let ctx = BuildContext {
        steps: &steps,
        ..ctx
    };
    let mut built = Vec::new();
    for name in &names {
        let spinner = printer.progress().then(|| {
            let s = indicatif::ProgressBar::new_spinner().with_message(format!("building {name}"));
            s.enable_steady_tick(std::time::Duration::from_millis(100));
            s
        });
        let image = build_image(&spec, &lock, name, &ctx);
        reporter.finish();
        if let Some(s) = spinner {
            s.finish_and_clear();
        }
        match image {
            Ok(mut image) => {
                let twin = image.debug.take();
                built.push(image);
                built.extend(twin.map(|t| *t));
            }
            Err(e) => {
                // What was built is named all the same; then the failure is reported.
                tag(&store, &built)?;
                return Err(e).with_context(|| format!("cannot build image `{name}`"));
            }
        }
    }
    tag(&store, &built)?;
    match format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&built)?)?,
        // `-q`: results only; the built images' names and digests are the result.
        Format::Table if printer.quiet() => {
            for image in &built {
                printer.data(&format!("{}  {}", image.tags.join(", "), image.digest))?;
            }
        }
        Format::Table => {
            for line in built.iter().flat_map(|image| image.table()) {
                printer.data(&line)?;
            }
        }
    }
    for warning in built.iter().flat_map(|b| &b.warnings) {
        printer.warn(warning);
    }
    // PID 1 gets no default signal actions: a program that does not handle SIGTERM itself
    // ignores `stop` until the kill. An image based on another keeps that image's choice.
    let no_init: Vec<&str> = built
        .iter()
        .filter(|b| {
            let image = &spec.image[&b.image];
            let program = image.entrypoint.as_ref().or(image.cmd.as_ref());
            !image.init
                && program
                    .and_then(|p| p.first())
                    .is_some_and(|p| !bosun_analyze::inspect::is_init(p))
        })
        .map(|b| b.image.as_str())
        .collect();
    if !no_init.is_empty() {
        printer.hint(&format!(
            "{} run{} the entrypoint as PID 1 without an init, which ignores SIGTERM unless the program handles it; `init = true` puts tini first",
            no_init.join(", "),
            if no_init.len() == 1 { "s" } else { "" }
        ));
    }
    printer.status(&format!(
        "built {} image(s) in {:.2}s",
        built.len(),
        started.elapsed().as_secs_f64()
    ));
    if let (Some(target), Some(client)) = (&cache_to, &registry_client) {
        let mut cache = match remote {
            Some(r) if cache_from.as_ref() == Some(target) => r.cache,
            _ => RemoteCache::load(client, target, true)
                .with_context(|| format!("cannot read the layer cache {target}"))?,
        };
        let layers: Vec<(String, bosun_registry::cache::CachedLayer)> = built
            .iter()
            .flat_map(|b| b.layers.values().flatten())
            .filter_map(|l| Some((l.key.clone(), store.cached_layer(&l.key)?)))
            .collect();
        let count = layers.len();
        let uploaded = cache
            .push(&store, layers)
            .with_context(|| format!("cannot write the layer cache {target}"))?;
        printer.status(&format!(
            "layer cache {target}: {count} layer(s) recorded, {uploaded} uploaded"
        ));
    }
    if let Some(key) = &signing_key {
        for image in &built {
            // The identity signed for: the repository it is pushed to, else its store name.
            let name = image.tags.first().map_or(image.image.as_str(), |t| {
                t.rsplit_once(':').map_or(t.as_str(), |(repo, _)| repo)
            });
            let repository = match &push {
                Some((repo, _)) => format!("{repo}/{name}"),
                None => name.to_string(),
            };
            let provenance = || -> Result<serde_json::Value> {
                Ok(provenance::predicate(&provenance::Provenance {
                    spec: &spec,
                    spec_path,
                    lock: &lock,
                    image,
                    steps: &steps,
                    locked: args.locked,
                    push: args.push.as_deref(),
                    source_date_epoch: settings::source_date_epoch()?
                        .unwrap_or_else(|| lock.source_date_epoch()),
                    started_on,
                })?)
            };
            let (proven, sboms) = bosun_trust::store::sign_build(
                &store,
                &image.descriptor,
                &repository,
                key,
                provenance,
            )?;
            printer.status(&format!(
                "signed {repository}@{} and attested its provenance{} and {sboms} SBOM(s)",
                image.digest,
                if proven { " (kept)" } else { "" },
            ));
        }
    }
    if let Some((repo, client)) = push {
        let mut targets = Vec::new();
        for image in &built {
            for tag in &image.tags {
                let reference = Reference::parse(&format!("{repo}/{tag}"))
                    .with_context(|| format!("cannot push `{tag}` under {repo}"))?;
                targets.push((image.descriptor.clone(), reference));
            }
        }
        push_all(&client, &store, targets, printer)?;
    }
    Ok(ExitStatus::Success)
}

/// The registry-held layer cache, as the builder asks it.
struct RegistryCache<'a> {
    cache: RemoteCache,
    store: &'a Store,
}

impl RemoteLayers for RegistryCache<'_> {
    fn fetch(
        &self,
        key: &str,
    ) -> Result<Option<(bosun_oci::model::Descriptor, bosun_oci::Digest)>, bosun_build::Error> {
        self.cache
            .fetch(self.store, key)
            .map_err(|e| bosun_build::Error::Remote(Box::new(e)))
    }
}

/// Names every built image in the store with one rewrite of `index.json`.
fn tag(store: &bosun_oci::Store, built: &[bosun_build::BuiltImage]) -> Result<()> {
    let names = built.iter().flat_map(|b| {
        b.tags
            .iter()
            .map(move |t| (t.clone(), b.descriptor.clone()))
    });
    let artifacts = built.iter().flat_map(|b| b.artifacts.iter().cloned());
    store.tag_all_with(names, artifacts)?;
    Ok(())
}

/// Pushes the built images, their signatures and attestations beside them.
fn push_all(
    client: &bosun_registry::Client,
    store: &Store,
    images: Vec<(bosun_oci::model::Descriptor, Reference)>,
    printer: &Printer,
) -> Result<()> {
    let report = bosun_registry::transfer::push(
        client,
        store,
        &images,
        bosun_registry::transfer::DEFAULT_JOBS,
    )?;
    bosun_trust::registry::carry(client, store, &images)?;
    for (reference, digest) in &report.images {
        printer.status(&format!("pushed {reference}@{digest}"));
    }
    printer.status(&format!(
        "{} blob(s) uploaded ({}), {} mounted, {} already there",
        report.uploaded,
        bosun_analyze::human(report.bytes),
        report.mounted,
        report.existed
    ));
    Ok(())
}
