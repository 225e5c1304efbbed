//! Resolving a spec into a lockfile.

use std::collections::{BTreeMap, HashSet};

use bosun_deb::packages::PackageRecord;
use bosun_deb::resolve::Selected;
use bosun_deb::{MAINTAINER_SCRIPT_EDGES, MAINTAINER_SCRIPT_TOOLS, Omit, Repository, Selection};
use bosun_spec::{LockedGroup, LockedPackage, LockedRelease, Lockfile, Spec};

use crate::Error;

/// What the `from` images already have: packages by image name, then Debian architecture.
pub type FromPackages = BTreeMap<String, BTreeMap<String, Vec<PackageRecord>>>;

/// Resolves every group of `spec` for every architecture against `repo`.
///
/// Each `[base.*]` group is resolved on its own, so its layer is the same whichever image uses
/// it; each image is then resolved with its bases (and what its `from` image's dpkg database
/// lists, `from`) already installed, and its group holds only what they do not.
///
/// With `security_only` (an earlier lock), every package that lock holds keeps its version
/// unless a `-security` suite has a newer one: a relock that takes security fixes and
/// nothing else (new dependencies those fixes bring resolve as usual).
///
/// `needs` adds packages to an image's roots: the system libraries its app dependencies
/// load ([`crate::app::needs`]).
pub fn resolve(
    spec: &Spec,
    repo: &Repository,
    from: &FromPackages,
    security_only: Option<&Lockfile>,
    needs: &BTreeMap<String, std::collections::BTreeSet<String>>,
) -> Result<Lockfile, Error> {
    let mut lock = Lockfile {
        version: Lockfile::VERSION,
        spec_hash: spec.resolution_hash(),
        // A lock that holds versions back is not what resolving again gives: it records no
        // rules, so the next plain `bosun lock` resolves rather than reusing it.
        resolver: match security_only {
            Some(_) => 0,
            None => Lockfile::RESOLVER,
        },
        releases: releases(repo),
        ..Default::default()
    };
    let global: HashSet<String> = spec.debian.exclude.iter().cloned().collect();
    // Distroless by default: what only maintainer scripts use is left out unless asked for.
    let maintainer_tools: HashSet<String> = match spec.debian.include_maintainer_deps {
        true => HashSet::new(),
        false => MAINTAINER_SCRIPT_TOOLS
            .iter()
            .map(|t| t.to_string())
            .collect(),
    };
    let maintainer_edges: HashSet<(String, String)> = match spec.debian.include_maintainer_deps {
        true => HashSet::new(),
        false => MAINTAINER_SCRIPT_EDGES
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
    };
    let omit = |extra: &[String]| Omit {
        exclude: global.iter().chain(extra).cloned().collect(),
        maintainer_tools: maintainer_tools.clone(),
        maintainer_edges: maintainer_edges.clone(),
    };
    let mut packages: BTreeMap<(String, String), LockedPackage> = BTreeMap::new();
    for arch in &spec.debian.architectures {
        // `${arch}` may give each architecture its own package lists.
        let spec = spec.for_arch(arch);
        let universe = repo.universe(arch)?;
        let universe = match security_only {
            Some(old) => universe.filtered(|r| match old.package(arch, &r.name) {
                None => true,
                Some(locked) => {
                    r.version.to_string() == locked.version
                        || (r.suite.ends_with("-security")
                            && bosun_deb::Version::parse(&locked.version)
                                .is_ok_and(|v| r.version > v))
                }
            }),
            None => universe,
        };
        tracing::debug!(arch, candidates = universe.len(), "package universe loaded");
        let mut bases: BTreeMap<&str, Selection> = BTreeMap::new();
        for (name, base) in &spec.base {
            let sel = universe
                .resolve(&base.packages, &Selection::new(), &omit(&base.exclude))
                .map_err(|e| Error::Resolve {
                    group: format!("base.{name}"),
                    source: e,
                })?;
            record(
                &mut lock,
                &mut packages,
                &format!("base.{name}"),
                arch,
                &sel,
            )?;
            bases.insert(name, sel);
        }
        for (name, image) in &spec.image {
            let mut installed = Selection::new();
            for record in from
                .get(name)
                .and_then(|a| a.get(arch))
                .into_iter()
                .flatten()
            {
                installed.insert(
                    record.name.clone(),
                    Selected {
                        record: record.clone(),
                        depends: Default::default(),
                        dropped: Default::default(),
                        required_by: None,
                    },
                );
            }
            for b in &image.bases {
                installed.extend(bases[b.as_str()].clone());
            }
            let mut roots = image.roots();
            for need in needs.get(name).into_iter().flatten() {
                if !roots.contains(need) {
                    roots.push(need.clone());
                }
            }
            let sel = universe
                .resolve(&roots, &installed, &omit(&image.exclude))
                .map_err(|e| Error::Resolve {
                    group: format!("image.{name}"),
                    source: e,
                })?;
            record(
                &mut lock,
                &mut packages,
                &format!("image.{name}"),
                arch,
                &sel,
            )?;
            // The debug twin's busybox, over everything the image has.
            if image.debug {
                installed.extend(sel);
                let group = crate::image::debug_group(name);
                let roots = [bosun_spec::DEBUG_PACKAGE.to_string()];
                let debug = universe
                    .resolve(&roots, &installed, &omit(&image.exclude))
                    .map_err(|e| Error::Resolve {
                        group: group.clone(),
                        source: e,
                    })?;
                record(&mut lock, &mut packages, &group, arch, &debug)?;
            }
        }
        // Build environments, never shipped: each resolved on its own, no image's exclusions
        // applying.
        let mut environments: Vec<(String, Vec<String>, Omit)> = Vec::new();
        for (name, step) in &spec.step {
            let own = || Omit {
                exclude: step.exclude.iter().cloned().collect(),
                ..omit(&[])
            };
            let mut roots = step.roots();
            if step.cross {
                roots.extend(crate::step::cross_packages(
                    arch,
                    &spec.debian.architectures,
                ));
            }
            environments.push((format!("step.{name}"), roots, own()));
            // What a step links against for this target architecture (multiarch).
            if !step.target_packages.is_empty() {
                let group = crate::step::target_group(name);
                environments.push((group, step.target_packages.clone(), own()));
            }
        }
        // What builds an image's source distributions into wheels, and runs its npm install
        // scripts.
        for (name, image) in &spec.image {
            if image.python.as_ref().is_some_and(|p| !p.build.is_empty()) {
                let roots = crate::step::sdist_roots(image);
                environments.push((crate::step::sdist_group(name), roots, omit(&[])));
            }
            if image.node.as_ref().is_some_and(|n| !n.build.is_empty()) {
                let roots = crate::step::npm_roots();
                environments.push((crate::step::npm_group(name), roots, omit(&[])));
            }
        }
        for (group, roots, omit) in environments {
            let sel = universe
                .resolve(&roots, &Selection::new(), &omit)
                .map_err(|e| Error::Resolve {
                    group: group.clone(),
                    source: e,
                })?;
            record(&mut lock, &mut packages, &group, arch, &sel)?;
        }
    }
    lock.packages = packages.into_values().collect();
    lock.normalize();
    Ok(lock)
}

/// The signed releases `repo` read, as a lock records them.
pub fn releases(repo: &Repository) -> Vec<LockedRelease> {
    repo.suites
        .iter()
        .map(|s| LockedRelease {
            suite: s.suite.clone(),
            archive: s.archive.as_str().into(),
            date: s.release.date,
            inrelease_sha256: s.inrelease_sha256.clone(),
        })
        .collect()
}

fn record(
    lock: &mut Lockfile,
    packages: &mut BTreeMap<(String, String), LockedPackage>,
    group: &str,
    arch: &str,
    selection: &Selection,
) -> Result<(), Error> {
    lock.groups.push(LockedGroup {
        name: group.into(),
        architecture: arch.into(),
        packages: selection.keys().cloned().collect(),
    });
    for (name, sel) in selection {
        let r = &sel.record;
        let entry = LockedPackage {
            name: name.clone(),
            version: r.version.to_string(),
            architecture: arch.into(),
            package_architecture: r.architecture.clone(),
            source: r.source.clone(),
            source_version: r.source_version.clone(),
            suite: r.suite.clone(),
            filename: r.filename.clone(),
            size: r.size,
            sha256: r.sha256.clone(),
            depends: sel.depends.iter().cloned().collect(),
            dropped: sel.dropped.iter().cloned().collect(),
        };
        match packages.get_mut(&(arch.to_string(), name.clone())) {
            Some(existing) if existing.version != entry.version => {
                return Err(Error::Conflict {
                    package: name.clone(),
                    first: existing.version.clone(),
                    second: entry.version,
                    group: group.into(),
                    architecture: arch.into(),
                });
            }
            Some(existing) => {
                existing.depends.extend(entry.depends);
                existing.dropped.extend(entry.dropped);
            }
            None => {
                packages.insert((arch.to_string(), name.clone()), entry);
            }
        }
    }
    Ok(())
}

/// The locked packages of `arch` that depend on `package` only for their maintainer scripts,
/// so that the dependency was left out (see `bosun_deb::MAINTAINER_SCRIPT_TOOLS`).
pub fn dropped_by(lock: &Lockfile, arch: &str, package: &str) -> Vec<String> {
    lock.packages
        .iter()
        .filter(|p| p.architecture == arch && p.dropped.iter().any(|d| d == package))
        .map(|p| p.name.clone())
        .collect()
}

/// Why `package` is in the lock for `arch`: each chain from a group root down to it.
pub fn why(lock: &Lockfile, arch: &str, package: &str) -> Vec<Vec<String>> {
    let parents: BTreeMap<&str, Vec<&str>> = lock
        .packages
        .iter()
        .filter(|p| p.architecture == arch)
        .flat_map(|p| p.depends.iter().map(move |d| (d.as_str(), p.name.as_str())))
        .fold(BTreeMap::new(), |mut m, (child, parent)| {
            m.entry(child).or_default().push(parent);
            m
        });
    // Breadth-first search upwards gives the shortest chain through each direct parent.
    let mut chains = Vec::new();
    let direct = parents.get(package).cloned().unwrap_or_default();
    if direct.is_empty() && lock.package(arch, package).is_some() {
        return vec![vec![package.to_string()]];
    }
    for first in direct {
        let mut chain = vec![package.to_string(), first.to_string()];
        let mut seen: HashSet<&str> = [package, first].into();
        let mut cur = first;
        while let Some(next) = parents
            .get(cur)
            .and_then(|ps| ps.iter().find(|p| !seen.contains(**p)))
        {
            seen.insert(next);
            chain.push(next.to_string());
            cur = next;
        }
        chain.reverse();
        chains.push(chain);
    }
    // The chain inside the group whose layer holds the package first: that is why it is there.
    let home: Vec<&Vec<String>> = lock
        .groups
        .iter()
        .filter(|g| g.architecture == arch && g.packages.iter().any(|p| p == package))
        .map(|g| &g.packages)
        .collect();
    chains.sort_by_key(|chain| {
        !home
            .iter()
            .any(|packages| chain.iter().all(|link| packages.contains(link)))
    });
    chains
}

/// Why a group has a root that no `packages` list names, when a setting of the spec adds
/// it.
pub fn implicit_root(group: &str, root: &str) -> Option<&'static str> {
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
pub fn table_of(group: &str) -> String {
    let group = group.strip_suffix(".target").unwrap_or(group);
    match group.split_once('.') {
        Some(("debug" | "sdist" | "npm-scripts", image)) => format!("image.{image}"),
        _ => group.to_string(),
    }
}

/// Why `lock` no longer matches the files `spec` includes, naming the file.
pub fn include_change(lock: &Lockfile, spec: &Spec) -> String {
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

/// What moved from `old` to `new`, a line each: input digests, package versions (security
/// updates said), packages no longer needed, app dependencies.
pub fn changes(old: &Lockfile, new: &Lockfile) -> Vec<String> {
    let mut out = Vec::new();
    for i in &new.inputs {
        match old.input(&i.reference) {
            Some(o) if o.digest != i.digest => out.push(format!(
                "{}: moved from {} to {}",
                i.reference, o.digest, i.digest
            )),
            None => out.push(format!("{}: new, {}", i.reference, i.digest)),
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
                out.push(format!(
                    "{} {}: {} -> {}{security}",
                    p.architecture, p.name, o.version, p.version
                ));
            }
            None => out.push(format!("{} {}: new {}", p.architecture, p.name, p.version)),
            _ => {}
        }
    }
    for o in &old.packages {
        if new.package(&o.architecture, &o.name).is_none() {
            out.push(format!("{} {}: no longer needed", o.architecture, o.name));
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
            Some(o) if o != v => out.push(format!("{image} {ecosystem} {name}: {o} -> {v}")),
            None => out.push(format!("{image} {ecosystem} {name}: new {v}")),
            _ => {}
        }
    }
    for ((image, ecosystem, name), _) in was.iter().filter(|(k, _)| !now.contains_key(*k)) {
        out.push(format!("{image} {ecosystem} {name}: no longer needed"));
    }
    out
}

/// For each package whose version changed, a line with the CVE ids the new version's changelog names
/// since the old one (the `.deb`s come through the download cache, checked by sha256; a
/// binary without a changelog borrows one from another changed binary of its source).
pub fn fixed_cves(
    old: &Lockfile,
    new: &Lockfile,
    mirrors: &BTreeMap<String, String>,
    cache: &bosun_deb::Cache,
    fetcher: &bosun_deb::Fetcher,
) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let changed: Vec<(&bosun_spec::LockedPackage, &bosun_spec::LockedPackage)> = new
        .packages
        .iter()
        .filter_map(|p| {
            let o = old.package(&p.architecture, &p.name)?;
            (o.version != p.version).then_some((o, p))
        })
        .collect();
    if changed.is_empty() {
        return Ok(out);
    }
    let mut logs: std::collections::BTreeMap<(String, String), String> = Default::default();
    for (_, p) in &changed {
        let key = (p.source.clone(), p.source_version.clone());
        if logs.contains_key(&key) {
            continue;
        }
        let Ok(request) = crate::deb_request(p, mirrors, None) else {
            continue;
        };
        cache.ensure_debs(fetcher, &[request], 1, &bosun_deb::NoReporter)?;
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
                out.push(format!(
                    "{} {}: fixes {}",
                    p.architecture,
                    p.name,
                    cves.join(" ")
                ));
            }
        }
    }
    Ok(out)
}

/// What an existing lock is to a new resolution.
#[derive(Clone, Copy)]
pub enum Previous<'a> {
    /// No lock yet.
    None,
    /// Kept as it is when nothing it depends on changed.
    Reuse(&'a Lockfile),
    /// `--security-only`: its versions stay unless a security suite has newer ones.
    Pins(&'a Lockfile),
}

/// Where an app's dependencies are locked from.
pub struct AppLocking<'a> {
    /// The project directory (app lockfiles are relative to it).
    pub project: &'a std::path::Path,
    /// Package indexes and registries when a lockfile does not say.
    pub sources: &'a crate::app::AppSources,
    /// Downloads.
    pub fetcher: &'a bosun_deb::Fetcher,
    /// The download cache.
    pub cache: &'a std::path::Path,
}

/// The lock of `spec`: from `repo`'s releases, the image inputs as `locked` pins them (read
/// from `inputs` in the store, for what their `from` images have installed), and the app
/// lockfiles. Resolution
/// is a function of the spec, the signed releases, the image inputs and the rules: with all
/// four unchanged, a previous lock stands (and one small request per suite answered).
pub fn lock_spec(
    spec: &Spec,
    repo: &Repository,
    locked: Vec<bosun_spec::LockedInput>,
    inputs: Option<(&BTreeMap<String, crate::inputs::Input>, &bosun_oci::Store)>,
    previous: Previous<'_>,
    apps: &AppLocking<'_>,
) -> Result<Lockfile, Error> {
    let from = || match inputs {
        Some((inputs, store)) => crate::inputs::from_packages(spec, inputs, store),
        None => Ok(FromPackages::new()),
    };
    let pins = match previous {
        Previous::Pins(old) => Some(old),
        _ => None,
    };
    let no_needs = Default::default();
    let mut lock = match previous {
        Previous::Reuse(old)
            if old.is_reusable(&spec.resolution_hash(), &releases(repo), &locked) =>
        {
            tracing::debug!("the spec, releases and inputs are unchanged: the lock stands");
            let mut lock = Lockfile {
                includes: spec.includes().to_vec(),
                ..old.clone()
            };
            lock_apps(&mut lock, spec, apps, Some(old))?;
            lock
        }
        _ => {
            let mut lock = resolve(spec, repo, &from()?, pins, &no_needs)?;
            lock.inputs = locked.clone();
            lock.includes = spec.includes().to_vec();
            lock_apps(&mut lock, spec, apps, None)?;
            lock
        }
    };
    // The system libraries the app's native wheels load (libstdc++...) join the image's
    // packages: a second resolution, with them as roots, when the first lacks them.
    let needs = crate::app::needs(&lock);
    if !crate::app::needs_met(&lock, spec, &needs) {
        let mut again = resolve(spec, repo, &from()?, pins, &needs)?;
        again.inputs = locked;
        again.includes = spec.includes().to_vec();
        again.apps = std::mem::take(&mut lock.apps);
        again.app_packages = std::mem::take(&mut lock.app_packages);
        lock = again;
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
    apps: &AppLocking<'_>,
    kept: Option<&Lockfile>,
) -> Result<(), Error> {
    if !spec
        .image
        .values()
        .any(|i| i.python.is_some() || i.node.is_some())
    {
        lock.apps.clear();
        lock.app_packages.clear();
        return Ok(());
    }
    let now = crate::app::app_lockfiles(spec, apps.project)?;
    if let Some(old) = kept
        && old.changed_app(&now).is_none()
    {
        return Ok(());
    }
    let (locked, packages) = crate::app::lock_apps(
        spec,
        lock,
        apps.project,
        apps.sources,
        apps.fetcher,
        apps.cache,
    )?;
    lock.apps = locked;
    lock.app_packages = packages;
    Ok(())
}

/// Whether a lock still holds for its spec, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Nothing it was made from changed.
    Holds,
    /// An app lockfile changed (why, naming it).
    AppChanged(String),
    /// What resolution reads is the same, but an included file changed (why, naming it).
    IncludeChanged(String),
    /// The spec changed what resolution reads.
    SpecChanged,
    /// There is no lock.
    Missing,
}

impl Standing {
    /// How `lock` stands for `spec` (its project directory holds the app lockfiles).
    pub fn of(
        lock: Option<&Lockfile>,
        spec: &Spec,
        project: &std::path::Path,
    ) -> Result<Standing, Error> {
        let Some(lock) = lock else {
            return Ok(Standing::Missing);
        };
        if let Some(why) = crate::app::app_change(lock, spec, project)? {
            return Ok(Standing::AppChanged(why));
        }
        if lock.spec_hash != spec.resolution_hash() {
            return Ok(Standing::SpecChanged);
        }
        Ok(match lock.changed_include(spec.includes()) {
            Some(_) => Standing::IncludeChanged(include_change(lock, spec)),
            None => Standing::Holds,
        })
    }

    /// Why the lock does not hold, after its file name.
    pub fn why(&self) -> String {
        match self {
            Standing::Holds => "holds".into(),
            Standing::AppChanged(why) | Standing::IncludeChanged(why) => why.clone(),
            Standing::SpecChanged => "is out of date with bosun.toml".into(),
            Standing::Missing => "does not exist".into(),
        }
    }
}

/// Why a package is in a lock, in words.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The answer: each chain of dependencies from a root to the package (or why it is
    /// left out).
    pub lines: Vec<String>,
    /// Where each root comes from: the spec's line that names it, the setting that added it,
    /// the app lockfile a PyPI or npm package comes from.
    pub notes: Vec<String>,
    /// What to do to have it otherwise.
    pub hint: Option<String>,
}

/// Why `package` is in `lock` for `arch` (`spec` says where its roots are asked for), or why
/// it is left out; `None` when the lock does not know it.
pub fn explain(lock: &Lockfile, spec: &Spec, arch: &str, package: &str) -> Option<Explanation> {
    let mut out = Explanation::default();
    let chains = why(lock, arch, package);
    let dropped = dropped_by(lock, arch, package);
    // An app's PyPI or npm package: the chain inside its lockfile, and the lockfile.
    let app = crate::app::why(lock, arch, package);
    for (image, ecosystem, chain) in &app {
        out.lines
            .push(format!("{ecosystem}: {}", chain.join(" -> ")));
        if let Some(a) = lock
            .apps
            .iter()
            .find(|a| a.image == *image && a.ecosystem == *ecosystem)
        {
            out.notes.push(format!(
                "{}: [image.{image}] takes its {ecosystem} dependencies from it",
                a.lockfile
            ));
        }
    }
    match (chains.is_empty(), app.is_empty(), dropped.is_empty()) {
        (true, false, _) => return Some(out),
        (true, true, false) => {
            out.lines.push(format!(
                "`{package}` is left out: {} depend{} on it only to run maintainer scripts, which bosun never runs",
                dropped.join(", "),
                if dropped.len() == 1 { "s" } else { "" },
            ));
            out.hint = Some(format!(
                "to install it anyway, name `{package}` in `packages` or set `include_maintainer_deps = true` in [debian]"
            ));
            return Some(out);
        }
        (true, true, true) => return None,
        (false, _, _) => {}
    }
    out.lines.extend(chains.iter().map(|c| c.join(" -> ")));
    // A system library an app's native code loads (numpy's libstdc++).
    for p in lock
        .app_packages
        .iter()
        .filter(|p| p.architecture == arch && p.needs.iter().any(|n| n == package))
    {
        out.notes.push(format!(
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
            out.notes.push(format!(
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
                    out.notes.push(format!("[{}] {why}", table_of(&group.name)));
                }
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, depends: &[&str], dropped: &[&str]) -> LockedPackage {
        LockedPackage {
            name: name.into(),
            version: "1".into(),
            architecture: "amd64".into(),
            package_architecture: "amd64".into(),
            source: name.into(),
            source_version: "1".into(),
            suite: "trixie".into(),
            filename: format!("pool/{name}.deb"),
            size: 1,
            sha256: "0".repeat(64),
            depends: depends.iter().map(|d| d.to_string()).collect(),
            dropped: dropped.iter().map(|d| d.to_string()).collect(),
        }
    }

    /// A package in the core layer is explained by the core's chain first, though an image's
    /// packages need it too; a left-out maintainer-script tool names who wanted it.
    #[test]
    fn why_starts_with_the_chain_of_its_own_layer() {
        let group = |name: &str, packages: &[&str]| LockedGroup {
            name: name.into(),
            architecture: "amd64".into(),
            packages: packages.iter().map(|p| p.to_string()).collect(),
        };
        let lock = Lockfile {
            version: Lockfile::VERSION,
            groups: vec![
                group("base.core", &["ca-certificates", "openssl", "libssl3t64"]),
                group("image.app", &["app", "libpython"]),
            ],
            packages: vec![
                package("app", &["libpython"], &["dpkg"]),
                package("libpython", &["libssl3t64"], &[]),
                package("ca-certificates", &["openssl"], &["debconf"]),
                package("openssl", &["libssl3t64"], &[]),
                package("libssl3t64", &[], &[]),
            ],
            ..Default::default()
        };
        let chains = why(&lock, "amd64", "libssl3t64");
        assert_eq!(chains[0], ["ca-certificates", "openssl", "libssl3t64"]);
        assert_eq!(chains[1], ["app", "libpython", "libssl3t64"]);
        assert_eq!(dropped_by(&lock, "amd64", "dpkg"), ["app"]);
        assert!(dropped_by(&lock, "amd64", "tar").is_empty());
    }
}
