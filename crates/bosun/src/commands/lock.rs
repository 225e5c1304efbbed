//! `bosun lock`: resolve the spec into bosun.lock; `--check` and `--why`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use bosun_deb::{Cache, Fetcher, Repository};
use bosun_oci::Store;
use bosun_spec::{Lockfile, Spec};

use crate::cli::{RegistryArgs, SpecArgs};
use crate::{ExitStatus, Printer, settings};

/// What `bosun lock` is asked to do.
#[derive(Clone, Copy)]
pub(crate) struct Mode {
    pub(crate) check: bool,
    pub(crate) update: bool,
    pub(crate) security_only: bool,
}

/// Why a group has a root that no `packages` list names, when a setting of the spec adds
/// it.
fn implicit_root(group: &str, root: &str) -> Option<&'static str> {
    let (kind, _) = group.split_once('.')?;
    Some(match kind {
        "step" if bosun_spec::STEP_BASE.contains(&root) => {
            "build environment: every step has a shell and the basic tools"
        }
        "step" if root == "ca-certificates" => {
            "build environment: its fetch phase needs CA certificates"
        }
        "step" => "build environment: `cross = true` adds the C cross toolchains",
        "sdist" => {
            "`python = { build = [...] }`: the environment that builds wheels (its backends)"
        }
        "npm-scripts" => "`node = { build = [...] }`: the environment that runs install scripts",
        "debug" => "`debug = true`: the debug twin's busybox",
        "image" if root == "tini" => "`init = true` runs the entrypoint under tini",
        "image" if root.starts_with("python3") => {
            "`python = {...}`: the interpreter of its dependencies"
        }
        "image" if root == "nodejs" => "`node = {...}`: the runtime of its dependencies",
        _ => return None,
    })
}

/// The spec table a lock group comes from (`step.api.target` -> `step.api`, `debug.api` ->
/// `image.api`).
fn table_of(group: &str) -> String {
    let group = group.strip_suffix(".target").unwrap_or(group);
    match group.split_once('.') {
        Some(("debug" | "sdist" | "npm-scripts", image)) => format!("image.{image}"),
        _ => group.to_string(),
    }
}

pub(crate) fn run(
    spec_args: &SpecArgs,
    mode: Mode,
    why: Option<&str>,
    arch: Option<&str>,
    images: Images<'_>,
    printer: &Printer,
) -> Result<ExitStatus> {
    let spec_path = spec_args.file.as_path();
    // `lock` reads each registry include at what its tag names now; --why explains the lock
    // as it stands, offline.
    let pins = match why {
        Some(_) => super::spec::Pins::Locked,
        None => super::spec::Pins::Fresh,
    };
    let spec = spec_args.load(images.registry, pins)?;
    let lock_path = bosun_spec::lock_path(spec_path);
    if let Some(package) = why {
        let lock = Lockfile::load(&lock_path)?;
        let arch = arch.unwrap_or(&spec.debian.architectures[0]);
        let chains = bosun_build::lock::why(&lock, arch, package);
        let dropped_by = bosun_build::lock::dropped_by(&lock, arch, package);
        // An app's PyPI or npm package: the chain inside its lockfile, and the lockfile.
        let app = bosun_build::app::why(&lock, arch, package);
        for (image, ecosystem, chain) in &app {
            printer.data(&format!("{ecosystem}: {}", chain.join(" -> ")))?;
            if let Some(a) = lock
                .apps
                .iter()
                .find(|a| a.image == *image && a.ecosystem == *ecosystem)
            {
                printer.status(&format!(
                    "{}: [image.{image}] takes its {ecosystem} dependencies from it",
                    a.lockfile
                ));
            }
        }
        if chains.is_empty() && !app.is_empty() {
            return Ok(ExitStatus::Success);
        }
        if chains.is_empty() && !dropped_by.is_empty() {
            printer.data(&format!(
                "`{package}` is left out: {} depend{} on it only to run maintainer scripts, which bosun never runs",
                dropped_by.join(", "),
                if dropped_by.len() == 1 { "s" } else { "" },
            ))?;
            printer.hint(&format!(
                "to install it anyway, name `{package}` in `packages` or set `include_maintainer_deps = true` in [debian]"
            ));
            return Ok(ExitStatus::Success);
        }
        if chains.is_empty() {
            bail!("`{package}` is not in {} for {arch}", lock_path.display());
        }
        for chain in &chains {
            printer.data(&chain.join(" -> "))?;
        }
        // A system library an app's native code loads (numpy's libstdc++).
        for p in lock
            .app_packages
            .iter()
            .filter(|p| p.architecture == arch && p.needs.iter().any(|n| n == package))
        {
            printer.status(&format!(
                "[image.{}] {} {} {} loads a library `{package}` ships",
                p.image, p.ecosystem, p.name, p.version
            ));
        }
        // Where the spec asks for the top of each chain, even when an include asks.
        let roots: std::collections::BTreeSet<&String> =
            chains.iter().filter_map(|c| c.first()).collect();
        for root in roots {
            let named = spec.for_arch(arch).named_by(root);
            for (table, place, written) in &named {
                let written = written
                    .map(|w| format!(" (written {w})"))
                    .unwrap_or_default();
                printer.status(&format!(
                    "{place}: [{table}] packages names `{root}`{written}"
                ));
            }
            if named.is_empty() {
                // A root no `packages` names: a setting of the spec added it.
                for group in lock
                    .groups
                    .iter()
                    .filter(|g| g.architecture == arch && g.packages.contains(root))
                {
                    if let Some(why) = implicit_root(&group.name, root) {
                        printer.status(&format!("[{}] {why}", table_of(&group.name)));
                    }
                }
            }
        }
        return Ok(ExitStatus::Success);
    }
    let check = mode.check;
    let old = Lockfile::load(&lock_path).ok();
    let previous = match (mode.security_only, &old) {
        (true, Some(old)) => Previous::Pins(old),
        (true, None) => bail!(
            "--security-only moves an existing lock: {} does not exist (run `bosun lock`)",
            lock_path.display()
        ),
        (false, Some(old)) => Previous::Reuse(old),
        (false, None) => Previous::None,
    };
    let lock = resolve_with(&spec, spec_path, images, previous, printer)?;
    if check {
        let app_changed = match &old {
            Some(c) => app_change(c, &spec, spec_path)?,
            None => None,
        };
        return Ok(match old {
            // A lock from before the rules were recorded still holds what it should.
            Some(c)
                if c.to_toml()
                    == Lockfile {
                        resolver: c.resolver,
                        ..lock.clone()
                    }
                    .to_toml() =>
            {
                printer.status(&format!("{} is up to date", lock_path.display()));
                ExitStatus::Success
            }
            Some(c) if c.spec_hash != lock.spec_hash => {
                printer.status(&format!(
                    "{} is stale: bosun.toml changed since it was written",
                    lock_path.display()
                ));
                ExitStatus::Failure
            }
            Some(_) if let Some(why) = &app_changed => {
                printer.status(&format!("{} {why}", lock_path.display()));
                ExitStatus::Failure
            }
            Some(c) if c.changed_include(spec.includes()).is_some() => {
                printer.status(&format!(
                    "{} {}",
                    lock_path.display(),
                    include_change(&c, &spec)
                ));
                ExitStatus::Failure
            }
            Some(c) => {
                report_updates(&c, &lock, printer)?;
                ExitStatus::Failure
            }
            None => {
                printer.status(&format!("{} is missing", lock_path.display()));
                ExitStatus::Failure
            }
        });
    }
    if mode.update
        && let Some(old) = &old
    {
        report_updates(old, &lock, printer)?;
        print_fixed_cves(old, &lock, &spec, printer)?;
    }
    let count = lock.packages.len();
    let text = lock.to_toml();
    if std::fs::read_to_string(&lock_path).is_ok_and(|old| old == text) {
        printer.status(&format!(
            "{} is up to date ({count} packages)",
            lock_path.display()
        ));
        return Ok(ExitStatus::Success);
    }
    bosun_fs::write_atomic(&lock_path, text.as_bytes())
        .with_context(|| format!("cannot write {}", lock_path.display()))?;
    printer.status(&format!(
        "locked {count} packages into {}",
        lock_path.display()
    ));
    Ok(ExitStatus::Success)
}

/// Why `lock` no longer matches the files `spec` includes, naming the file.
pub(crate) fn include_change(lock: &Lockfile, spec: &Spec) -> String {
    match lock.changed_include(spec.includes()) {
        Some((path, Some(_))) if !spec.includes().iter().any(|i| i.path == path) => {
            format!("records an include, {path}, that the spec no longer has")
        }
        Some((path, Some(was))) => format!(
            "was made with {path} at sha256:{}, and that file has changed since",
            &was[..12.min(was.len())]
        ),
        Some((path, None)) => format!("was made before the spec included {path}"),
        None => "matches the spec's includes".to_string(),
    }
}

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
enum Previous<'a> {
    /// No lock yet.
    None,
    /// Kept as it is when nothing it depends on changed.
    Reuse(&'a Lockfile),
    /// `--security-only`: its versions stay unless a security suite has newer ones.
    Pins(&'a Lockfile),
}

fn resolve_with(
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
        Some(store) => super::inputs::gather(
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
            Some(store) => super::inputs::from_packages(spec, &inputs, store)?,
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
pub(crate) fn lock_apps(
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

/// Why `lock` no longer matches the app lockfiles of `spec`, naming the file; `None` when
/// it matches.
pub(crate) fn app_change(lock: &Lockfile, spec: &Spec, spec_path: &Path) -> Result<Option<String>> {
    let now = bosun_build::app::app_lockfiles(spec, &bosun_spec::project_dir(spec_path))?;
    Ok(lock.changed_app(&now).map(|change| match change {
        (path, Some(_)) if !now.iter().any(|a| a.lockfile == path) => {
            format!("records an app lockfile, {path}, that the spec no longer uses")
        }
        (path, Some(was)) => format!(
            "was made with {path} at sha256:{}, and that file has changed since",
            &was[..12.min(was.len())]
        ),
        (path, None) => format!("was made before the spec used {path}"),
    }))
}

/// For each package whose version changed, the CVE ids the new version's changelog names
/// since the old one (the `.deb`s come through the download cache, checked by sha256; a
/// binary without a changelog borrows one from another changed binary of its source).
fn print_fixed_cves(old: &Lockfile, new: &Lockfile, spec: &Spec, printer: &Printer) -> Result<()> {
    let changed: Vec<(&bosun_spec::LockedPackage, &bosun_spec::LockedPackage)> = new
        .packages
        .iter()
        .filter_map(|p| {
            let o = old.package(&p.architecture, &p.name)?;
            (o.version != p.version).then_some((o, p))
        })
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let mirrors = settings::mirrors(spec)?;
    let cache = Cache::new(settings::cache_dir());
    let fetcher = Fetcher::new();
    let mut logs: std::collections::BTreeMap<(String, String), String> = Default::default();
    for (_, p) in &changed {
        let key = (p.source.clone(), p.source_version.clone());
        if logs.contains_key(&key) {
            continue;
        }
        let Ok(request) = bosun_build::deb_request(p, &mirrors, None) else {
            continue;
        };
        cache.ensure_debs(&fetcher, &[request], 1, &bosun_deb::NoReporter)?;
        if let Some(text) = bosun_deb::changelog::from_deb(&cache.deb_path(&p.sha256), &p.name)? {
            logs.insert(key, text);
        }
    }
    for (o, p) in changed {
        let (Ok(from), Ok(to)) = (
            bosun_deb::Version::parse(&o.version),
            bosun_deb::Version::parse(&p.version),
        ) else {
            continue;
        };
        if let Some(log) = logs.get(&(p.source.clone(), p.source_version.clone())) {
            let cves = bosun_deb::changelog::cves_between(log, &from, &to);
            if !cves.is_empty() {
                printer.data(&format!(
                    "{} {}: fixes {}",
                    p.architecture,
                    p.name,
                    cves.join(" ")
                ))?;
            }
        }
    }
    Ok(())
}

fn report_updates(old: &Lockfile, new: &Lockfile, printer: &Printer) -> Result<()> {
    for i in &new.inputs {
        match old.input(&i.reference) {
            Some(o) if o.digest != i.digest => printer.data(&format!(
                "{}: moved from {} to {}",
                i.reference, o.digest, i.digest
            ))?,
            None => printer.data(&format!("{}: new, {}", i.reference, i.digest))?,
            _ => {}
        }
    }
    for p in &new.packages {
        match old.package(&p.architecture, &p.name) {
            Some(o) if o.version != p.version => {
                let security = if p.suite.ends_with("-security") {
                    " (security update)"
                } else {
                    ""
                };
                printer.data(&format!(
                    "{} {}: {} -> {}{security}",
                    p.architecture, p.name, o.version, p.version
                ))?;
            }
            None => printer.data(&format!("{} {}: new {}", p.architecture, p.name, p.version))?,
            _ => {}
        }
    }
    for o in &old.packages {
        if new.package(&o.architecture, &o.name).is_none() {
            printer.data(&format!("{} {}: no longer needed", o.architecture, o.name))?;
        }
    }
    // App dependencies, once per image, ecosystem and package (architectures agree on
    // versions; they differ in files).
    let key =
        |p: &bosun_spec::LockedAppPackage| (p.image.clone(), p.ecosystem.clone(), p.name.clone());
    let versions =
        |lock: &Lockfile| -> std::collections::BTreeMap<(String, String, String), String> {
            lock.app_packages
                .iter()
                .map(|p| (key(p), p.version.clone()))
                .collect()
        };
    let (was, now) = (versions(old), versions(new));
    for (k @ (image, ecosystem, name), v) in &now {
        match was.get(k) {
            Some(o) if o != v => {
                printer.data(&format!("{image} {ecosystem} {name}: {o} -> {v}"))?
            }
            None => printer.data(&format!("{image} {ecosystem} {name}: new {v}"))?,
            _ => {}
        }
    }
    for ((image, ecosystem, name), _) in was.iter().filter(|(k, _)| !now.contains_key(*k)) {
        printer.data(&format!("{image} {ecosystem} {name}: no longer needed"))?;
    }
    Ok(())
}
