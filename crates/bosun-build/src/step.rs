//! Build steps: a program compiled from the project's sources in a sandbox whose root is
//! made of locked Debian packages, its declared outputs kept for images to copy.
//!
//! A step runs on this machine's own architecture (its environment is the lock's
//! `step.NAME` group for it) once per target architecture of the images that use it, with
//! `TARGETARCH` saying which: Go cross-compiles by `GOARCH = "${arch}"`, no emulation. The
//! root, the sources and the outputs are all cached by hashes of what makes them, so an
//! unchanged step does not run again and two machines with the same lock and sources run it
//! on the same bytes at the same paths.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufRead, Seek};
use std::path::{Path, PathBuf};

use bosun_lang::python;
use bosun_oci::layer::{Entry, EntryKind, LayerBuilder};
use bosun_spec::{CopyEntry, ImageSpec, LockedAppPackage, LockedPackage, Lockfile, Spec, StepSpec};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::Error;
use crate::assemble::{self, AssembleOptions};
use crate::context::BuildContext;
use crate::copy::{self, Ignore};
use crate::image::deb_request;

/// Bump when how a root is assembled changes, so old cached roots are not reused.
const ROOT_FORMAT: &str = "bosun-step-root-v2";
/// Bump when what a step sees (paths, default environment, sandbox) changes.
const STEP_FORMAT: &str = "bosun-step-v1";
/// Lines of a failed step's log an error shows.
const LOG_TAIL: usize = 25;
/// How many of each cache's entries are kept beyond an hour after their last use: build
/// roots are hundreds of megabytes each, fetched dependencies tens, step outputs small.
const KEEP: [(&str, usize); 3] = [("roots", 8), ("fetch", 16), ("steps", 256)];
/// Entries used within this time are never pruned: another build may be using them.
const IN_USE: std::time::Duration = std::time::Duration::from_secs(3600);

/// What maintainer scripts would have made with `update-alternatives` and a toolchain
/// needs: the generic name, then the programs that may serve it, preferred first.
const ALTERNATIVES: &[(&str, &[&str])] = &[
    ("usr/bin/sh", &["dash", "bash"]),
    ("usr/bin/cc", &["gcc", "clang"]),
    ("usr/bin/c++", &["g++", "clang++"]),
    ("usr/bin/c89", &["c89-gcc"]),
    ("usr/bin/c99", &["c99-gcc"]),
    ("usr/bin/awk", &["mawk", "gawk", "original-awk"]),
    ("usr/bin/yacc", &["bison.yacc", "byacc"]),
    ("usr/bin/lex", &["flex"]),
];

/// One run (or cache hit) of a step for one target architecture.
#[derive(Debug, Clone, Serialize)]
pub struct StepRun {
    /// The step's name.
    pub step: String,
    /// The target's Debian architecture.
    pub architecture: String,
    /// A hash of everything that decides the outputs.
    pub key: String,
    /// The digest of the sources as the step saw them.
    pub sources: String,
    /// The command.
    pub argv: Vec<String>,
    /// Whether the outputs came from the cache.
    pub cached: bool,
    /// Each declared output (under `/out`) and the sha256 of its bytes (of its tree, for a
    /// directory).
    pub outputs: Vec<(String, String)>,
    /// The environment the command ran with.
    pub env: BTreeMap<String, String>,
    /// The environment's packages (name, version, Debian architecture, sha256), for
    /// provenance.
    #[serde(skip)]
    pub packages: Vec<(String, String, String, String)>,
    /// Where the outputs are.
    #[serde(skip)]
    pub output: PathBuf,
}

/// What a step is doing, as [`run_steps`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Its outputs were cached: nothing runs.
    Cached,
    /// Its fetch phase runs (its lockfiles changed, or nothing was fetched yet).
    Fetch,
    /// Its build phase runs.
    Build,
}

/// The outputs of every step run for a build, by step and target architecture.
#[derive(Debug, Default)]
pub struct StepOutputs {
    runs: BTreeMap<(String, String), StepRun>,
    /// Wheels built from source distributions, by the sdist's hash (as the lock has it) and
    /// target architecture.
    wheels: BTreeMap<(String, String), BuiltWheel>,
    /// Where npm packages whose install scripts ran are (at their install paths), with a
    /// digest of that tree, by image and target architecture.
    npm: BTreeMap<(String, String), (PathBuf, String)>,
    /// The steps that built an image's app dependencies (sdists, npm install scripts), by
    /// image and target architecture, for provenance.
    builds: BTreeMap<(String, String), Vec<StepRun>>,
}

/// A wheel a build step made of a source distribution.
#[derive(Debug, Clone)]
pub struct BuiltWheel {
    /// The wheel file.
    pub path: PathBuf,
    /// Its sha256.
    pub sha256: String,
}

impl StepOutputs {
    /// The run of `step` for `arch`.
    pub fn get(&self, step: &str, arch: &str) -> Option<&StepRun> {
        self.runs.get(&(step.to_string(), arch.to_string()))
    }

    /// Every run, ordered by step and architecture.
    pub fn runs(&self) -> impl Iterator<Item = &StepRun> {
        self.runs.values()
    }

    /// The npm packages of image `name` whose install scripts ran for `arch`: the directory
    /// holding them at their install paths, and its digest.
    pub fn npm(&self, name: &str, arch: &str) -> Option<&(PathBuf, String)> {
        self.npm.get(&(name.to_string(), arch.to_string()))
    }

    /// The steps that built image `name`'s app dependencies for `arch`.
    pub fn builds(&self, name: &str, arch: &str) -> &[StepRun] {
        self.builds
            .get(&(name.to_string(), arch.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// The wheels built for `arch`, by the hash of their source distributions.
    pub fn wheels(&self, arch: &str) -> BTreeMap<String, BuiltWheel> {
        self.wheels
            .iter()
            .filter(|((_, a), _)| a == arch)
            .map(|((hash, _), w)| (hash.clone(), w.clone()))
            .collect()
    }
}

/// The Debian architecture of this machine.
pub fn host_arch() -> String {
    let host = bosun_oci::source::host_platform();
    bosun_oci::model::debian_arch(&host.architecture, host.variant.as_deref())
}

/// The PEP 517 backends Debian packages, which a source distribution's wheel is built with
/// (no build isolation: the step is offline, so its backend must be in the environment).
pub const SDIST_BACKENDS: &[&str] = &[
    "python3-setuptools",
    "python3-wheel",
    "flit",
    "python3-hatchling",
    "python3-poetry-core",
    "python3-pdm-backend",
];

/// The packages the environment building an image's source distributions resolves from:
/// [`bosun_spec::STEP_BASE`], the image's `python3` (as its packages name it), the backends.
pub fn sdist_roots(image: &ImageSpec) -> Vec<String> {
    let python = image
        .roots()
        .into_iter()
        .find(|p| p.starts_with("python3"))
        .unwrap_or_else(|| "python3".into());
    bosun_spec::STEP_BASE
        .iter()
        .map(|p| p.to_string())
        .chain([python])
        .chain(SDIST_BACKENDS.iter().map(|p| p.to_string()))
        .collect()
}

/// The lock group of the environment that builds image `name`'s source distributions.
pub fn sdist_group(name: &str) -> String {
    format!("sdist.{name}")
}

/// The lock group of step `name`'s target packages, per target architecture.
pub fn target_group(name: &str) -> String {
    format!("step.{name}.target")
}

/// The Rust target of a Debian architecture.
fn rust_target(arch: &str) -> Option<&'static str> {
    Some(match arch {
        "amd64" => "x86_64-unknown-linux-gnu",
        "arm64" => "aarch64-unknown-linux-gnu",
        "armhf" => "armv7-unknown-linux-gnueabihf",
        "armel" => "arm-unknown-linux-gnueabi",
        "i386" => "i686-unknown-linux-gnu",
        "ppc64el" => "powerpc64le-unknown-linux-gnu",
        "s390x" => "s390x-unknown-linux-gnu",
        "riscv64" => "riscv64gc-unknown-linux-gnu",
        "mips64el" => "mips64el-unknown-linux-gnuabi64",
        _ => return None,
    })
}

/// The lock group of the environment that runs image `name`'s npm install scripts.
pub fn npm_group(name: &str) -> String {
    format!("npm-scripts.{name}")
}

/// The packages that environment resolves from: [`bosun_spec::STEP_BASE`] and Debian's
/// `nodejs`.
pub fn npm_roots() -> Vec<String> {
    bosun_spec::STEP_BASE
        .iter()
        .map(|p| p.to_string())
        .chain(["nodejs".to_string()])
        .collect()
}

/// Debian's C and C++ cross toolchains, on a `build` machine, for every other architecture
/// of `targets`.
pub fn cross_packages(build: &str, targets: &[String]) -> Vec<String> {
    targets
        .iter()
        .filter(|t| *t != build)
        .filter_map(|t| Some((t, bosun_deb::multiarch_tuple(t)?.replace('_', "-"))))
        .flat_map(|(t, tuple)| {
            [
                format!("gcc-{tuple}"),
                format!("g++-{tuple}"),
                format!("libc6-dev-{t}-cross"),
            ]
        })
        .collect()
}

/// The steps the images `names` copy from, per target architecture.
pub fn needed(spec: &Spec, names: &[String]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for arch in &spec.debian.architectures {
        for name in names {
            let Some(image) = spec.for_arch(arch).image.get(name) else {
                continue;
            };
            for c in &image.copy {
                if let Some(step) = &c.step {
                    out.insert((step.clone(), arch.clone()));
                }
            }
        }
    }
    out
}

/// Runs (or finds cached) every step the images `names` need. `not_sources` are files of
/// the project that are never a step's sources (the spec and its lock: editing an image's
/// entrypoint must not compile the app again). `report` hears of each stage of each step
/// before it runs.
pub fn run_steps(
    spec: &Spec,
    lock: &Lockfile,
    names: &[String],
    ctx: &BuildContext<'_>,
    not_sources: &[PathBuf],
    report: &dyn Fn(&StepRun, Stage),
) -> Result<StepOutputs, Error> {
    let mut outputs = StepOutputs::default();
    let wanted = needed(spec, names);
    let epoch = ctx
        .source_date_epoch
        .unwrap_or_else(|| lock.source_date_epoch())
        .max(0);
    for (name, arch) in wanted {
        let step = spec
            .for_arch(&arch)
            .step
            .get(&name)
            .ok_or_else(|| Error::Copy(format!("no [step.{name}] in the spec")))?;
        let mut packages = environment_packages(lock, &format!("step.{name}"), &name)?;
        if !step.target_packages.is_empty() {
            // The target's own packages beside the toolchain: multiarch paths keep them apart.
            let group = target_group(&name);
            let target = lock.group(&group, &arch).ok_or(Error::StaleLock)?;
            for p in &target.packages {
                let locked = lock.package(&arch, p).ok_or(Error::StaleLock)?;
                if !packages.iter().any(|h| {
                    h.name == locked.name && h.package_architecture == locked.package_architecture
                }) {
                    packages.push(locked);
                }
            }
        }
        let run = run_step(
            &name,
            step,
            &arch,
            &packages,
            epoch,
            ctx,
            not_sources,
            report,
        )?;
        outputs.runs.insert((name, arch), run);
    }
    for name in names {
        for arch in &spec.debian.architectures {
            let Some(image) = spec.for_arch(arch).image.get(name) else {
                continue;
            };
            if image.python.as_ref().is_none_or(|p| p.build.is_empty()) {
                continue;
            }
            let sdists: Vec<&LockedAppPackage> = lock
                .app_packages(name, "pypi", arch)
                .into_iter()
                .filter(|p| python::is_sdist(&p.filename))
                .collect();
            if sdists.is_empty() {
                continue;
            }
            let target =
                crate::app::python_target(lock, name, image, arch).ok_or(Error::StaleLock)?;
            let group = sdist_group(name);
            let packages = environment_packages(lock, &group, &group)?;
            for p in sdists {
                let (wheel, run) = build_sdist(p, &target, arch, &packages, epoch, ctx, report)?;
                outputs.wheels.insert((p.hash.clone(), arch.clone()), wheel);
                outputs
                    .builds
                    .entry((name.clone(), arch.clone()))
                    .or_default()
                    .push(run);
            }
        }
    }
    for name in names {
        for arch in &spec.debian.architectures {
            let Some(image) = spec.for_arch(arch).image.get(name) else {
                continue;
            };
            let Some(node) = image.node.as_ref().filter(|n| !n.build.is_empty()) else {
                continue;
            };
            let tree = lock.app_packages(name, "npm", arch);
            let scripted: Vec<&LockedAppPackage> = tree
                .iter()
                .copied()
                .filter(|p| p.link.is_none() && node.build.contains(&p.name))
                .collect();
            if scripted.is_empty() {
                continue;
            }
            let group = npm_group(name);
            let packages = environment_packages(lock, &group, &group)?;
            let (ran, run) =
                run_npm_scripts(name, &tree, &scripted, arch, &packages, epoch, ctx, report)?;
            outputs.npm.insert((name.clone(), arch.clone()), ran);
            outputs
                .builds
                .entry((name.clone(), arch.clone()))
                .or_default()
                .push(run);
        }
    }
    // Only a build that made something can have outgrown the caches.
    let ran = outputs
        .runs
        .values()
        .chain(outputs.builds.values().flatten())
        .any(|r| !r.cached);
    if ran {
        for (dir, keep) in KEEP {
            prune(&ctx.debs.root().join(dir), keep);
        }
    }
    Ok(outputs)
}

/// Runs the install scripts of `scripted` (packages of image `image`'s locked npm tree
/// `tree`) in a step: offline, with Debian's `nodejs`, over the whole tree at `/src` (the
/// directory holding `node_modules`), deepest packages first as npm runs them. Returns the
/// directory holding those packages as their scripts left them, and its digest. Native code
/// built for this machine is refused for another target.
#[allow(clippy::too_many_arguments)]
fn run_npm_scripts(
    image: &str,
    tree: &[&LockedAppPackage],
    scripted: &[&LockedAppPackage],
    arch: &str,
    packages: &[&LockedPackage],
    epoch: i64,
    ctx: &BuildContext<'_>,
    report: &dyn Fn(&StepRun, Stage),
) -> Result<((PathBuf, String), StepRun), Error> {
    let step = format!("npm scripts of {image}");
    let fail = |message: String| Error::Step {
        step: step.clone(),
        message,
    };
    // The whole tree, unpacked (after `ensure`) as the scripts see it.
    let unpack = |packages: &[&LockedAppPackage], links: bool| -> Result<LayerBuilder, Error> {
        crate::app::ensure(
            ctx.debs.root(),
            ctx.fetcher,
            packages,
            ctx.parallel_downloads,
            ctx.reporter,
        )?;
        let mut sources = LayerBuilder::new();
        let installed: Vec<bosun_lang::npm::Package> = packages
            .iter()
            .map(|p| crate::app::npm_package(p))
            .collect();
        for (p, pkg) in packages.iter().zip(&installed) {
            if p.link.is_none() {
                let bytes = crate::app::read_cached(p, ctx.debs.root())?;
                for entry in bosun_lang::npm::install(&bytes, pkg, "")? {
                    sources.insert(entry);
                }
            }
        }
        if links {
            for entry in bosun_lang::npm::links(&installed, "")? {
                sources.insert(entry);
            }
        }
        Ok(sources)
    };
    // Their scripts: only the packages that have them are read for it.
    let manifests = unpack(scripted, false)?;
    let mut order: Vec<&&LockedAppPackage> = scripted.iter().collect();
    order.sort_by_key(|p| std::cmp::Reverse(p.path.as_deref().unwrap_or("").matches('/').count()));
    let mut script = String::new();
    for p in order {
        let path = p.path.as_deref().unwrap_or_default();
        let manifest = match manifests
            .get(&format!("{path}/package.json"))
            .map(|e| &e.kind)
        {
            Some(EntryKind::File(bytes)) => bytes.clone(),
            _ => Vec::new(),
        };
        let scripts = bosun_lang::npm::install_scripts(&manifest);
        if scripts.is_empty() {
            return Err(fail(format!(
                "names {} in `build`, whose package.json has no install script",
                p.name
            )));
        }
        let bin = match path.rfind("node_modules/") {
            Some(i) => format!("/src/{}node_modules/.bin:", &path[..i]),
            None => String::new(),
        };
        script.push_str(&format!(
            "cd {dir}\nexport PATH={bin}/src/node_modules/.bin:$PATH npm_package_name={name} npm_package_version={version} INIT_CWD=/src\n",
            dir = sh_quote(&format!("/src/{path}")),
            name = sh_quote(&p.name),
            version = sh_quote(&p.version),
        ));
        for (event, command) in scripts {
            script.push_str(&format!(
                "npm_lifecycle_event={event} sh -c {}\n",
                sh_quote(&command)
            ));
        }
        script.push_str(&format!(
            "mkdir -p {out} && cp -a . {out}/\n",
            out = sh_quote(&format!("/out/{path}"))
        ));
    }
    let spec = StepSpec::default();
    let mut env = environment(&spec, arch, epoch, packages);
    env.insert("npm_config_offline".into(), "true".into());
    let argv: Vec<String> = [bosun_spec::STEP_SHELL, "-euc", &script]
        .iter()
        .map(|s| s.to_string())
        .collect();
    // The tree as the lock pins it: each package's path, file hash and link.
    let pinned = {
        let mut h = Hasher::default();
        for p in tree {
            h.put(&format!(
                "{}\0{}\0{:?}",
                p.path.as_deref().unwrap_or(""),
                p.hash,
                p.link
            ));
        }
        format!("sha256:{}", h.finish())
    };
    let root_key = root_key(packages);
    let key = {
        let mut h = Hasher::default();
        h.put(STEP_FORMAT);
        h.put("npm");
        h.put(&root_key);
        h.put(&pinned);
        h.put(arch);
        argv.iter().for_each(|a| h.put(a));
        env.iter().for_each(|(k, v)| h.put(&format!("{k}={v}")));
        h.finish()
    };
    let mut run = build_once(
        &step,
        arch,
        key,
        packages,
        &root_key,
        pinned,
        &|| unpack(tree, true),
        argv,
        env,
        ctx,
        report,
    )?;
    let output = run.output.clone();
    let mut made = LayerBuilder::new();
    copy::add_tree(&mut made, &output, &Ignore::none())?;
    if let Some(machine) = elf_machine(arch) {
        for e in made.entries() {
            if let EntryKind::File(data) = &e.kind
                && data.len() > 20
                && data.starts_with(b"\x7fELF")
                && u16::from_le_bytes([data[18], data[19]]) != machine
            {
                return Err(fail(format!(
                    "built native code for this machine's {} in {}, which a {arch} image cannot run: cross-building install scripts is not supported",
                    host_arch(),
                    e.path
                )));
            }
        }
    }
    let digest = tree_digest(&made);
    run.outputs = vec![("node_modules".into(), digest.clone())];
    Ok(((output, digest), run))
}

/// The ELF machine of a Debian architecture (little-endian ones: the check reads it so).
fn elf_machine(arch: &str) -> Option<u16> {
    Some(match arch {
        "amd64" => 62,
        "arm64" => 183,
        "armhf" | "armel" => 40,
        "i386" => 3,
        "ppc64el" => 21,
        "riscv64" => 243,
        "mips64el" => 8,
        _ => return None,
    })
}

/// `text` quoted for `sh`.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The locked packages of a build environment's group for this machine's architecture.
fn environment_packages<'l>(
    lock: &'l Lockfile,
    group: &str,
    step: &str,
) -> Result<Vec<&'l LockedPackage>, Error> {
    let host = host_arch();
    let host = host.as_str();
    let locked = lock.group(group, host).ok_or_else(|| {
        let locked_for: Vec<&str> = lock
            .groups
            .iter()
            .filter(|g| g.name == group)
            .map(|g| g.architecture.as_str())
            .collect();
        match locked_for.is_empty() {
            true => Error::StaleLock,
            false => Error::Step {
                step: step.to_string(),
                message: format!(
                    "its build environment runs on this machine's {host} toolchain, but bosun.lock has it for {} only; add {host} to [debian] architectures",
                    locked_for.join(", ")
                ),
            },
        }
    })?;
    locked
        .packages
        .iter()
        .map(|p| lock.package(host, p).ok_or(Error::StaleLock))
        .collect()
}

/// Builds the wheel of the source distribution `p` (its file checked against the lock's
/// hash) in a step: offline, with the backend from Debian, for `target`. A wheel that does
/// not fit the target (native code built on another architecture) is refused.
#[allow(clippy::too_many_arguments)]
fn build_sdist(
    p: &LockedAppPackage,
    target: &python::Target,
    arch: &str,
    packages: &[&LockedPackage],
    epoch: i64,
    ctx: &BuildContext<'_>,
    report: &dyn Fn(&StepRun, Stage),
) -> Result<(BuiltWheel, StepRun), Error> {
    let step = format!("python {} {}", p.name, p.version);
    let fail = |message: String| Error::Step {
        step: step.clone(),
        message,
    };
    let sources = || -> Result<LayerBuilder, Error> {
        crate::app::ensure(ctx.debs.root(), ctx.fetcher, &[p], 1, ctx.reporter)?;
        let bytes = crate::app::read_cached(p, ctx.debs.root())?;
        let mut sources = LayerBuilder::new();
        for entry in python::sdist::unpack(&bytes, &crate::app::dist_of(p)?)? {
            sources.insert(entry);
        }
        Ok(sources)
    };
    let spec = StepSpec::default();
    let env = environment(&spec, arch, epoch, packages);
    let argv: Vec<String> = ["python3", "-c", python::sdist::BUILD_WHEEL]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let root_key = root_key(packages);
    let key = {
        let mut h = Hasher::default();
        h.put(STEP_FORMAT);
        h.put("sdist");
        h.put(&root_key);
        h.put(&p.hash);
        h.put(arch);
        argv.iter().for_each(|a| h.put(a));
        env.iter().for_each(|(k, v)| h.put(&format!("{k}={v}")));
        h.finish()
    };
    let mut run = build_once(
        &step,
        arch,
        key,
        packages,
        &root_key,
        p.hash.clone(),
        &sources,
        argv,
        env,
        ctx,
        report,
    )?;
    let output = run.output.clone();
    let wheels: Vec<PathBuf> = std::fs::read_dir(&output)
        .map_err(|e| io_error(&output, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "whl"))
        .collect();
    let [wheel] = wheels.as_slice() else {
        return Err(fail(format!(
            "left {} wheels in /out (building for {arch}); a source distribution builds one",
            wheels.len()
        )));
    };
    let filename = wheel.file_name().unwrap_or_default().to_string_lossy();
    let fits = python::tags::WheelName::parse(&filename)
        .and_then(|name| target.tags().rank(&name))
        .is_some();
    if !fits {
        return Err(fail(format!(
            "built {filename}, which does not fit {target}: native code is built on this machine's {} toolchain, and cross-building Python extensions is not supported yet",
            host_arch()
        )));
    }
    let bytes = std::fs::read(wheel).map_err(|e| io_error(wheel, e))?;
    let wheel = BuiltWheel {
        path: wheel.clone(),
        sha256: hex::encode(Sha256::digest(&bytes)),
    };
    run.outputs = vec![(filename.into_owned(), wheel.sha256.clone())];
    Ok((wheel, run))
}

/// The prefix of a temporary directory: `bosun_fs::abandoned` tells one a crashed run left.
fn temp_prefix(key: &str) -> String {
    format!(
        "{}{}-{}-",
        bosun_fs::TEMP_PREFIX,
        std::process::id(),
        &key[..12]
    )
}

/// A run's private directory, removed when the run ends however it ends.
struct Work(PathBuf);

impl Drop for Work {
    fn drop(&mut self) {
        remove_tree(&self.0);
    }
}

/// Marks a cache entry used now.
fn touch(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
}

/// Keeps the `keep` most recently used entries of a cache directory (and every entry used
/// within [`IN_USE`]), and removes what crashed runs left.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut used = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(modified) = e.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        if name.starts_with(bosun_fs::TEMP_PREFIX) {
            if bosun_fs::abandoned(&name, modified) {
                remove_tree(&e.path());
            }
            continue;
        }
        used.push((modified, e.path()));
    }
    used.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (modified, path) in used.into_iter().skip(keep) {
        if modified.elapsed().is_ok_and(|age| age > IN_USE) {
            remove_tree(&path);
        }
    }
}

/// Removes a tree a step wrote, whose directories it may have left read-only (Go's module
/// cache is).
fn remove_tree(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(e.path());
            }
        }
    }
    let _ = std::fs::remove_dir_all(path);
}

#[allow(clippy::too_many_arguments)]
fn run_step(
    name: &str,
    step: &StepSpec,
    arch: &str,
    packages: &[&LockedPackage],
    epoch: i64,
    ctx: &BuildContext<'_>,
    not_sources: &[PathBuf],
    report: &dyn Fn(&StepRun, Stage),
) -> Result<StepRun, Error> {
    let src_dir = ctx.project.join(step.src.as_deref().unwrap_or("."));
    // `.git` is never a source: history is not an input, and a tree copied with it would
    // differ between two clones.
    let mut ignore = Ignore::load(&src_dir, step.ignore_file.as_deref())?.with(".git")?;
    let src_root = src_dir.canonicalize().map_err(|e| io_error(&src_dir, e))?;
    for file in not_sources {
        let file = file.canonicalize().unwrap_or_else(|_| file.clone());
        if let Ok(relative) = file.strip_prefix(&src_root) {
            ignore = ignore.with(&format!("/{}", relative.display()))?;
        }
    }
    let mut sources = LayerBuilder::new();
    copy::add_tree(&mut sources, &src_dir, &ignore)?;
    let sources_digest = tree_digest(&sources);
    let env = environment(step, arch, epoch, packages);
    let argv = step.argv();
    let root_key = root_key(packages);
    // The fetch phase is keyed by its lockfiles alone: an edit to the code fetches nothing.
    let fetch_key = match &step.fetch {
        Some(fetch) => {
            let mut h = Hasher::default();
            h.put(STEP_FORMAT);
            h.put(&root_key);
            fetch.run.iter().for_each(|a| h.put(a));
            h.put("\0env");
            env.iter().for_each(|(k, v)| h.put(&format!("{k}={v}")));
            for input in &fetch.inputs {
                let entry =
                    sources
                        .get(input.trim_start_matches("./"))
                        .ok_or_else(|| Error::Step {
                            step: name.to_string(),
                            message: format!(
                                "fetch input {input:?} is not among the step's sources"
                            ),
                        })?;
                h.put(input);
                match &entry.kind {
                    EntryKind::File(data) => h.put(&hex::encode(Sha256::digest(data))),
                    _ => h.put("not a file"),
                }
            }
            Some(h.finish())
        }
        None => None,
    };
    let key = {
        let mut h = Hasher::default();
        h.put(STEP_FORMAT);
        h.put(&root_key);
        h.put(&sources_digest);
        h.put(fetch_key.as_deref().unwrap_or("no fetch"));
        h.put(arch);
        argv.iter().for_each(|a| h.put(a));
        h.put("\0env");
        env.iter().for_each(|(k, v)| h.put(&format!("{k}={v}")));
        h.put("\0outputs");
        step.outputs.iter().for_each(|o| h.put(o));
        h.finish()
    };
    let cache = ctx.debs.root().join("steps");
    let output = cache.join(&key);
    let mut run = StepRun {
        step: name.to_string(),
        architecture: arch.to_string(),
        key: key.clone(),
        sources: format!("sha256:{sources_digest}"),
        argv: argv.clone(),
        cached: output.is_dir() && !ctx.no_cache,
        outputs: Vec::new(),
        env: env.clone(),
        packages: package_facts(packages),
        output: output.clone(),
    };
    if run.cached {
        touch(&output);
        report(&run, Stage::Cached);
        run.outputs = output_digests(&output, &step.outputs)?;
        return Ok(run);
    }
    let root = ensure_root(packages, &root_key, ctx)?;
    std::fs::create_dir_all(&cache).map_err(|e| io_error(&cache, e))?;
    let work = Work(
        tempfile::Builder::new()
            .prefix(&temp_prefix(&key))
            .tempdir_in(&cache)
            .map_err(|e| io_error(&cache, e))?
            .keep(),
    );
    let phase = Phase {
        step: name,
        arch,
        root: &root,
        work: &work.0,
        sources: &sources,
    };
    let fetched = match (&step.fetch, &fetch_key) {
        (Some(fetch), Some(fetch_key)) => {
            let dir = ctx.debs.root().join("fetch").join(fetch_key);
            if !dir.is_dir() || ctx.no_cache {
                report(&run, Stage::Fetch);
                if dir.is_dir() {
                    remove_tree(&dir);
                }
                phase.fetch(&fetch.run, &env, &dir)?;
            }
            touch(&dir);
            Some(dir)
        }
        _ => None,
    };
    report(&run, Stage::Build);
    let out = phase.build(&argv, &env, fetched.as_deref())?;
    for declared in &step.outputs {
        if std::fs::symlink_metadata(out.join(declared)).is_err() {
            return Err(Error::Step {
                step: name.to_string(),
                message: format!(
                    "did not write its declared output /out/{declared} (building for {arch})"
                ),
            });
        }
    }
    rename_into(&out, &output)?;
    run.outputs = output_digests(&output, &step.outputs)?;
    Ok(run)
}

/// Renames a finished directory into a cache. Another build that made the same one
/// meanwhile made the same bytes: theirs is kept.
fn rename_into(from: &Path, to: &Path) -> Result<(), Error> {
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(_) if to.is_dir() => Ok(()),
        Err(e) => Err(io_error(to, e)),
    }
}

/// What the two phases of one step share.
struct Phase<'a> {
    step: &'a str,
    arch: &'a str,
    root: &'a Path,
    /// A private directory of this run.
    work: &'a Path,
    sources: &'a LayerBuilder,
}

impl Phase<'_> {
    fn fail(&self, message: String) -> Error {
        Error::Step {
            step: self.step.to_string(),
            message,
        }
    }

    /// A fresh writable copy of the sources, and an empty directory, under the work dir.
    fn dirs(&self, phase: &str) -> Result<(PathBuf, PathBuf), Error> {
        let base = self.work.join(phase);
        let (src, out) = (base.join("src"), base.join("out"));
        for dir in [&base, &src, &out] {
            std::fs::create_dir(dir).map_err(|e| io_error(dir, e))?;
        }
        materialize(self.sources, &src)?;
        Ok((src, out))
    }

    /// The fetch phase: the toolchain's own locked fetch, with the host's network, name
    /// resolution and CA certificates, into `/cache`, which becomes `into`.
    fn fetch(
        &self,
        argv: &[String],
        env: &BTreeMap<String, String>,
        into: &Path,
    ) -> Result<(), Error> {
        let (src, scratch) = self.dirs("fetch")?;
        let cache = self.work.join("fetch/cache");
        std::fs::create_dir(&cache).map_err(|e| io_error(&cache, e))?;
        let mut mounts = vec![
            mount(&src, "/src", true),
            mount(&scratch, "/out", true),
            mount(&cache, "/cache", true),
        ];
        for file in HOST_NETWORK_FILES {
            if Path::new(file).is_file() {
                mounts.push(mount(Path::new(file), file, false));
            }
        }
        let mut env = env.clone();
        // A proxy the machine needs for the network is the fetch's too.
        for (k, v) in std::env::vars() {
            if matches!(
                k.as_str(),
                "http_proxy"
                    | "https_proxy"
                    | "no_proxy"
                    | "HTTP_PROXY"
                    | "HTTPS_PROXY"
                    | "NO_PROXY"
            ) {
                env.insert(k, v);
            }
        }
        env.remove("CARGO_NET_OFFLINE");
        self.run("fetch", mounts, true, env, argv.to_vec())?;
        if let Some(parent) = into.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
        }
        rename_into(&cache, into)
    }

    /// The build phase, offline: `/cache` a copy of what the fetch phase left (the build
    /// may write there, the cache stays as fetched). Returns the outputs' directory.
    fn build(
        &self,
        argv: &[String],
        env: &BTreeMap<String, String>,
        fetched: Option<&Path>,
    ) -> Result<PathBuf, Error> {
        let (src, out) = self.dirs("build")?;
        let cache = self.work.join("build/cache");
        std::fs::create_dir(&cache).map_err(|e| io_error(&cache, e))?;
        if let Some(fetched) = fetched {
            let mut tree = LayerBuilder::new();
            copy::add_tree(&mut tree, fetched, &Ignore::none())?;
            materialize(&tree, &cache)?;
        }
        let mounts = vec![
            mount(&src, "/src", true),
            mount(&out, "/out", true),
            mount(&cache, "/cache", true),
        ];
        self.run("build", mounts, false, env.clone(), argv.to_vec())?;
        Ok(out)
    }

    fn run(
        &self,
        phase: &str,
        mounts: Vec<bosun_sandbox::Mount>,
        network: bool,
        env: BTreeMap<String, String>,
        argv: Vec<String>,
    ) -> Result<(), Error> {
        let log_path = self.work.join(format!("{phase}.log"));
        let mut log = std::fs::File::options()
            .create(true)
            .read(true)
            .write(true)
            .truncate(true)
            .open(&log_path)
            .map_err(|e| io_error(&log_path, e))?;
        let sandbox = bosun_sandbox::Sandbox {
            root: self.root.to_path_buf(),
            mounts,
            network,
            cwd: "/src".into(),
            env: env.into_iter().collect(),
            argv,
        };
        let started = std::time::Instant::now();
        let code = sandbox.run(&log).map_err(|e| match e {
            bosun_sandbox::Error::Unavailable { .. } => Error::Sandbox(e),
            e => self.fail(e.to_string()),
        })?;
        tracing::debug!(
            step = self.step,
            arch = self.arch,
            phase,
            code,
            seconds = started.elapsed().as_secs_f64(),
            "step phase ran"
        );
        if code != 0 {
            let what = match phase {
                "fetch" => "its fetch phase exited",
                _ => "exited",
            };
            return Err(self.fail(format!(
                "{what} with code {code} (building for {}); its last lines:\n{}",
                self.arch,
                tail(&mut log, LOG_TAIL)
            )));
        }
        Ok(())
    }
}

/// The host's files a fetch phase needs to reach the network: name resolution and the CA
/// certificates the machine trusts (a proxy that inspects TLS signs with its own).
const HOST_NETWORK_FILES: [&str; 3] = [
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/ssl/certs/ca-certificates.crt",
];

fn mount(source: &Path, target: &str, writable: bool) -> bosun_sandbox::Mount {
    bosun_sandbox::Mount {
        source: source.to_path_buf(),
        target: target.into(),
        writable,
    }
}

/// A one-phase step (building an app dependency): its outputs from the cache when they are
/// there, else from running `argv` offline in the environment of `packages` over what
/// `sources` unpacks, which only a run needs. `sources_digest` names those sources.
#[allow(clippy::too_many_arguments)]
fn build_once(
    step: &str,
    arch: &str,
    key: String,
    packages: &[&LockedPackage],
    root_key: &str,
    sources_digest: String,
    sources: &dyn Fn() -> Result<LayerBuilder, Error>,
    argv: Vec<String>,
    env: BTreeMap<String, String>,
    ctx: &BuildContext<'_>,
    report: &dyn Fn(&StepRun, Stage),
) -> Result<StepRun, Error> {
    let cache = ctx.debs.root().join("steps");
    let output = cache.join(&key);
    let run = StepRun {
        step: step.to_string(),
        architecture: arch.to_string(),
        cached: output.is_dir() && !ctx.no_cache,
        sources: sources_digest,
        key,
        argv,
        outputs: Vec::new(),
        env,
        packages: package_facts(packages),
        output,
    };
    if run.cached {
        touch(&run.output);
        report(&run, Stage::Cached);
        return Ok(run);
    }
    let root = ensure_root(packages, root_key, ctx)?;
    std::fs::create_dir_all(&cache).map_err(|e| io_error(&cache, e))?;
    let work = Work(
        tempfile::Builder::new()
            .prefix(&temp_prefix(&run.key))
            .tempdir_in(&cache)
            .map_err(|e| io_error(&cache, e))?
            .keep(),
    );
    let sources = sources()?;
    let phase = Phase {
        step,
        arch,
        root: &root,
        work: &work.0,
        sources: &sources,
    };
    report(&run, Stage::Build);
    let out = phase.build(&run.argv, &run.env, None)?;
    rename_into(&out, &run.output)?;
    Ok(run)
}

/// What provenance records of an environment's packages.
fn package_facts(packages: &[&LockedPackage]) -> Vec<(String, String, String, String)> {
    packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.package_architecture.clone(),
                p.sha256.clone(),
            )
        })
        .collect()
}

/// The sha256 of each declared output: of a file's bytes, of a directory's tree.
fn output_digests(dir: &Path, declared: &[String]) -> Result<Vec<(String, String)>, Error> {
    declared
        .iter()
        .map(|o| {
            let path = dir.join(o);
            let digest = match path.is_dir() {
                true => {
                    let mut tree = LayerBuilder::new();
                    copy::add_tree(&mut tree, &path, &Ignore::none())?;
                    tree_digest(&tree)
                }
                false => hex::encode(Sha256::digest(
                    std::fs::read(&path).map_err(|e| io_error(&path, e))?,
                )),
            };
            Ok((o.clone(), digest))
        })
        .collect()
}

/// The step's environment: defaults, then its own `env`. Building for another architecture
/// with Debian's cross compiler for it in the environment (`gcc-aarch64-linux-gnu`), `CC`
/// and `CXX` name it, as a Debian cross build does.
fn environment(
    step: &StepSpec,
    arch: &str,
    epoch: i64,
    packages: &[&LockedPackage],
) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = [
        (
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ),
        ("HOME", "/tmp"),
        ("TMPDIR", "/tmp"),
        ("LANG", "C.UTF-8"),
        ("TZ", "UTC"),
        ("TARGETOS", "linux"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    // The toolchains' download caches live in `/cache`, which the fetch phase fills.
    for (k, v) in [
        ("CARGO_HOME", "/cache/cargo"),
        ("GOMODCACHE", "/cache/go/mod"),
        ("NPM_CONFIG_CACHE", "/cache/npm"),
        ("CARGO_NET_OFFLINE", "true"),
    ] {
        env.insert(k.into(), v.into());
    }
    env.insert("TARGETARCH".into(), arch.into());
    env.insert("SOURCE_DATE_EPOCH".into(), epoch.to_string());
    let tuples = (
        bosun_deb::multiarch_tuple(&host_arch()),
        bosun_deb::multiarch_tuple(arch),
    );
    if let (Some(build), Some(target)) = tuples {
        env.insert("DEB_BUILD_MULTIARCH".into(), build.into());
        env.insert("DEB_HOST_MULTIARCH".into(), target.into());
        if let Some(rust) = rust_target(arch) {
            // Cargo builds for the target, and puts it in target/$CARGO_BUILD_TARGET/.
            env.insert("CARGO_BUILD_TARGET".into(), rust.into());
            if build != target {
                let linker = format!("{}_LINKER", rust.to_uppercase().replace('-', "_"));
                env.insert(format!("CARGO_TARGET_{linker}"), format!("{target}-gcc"));
            }
        }
        if build != target {
            for (var, compiler) in [("CC", "gcc"), ("CXX", "g++")] {
                let package = format!("{compiler}-{}", target.replace('_', "-"));
                if packages.iter().any(|p| p.name == package) {
                    env.insert(var.into(), format!("{target}-{compiler}"));
                }
            }
        }
    }
    env.extend(step.env.clone());
    env
}

/// A hash of entries: paths, modes, kinds and contents.
fn tree_digest(layer: &LayerBuilder) -> String {
    let mut h = Hasher::default();
    for e in layer.entries() {
        h.put(&format!("{}\0{:o}", e.path, e.mode));
        match &e.kind {
            EntryKind::File(d) => h.put(&hex::encode(Sha256::digest(d))),
            EntryKind::Dir => h.put("dir"),
            EntryKind::Symlink(t) => h.put(&format!("symlink:{t}")),
            EntryKind::Hardlink(t) => h.put(&format!("hardlink:{t}")),
        }
    }
    h.finish()
}

fn root_key(packages: &[&LockedPackage]) -> String {
    let mut h = Hasher::default();
    h.put(ROOT_FORMAT);
    for p in packages {
        h.put(&p.name);
        h.put(&p.sha256);
    }
    h.finish()
}

/// The step's root: its packages unpacked (nothing of theirs run), the alternatives a
/// toolchain needs, and the mount points. Cached by [`root_key`]; never shipped.
fn ensure_root(
    packages: &[&LockedPackage],
    key: &str,
    ctx: &BuildContext<'_>,
) -> Result<PathBuf, Error> {
    let roots = ctx.debs.root().join("roots");
    let root = roots.join(key);
    if root.is_dir() {
        touch(&root);
        return Ok(root);
    }
    let requests = packages
        .iter()
        .map(|p| deb_request(p, &ctx.mirrors, ctx.snapshot.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    ctx.debs
        .ensure_debs(ctx.fetcher, &requests, ctx.parallel_downloads, ctx.reporter)?;
    let mut layer = LayerBuilder::new();
    assemble::skeleton(&mut layer);
    assemble::add_packages(
        &mut layer,
        packages,
        ctx.debs,
        AssembleOptions { keep_docs: false },
    )?;
    for (link, programs) in ALTERNATIVES {
        if layer.get(link).is_some() {
            continue;
        }
        if let Some(program) = programs
            .iter()
            .find(|p| layer.get(&format!("usr/bin/{p}")).is_some())
        {
            layer.insert(Entry::symlink(link, program));
        }
    }
    for dir in ["src", "out", "cache", "proc", "dev", "tmp"] {
        layer.insert(Entry::dir(dir, 0o755));
    }
    // Where a fetch phase mounts the host's network files.
    for file in HOST_NETWORK_FILES {
        let path = &file[1..];
        if layer.get(path).is_none() {
            layer.insert(Entry::file(path, 0o644, Vec::new()));
        }
    }
    std::fs::create_dir_all(&roots).map_err(|e| io_error(&roots, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(key))
        .tempdir_in(&roots)
        .map_err(|e| io_error(&roots, e))?;
    materialize(&layer, tmp.path())?;
    match std::fs::rename(tmp.path(), &root) {
        Ok(()) => {
            // Renamed away: nothing is left for the guard to remove.
            let _ = tmp.keep();
        }
        Err(_) if root.is_dir() => {}
        Err(e) => return Err(io_error(&root, e)),
    }
    Ok(root)
}

/// Writes `layer`'s entries under `dir`, which exists. Parents are made as needed and must
/// be directories: an entry under a symlink is refused rather than followed.
fn materialize(layer: &LayerBuilder, dir: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let mut made: HashSet<String> = HashSet::new();
    let escape = |path: &str| Error::Copy(format!("{path}: an entry under a symlink"));
    for e in layer.entries() {
        if e.path.is_empty() || e.path.split('/').any(|p| p == ".." || p.is_empty()) {
            return Err(escape(&e.path));
        }
        // Parents first: made as directories, or already directories.
        let mut prefix = String::new();
        let parts: Vec<&str> = e.path.split('/').collect();
        for part in &parts[..parts.len() - 1] {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if made.contains(&prefix) {
                continue;
            }
            let path = dir.join(&prefix);
            match std::fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(escape(&e.path)),
                Err(_) => std::fs::create_dir(&path).map_err(|err| io_error(&path, err))?,
            }
            made.insert(prefix.clone());
        }
        let path = dir.join(&e.path);
        let io = |err| io_error(&path, err);
        match &e.kind {
            EntryKind::Dir => {
                match std::fs::symlink_metadata(&path) {
                    Ok(m) if m.is_dir() => {}
                    Ok(_) => return Err(escape(&e.path)),
                    Err(_) => std::fs::create_dir(&path).map_err(io)?,
                }
                made.insert(e.path.clone());
            }
            EntryKind::File(data) => {
                std::fs::write(&path, data).map_err(io)?;
                // No set-id bits: nothing in a build root runs with other rights.
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(e.mode & 0o1777))
                    .map_err(io)?;
            }
            EntryKind::Symlink(target) => std::os::unix::fs::symlink(target, &path).map_err(io)?,
            EntryKind::Hardlink(target) => {
                std::fs::hard_link(dir.join(target), &path).map_err(io)?
            }
        }
    }
    Ok(())
}

/// The last `lines` lines of a log.
fn tail(log: &mut std::fs::File, lines: usize) -> String {
    let _ = log.rewind();
    let all: Vec<String> = std::io::BufReader::new(log)
        .lines()
        .map_while(Result::ok)
        .collect();
    let start = all.len().saturating_sub(lines);
    all[start..]
        .iter()
        .map(|l| format!("  | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::AppFile {
        path: path.to_path_buf(),
        source,
    }
}

/// Length-prefixed parts into a sha256, so no two part lists hash alike.
#[derive(Default)]
struct Hasher(Sha256);

impl Hasher {
    fn put(&mut self, part: &str) {
        self.0.update((part.len() as u64).to_le_bytes());
        self.0.update(part.as_bytes());
    }

    fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// Adds the files of step copy entries to the image's copy layer: from the step's outputs
/// for `arch`, as `copy` adds project files; and for each step, the list of what it put in
/// the image, where `inspect --by owner` finds it.
pub(crate) fn add_step_copies(
    layer: &mut LayerBuilder,
    entries: &[&CopyEntry],
    arch: &str,
    steps: &StepOutputs,
) -> Result<(), Error> {
    let mut lists: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for c in entries {
        let name = c.step.as_deref().unwrap_or_default();
        let run = steps.get(name, arch).ok_or_else(|| Error::Step {
            step: name.to_string(),
            message: format!("was not run for {arch}"),
        })?;
        let mut copied = LayerBuilder::new();
        copy::add_copies(&mut copied, &run.output, &[(*c).clone()], &Ignore::none())?;
        let list = lists.entry(name).or_default();
        for e in copied.entries() {
            if matches!(
                e.kind,
                EntryKind::File(_) | EntryKind::Symlink(_) | EntryKind::Hardlink(_)
            ) {
                list.insert(format!("/{}", e.path));
            }
            layer.insert(e.clone());
        }
    }
    for (name, paths) in lists {
        let text: String = paths.into_iter().map(|p| p + "\n").collect();
        let path = format!("{}{name}.list", bosun_oci::model::STEP_LISTS);
        layer.insert(Entry::file(&path, 0o644, text.into_bytes()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_toolchains_for_the_other_architectures() {
        let targets = ["amd64".to_string(), "arm64".to_string()];
        assert_eq!(
            cross_packages("amd64", &targets),
            [
                "gcc-aarch64-linux-gnu",
                "g++-aarch64-linux-gnu",
                "libc6-dev-arm64-cross"
            ]
        );
        assert_eq!(
            cross_packages("arm64", &targets),
            [
                "gcc-x86-64-linux-gnu",
                "g++-x86-64-linux-gnu",
                "libc6-dev-amd64-cross"
            ]
        );
    }

    #[test]
    fn materialize_makes_parents_and_refuses_links_on_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let mut tree = LayerBuilder::new();
        tree.insert(Entry::file("a/b/c.txt", 0o4755, b"x".to_vec()));
        tree.insert(Entry::symlink("a/link", "b/c.txt"));
        materialize(&tree, dir.path()).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("a/b/c.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, 0o755, "no set-id bits");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a/link")).unwrap(),
            "x"
        );

        let outside = tempfile::tempdir().unwrap();
        let mut hostile = LayerBuilder::new();
        hostile.insert(Entry::symlink("up", outside.path().to_str().unwrap()));
        hostile.insert(Entry::file("up/escaped", 0o644, b"x".to_vec()));
        let fresh = tempfile::tempdir().unwrap();
        let err = materialize(&hostile, fresh.path()).unwrap_err().to_string();
        assert!(err.contains("under a symlink"), "{err}");
        assert!(!outside.path().join("escaped").exists());
    }

    #[test]
    fn tree_digests_follow_content_and_modes() {
        let tree = |mode: u32, data: &[u8]| {
            let mut t = LayerBuilder::new();
            t.insert(Entry::file("main.go", mode, data.to_vec()));
            tree_digest(&t)
        };
        assert_eq!(tree(0o644, b"a"), tree(0o644, b"a"));
        assert_ne!(tree(0o644, b"a"), tree(0o644, b"b"));
        assert_ne!(tree(0o644, b"a"), tree(0o755, b"a"));
    }
}
