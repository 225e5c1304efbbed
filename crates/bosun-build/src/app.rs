//! App dependencies: the PyPI and npm packages an image takes from the app's own lockfile.
//!
//! `bosun lock` reads each app lockfile for every architecture of the spec ([`lock_apps`]):
//! Python packages for the interpreter and glibc the Debian lock gives the image, npm
//! packages for its cpu; the chosen files go in `bosun.lock`. A build fetches them into the
//! download cache ([`ensure`]), checked against the lock's hash, and lays each ecosystem's
//! packages out as one layer of their own ([`layer`]), keyed by the files' hashes alone so
//! images that lock the same dependencies share the layer.
//!
//! Download cache layout (beside the `.deb` cache):
//!
//! ```text
//! <cache>/dists-v1/<algorithm>-<hex>   a wheel or tarball, named by the hash its lock pins
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use bosun_deb::{Fetcher, Reporter};
use bosun_lang::Integrity;
use bosun_lang::npm::{self, Registries};
use bosun_lang::python::{self, SimpleIndex, Target};
use bosun_oci::layer::LayerBuilder;
use bosun_spec::{ImageSpec, LockedApp, LockedAppPackage, Lockfile, Spec};
use sha2::{Digest as _, Sha256};

use crate::Error;

/// Where app dependencies come from when their lockfile does not say: what pip, uv and npm
/// are configured with on this machine (the spec's `index` and `registry` come first).
#[derive(Debug, Clone, Default)]
pub struct AppSources {
    /// The Python package index (its simple API root).
    pub python_index: Option<String>,
    /// npm registries.
    pub npm: Registries,
}

/// The sha256 of each app lockfile the spec's images read, now, as the lock records them.
pub fn app_lockfiles(spec: &Spec, project: &Path) -> Result<Vec<LockedApp>, Error> {
    let mut out = Vec::new();
    for (name, image) in &spec.image {
        for (ecosystem, lockfile) in image.app_lockfiles() {
            let path = project.join(lockfile);
            let bytes = std::fs::read(&path).map_err(|source| Error::AppFile {
                path: path.clone(),
                source,
            })?;
            out.push(LockedApp {
                image: name.clone(),
                ecosystem: ecosystem.into(),
                lockfile: lockfile.to_string(),
                sha256: hex::encode(Sha256::digest(&bytes)),
            });
        }
    }
    Ok(out)
}

/// The Python an image's packages give it for `arch`: the newest `python3.X` among the
/// packages of its bases and its own group, with the `libc6` beside it.
pub fn python_target(lock: &Lockfile, image: &str, spec: &ImageSpec, arch: &str) -> Option<Target> {
    let groups: Vec<String> = spec
        .bases
        .iter()
        .map(|b| format!("base.{b}"))
        .chain(std::iter::once(format!("image.{image}")))
        .collect();
    let names: Vec<&String> = groups
        .iter()
        .filter_map(|g| lock.group(g, arch))
        .flat_map(|g| g.packages.iter())
        .collect();
    let minor = |n: &str| -> Option<u32> { n.strip_prefix("python3.")?.parse().ok() };
    let python = names
        .iter()
        .filter_map(|n| Some((minor(n)?, n.as_str())))
        .max()
        .and_then(|(_, n)| lock.package(arch, n))?;
    let libc = lock.package(arch, "libc6")?;
    Target::from_debian(&python.version, &libc.version, arch)
}

/// Reads every app lockfile of the spec and chooses its files for each architecture.
///
/// A platform wheel (one with native code) is fetched into the download cache at `cache`
/// (the build needs it anyway) to read which system libraries it loads: the Debian packages
/// that ship them are its `needs`.
pub fn lock_apps(
    spec: &Spec,
    lock: &Lockfile,
    project: &Path,
    sources: &AppSources,
    fetcher: &Fetcher,
    cache: &Path,
) -> Result<(Vec<LockedApp>, Vec<LockedAppPackage>), Error> {
    let apps = app_lockfiles(spec, project)?;
    let index = IndexPages {
        fetcher,
        pages: Default::default(),
    };
    let mut packages = Vec::new();
    for arch in &spec.debian.architectures {
        let spec = spec.for_arch(arch);
        for (name, image) in &spec.image {
            if let Some(py) = &image.python {
                let text = read(&project.join(&py.lock))?;
                let path = Path::new(&py.lock);
                let target = python_target(lock, name, image, arch).ok_or_else(|| {
                    Error::Copy(format!(
                        "[image.{name}] takes Python dependencies from {}, but its packages hold no python3.X for {arch}",
                        py.lock
                    ))
                })?;
                let selection = python::Selection {
                    extras: py.extras.clone(),
                    groups: py.groups.clone(),
                    build: py.build.clone(),
                };
                let default_index = py.index.as_deref().or(sources.python_index.as_deref());
                let dists = python::lock(path, &text, &target, &selection, &index, default_index)?;
                let mut chosen: Vec<LockedAppPackage> = dists
                    .into_iter()
                    .map(|d| LockedAppPackage {
                        image: name.clone(),
                        ecosystem: "pypi".into(),
                        architecture: arch.clone(),
                        name: d.name,
                        version: d.version,
                        path: None,
                        filename: d.file.filename,
                        url: d.file.url,
                        hash: d.file.hash.to_string(),
                        size: d.file.size,
                        depends: d.depends,
                        bin: BTreeMap::new(),
                        link: None,
                        needs: Vec::new(),
                    })
                    .collect();
                native_needs(&mut chosen, &target, cache, fetcher)?;
                packages.extend(chosen);
            }
            if let Some(node) = &image.node {
                let text = read(&project.join(&node.lock))?;
                let path = Path::new(&node.lock);
                let mut registries = sources.npm.clone();
                if let Some(r) = &node.registry {
                    registries.default = Some(r.clone());
                }
                let selection = npm::Selection {
                    dev: node.dev,
                    ignore_scripts: node.ignore_scripts.clone(),
                    build: node.build.clone(),
                };
                let chosen = npm::lock(path, &text, arch, &registries, &selection)?;
                packages.extend(chosen.into_iter().map(|p| LockedAppPackage {
                    image: name.clone(),
                    ecosystem: "npm".into(),
                    architecture: arch.clone(),
                    name: p.name,
                    version: p.version,
                    filename: String::new(),
                    url: p.url,
                    hash: p.integrity.map(|i| i.to_string()).unwrap_or_default(),
                    size: None,
                    depends: p.depends,
                    bin: p.bin,
                    link: p.link,
                    path: Some(p.path),
                    needs: Vec::new(),
                }));
            }
        }
    }
    Ok((apps, packages))
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::AppFile {
        path: path.to_path_buf(),
        source,
    })
}

/// Fills in `needs` of the platform wheels among `chosen`: fetched into the cache, unpacked
/// in memory, their ELF files' `DT_NEEDED` mapped to Debian packages.
fn native_needs(
    chosen: &mut [LockedAppPackage],
    target: &Target,
    cache: &Path,
    fetcher: &Fetcher,
) -> Result<(), Error> {
    // A source distribution's native code, if any, is built in its step, where its
    // libraries must be.
    let native: Vec<usize> = (0..chosen.len())
        .filter(|&i| {
            !chosen[i].filename.ends_with("-any.whl") && !python::is_sdist(&chosen[i].filename)
        })
        .collect();
    let wanted: Vec<&LockedAppPackage> = native.iter().map(|&i| &chosen[i]).collect();
    ensure(cache, fetcher, &wanted, 8, &bosun_deb::NoReporter)?;
    for i in native {
        let entries = unpack_wheel(&chosen[i], target, cache)?;
        let mut needs = Vec::new();
        for soname in python::native::needed_libraries(&entries) {
            match python::native::debian_package(&soname) {
                Some(pkg) => needs.push(pkg.to_string()),
                None => tracing::warn!(
                    package = chosen[i].name,
                    soname,
                    "a native library outside the manylinux policy, and not in the wheel"
                ),
            }
        }
        needs.sort();
        needs.dedup();
        // libc is every image's; name only what an image may lack.
        needs.retain(|n| n != "libc6");
        chosen[i].needs = needs;
    }
    Ok(())
}

/// The Debian packages each image's app dependencies need (on any architecture).
pub fn needs(lock: &Lockfile) -> BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut out: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for p in &lock.app_packages {
        if !p.needs.is_empty() {
            out.entry(p.image.clone())
                .or_default()
                .extend(p.needs.iter().cloned());
        }
    }
    out
}

/// Whether every image's packages (its bases' and its own) hold what its app dependencies
/// need, on every architecture.
pub fn needs_met(
    lock: &Lockfile,
    spec: &Spec,
    needs: &BTreeMap<String, std::collections::BTreeSet<String>>,
) -> bool {
    spec.debian.architectures.iter().all(|arch| {
        let spec = spec.for_arch(arch);
        needs.iter().all(|(image, wanted)| {
            let Some(i) = spec.image.get(image) else {
                return true;
            };
            let held: std::collections::BTreeSet<&String> = i
                .bases
                .iter()
                .map(|b| format!("base.{b}"))
                .chain(std::iter::once(format!("image.{image}")))
                .filter_map(|g| lock.group(&g, arch))
                .flat_map(|g| g.packages.iter())
                .collect();
            wanted.iter().all(|w| held.contains(w))
        })
    })
}

/// Project pages of a package index, through the build's HTTP client, each fetched once per
/// `bosun lock` (every architecture and image asks for the same pages).
struct IndexPages<'a> {
    fetcher: &'a Fetcher,
    pages: std::sync::Mutex<BTreeMap<String, Vec<u8>>>,
}

impl SimpleIndex for IndexPages<'_> {
    fn page(&self, url: &str) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(body) = pages.get(url) {
            return Ok(body.clone());
        }
        let body = self.fetcher.get(url, 64 << 20)?;
        pages.insert(url.to_string(), body.clone());
        Ok(body)
    }
}

/// Where the download cache keeps a file with this hash.
pub fn cache_path(cache: &Path, integrity: &Integrity) -> PathBuf {
    cache
        .join("dists-v1")
        .join(format!("{}-{}", integrity.algorithm, integrity.hex))
}

fn integrity_of(p: &LockedAppPackage) -> Result<Integrity, Error> {
    Integrity::parse(&p.hash).ok_or_else(|| {
        Error::Copy(format!(
            "{} {} has a malformed hash in bosun.lock",
            p.name, p.version
        ))
    })
}

/// Makes sure each package's file is in the cache and intact, downloading up to `parallel`
/// at once; a file that does not match its hash is refused, naming the package.
pub fn ensure(
    cache: &Path,
    fetcher: &Fetcher,
    packages: &[&LockedAppPackage],
    parallel: usize,
    reporter: &dyn Reporter,
) -> Result<(), Error> {
    let wanted: Vec<&LockedAppPackage> = packages
        .iter()
        .copied()
        .filter(|p| p.link.is_none())
        .collect();
    let next = AtomicUsize::new(0);
    let first_error = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..parallel.clamp(1, 16).min(wanted.len().max(1)) {
            scope.spawn(|| {
                while let Some(p) = wanted.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(e) = ensure_one(cache, fetcher, p, reporter) {
                        first_error.lock().expect("lock").get_or_insert(e);
                        next.store(wanted.len(), Ordering::Relaxed);
                    }
                }
            });
        }
    });
    match first_error.into_inner().expect("lock") {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn ensure_one(
    cache: &Path,
    fetcher: &Fetcher,
    p: &LockedAppPackage,
    reporter: &dyn Reporter,
) -> Result<(), Error> {
    let integrity = integrity_of(p)?;
    let path = cache_path(cache, &integrity);
    let label = format!("{} {}", p.name, p.version);
    if hash_file(&path, &integrity).is_ok_and(|h| h == integrity.hex) {
        reporter.on_download_complete(&label);
        return Ok(());
    }
    reporter.on_download_start(&label, p.size.unwrap_or(0));
    let mut file = bosun_fs::AtomicFile::create(&path).map_err(|source| Error::AppFile {
        path: path.clone(),
        source,
    })?;
    fetcher
        .download(&p.url, file.file(), &|n| {
            reporter.on_download_progress(&label, n)
        })
        .map_err(|source| Error::Package {
            package: label.clone(),
            source,
        })?;
    let got = {
        use std::io::Seek;
        let f = file.file();
        f.rewind().map_err(|source| Error::AppFile {
            path: path.clone(),
            source,
        })?;
        hash_reader(f, &integrity).map_err(|source| Error::AppFile {
            path: path.clone(),
            source,
        })?
    };
    if got != integrity.hex {
        // Dropped, not committed: the cache never holds a file under a hash it lacks.
        return Err(Error::Lang(bosun_lang::Error::Hash {
            package: p.name.clone(),
            file: p.url.clone(),
            against: format!("the lockfile's {}", integrity.algorithm),
            expected: integrity.hex.clone(),
            actual: got,
        }));
    }
    file.commit()
        .map_err(|source| Error::AppFile { path, source })?;
    reporter.on_download_complete(&label);
    Ok(())
}

fn hash_file(path: &Path, integrity: &Integrity) -> std::io::Result<String> {
    hash_reader(&mut std::fs::File::open(path)?, integrity)
}

fn hash_reader(reader: &mut dyn std::io::Read, integrity: &Integrity) -> std::io::Result<String> {
    let mut hasher = integrity.hasher();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(hasher.finish());
        }
        hasher.update(&buf[..n]);
    }
}

/// What goes into one app-dependency layer.
#[derive(Debug, Clone)]
pub(crate) struct AppLayer<'l> {
    /// `pypi` or `npm`.
    pub(crate) ecosystem: &'static str,
    /// Its packages.
    pub(crate) packages: Vec<&'l LockedAppPackage>,
    /// pypi: the interpreter they are installed for.
    pub(crate) python: Option<Target>,
    /// npm: the directory holding `node_modules`, relative (`app`).
    pub(crate) dst: String,
    /// pypi: the wheels built of its source distributions, by the sdist's hash.
    pub(crate) built: BTreeMap<String, crate::step::BuiltWheel>,
    /// npm: where the packages whose install scripts ran are, as their scripts left them
    /// (at their install paths), and a digest of that tree.
    pub(crate) scripted: Option<(PathBuf, String)>,
}

impl AppLayer<'_> {
    /// What the layer cache key adds for this layer: where things go and each file's hash.
    pub(crate) fn key_parts(&self) -> Vec<String> {
        let mut parts = vec![
            self.ecosystem.to_string(),
            self.dst.clone(),
            self.python
                .as_ref()
                .map(|t| format!("{}|{}", t.site_packages(), t.interpreter()))
                .unwrap_or_default(),
        ];
        for p in &self.packages {
            parts.push(format!(
                "{}\0{}\0{}\0{}\0{:?}\0{:?}",
                p.name,
                p.path.as_deref().unwrap_or(""),
                p.hash,
                p.filename,
                p.bin,
                p.link
            ));
            // A wheel built from source: its bytes, which a new build environment may change.
            if let Some(w) = self.built.get(&p.hash) {
                parts.push(w.sha256.clone());
            }
        }
        if let Some((_, digest)) = &self.scripted {
            parts.push(format!("scripted {digest}"));
        }
        parts
    }

    /// Unpacks the packages from the cache (each checked against its hash again) into
    /// `layer`.
    pub(crate) fn add_to(&self, layer: &mut LayerBuilder, cache: &Path) -> Result<(), Error> {
        let unpacked: Vec<Vec<bosun_oci::layer::Entry>> = {
            use rayon::prelude::*;
            self.packages
                .par_iter()
                .filter(|p| p.link.is_none())
                .map(|p| self.unpack(p, cache))
                .collect::<Result<_, Error>>()?
        };
        for entry in unpacked.into_iter().flatten() {
            layer.insert(entry);
        }
        if self.ecosystem == "npm" {
            let packages: Vec<npm::Package> =
                self.packages.iter().map(|p| npm_package(p)).collect();
            for entry in npm::links(&packages, &self.dst)? {
                layer.insert(entry);
            }
        }
        Ok(())
    }

    fn unpack(
        &self,
        p: &LockedAppPackage,
        cache: &Path,
    ) -> Result<Vec<bosun_oci::layer::Entry>, Error> {
        match self.ecosystem {
            "pypi" => {
                let target = self.python.as_ref().expect("pypi layers have a target");
                match python::is_sdist(&p.filename) {
                    false => unpack_wheel(p, target, cache),
                    true => {
                        let built = self.built.get(&p.hash).ok_or_else(|| {
                            Error::Copy(format!(
                                "{} {} is a source distribution no step built",
                                p.name, p.version
                            ))
                        })?;
                        install_built(p, built, target)
                    }
                }
            }
            _ => {
                // A package whose install scripts ran: as they left it.
                if let Some((dir, _)) = &self.scripted {
                    let ran = dir.join(p.path.as_deref().unwrap_or_default());
                    if ran.is_dir() {
                        let mut tree = LayerBuilder::new();
                        crate::copy::add_tree(&mut tree, &ran, &crate::copy::Ignore::none())?;
                        let at = match self.dst.as_str() {
                            "" => p.path.clone().unwrap_or_default(),
                            dst => format!("{dst}/{}", p.path.as_deref().unwrap_or_default()),
                        };
                        return Ok(tree
                            .entries()
                            .map(|e| bosun_oci::layer::Entry {
                                path: format!("{at}/{}", e.path),
                                ..e.clone()
                            })
                            .collect());
                    }
                }
                let bytes = read_cached(p, cache)?;
                npm::install(&bytes, &npm_package(p), &self.dst).map_err(Error::Lang)
            }
        }
    }
}

/// The bytes of a package's file in the download cache (the installers check them against
/// the lock's hash).
pub(crate) fn read_cached(p: &LockedAppPackage, cache: &Path) -> Result<Vec<u8>, Error> {
    let path = cache_path(cache, &integrity_of(p)?);
    std::fs::read(&path).map_err(|source| Error::AppFile { path, source })
}

/// A cached wheel installed for `target`: the layer entries it makes.
fn unpack_wheel(
    p: &LockedAppPackage,
    target: &Target,
    cache: &Path,
) -> Result<Vec<bosun_oci::layer::Entry>, Error> {
    let bytes = read_cached(p, cache)?;
    python::wheel::install(&bytes, &dist_of(p)?, target).map_err(Error::Lang)
}

/// A wheel a step built of the source distribution `p`, installed for `target`.
fn install_built(
    p: &LockedAppPackage,
    built: &crate::step::BuiltWheel,
    target: &Target,
) -> Result<Vec<bosun_oci::layer::Entry>, Error> {
    let bytes = std::fs::read(&built.path).map_err(|source| Error::AppFile {
        path: built.path.clone(),
        source,
    })?;
    let mut dist = dist_of(p)?;
    dist.file.filename = built
        .path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    dist.file.hash = Integrity::sha256(&built.sha256);
    dist.file.size = Some(bytes.len() as u64);
    python::wheel::install(&bytes, &dist, target).map_err(Error::Lang)
}

/// A locked PyPI package as the installers take it.
pub(crate) fn dist_of(p: &LockedAppPackage) -> Result<python::Dist, Error> {
    Ok(python::Dist {
        name: p.name.clone(),
        version: p.version.clone(),
        file: python::File {
            filename: p.filename.clone(),
            url: p.url.clone(),
            hash: integrity_of(p)?,
            size: p.size,
        },
        depends: p.depends.clone(),
    })
}

pub(crate) fn npm_package(p: &LockedAppPackage) -> npm::Package {
    npm::Package {
        path: p.path.clone().unwrap_or_default(),
        name: p.name.clone(),
        version: p.version.clone(),
        url: p.url.clone(),
        integrity: Integrity::parse(&p.hash),
        bin: p.bin.clone(),
        link: p.link.clone(),
        depends: p.depends.clone(),
    }
}

/// Why an app package is in the lock for `image` and `arch`: each chain from a package
/// nothing else needs down to it.
pub fn why(lock: &Lockfile, arch: &str, package: &str) -> Vec<(String, String, Vec<String>)> {
    let mut out = Vec::new();
    let mut keys: Vec<(&str, &str)> = lock
        .app_packages
        .iter()
        .filter(|p| p.architecture == arch)
        .map(|p| (p.image.as_str(), p.ecosystem.as_str()))
        .collect();
    keys.dedup();
    for (image, ecosystem) in keys {
        let pkgs = lock.app_packages(image, ecosystem, arch);
        let matches = |p: &LockedAppPackage| {
            p.name == package || (ecosystem == "pypi" && p.name == python::normalize(package))
        };
        let Some(target) = pkgs.iter().find(|p| matches(p)) else {
            continue;
        };
        let mut parents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for p in &pkgs {
            for d in &p.depends {
                parents.entry(d.as_str()).or_default().push(p.name.as_str());
            }
        }
        let mut chain = vec![target.name.clone()];
        let mut cur = target.name.as_str();
        while let Some(next) = parents
            .get(cur)
            .and_then(|ps| ps.iter().find(|p| !chain.iter().any(|c| c == *p)))
        {
            chain.push(next.to_string());
            cur = next;
        }
        chain.reverse();
        out.push((image.to_string(), ecosystem.to_string(), chain));
    }
    out
}

/// Why `lock` no longer matches the app lockfiles of `spec`, naming the file; `None` when
/// it matches.
pub fn app_change(lock: &Lockfile, spec: &Spec, project: &Path) -> Result<Option<String>, Error> {
    let now = app_lockfiles(spec, project)?;
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
