//! Building images: plan the layers of each image from the lockfile, reuse cached layers,
//! assemble and compress the rest, and commit config, manifest (and index) to the store.

use std::collections::BTreeMap;

use bosun_deb::CacheRequest;
use bosun_oci::Digest;
use bosun_oci::layer::{self, Compression, Entry, EntryKind, LayerBuilder};
use bosun_oci::model::{
    DEBUG_DIR, DEBUG_TWIN_LABEL, Descriptor, Empty, HealthConfig, History, ImageConfig, Index,
    MEDIA_CONFIG, MEDIA_INDEX, MEDIA_MANIFEST, Manifest, RootFs, RunConfig, platform_for_debian,
    rfc3339,
};
use bosun_spec::{Account, CopyEntry, ImageSpec, LockedPackage, Lockfile, Spec, parse_duration};
use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::Error;
use crate::app::{AppLayer, python_target};
use crate::assemble::{self, AssembleOptions};
use crate::context::{BuildContext, BuiltImage, BuiltLayer, LayerPlan, Snapshot};
use crate::copy::{self, Ignore};
use crate::inputs::copy_from_image;

/// Bump when the skeleton or assembly rules change, so old cached layers are not reused.
const LAYER_FORMAT: &str = "bosun-layer-v1";

/// The lock group of image `name`'s debug twin.
pub(crate) fn debug_group(name: &str) -> String {
    format!("debug.{name}")
}

/// Builds one image of the spec for every architecture into the store. Its names and its
/// SBOMs are listed by the caller, all images' at once ([`bosun_oci::Store::tag_all_with`]).
pub fn build_image(
    spec: &Spec,
    lock: &Lockfile,
    name: &str,
    ctx: &BuildContext<'_>,
) -> Result<BuiltImage, Error> {
    let image = spec
        .image
        .get(name)
        .ok_or_else(|| Error::NoImage(name.to_string()))?;
    if lock.spec_hash != spec.resolution_hash() {
        return Err(Error::StaleLock);
    }
    let epoch = ctx
        .source_date_epoch
        .unwrap_or_else(|| lock.source_date_epoch())
        .max(0);
    let compression = match image.compression {
        bosun_spec::Compression::Gzip => Compression::Gzip,
        bosun_spec::Compression::Zstd => Compression::Zstd,
    };
    let _hold = ctx.store.lock_shared()?;
    let ignore = Ignore::load(ctx.project, image.ignore_file.as_deref())?;
    let mut manifests = Vec::new();
    let mut artifacts = Vec::new();
    let mut all_layers: BTreeMap<String, Vec<BuiltLayer>> = BTreeMap::new();
    let mut twin = Twin::default();
    let mut warnings = std::collections::BTreeSet::new();
    for arch in &spec.debian.architectures {
        // What the image holds and runs may differ per architecture (`${arch}`); its name,
        // tags and inputs do not.
        let image = spec
            .for_arch(arch)
            .image
            .get(name)
            .ok_or_else(|| Error::NoImage(name.to_string()))?;
        let base = match &image.from {
            Some(reference) => Some(base_image(ctx, reference, arch)?),
            None => None,
        };
        let plans = plan(image, name, lock, arch, ctx, &ignore)?;
        let keys: Vec<String> = plans
            .iter()
            .map(|p| layer_key(p, arch, image.keep_docs, compression, epoch))
            .collect();
        // What the store lacks, the remote cache may have: its blob is fetched instead of
        // the layer's .deb files, and nothing is compressed. A cache that fails is a miss.
        let mut cached: Vec<Option<(Descriptor, Digest)>> = Vec::with_capacity(keys.len());
        let mut remote = Vec::with_capacity(keys.len());
        for key in &keys {
            let local = match ctx.no_cache {
                true => None,
                false => ctx
                    .store
                    .cached_layer(key)
                    .or_else(|| ctx.shared.and_then(|s| s.fetch(ctx.store, key))),
            };
            let fetched = match (&local, ctx.remote) {
                (None, Some(r)) if !ctx.no_cache => r.fetch(key).unwrap_or_else(|e| {
                    tracing::warn!(key, error = %e, "remote layer cache failed; building the layer");
                    None
                }),
                _ => None,
            };
            remote.push(fetched.is_some());
            cached.push(local.or(fetched));
        }
        fetch_missing(&plans, &cached, ctx)?;
        let options = AssembleOptions {
            keep_docs: image.keep_docs,
        };
        let made: Vec<(Descriptor, Digest, bool)> = plans
            .par_iter()
            .zip(&cached)
            .zip(&keys)
            .map(|((p, hit), key)| match hit {
                Some((d, id)) => Ok((d.clone(), id.clone(), true)),
                None => {
                    let (d, id) = make_layer(p, ctx, options, compression, epoch as u64)?;
                    ctx.store.cache_layer(key, &d, &id)?;
                    if let Some(shared) = ctx.shared {
                        shared.keep(ctx.store, key, &d, &id);
                    }
                    Ok((d, id, false))
                }
            })
            .collect::<Result<_, Error>>()?;
        let config = image_config(image, arch, epoch, &plans, &made, base.as_ref())?;
        let config_desc = ctx.store.write_json(&config, MEDIA_CONFIG)?;
        let mut layers: Vec<Descriptor> = Vec::new();
        let mut annotations = BTreeMap::new();
        if let Some(base) = &base {
            layers.extend(base.manifest.layers.iter().map(|l| Descriptor {
                media_type: oci_layer_type(&l.media_type),
                ..l.clone()
            }));
            // The image-spec's annotations for the image this one is built on.
            annotations.insert(
                "org.opencontainers.image.base.digest".to_string(),
                base.digest.to_string(),
            );
            annotations.insert(
                "org.opencontainers.image.base.name".to_string(),
                base.name.clone(),
            );
        }
        layers.extend(made.iter().map(|(d, _, _)| d.clone()));
        let manifest = Manifest {
            schema_version: 2,
            media_type: Some(MEDIA_MANIFEST.into()),
            config: config_desc,
            layers,
            annotations,
        };
        let mut desc = ctx.store.write_json(&manifest, MEDIA_MANIFEST)?;
        for copied in plans.iter().filter_map(|p| p.app.as_ref()) {
            let links = copied
                .entries()
                .any(|e| matches!(e.kind, bosun_oci::layer::EntryKind::Symlink(_)));
            if links {
                let built =
                    bosun_oci::source::open_descriptor(name, ctx.store.root(), &desc, None)?;
                for (link, target) in copy::dangling_links(copied, &built)? {
                    warnings.insert(format!(
                        "image {name}: the copied symlink {link} leads to {target}, which the image does not hold; what uses it fails in the container"
                    ));
                }
            }
        }
        artifacts.extend(crate::sbom::attach(
            ctx,
            &spec.tags_of(name)[0],
            &plans,
            &desc,
            epoch,
        )?);
        desc.platform = Some(platform_for_debian(arch));
        manifests.push(desc);
        let layers: Vec<BuiltLayer> = plans
            .iter()
            .zip(&made)
            .zip(keys.iter().zip(&remote))
            .map(|((p, (d, diff_id, hit)), (key, remote))| BuiltLayer {
                digest: d.digest.clone(),
                size: d.size,
                created_by: p.created_by.clone(),
                cached: *hit,
                remote: *remote,
                key: key.clone(),
                diff_id: diff_id.clone(),
            })
            .collect();
        if image.debug {
            // The twin: every layer of the image, then busybox.
            let packages = lock
                .group(&debug_group(name), arch)
                .ok_or(Error::StaleLock)?
                .packages
                .iter()
                .map(|p| lock.package(arch, p).ok_or(Error::StaleLock))
                .collect::<Result<Vec<_>, _>>()?;
            let plan = LayerPlan {
                created_by: format!(
                    "bosun: debug shell: busybox in /{DEBUG_DIR} ({} packages)",
                    packages.len()
                ),
                packages,
                skeleton: false,
                app: None,
                deps: None,
                debug: true,
            };
            let key = layer_key(&plan, arch, image.keep_docs, compression, epoch);
            let hit = match ctx.no_cache {
                true => None,
                false => ctx
                    .store
                    .cached_layer(&key)
                    .or_else(|| ctx.shared.and_then(|s| s.fetch(ctx.store, &key))),
            };
            let cached = hit.is_some();
            let (d, id) = match hit {
                Some(hit) => hit,
                None => {
                    fetch_missing(std::slice::from_ref(&plan), &[None], ctx)?;
                    let (d, id) = make_layer(&plan, ctx, options, compression, epoch as u64)?;
                    ctx.store.cache_layer(&key, &d, &id)?;
                    if let Some(shared) = ctx.shared {
                        shared.keep(ctx.store, &key, &d, &id);
                    }
                    (d, id)
                }
            };
            let mut config = config;
            config.rootfs.diff_ids.push(id.clone());
            config.history.push(History {
                created: Some(rfc3339(epoch)),
                created_by: Some(plan.created_by.clone()),
                comment: None,
                empty_layer: false,
            });
            // busybox last on PATH: the image's own programs keep their names.
            for kv in &mut config.config.env {
                if let Some(path) = kv.strip_prefix("PATH=") {
                    *kv = format!("PATH={path}:/{DEBUG_DIR}");
                }
            }
            config
                .config
                .labels
                .insert(DEBUG_TWIN_LABEL.into(), spec.tags_of(name)[0].clone());
            let mut manifest = manifest;
            manifest.config = ctx.store.write_json(&config, MEDIA_CONFIG)?;
            manifest.layers.push(d.clone());
            let mut desc = ctx.store.write_json(&manifest, MEDIA_MANIFEST)?;
            let mut twin_layers = layers.clone();
            twin_layers.push(BuiltLayer {
                digest: d.digest.clone(),
                size: d.size,
                created_by: plan.created_by.clone(),
                cached,
                remote: false,
                key,
                diff_id: id,
            });
            let mut plans = plans;
            plans.push(plan);
            let tag = &spec.debug_tags_of(name)[0];
            twin.artifacts
                .extend(crate::sbom::attach(ctx, tag, &plans, &desc, epoch)?);
            desc.platform = Some(platform_for_debian(arch));
            twin.manifests.push(desc);
            twin.layers.insert(arch.clone(), twin_layers);
        }
        all_layers.insert(arch.clone(), layers);
    }
    let debug = match image.debug {
        true => Some(Box::new(BuiltImage {
            image: name.into(),
            tags: spec.debug_tags_of(name),
            layers: twin.layers,
            artifacts: twin.artifacts,
            warnings: Vec::new(),
            debug: None,
            ..finish(ctx, twin.manifests)?
        })),
        false => None,
    };
    Ok(BuiltImage {
        image: name.into(),
        tags: spec.tags_of(name),
        layers: all_layers,
        artifacts,
        warnings: warnings.into_iter().collect(),
        debug,
        ..finish(ctx, manifests)?
    })
}

/// What a debug twin gathers while its image is built.
#[derive(Default)]
struct Twin {
    manifests: Vec<Descriptor>,
    artifacts: Vec<Descriptor>,
    layers: BTreeMap<String, Vec<BuiltLayer>>,
}

/// The image that `manifests` (one per architecture) make: the manifest itself, or an index
/// of them. Names, layers and artifacts are the caller's to fill.
fn finish(ctx: &BuildContext<'_>, mut manifests: Vec<Descriptor>) -> Result<BuiltImage, Error> {
    let root = if manifests.len() == 1 {
        let mut d = manifests.remove(0);
        d.platform = None;
        d
    } else {
        let index = Index {
            schema_version: 2,
            media_type: Some(MEDIA_INDEX.into()),
            manifests,
            annotations: BTreeMap::new(),
        };
        ctx.store.write_json(&index, MEDIA_INDEX)?
    };
    Ok(BuiltImage {
        image: String::new(),
        tags: Vec::new(),
        digest: root.digest.clone(),
        media_type: root.media_type.clone(),
        layers: BTreeMap::new(),
        descriptor: root,
        artifacts: Vec::new(),
        warnings: Vec::new(),
        debug: None,
    })
}

fn plan<'l>(
    image: &ImageSpec,
    name: &str,
    lock: &'l Lockfile,
    arch: &str,
    ctx: &BuildContext<'_>,
    ignore: &Ignore,
) -> Result<Vec<LayerPlan<'l>>, Error> {
    let packages_of = |group: &str| -> Result<Vec<&'l LockedPackage>, Error> {
        let g = lock.group(group, arch).ok_or(Error::StaleLock)?;
        g.packages
            .iter()
            .map(|p| lock.package(arch, p).ok_or(Error::StaleLock))
            .collect()
    };
    let mut plans = Vec::new();
    for b in &image.bases {
        let packages = packages_of(&format!("base.{b}"))?;
        plans.push(LayerPlan {
            created_by: format!("bosun: base {b} ({} packages)", packages.len()),
            packages,
            skeleton: false,
            app: None,
            deps: None,
            debug: false,
        });
    }
    let own = packages_of(&format!("image.{name}"))?;
    // Without `from`, the first layer carries the skeleton (accounts, /tmp, ...), so there is
    // one even with no packages; on a `from` image only what adds something is a layer.
    if !own.is_empty() || (plans.is_empty() && image.from.is_none()) {
        plans.push(LayerPlan {
            created_by: format!("bosun: image {name} packages ({})", own.len()),
            packages: own,
            skeleton: false,
            app: None,
            deps: None,
            debug: false,
        });
    }
    // The app's dependencies, one layer per ecosystem, below its own files: an edit to the
    // app rebuilds only the layer of its files.
    let mut wanted = Vec::new();
    if let Some(py) = &image.python {
        let target = python_target(lock, name, image, arch).ok_or(Error::StaleLock)?;
        wanted.push((
            "pypi",
            "python",
            py.lock.as_str(),
            Some(target),
            String::new(),
        ));
    }
    if let Some(node) = &image.node {
        let dst = node.dst.trim_matches('/').to_string();
        wanted.push(("npm", "npm", node.lock.as_str(), None, dst));
    }
    for (ecosystem, what, lockfile, python, dst) in wanted {
        let packages = lock.app_packages(name, ecosystem, arch);
        if packages.is_empty() {
            continue;
        }
        plans.push(LayerPlan {
            created_by: format!(
                "bosun: {what} dependencies from {lockfile} ({} packages)",
                packages.len()
            ),
            packages: vec![],
            skeleton: false,
            app: None,
            debug: false,
            deps: Some(AppLayer {
                ecosystem,
                packages,
                python,
                dst,
                built: ctx.steps.wheels(arch),
                scripted: ctx.steps.npm(name, arch).cloned(),
            }),
        });
    }
    if !image.copy.is_empty() {
        let mut app = LayerBuilder::new();
        let from_project: Vec<CopyEntry> = image
            .copy
            .iter()
            .filter(|c| c.image.is_none() && c.step.is_none())
            .cloned()
            .collect();
        let from_images: Vec<&CopyEntry> =
            image.copy.iter().filter(|c| c.image.is_some()).collect();
        let from_steps: Vec<&CopyEntry> = image.copy.iter().filter(|c| c.step.is_some()).collect();
        copy::add_copies(&mut app, ctx.project, &from_project, ignore)?;
        crate::step::add_step_copies(&mut app, &from_steps, arch, ctx.steps)?;
        for c in &from_images {
            let reference = c.image.as_deref().unwrap_or_default();
            let input = ctx.inputs.get(reference).ok_or_else(|| {
                Error::Copy(format!(
                    "{reference} is not in bosun.lock; run `bosun lock`"
                ))
            })?;
            copy_from_image(&mut app, &input.open(ctx.store, arch)?, c)?;
        }
        let what: Vec<String> = image
            .copy
            .iter()
            .map(|c| match (&c.image, &c.step) {
                (Some(i), _) => format!("{i}:{} -> {}", c.src, c.dst),
                (None, Some(s)) => format!("step {s}:/out/{} -> {}", c.src, c.dst),
                (None, None) => format!("{} -> {}", c.src, c.dst),
            })
            .collect();
        plans.push(LayerPlan {
            created_by: format!("bosun: copy {}", what.join(", ")),
            packages: vec![],
            skeleton: false,
            app: Some(app),
            deps: None,
            debug: false,
        });
    }
    if image.from.is_none() {
        plans[0].skeleton = true;
    }
    Ok(plans)
}

/// A hash of everything that decides a layer's bytes.
fn layer_key(
    p: &LayerPlan<'_>,
    arch: &str,
    keep_docs: bool,
    compression: Compression,
    epoch: i64,
) -> String {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    put(LAYER_FORMAT);
    put(arch);
    put(&format!(
        "{keep_docs}/{compression:?}/{epoch}/{}{}",
        p.skeleton,
        if p.debug { "/debug-v2" } else { "" }
    ));
    for pkg in &p.packages {
        put(&pkg.name);
        put(&pkg.sha256);
    }
    if let Some(deps) = &p.deps {
        for part in deps.key_parts() {
            put(&part);
        }
    }
    if let Some(app) = &p.app {
        for e in app.entries() {
            put(&format!("{}\0{:o}\0{}\0{}", e.path, e.mode, e.uid, e.gid));
            match &e.kind {
                EntryKind::File(d) => put(&hex::encode(Sha256::digest(d))),
                EntryKind::Dir => put("dir"),
                EntryKind::Symlink(t) => put(&format!("symlink:{t}")),
                EntryKind::Hardlink(t) => put(&format!("hardlink:{t}")),
            }
        }
    }
    hex::encode(h.finalize())
}

fn fetch_missing(
    plans: &[LayerPlan<'_>],
    cached: &[Option<(Descriptor, Digest)>],
    ctx: &BuildContext<'_>,
) -> Result<(), Error> {
    let mut requests = Vec::new();
    for (p, hit) in plans.iter().zip(cached) {
        if hit.is_some() {
            continue;
        }
        for pkg in &p.packages {
            requests.push(deb_request(pkg, &ctx.mirrors, ctx.snapshot.as_ref())?);
        }
    }
    ctx.debs
        .ensure_debs(ctx.fetcher, &requests, ctx.parallel_downloads, ctx.reporter)?;
    let dists: Vec<_> = plans
        .iter()
        .zip(cached)
        .filter(|(_, hit)| hit.is_none())
        .filter_map(|(p, _)| p.deps.as_ref())
        .flat_map(|d| d.packages.iter().copied())
        .collect();
    crate::app::ensure(
        ctx.debs.root(),
        ctx.fetcher,
        &dists,
        ctx.parallel_downloads,
        ctx.reporter,
    )?;
    Ok(())
}

/// Which archive serves a locked package: `-security` suites come from the security archive.
fn lock_archive(pkg: &LockedPackage) -> &'static str {
    if pkg.suite.ends_with("-security") {
        "security"
    } else {
        "debian"
    }
}

/// Where to download a locked package from (its archive root by [`lock_archive`], else the
/// snapshot archive), checked against its sha256 through the download cache.
pub fn deb_request(
    pkg: &LockedPackage,
    mirrors: &BTreeMap<String, String>,
    snapshot: Option<&Snapshot>,
) -> Result<CacheRequest, Error> {
    let archive = lock_archive(pkg);
    let root = mirrors.get(archive).ok_or_else(|| Error::NoMirror {
        package: pkg.name.clone(),
        suite: pkg.suite.clone(),
        archive: archive.into(),
    })?;
    Ok(CacheRequest {
        fallback: snapshot.and_then(|s| s.url(pkg)),
        ..CacheRequest::package(
            (&pkg.name, &pkg.version, &pkg.package_architecture),
            root,
            &pkg.filename,
            pkg.size,
            &pkg.sha256,
        )
    })
}

fn make_layer(
    p: &LayerPlan<'_>,
    ctx: &BuildContext<'_>,
    options: AssembleOptions,
    compression: Compression,
    epoch: u64,
) -> Result<(Descriptor, Digest), Error> {
    let mut layer = LayerBuilder::new();
    if p.skeleton {
        assemble::skeleton(&mut layer);
    }
    assemble::add_packages(&mut layer, &p.packages, ctx.debs, options)?;
    if p.debug {
        debug_links(&mut layer)?;
    }
    if let Some(deps) = &p.deps {
        deps.add_to(&mut layer, ctx.debs.root())?;
    }
    if let Some(app) = &p.app {
        for e in app.entries() {
            layer.insert(e.clone());
        }
    }
    let mut writer = ctx.store.blob_writer()?;
    let diff_id = layer::write_compressed(&layer, compression, epoch, &mut writer)?;
    let (digest, size) = writer.commit()?;
    let desc = Descriptor {
        media_type: compression.media_type().into(),
        digest,
        size,
        platform: None,
        annotations: BTreeMap::new(),
    };
    Ok((desc, diff_id))
}

/// Links each of busybox's commands in [`DEBUG_DIR`]: the names its binary lists, read from
/// it (nothing runs), as `busybox --install` would make them.
fn debug_links(layer: &mut LayerBuilder) -> Result<(), Error> {
    let busybox = ["usr/bin/busybox", "bin/busybox"]
        .iter()
        .find_map(|p| match layer.get(p).map(|e| &e.kind) {
            Some(EntryKind::File(data)) => Some((*p, data.clone())),
            _ => None,
        })
        .ok_or_else(|| Error::Copy(format!("{} holds no busybox", bosun_spec::DEBUG_PACKAGE)))?;
    let names = busybox_applets(&busybox.1);
    if names.len() < 50 {
        return Err(Error::Copy(format!(
            "/{} lists {} commands; not a busybox bosun can read",
            busybox.0,
            names.len()
        )));
    }
    layer.insert(Entry::dir(DEBUG_DIR, 0o755));
    for name in names.iter().filter(|n| *n != "busybox") {
        layer.insert(Entry::symlink(&format!("{DEBUG_DIR}/{name}"), "busybox"));
    }
    layer.insert(Entry::symlink(
        &format!("{DEBUG_DIR}/busybox"),
        &format!("/{}", busybox.0),
    ));
    Ok(())
}

/// The command names a busybox binary carries: its applet table, a run of NUL-terminated,
/// sorted names that starts with `[` and `[[`.
fn busybox_applets(binary: &[u8]) -> Vec<String> {
    let start = b"[\0[[\0";
    let Some(at) = binary.windows(start.len()).position(|w| w == start) else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for raw in binary[at..].split(|b| *b == 0) {
        let valid = !raw.is_empty()
            && raw.len() < 32
            && raw
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"[]_.-".contains(b));
        let name = String::from_utf8_lossy(raw).into_owned();
        if !valid || names.last().is_some_and(|last| *last >= name) {
            break;
        }
        names.push(name);
    }
    names
}

/// The image a `from` names, for one architecture: its manifest and config, read from the
/// store.
struct Base {
    name: String,
    digest: Digest,
    manifest: Manifest,
    config: ImageConfig,
}

fn base_image(ctx: &BuildContext<'_>, reference: &str, arch: &str) -> Result<Base, Error> {
    let input = ctx.inputs.get(reference).ok_or_else(|| {
        Error::Copy(format!(
            "{reference} is not in bosun.lock; run `bosun lock`"
        ))
    })?;
    let image = input.open(ctx.store, arch)?;
    let manifest = image
        .manifest
        .clone()
        .ok_or_else(|| Error::Copy(format!("{reference}: no manifest")))?;
    let want = platform_for_debian(arch).architecture;
    if image.config.architecture != want {
        return Err(Error::Copy(format!(
            "{reference}: the image for {arch} is a {} image",
            image.config.architecture
        )));
    }
    Ok(Base {
        name: reference.trim_start_matches("docker://").to_string(),
        digest: image
            .manifest_digest
            .clone()
            .unwrap_or(image.config_digest.clone()),
        manifest,
        config: image.config,
    })
}

/// Docker's layer media types as OCI names them (the same bytes), so one manifest does not
/// mix the two.
fn oci_layer_type(media_type: &str) -> String {
    match media_type {
        "application/vnd.docker.image.rootfs.diff.tar.gzip" => bosun_oci::model::MEDIA_LAYER_GZIP,
        "application/vnd.docker.image.rootfs.diff.tar.zstd" => bosun_oci::model::MEDIA_LAYER_ZSTD,
        "application/vnd.docker.image.rootfs.diff.tar" => bosun_oci::model::MEDIA_LAYER_TAR,
        other => other,
    }
    .to_string()
}

/// Whether a config's user is root (or unset, which runs as root).
fn runs_as_root(user: Option<&str>) -> bool {
    match user.map(|u| u.split(':').next().unwrap_or(u)) {
        None | Some("") | Some("0") | Some("root") => true,
        Some(_) => false,
    }
}

fn image_config(
    image: &ImageSpec,
    arch: &str,
    epoch: i64,
    plans: &[LayerPlan<'_>],
    made: &[(Descriptor, Digest, bool)],
    base: Option<&Base>,
) -> Result<ImageConfig, Error> {
    let platform = platform_for_debian(arch);
    let created = rfc3339(epoch);
    let inherited = base.map(|b| &b.config.config);
    // Non-root by default: the spec's user, else a base's non-root user, else nonroot.
    let user = match (
        image.user.as_deref(),
        inherited.and_then(|c| c.user.as_deref()),
    ) {
        (Some(u), _) => u,
        (None, Some(u)) if !runs_as_root(Some(u)) => u,
        _ => "nonroot",
    };
    let user = match user {
        u if u.contains(':') || u.parse::<u32>().is_ok() => u.to_string(),
        u => match Account::parse_user(u) {
            Ok((uid, _)) => uid.to_string(),
            // A name only the base's /etc/passwd knows.
            Err(_) if image.user.is_none() => u.to_string(),
            Err(e) => return Err(Error::Copy(e)),
        },
    };
    let mut env: BTreeMap<String, String> = inherited
        .map(|c| {
            c.env
                .iter()
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    env.extend(image.env.clone());
    env.entry("PATH".into())
        .or_insert_with(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    let healthcheck = image
        .healthcheck
        .as_ref()
        .map(|h| HealthConfig {
            test: std::iter::once("CMD".to_string())
                .chain(h.cmd.iter().cloned())
                .collect(),
            interval: h.interval.as_deref().and_then(parse_duration),
            timeout: h.timeout.as_deref().and_then(parse_duration),
            start_period: h.start_period.as_deref().and_then(parse_duration),
            retries: h.retries,
        })
        .or_else(|| inherited.and_then(|c| c.healthcheck.clone()));
    let mut exposed_ports: BTreeMap<String, Empty> = inherited
        .map(|c| c.exposed_ports.clone())
        .unwrap_or_default();
    exposed_ports.extend(image.expose.iter().map(|p| {
        (
            if p.contains('/') {
                p.clone()
            } else {
                format!("{p}/tcp")
            },
            Empty {},
        )
    }));
    // Docker's rule: a new entrypoint drops the inherited cmd.
    let (entrypoint, cmd) = match (image.config_entrypoint(), &image.cmd) {
        (Some(e), cmd) => (Some(e), cmd.clone()),
        (None, Some(cmd)) => (
            inherited.and_then(|c| c.entrypoint.clone()),
            Some(cmd.clone()),
        ),
        (None, None) => (
            inherited.and_then(|c| c.entrypoint.clone()),
            inherited.and_then(|c| c.cmd.clone()),
        ),
    };
    let mut labels = inherited.map(|c| c.labels.clone()).unwrap_or_default();
    labels.extend(image.labels.clone());
    let mut diff_ids: Vec<Digest> = base
        .map(|b| b.config.rootfs.diff_ids.clone())
        .unwrap_or_default();
    diff_ids.extend(made.iter().map(|(_, id, _)| id.clone()));
    let mut history: Vec<History> = base.map(|b| b.config.history.clone()).unwrap_or_default();
    history.extend(plans.iter().map(|p| History {
        created: Some(created.clone()),
        created_by: Some(p.created_by.clone()),
        comment: None,
        empty_layer: false,
    }));
    Ok(ImageConfig {
        created: Some(created.clone()),
        architecture: platform.architecture,
        variant: platform.variant,
        os: "linux".into(),
        config: RunConfig {
            user: Some(user),
            exposed_ports,
            env: env.into_iter().map(|(k, v)| format!("{k}={v}")).collect(),
            entrypoint,
            cmd,
            working_dir: image
                .workdir
                .clone()
                .or_else(|| inherited.and_then(|c| c.working_dir.clone())),
            labels,
            healthcheck,
            volumes: inherited.map(|c| c.volumes.clone()).unwrap_or_default(),
            stop_signal: inherited.and_then(|c| c.stop_signal.clone()),
        },
        rootfs: RootFs {
            kind: "layers".into(),
            diff_ids,
        },
        history,
    })
}
