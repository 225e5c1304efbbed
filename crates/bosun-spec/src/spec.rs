//! `bosun.toml`: the declarative description of one or more images.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::lock::LockedInclude;

/// A whole `bosun.toml`.
///
/// ```toml
/// [debian]
/// suite = "trixie"
/// [base.core]
/// packages = ["base-files", "ca-certificates"]
/// [image.app]
/// bases = ["core"]
/// packages = ["python3"]
/// entrypoint = ["/usr/bin/python3", "/app/main.py"]
/// ```
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Variables for `${name}` in string values, with the values they took (`--set`,
    /// `BOSUN_VAR_<NAME>`, else as written).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
    /// Where packages come from.
    pub debian: DebianSection,
    /// Shared package groups; each becomes one layer shared by every image that uses it.
    #[serde(default)]
    pub base: BTreeMap<String, BaseGroup>,
    /// The images to build, by name.
    #[serde(default)]
    pub image: BTreeMap<String, ImageSpec>,
    /// Build steps, by name: programs compiled in a sandbox whose outputs images copy.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub step: BTreeMap<String, StepSpec>,
    /// [`Spec::resolution_hash`], computed once: a build of 1,000 images asks for it 1,000
    /// times. A spec is a value read from a file; change a fresh one, not one already hashed.
    #[serde(skip)]
    resolution: std::sync::OnceLock<String>,
    /// Where each table and each named package is written.
    #[serde(skip)]
    origins: Origins,
    /// The files the spec includes, with their sha256.
    #[serde(skip)]
    includes: Vec<LockedInclude>,
    /// The spec of each architecture, when `${arch}` makes them differ.
    #[serde(skip)]
    per_arch: BTreeMap<String, Spec>,
}

/// How a spec is read beyond its own text.
#[derive(Clone, Default)]
pub struct LoadOptions {
    /// `--set` values for `[vars]` entries.
    pub set: BTreeMap<String, String>,
    /// Directories includes may come from, besides the git work tree that holds the spec (or
    /// the spec's directory outside one).
    pub include_roots: Vec<PathBuf>,
    /// Reads `docker://REF#FILE` includes; without one, such an include is an error.
    pub fetcher: Option<std::sync::Arc<dyn IncludeFetcher + Send + Sync>>,
    /// The manifest digest each registry include is read at (a lock's pins, by the include
    /// as written); an include without a pin is read at what its tag names now.
    pub pinned: BTreeMap<String, String>,
}

/// Reads files of OCI artifacts in registries, for `include = ["docker://REF#FILE"]`. The
/// caller owns the network; this crate only asks.
pub trait IncludeFetcher {
    /// The bytes of the layer titled `file` (`org.opencontainers.image.title`) of the
    /// artifact `reference` (`HOST/REPO[:TAG|@DIGEST]`) names, read at manifest digest `pin`
    /// when given, and the digest of the manifest it was read from.
    fn fetch(
        &self,
        reference: &str,
        pin: Option<&str>,
        file: &str,
    ) -> Result<(String, Vec<u8>), String>;
}

/// A place in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file, as the spec's path and its includes name it.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// Where the values of a spec are written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Origins {
    /// Each table (`debian`, `base.NAME`, `image.NAME`), by where its name is written.
    pub(crate) tables: BTreeMap<String, Place>,
    /// Each entry of a table's `packages`, by (table, package): where, and the string as
    /// written when variables made it.
    pub(crate) packages: BTreeMap<(String, String), (Place, Option<String>)>,
    /// The images each `[image.NAME]` table with a matrix stands for.
    pub(crate) matrices: BTreeMap<String, Vec<String>>,
}

/// The `[debian]` table.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DebianSection {
    /// Codename such as `trixie` or `bookworm`.
    pub suite: String,
    /// Archive components, `["main"]` by default.
    #[serde(default = "default_components")]
    pub components: Vec<String>,
    /// Debian architecture names, `["amd64"]` by default.
    #[serde(default = "default_architectures")]
    #[schemars(extend("items" = { "enum": ARCHITECTURES }))]
    pub architectures: Vec<String>,
    /// Archive root; default: `BOSUN_DEBIAN_MIRROR`, else the machine's apt sources.
    pub mirror: Option<String>,
    /// Security archive root; default: the apt source whose suites end in `-security`.
    pub security_mirror: Option<String>,
    /// OpenPGP keyring that signs the archive.
    pub keyring: Option<PathBuf>,
    /// Add `<suite>-updates` (default true).
    #[serde(default = "yes")]
    pub updates: bool,
    /// Add `<suite>-security` (default true).
    #[serde(default = "yes")]
    pub security: bool,
    /// Packages never installed; dependencies on them count as met. Applies to every group.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Follow dependencies that only maintainer scripts use (`dpkg`, `debconf`, `awk`...;
    /// default false: bosun never runs maintainer scripts, so a distroless image leaves them
    /// out). A package named in `packages` is installed either way.
    #[serde(default)]
    pub include_maintainer_deps: bool,
    /// Snapshot archive a locked `.deb` the mirror no longer has is fetched from (addressed
    /// by archive name and the locked release's date); default `BOSUN_DEBIAN_SNAPSHOT`, else
    /// Debian's public snapshot service; `""` turns it off. Not part of the resolution: the
    /// same lock builds from wherever the files are found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
}

/// A `[base.NAME]` table: a shared group of packages.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BaseGroup {
    /// Packages to install, with their dependencies.
    pub packages: Vec<String>,
    /// Extra exclusions for this group.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// Layer compression.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// gzip, readable by every runtime.
    #[default]
    Gzip,
    /// zstd, smaller and faster; needs a recent runtime.
    Zstd,
}

/// An `[image.NAME]` table.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageSpec {
    /// An image whose layers are the bottom of this one (`docker://REF`, `oci:DIR[:REF]`,
    /// `oci-archive:FILE[:REF]`, `docker-archive:FILE`): bosun adds its layers on top without
    /// running anything, and packages the image already has (its dpkg database says) are
    /// not added again. Pinned by digest in the lock.
    pub from: Option<String>,
    /// Names of `[base.*]` groups, bottom layer first.
    #[serde(default)]
    pub bases: Vec<String>,
    /// Packages of the image's own layer.
    #[serde(default)]
    pub packages: Vec<String>,
    /// Extra exclusions for this image.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Files copied from the project directory into the last layer.
    #[serde(default)]
    pub copy: Vec<CopyEntry>,
    /// `root`, `nonroot` (default), `nobody`, or numeric `uid[:gid]`.
    pub user: Option<String>,
    /// Working directory.
    pub workdir: Option<String>,
    /// Entrypoint (exec form).
    pub entrypoint: Option<Vec<String>>,
    /// Default arguments (exec form).
    pub cmd: Option<Vec<String>>,
    /// Run the entrypoint under `tini` (Debian's package), as `docker run --init` does. A
    /// process that is PID 1 gets no default signal handling from the kernel: a Python or Node
    /// app ignores `SIGTERM` there and `podman stop` waits out its timeout and kills it. tini,
    /// as PID 1, passes signals on and reaps zombies.
    #[serde(default)]
    pub init: bool,
    /// Environment; `PATH` gets a default when unset.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Health check run by the runtime.
    pub healthcheck: Option<Healthcheck>,
    /// Config labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Exposed ports such as `8080/tcp` or `53/udp`.
    #[serde(default)]
    pub expose: Vec<String>,
    /// Names in the store; default `<image name>:latest`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Keep `/usr/share/doc`, man and info pages (default: only copyright files).
    #[serde(default)]
    pub keep_docs: bool,
    /// Layer compression.
    #[serde(default)]
    pub compression: Compression,
    /// Ignore file for `copy` sources, relative to the project (default `.bosunignore`,
    /// else `.dockerignore`).
    pub ignore_file: Option<String>,
    /// The app's Python dependencies, from its own lockfile: one layer of their wheels,
    /// chosen for the image's `python3` and architecture, installed in
    /// `/usr/local/lib/python3.X/dist-packages`. Adds `python3` to the packages.
    pub python: Option<PythonDeps>,
    /// The app's npm dependencies, from its `package-lock.json`: one layer of their
    /// tarballs, laid out as `node_modules` in `dst`. Adds `nodejs` to the packages.
    pub node: Option<NodeDeps>,
    /// Also build a debug twin: the same layers plus one with a static busybox (Debian's
    /// `busybox-static`) and its commands in `/busybox`, on `PATH`, tagged `NAME:debug` and
    /// `TAG-debug` for each tag. The image itself is unchanged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub debug: bool,
}

/// The package a debug twin's layer holds.
pub const DEBUG_PACKAGE: &str = "busybox-static";

/// `python = { lock = "uv.lock" }`: where an image's Python dependencies are locked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PythonDeps {
    /// The lockfile, relative to the project: `uv.lock`, `pylock.toml` (PEP 751), or a
    /// `requirements.txt` with `--hash` on every line.
    pub lock: String,
    /// Extras of the project to install (uv.lock, pylock.toml).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<String>,
    /// Dependency groups to install (default: none, so no dev tools ship).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Package index for a requirements file that names none (default: pip's or uv's
    /// configured index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// Packages with no wheel for the image (published only as source distributions) to
    /// build into wheels in a sandboxed build step, offline, with their build backend from
    /// Debian (setuptools, flit, hatchling, poetry-core, pdm-backend); without it such a package is
    /// refused by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build: Vec<String>,
}

/// `node = { lock = "package-lock.json", dst = "/app" }`: an image's npm dependencies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeDeps {
    /// The `package-lock.json` (lockfile version 2 or 3), relative to the project.
    pub lock: String,
    /// The directory that gets `node_modules` (the app's directory in the image).
    #[schemars(regex(pattern = r"^/"))]
    pub dst: String,
    /// Install `devDependencies` too (default false).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    /// Packages with install scripts to install without running them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_scripts: Vec<String>,
    /// Packages whose install scripts (`preinstall`, `install`, `postinstall`) run in a
    /// sandboxed build step, offline, with Debian's `nodejs`, over the whole locked tree;
    /// the image gets each package as its scripts left it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build: Vec<String>,
    /// Registry for tarballs the lock gives no URL for (default: npm's configured one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
}

/// A `[step.NAME]` table: a program built from sources in a sandbox, never shipped itself;
/// images take its outputs with `copy = [{ step = "NAME", src = "...", dst = "..." }]`.
///
/// The step's root is assembled from locked Debian packages (its toolchain), read-only; the
/// sources are a writable copy at `/src`, the working directory; outputs are written to
/// `/out`; `/tmp` is empty; there is no network. It runs once per architecture of the images
/// that use it, with `TARGETARCH` (Debian's name) and `SOURCE_DATE_EPOCH` set, on this
/// machine's own toolchain: cross-compile for the target (`GOARCH = "${arch}"`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Debian packages of the build environment, resolved with their dependencies and
    /// locked like an image's; [`STEP_BASE`] (a shell and the tools every build script
    /// expects) comes with them.
    pub packages: Vec<String>,
    /// Packages never installed in the build environment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// The sources: a directory relative to the project (default: the project).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    /// Ignore file for the sources, relative to them (default `.bosunignore`, else
    /// `.dockerignore`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_file: Option<String>,
    /// The command, exec form, found through `PATH`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<Vec<String>>,
    /// A script for `/bin/sh -eu` instead of `run`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// Environment; `PATH`, `HOME`, `TARGETARCH` and `SOURCE_DATE_EPOCH` get defaults.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Paths under `/out` the step must write; a missing one is an error.
    pub outputs: Vec<String>,
    /// Add Debian's C and C++ cross compilers for every other architecture of the spec
    /// (`gcc-aarch64-linux-gnu`, `g++-...` and `libc6-dev-arm64-cross` on an amd64 machine);
    /// building for one of them, `CC` and `CXX` name its compilers. No emulation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cross: bool,
    /// Packages of the target architecture installed beside the toolchain (multiarch), such
    /// as `libstd-rust-dev` for Rust or a `-dev` library to link against: resolved from the
    /// target's own packages, never run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_packages: Vec<String>,
    /// A phase before the build, the only one with network, for the toolchain's own locked
    /// fetch (`cargo fetch --locked`, `npm ci --ignore-scripts`, `go mod download`) into
    /// `/cache` (`CARGO_HOME`, `GOMODCACHE` and npm's cache point there). Cached by its
    /// lockfiles' hash; the build phase then runs offline on a copy of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch: Option<FetchSpec>,
}

/// `fetch = { run = ["cargo", "fetch", "--locked"], inputs = ["Cargo.lock"] }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FetchSpec {
    /// The command, exec form; it sees the sources as the build does.
    pub run: Vec<String>,
    /// The files, relative to the sources, whose contents decide what is fetched (its
    /// lockfiles): the fetch runs again only when one of them changes.
    pub inputs: Vec<String>,
}

/// The shell `script` steps run under.
pub const STEP_SHELL: &str = "/bin/sh";

/// What every step's environment has besides its own packages, as Debian's Essential set
/// gives every package build: a shell (for `script`, make's recipes, configure scripts) and
/// the tools build scripts call without naming them.
pub const STEP_BASE: &[&str] = &[
    "dash",
    "coreutils",
    "grep",
    "sed",
    "findutils",
    "diffutils",
    "tar",
    "gzip",
];

impl StepSpec {
    /// The packages the step's environment resolves from: [`STEP_BASE`] (and with a fetch
    /// phase, the CA certificates it needs), then its own.
    pub fn roots(&self) -> Vec<String> {
        let mut roots: Vec<String> = STEP_BASE.iter().map(|p| p.to_string()).collect();
        if self.fetch.is_some() {
            roots.push("ca-certificates".into());
        }
        for p in &self.packages {
            if !roots.contains(p) {
                roots.push(p.clone());
            }
        }
        roots
    }

    /// The command the sandbox runs.
    pub fn argv(&self) -> Vec<String> {
        match (&self.run, &self.script) {
            (Some(run), _) => run.clone(),
            (None, Some(script)) => vec![STEP_SHELL.into(), "-euc".into(), script.clone()],
            (None, None) => Vec::new(),
        }
    }
}

/// One `copy` entry.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyEntry {
    /// Path relative to the project directory; a trailing `/` copies a directory's contents.
    /// With `image`, an absolute path in that image; with `step`, a path under the step's
    /// `/out`.
    pub src: String,
    /// Copy from the outputs of this `[step.NAME]`, built for the image's architecture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Copy from this image (`docker://REF`, `oci:DIR[:REF]`, ...) instead of the project
    /// directory, as a multi-stage build copies from a builder stage. Pinned by digest in the
    /// lock.
    pub image: Option<String>,
    /// Absolute path in the image.
    #[schemars(regex(pattern = r"^/"))]
    pub dst: String,
    /// Account owning the copied files (default `root`).
    pub owner: Option<String>,
    /// Octal mode for copied files, such as `"0644"` (default: keep the executable bit).
    #[schemars(regex(pattern = r"^[0-7]{1,4}$"))]
    pub mode: Option<String>,
    /// With `image`: the files fit every architecture (scripts, data), so an image of another
    /// platform may serve them. Without it, an image with no manifest for an architecture the
    /// spec builds is refused rather than copying foreign binaries.
    #[serde(
        default,
        rename = "arch-independent",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub arch_independent: bool,
}

/// Where and how a copy entry's files land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// The mode the entry sets, when it sets one.
    pub mode: Option<u32>,
    /// The destination, without leading or trailing `/`.
    pub dst: String,
}

impl CopyEntry {
    /// Where and how the copied files land; the owner is `owner`, else `default`.
    pub fn placement(&self, default: (u32, u32)) -> Result<Placement, String> {
        let (uid, gid) = match &self.owner {
            Some(o) => Account::parse_user(o)?,
            None => default,
        };
        Ok(Placement {
            uid,
            gid,
            mode: self.mode.as_deref().and_then(parse_mode),
            dst: self.dst.trim_matches('/').to_string(),
        })
    }
}

/// A health check.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Healthcheck {
    /// Command in exec form.
    pub cmd: Vec<String>,
    /// Time between checks, such as `30s` or `1m`.
    pub interval: Option<String>,
    /// Time a check may take.
    pub timeout: Option<String>,
    /// Grace period after start.
    pub start_period: Option<String>,
    /// Failures before unhealthy.
    pub retries: Option<u32>,
}

/// The JSON Schema of `bosun.toml`, generated from these types (and their serde rules), so it
/// cannot drift from what [`Spec::parse`] accepts in shape. `schema/bosun.schema.json` in the
/// repository is this, checked by a test.
pub fn json_schema() -> serde_json::Value {
    use serde_json::json;
    let mut schema = serde_json::to_value(schemars::schema_for!(Spec)).unwrap_or_default();
    schema["title"] = "bosun.toml".into();
    schema["description"] =
        "A bosun spec: Debian packages and files assembled into distroless images.".into();
    // What composing a spec from files reads, and the built spec no longer has: includes,
    // override flags and matrices. [debian] may come from an included file.
    if let Some(top) = schema.as_object_mut() {
        top.remove("required");
    }
    schema["properties"]["include"] = json!({
        "description": "Spec files whose tables, [vars] and images this one takes, relative to this file; the lock records their sha256.",
        "type": "array",
        "items": { "type": "string" },
    });
    let replaces = json!({
        "description": "Replace the table (or [vars] entries) of the same name from an included file, as a whole.",
        "type": "boolean",
    });
    schema["properties"]["vars"]["properties"] = json!({ "override": replaces });
    for table in ["DebianSection", "BaseGroup", "ImageSpec"] {
        schema["$defs"][table]["properties"]["override"] = replaces.clone();
    }
    schema["$defs"]["ImageSpec"]["properties"]["matrix"] = json!({
        "description": "One image per combination of these values, each usable as ${NAME} in the table.",
        "type": "object",
        "additionalProperties": { "type": "array", "items": { "type": "string" }, "minItems": 1 },
    });
    schema["$defs"]["ImageSpec"]["properties"]["name"] = json!({
        "description": "The name of each matrix image, such as \"api-${python}\" (default: the table's name and the values, joined by `-`).",
        "type": "string",
    });
    literal_keys(&mut schema);
    schema
}

/// Every map of the spec (tables of images, groups, variables, env, labels, matrices) refuses
/// keys with `${`: names stay literal.
fn literal_keys(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            if map
                .get("additionalProperties")
                .is_some_and(|a| a.is_object())
            {
                map.insert(
                    "propertyNames".into(),
                    serde_json::json!({ "not": { "pattern": "\\$\\{" } }),
                );
            }
            map.values_mut().for_each(literal_keys);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(literal_keys),
        _ => {}
    }
}

/// A user account every bosun image has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    /// Login name.
    pub name: &'static str,
    /// Numeric user and group id.
    pub id: u32,
    /// Home directory.
    pub home: &'static str,
}

/// The accounts written to `/etc/passwd` and `/etc/group`, as distroless has them.
pub const ACCOUNTS: [Account; 3] = [
    Account {
        name: "root",
        id: 0,
        home: "/root",
    },
    Account {
        name: "nonroot",
        id: 65532,
        home: "/home/nonroot",
    },
    Account {
        name: "nobody",
        id: 65534,
        home: "/nonexistent",
    },
];

const ARCHITECTURES: &[&str] = &[
    "amd64", "arm64", "armhf", "armel", "i386", "ppc64el", "s390x", "riscv64", "mips64el",
];

fn default_components() -> Vec<String> {
    vec!["main".into()]
}
fn default_architectures() -> Vec<String> {
    vec!["amd64".into()]
}
fn yes() -> bool {
    true
}

/// The Debian package `init = true` adds, and the entrypoint prefix it runs under.
const INIT_PACKAGE: &str = "tini";
const INIT_ENTRYPOINT: &[&str] = &["/usr/bin/tini", "--"];

impl ImageSpec {
    /// The packages the image's resolution starts from: its own, `tini` with `init`, the
    /// interpreter its app dependencies run on (`python3`, `nodejs`) unless it names one.
    pub fn roots(&self) -> Vec<String> {
        let mut roots = self.packages.clone();
        if self.init && !roots.iter().any(|p| p == INIT_PACKAGE) {
            roots.push(INIT_PACKAGE.into());
        }
        if self.python.is_some() && !roots.iter().any(|p| p.starts_with("python3")) {
            roots.push("python3".into());
        }
        if self.node.is_some() && !roots.iter().any(|p| p == "nodejs") {
            roots.push("nodejs".into());
        }
        roots
    }

    /// The app lockfiles the image takes dependencies from: `(ecosystem, path)`, with
    /// `pypi` and `npm` as ecosystems.
    pub fn app_lockfiles(&self) -> Vec<(&'static str, &str)> {
        self.python
            .iter()
            .map(|p| ("pypi", p.lock.as_str()))
            .chain(self.node.iter().map(|n| ("npm", n.lock.as_str())))
            .collect()
    }

    /// Every image this one reads: `from`, then the `image` of each copy entry, once each.
    pub fn inputs(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in self
            .from
            .iter()
            .chain(self.copy.iter().filter_map(|c| c.image.as_ref()))
        {
            if !out.contains(&r.as_str()) {
                out.push(r);
            }
        }
        out
    }

    /// The entrypoint the image's config gets: with `init`, tini first.
    pub fn config_entrypoint(&self) -> Option<Vec<String>> {
        match self.init {
            true => Some(
                INIT_ENTRYPOINT
                    .iter()
                    .map(|s| s.to_string())
                    .chain(self.entrypoint.iter().flatten().cloned())
                    .collect(),
            ),
            false => self.entrypoint.clone(),
        }
    }
}

impl Spec {
    /// Writes each image on this machine that the spec reads (`oci:`, `oci-archive:`,
    /// `docker-archive:`) relative to the spec at `path`, and refuses one outside the allowed
    /// roots: a lock or an image history that named one machine's paths could not be shared.
    pub(crate) fn localize_images(&mut self, path: &Path, roots: &[PathBuf]) -> Result<(), Error> {
        let mut failed = None;
        'images: for (name, image) in &mut self.image {
            let references = image
                .from
                .iter_mut()
                .chain(image.copy.iter_mut().filter_map(|c| c.image.as_mut()));
            for reference in references {
                match crate::sources::localize_image(reference, path, roots) {
                    Ok(local) => *reference = local,
                    Err(message) => {
                        failed = Some((name.clone(), message));
                        break 'images;
                    }
                }
            }
        }
        if let Some((name, message)) = failed {
            let message = format!("[image.{name}] {message}");
            return Err(self.error_at(&format!("image.{name}"), message, path));
        }
        for variant in self.per_arch.values_mut() {
            variant.localize_images(path, roots)?;
        }
        self.resolution = Default::default();
        Ok(())
    }

    /// A spec made of its parts; composing validates it.
    pub(crate) fn composed(
        vars: BTreeMap<String, String>,
        debian: DebianSection,
        base: BTreeMap<String, BaseGroup>,
        image: BTreeMap<String, ImageSpec>,
        step: BTreeMap<String, StepSpec>,
        origins: Origins,
        includes: Vec<LockedInclude>,
    ) -> Self {
        Self {
            vars,
            debian,
            base,
            image,
            step,
            resolution: Default::default(),
            origins,
            includes,
            per_arch: BTreeMap::new(),
        }
    }

    /// Sets the spec of each architecture (see [`Spec::for_arch`]).
    pub(crate) fn set_variants(&mut self, per_arch: BTreeMap<String, Spec>) {
        self.per_arch = per_arch;
        self.resolution = Default::default();
    }

    /// The spec for one of its architectures: `${arch}` expanded to `arch`. What differs per
    /// architecture is what an image holds and runs; names, tags and inputs are the same in
    /// each (composition checks it).
    pub fn for_arch(&self, arch: &str) -> &Spec {
        self.per_arch.get(arch).unwrap_or(self)
    }

    /// The files the spec includes (relative to its directory) and their sha256, in the
    /// order they apply.
    pub fn includes(&self) -> &[LockedInclude] {
        &self.includes
    }

    /// The images `name` selects: the image of that name, or every image of the
    /// `[image.NAME]` table with a matrix; empty when there is neither.
    pub fn select(&self, name: &str) -> Vec<String> {
        match self.origins.matrices.get(name) {
            Some(images) => images.clone(),
            None if self.image.contains_key(name) => vec![name.to_string()],
            None => Vec::new(),
        }
    }

    /// The images `names` select (each an image, or a matrix table's images), in order and
    /// once each; every image when `names` is empty. `path` names the spec in errors.
    pub fn selection(&self, names: &[String], path: &Path) -> Result<Vec<String>, Error> {
        if names.is_empty() {
            return Ok(self.image.keys().cloned().collect());
        }
        let mut selected: Vec<String> = Vec::new();
        for name in names {
            let chosen = self.select(name);
            if chosen.is_empty() {
                return Err(Error::NoImage {
                    path: path.to_path_buf(),
                    name: name.clone(),
                    has: self.image.keys().cloned().collect(),
                });
            }
            for image in chosen {
                if !selected.contains(&image) {
                    selected.push(image);
                }
            }
        }
        Ok(selected)
    }

    /// The shard (1 to `n`) image `name` lands in when a fleet's build is split: by its name
    /// alone, so adding images moves none.
    pub fn shard_of(name: &str, n: u64) -> u64 {
        let digest = <sha2::Sha256 as sha2::Digest>::digest(name.as_bytes());
        let head = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        head % n + 1
    }

    /// Where a table (`debian`, `base.NAME`, `image.NAME`) is written.
    pub fn place(&self, table: &str) -> Option<&Place> {
        self.origins.tables.get(table)
    }

    /// An error about `table`, at its place when the spec knows it, else about `file`.
    pub(crate) fn error_at(&self, table: &str, message: String, file: &Path) -> Error {
        match self.place(table) {
            Some(place) => Error::Syntax {
                path: place.path.clone(),
                line: place.line,
                column: place.column,
                message,
            },
            None => Error::Invalid {
                path: file.to_path_buf(),
                message,
            },
        }
    }

    /// The tables whose `packages` name `package`, where each names it, and the string as
    /// written there when variables made the name (such as `"python${python}"`).
    pub fn named_by(&self, package: &str) -> Vec<(&str, &Place, Option<&str>)> {
        self.origins
            .packages
            .iter()
            .filter(|((_, p), _)| p == package)
            .map(|((table, _), (place, written))| (table.as_str(), place, written.as_deref()))
            .collect()
    }

    /// Checks what the types cannot; an error names the table it is about (empty for none).
    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        let d = &self.debian;
        let debian = |message: String| ("debian".to_string(), message);
        if d.suite.is_empty() || d.suite.contains(['/', ' ']) {
            return Err(debian(format!(
                "[debian] suite {:?} is not a suite name",
                d.suite
            )));
        }
        if d.architectures.is_empty() {
            return Err(debian("[debian] architectures is empty".into()));
        }
        for arch in &d.architectures {
            if !ARCHITECTURES.contains(&arch.as_str()) {
                return Err(debian(format!(
                    "[debian] unknown architecture `{arch}` (known: {})",
                    ARCHITECTURES.join(", ")
                )));
            }
        }
        if self.image.is_empty() {
            return Err((
                String::new(),
                "no [image.NAME] table: nothing to build".into(),
            ));
        }
        for (name, base) in &self.base {
            if base.packages.is_empty() {
                return Err((
                    format!("base.{name}"),
                    format!("[base.{name}] has no packages"),
                ));
            }
        }
        for (name, step) in &self.step {
            validate_step(name, step).map_err(|m| (format!("step.{name}"), m))?;
        }
        for (name, image) in &self.image {
            validate_image(name, image, &self.base, &self.step)
                .map_err(|m| (format!("image.{name}"), m))?;
        }
        Ok(())
    }

    /// The tags of an image: its `tags`, or `NAME:latest`.
    pub fn tags_of(&self, image: &str) -> Vec<String> {
        match self.image.get(image) {
            Some(spec) if !spec.tags.is_empty() => spec.tags.clone(),
            _ => vec![format!("{image}:latest")],
        }
    }

    /// The tags of an image's debug twin: `NAME:debug`, and `TAG-debug` for each of its tags.
    pub fn debug_tags_of(&self, image: &str) -> Vec<String> {
        let mut tags = vec![format!("{image}:debug")];
        for tag in self.tags_of(image) {
            let (name, t) = tag.rsplit_once(':').unwrap_or((&tag, "latest"));
            let twin = format!("{name}:{t}-debug");
            if !tags.contains(&twin) {
                tags.push(twin);
            }
        }
        tags
    }

    /// A hash of everything that decides what the lockfile holds (suites, architectures,
    /// package lists, exclusions), and nothing else: editing an entrypoint keeps the lock fresh.
    pub fn resolution_hash(&self) -> String {
        self.resolution
            .get_or_init(|| self.compute_resolution_hash())
            .clone()
    }

    fn compute_resolution_hash(&self) -> String {
        let d = &self.debian;
        let groups: BTreeMap<String, (Vec<String>, Vec<&String>)> = self
            .base
            .iter()
            .map(|(n, b)| {
                (
                    format!("base.{n}"),
                    (
                        sorted(&b.packages).into_iter().cloned().collect(),
                        sorted(&b.exclude),
                    ),
                )
            })
            .chain(self.image.iter().map(|(n, i)| {
                let packages = i.roots();
                let mut roots: Vec<String> = sorted(&packages).into_iter().cloned().collect();
                roots.extend(i.bases.iter().cloned());
                if i.debug {
                    roots.push(format!("(debug) {DEBUG_PACKAGE}"));
                }
                (format!("image.{n}"), (roots, sorted(&i.exclude)))
            }))
            .collect();
        let mut canonical = serde_json::json!({
            "suite": d.suite, "components": d.components, "architectures": d.architectures,
            "updates": d.updates, "security": d.security, "exclude": sorted(&d.exclude),
            "maintainer-deps": d.include_maintainer_deps,
            "groups": groups,
        });
        // Image inputs are pinned in the lock too; the key is there only when a spec has
        // some, so that locks of specs without them keep their hash.
        let inputs: BTreeMap<&String, (Option<&String>, Vec<&String>)> = self
            .image
            .iter()
            .map(|(n, i)| {
                let copies: Vec<&String> = i.copy.iter().filter_map(|c| c.image.as_ref()).collect();
                (n, (i.from.as_ref(), copies))
            })
            .filter(|(_, (from, copies))| from.is_some() || !copies.is_empty())
            .collect();
        if !inputs.is_empty() {
            canonical["inputs"] = serde_json::json!(inputs);
        }
        // App dependencies: which lockfile and what of it; only when a spec has some.
        let apps: BTreeMap<&String, (&Option<PythonDeps>, &Option<NodeDeps>)> = self
            .image
            .iter()
            .filter(|(_, i)| i.python.is_some() || i.node.is_some())
            .map(|(n, i)| (n, (&i.python, &i.node)))
            .collect();
        if !apps.is_empty() {
            canonical["apps"] = serde_json::json!(apps);
        }
        // Build environments of steps: only when a spec has some.
        let steps: BTreeMap<&String, (Vec<String>, Vec<&String>)> = self
            .step
            .iter()
            .map(|(n, s)| {
                let mut roots = s.roots();
                if s.cross {
                    roots.push("(cross)".into());
                }
                roots.extend(s.target_packages.iter().map(|p| format!("(target) {p}")));
                roots.sort();
                (n, (roots, sorted(&s.exclude)))
            })
            .collect();
        if !steps.is_empty() {
            canonical["steps"] = serde_json::json!(steps);
        }
        // With `${arch}`, what each architecture resolves.
        if !self.per_arch.is_empty() {
            let per_arch: BTreeMap<&String, String> = self
                .per_arch
                .iter()
                .map(|(arch, spec)| (arch, spec.compute_resolution_hash()))
                .collect();
            canonical["per-arch"] = serde_json::json!(per_arch);
        }
        let digest = Sha256::digest(canonical.to_string().as_bytes());
        format!("sha256:{}", hex::encode(digest))
    }
}

/// Checks that an image input names a transport bosun reads images from.
fn image_reference(text: &str) -> Result<(), String> {
    const TRANSPORTS: [&str; 4] = ["docker://", "oci:", "oci-archive:", "docker-archive:"];
    match TRANSPORTS.iter().find(|t| text.starts_with(*t)) {
        Some(t) if text.len() > t.len() => Ok(()),
        _ => Err(format!(
            "{text:?} is not an image reference (docker://HOST/REPO[:TAG|@DIGEST], oci:DIR[:REF], oci-archive:FILE[:REF] or docker-archive:FILE)"
        )),
    }
}

fn sorted(items: &[String]) -> Vec<&String> {
    let mut v: Vec<&String> = items.iter().collect();
    v.sort();
    v
}

fn validate_step(name: &str, step: &StepSpec) -> Result<(), String> {
    let at = format!("[step.{name}]");
    if step.packages.is_empty() {
        return Err(format!(
            "{at} has no packages: its build environment is made of them"
        ));
    }
    match (&step.run, &step.script) {
        (Some(_), Some(_)) => return Err(format!("{at} has both run and script; give one")),
        (None, None) => return Err(format!("{at} has neither run nor script")),
        (Some(run), None) if run.is_empty() => return Err(format!("{at} run is empty")),
        _ => {}
    }
    if let Some(src) = &step.src
        && (src.starts_with('/') || src.split('/').any(|p| p == ".."))
    {
        return Err(format!(
            "{at} src {src:?} must stay inside the project directory"
        ));
    }
    if step.outputs.is_empty() {
        return Err(format!(
            "{at} declares no outputs: only what it declares is kept"
        ));
    }
    for output in &step.outputs {
        if !relative_inside(output) {
            return Err(format!(
                "{at} output {output:?} must be a path under /out, written relative to it"
            ));
        }
    }
    if let Some(fetch) = &step.fetch {
        if fetch.run.is_empty() {
            return Err(format!("{at} fetch run is empty"));
        }
        if fetch.inputs.is_empty() {
            return Err(format!(
                "{at} fetch names no inputs: its lockfiles decide when it runs again"
            ));
        }
        if let Some(bad) = fetch.inputs.iter().find(|i| !relative_inside(i)) {
            return Err(format!(
                "{at} fetch input {bad:?} must be a path relative to the step's sources"
            ));
        }
    }
    for key in step.env.keys() {
        if key.is_empty() || key.contains('=') {
            return Err(format!("{at} env name {key:?} is not a variable name"));
        }
    }
    Ok(())
}

/// A relative path without `..` or empty parts (a trailing `/` allowed).
fn relative_inside(path: &str) -> bool {
    let path = path.strip_suffix('/').unwrap_or(path);
    !path.is_empty()
        && !path.starts_with('/')
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
}

fn validate_image(
    name: &str,
    image: &ImageSpec,
    bases: &BTreeMap<String, BaseGroup>,
    steps: &BTreeMap<String, StepSpec>,
) -> Result<(), String> {
    let at = format!("[image.{name}]");
    for b in &image.bases {
        if !bases.contains_key(b) {
            return Err(format!("{at} uses base `{b}`, but there is no [base.{b}]"));
        }
    }
    if image.init && image.entrypoint.is_none() && image.cmd.is_none() {
        return Err(format!(
            "{at} sets `init = true` but has no entrypoint or cmd for tini to run"
        ));
    }
    if let Some(user) = &image.user {
        Account::parse_user(user).map_err(|e| format!("{at} user: {e}"))?;
    }
    if let Some(from) = &image.from {
        image_reference(from).map_err(|e| format!("{at} from: {e}"))?;
    }
    if image.packages.is_empty()
        && image.bases.is_empty()
        && image.copy.is_empty()
        && image.from.is_none()
        && image.python.is_none()
        && image.node.is_none()
    {
        return Err(format!("{at} has no from, packages, bases or copy entries"));
    }
    for c in &image.copy {
        if !c.dst.starts_with('/') {
            return Err(format!(
                "{at} copy dst {:?} must be an absolute path",
                c.dst
            ));
        }
        if let Some(step) = &c.step {
            let Some(spec) = steps.get(step) else {
                return Err(format!(
                    "{at} copies from step `{step}`, but there is no [step.{step}]"
                ));
            };
            if c.image.is_some() {
                return Err(format!("{at} copy entry names both a step and an image"));
            }
            if !relative_inside(&c.src) {
                return Err(format!(
                    "{at} copy src {:?} must be a path under the step's /out, written relative to it",
                    c.src
                ));
            }
            let src = c.src.trim_end_matches('/');
            let declared = spec.outputs.iter().any(|o| {
                let o = o.trim_end_matches('/');
                src == o || src.starts_with(&format!("{o}/"))
            });
            if !declared {
                return Err(format!(
                    "{at} copies {:?} from step `{step}`, which declares only {:?} as outputs",
                    c.src, spec.outputs
                ));
            }
        } else if let Some(reference) = &c.image {
            image_reference(reference).map_err(|e| format!("{at} copy image: {e}"))?;
            if !c.src.starts_with('/') || c.src.split('/').any(|p| p == "..") {
                return Err(format!(
                    "{at} copy src {:?} must be an absolute path in the image, without `..`",
                    c.src
                ));
            }
        } else if c.src.starts_with('/') || c.src.split('/').any(|p| p == "..") {
            return Err(format!(
                "{at} copy src {:?} must stay inside the project directory",
                c.src
            ));
        } else if c.arch_independent {
            return Err(format!(
                "{at} copy src {:?}: arch-independent is for copies from an image",
                c.src
            ));
        }
        if let Some(owner) = &c.owner {
            Account::parse_user(owner).map_err(|e| format!("{at} copy owner: {e}"))?;
        }
        if let Some(mode) = &c.mode {
            parse_mode(mode).ok_or_else(|| format!("{at} copy mode {mode:?} is not octal"))?;
        }
    }
    let inside = |path: &str| !path.starts_with('/') && !path.split('/').any(|p| p == "..");
    if let Some(p) = &image.python
        && !inside(&p.lock)
    {
        return Err(format!(
            "{at} python lock {:?} must stay inside the project directory",
            p.lock
        ));
    }
    if let Some(n) = &image.node {
        if !inside(&n.lock) {
            return Err(format!(
                "{at} node lock {:?} must stay inside the project directory",
                n.lock
            ));
        }
        if !n.dst.starts_with('/') || n.dst.split('/').any(|p| p == "..") {
            return Err(format!(
                "{at} node dst {:?} must be an absolute path without `..`",
                n.dst
            ));
        }
    }
    for tag in &image.tags {
        if !valid_tag(tag) {
            return Err(format!("{at} tag {tag:?} is not NAME:TAG"));
        }
    }
    for port in &image.expose {
        let (num, proto) = port.split_once('/').unwrap_or((port, "tcp"));
        if num.parse::<u16>().is_err() || !matches!(proto, "tcp" | "udp" | "sctp") {
            return Err(format!("{at} expose {port:?} is not PORT[/tcp|udp|sctp]"));
        }
    }
    if let Some(h) = &image.healthcheck {
        if h.cmd.is_empty() {
            return Err(format!("{at} healthcheck cmd is empty"));
        }
        for d in [&h.interval, &h.timeout, &h.start_period]
            .into_iter()
            .flatten()
        {
            parse_duration(d).ok_or_else(|| format!("{at} healthcheck duration {d:?}"))?;
        }
    }
    Ok(())
}

/// `NAME[:TAG]` with the characters an OCI reference allows.
fn valid_tag(tag: &str) -> bool {
    let (name, t) = tag.rsplit_once(':').unwrap_or((tag, "latest"));
    !name.is_empty()
        && !t.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Parses an octal mode such as `0644`.
pub fn parse_mode(mode: &str) -> Option<u32> {
    u32::from_str_radix(mode, 8).ok().filter(|m| *m <= 0o7777)
}

/// Parses `30s`, `5m`, `1h`, `250ms` into nanoseconds.
pub fn parse_duration(text: &str) -> Option<u64> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = text.split_at(split);
    let n: u64 = num.parse().ok()?;
    let scale = match unit {
        "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    };
    n.checked_mul(scale)
}

impl Account {
    /// Resolves `root`/`nonroot`/`nobody` or numeric `uid[:gid]` to `(uid, gid)`.
    pub fn parse_user(user: &str) -> Result<(u32, u32), String> {
        if let Some(a) = ACCOUNTS.iter().find(|a| a.name == user) {
            return Ok((a.id, a.id));
        }
        let (u, g) = user.split_once(':').unwrap_or((user, user));
        match (u.parse(), g.parse()) {
            (Ok(u), Ok(g)) => Ok((u, g)),
            _ => Err(format!(
                "unknown account {user:?} (use root, nonroot, nobody or a numeric uid[:gid])"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[debian]
suite = "trixie"
[base.core]
packages = ["base-files"]
[image.api]
bases = ["core"]
packages = ["python3"]
copy = [{ src = "app/", dst = "/app", owner = "nonroot" }]
user = "nonroot"
"#;

    fn parse(text: &str) -> Result<Spec, Error> {
        Spec::parse(Path::new("bosun.toml"), text)
    }

    #[test]
    fn parses_a_full_spec() {
        let spec = parse(GOOD).unwrap();
        assert_eq!(spec.debian.components, ["main"]);
        assert_eq!(spec.tags_of("api"), ["api:latest"]);
    }

    #[test]
    fn steps_are_checked() {
        let spec = |step: &str, copy: &str| {
            format!(
                "[debian]\nsuite = \"trixie\"\n[step.s]\n{step}\n[image.a]\npackages = [\"x\"]\ncopy = [{copy}]\n"
            )
        };
        let good = "packages = [\"golang-go\"]\nrun = [\"go\", \"build\"]\noutputs = [\"bin/\"]";
        let parsed = parse(&spec(
            good,
            r#"{ step = "s", src = "bin/app", dst = "/app" }"#,
        ))
        .unwrap();
        let roots = parsed.step["s"].roots();
        assert!(roots.contains(&"dash".to_string()) && roots.contains(&"golang-go".to_string()));
        assert_eq!(parsed.step["s"].argv(), ["go", "build"]);
        let scripted = StepSpec {
            script: Some("make".into()),
            run: None,
            ..parsed.step["s"].clone()
        };
        assert_eq!(scripted.argv(), [STEP_SHELL, "-euc", "make"]);
        // A step's environment is part of what the lock resolves; its command is not.
        let other_command = parse(&spec(
            &good.replace("\"build\"]", "\"vet\"]"),
            r#"{ step = "s", src = "bin/app", dst = "/app" }"#,
        ))
        .unwrap();
        assert_eq!(parsed.resolution_hash(), other_command.resolution_hash());
        let other_packages = parse(&spec(
            &good.replace("golang-go", "gccgo"),
            r#"{ step = "s", src = "bin/app", dst = "/app" }"#,
        ))
        .unwrap();
        assert_ne!(parsed.resolution_hash(), other_packages.resolution_hash());

        let copy = r#"{ step = "s", src = "bin/app", dst = "/app" }"#;
        for (step, copy, message) in [
            (
                good,
                r#"{ step = "t", src = "x", dst = "/x" }"#,
                "no [step.t]",
            ),
            (
                good,
                r#"{ step = "s", src = "lib/x", dst = "/x" }"#,
                "declares only",
            ),
            (
                good,
                r#"{ step = "s", src = "/bin/app", dst = "/x" }"#,
                "under the step's /out",
            ),
            (
                &good.replace("outputs = [\"bin/\"]", "outputs = []"),
                copy,
                "declares no outputs",
            ),
            (
                &good.replace("outputs = [\"bin/\"]", "outputs = [\"../x\"]"),
                copy,
                "must be a path under /out",
            ),
            (
                &format!("{good}\nscript = \"make\""),
                copy,
                "both run and script",
            ),
            (
                &good.replace("packages = [\"golang-go\"]", "packages = []"),
                copy,
                "has no packages",
            ),
            (
                &format!(
                    "{good}\nfetch = {{ run = [\"go\", \"mod\", \"download\"], inputs = [] }}"
                ),
                copy,
                "fetch names no inputs",
            ),
            (
                &format!("{good}\nsrc = \"../elsewhere\""),
                copy,
                "inside the project",
            ),
        ] {
            let err = parse(&spec(step, copy)).unwrap_err().to_string();
            assert!(err.contains(message), "{message}: {err}");
        }
    }

    #[test]
    fn resolution_hash_ignores_runtime_config() {
        let a = parse(GOOD).unwrap();
        let b = parse(&format!("{GOOD}entrypoint = [\"/x\"]\n")).unwrap();
        let c = parse(&GOOD.replace("\"python3\"", "\"python3\", \"tzdata\"")).unwrap();
        assert_eq!(a.resolution_hash(), b.resolution_hash());
        assert_ne!(a.resolution_hash(), c.resolution_hash());
    }

    /// `init = true` adds tini to the image's packages (so to the lock) and puts it first in
    /// the entrypoint; the maintainer-script setting is part of what the lock depends on.
    #[test]
    fn init_and_maintainer_deps() {
        let plain = parse(&format!(
            "{GOOD}entrypoint = [\"/usr/bin/python3\", \"/app/main.py\"]\n"
        ))
        .unwrap();
        let init = parse(&format!(
            "{GOOD}entrypoint = [\"/usr/bin/python3\", \"/app/main.py\"]\ninit = true\n"
        ))
        .unwrap();
        assert_eq!(init.image["api"].roots(), ["python3", "tini"]);
        assert_eq!(
            init.image["api"].config_entrypoint().unwrap(),
            ["/usr/bin/tini", "--", "/usr/bin/python3", "/app/main.py"]
        );
        assert_eq!(
            plain.image["api"].config_entrypoint().unwrap(),
            ["/usr/bin/python3", "/app/main.py"]
        );
        assert_ne!(plain.resolution_hash(), init.resolution_hash());
        let with_tools = parse(&GOOD.replace(
            "suite = \"trixie\"",
            "suite = \"trixie\"\ninclude_maintainer_deps = true",
        ))
        .unwrap();
        assert_ne!(
            with_tools.resolution_hash(),
            parse(GOOD).unwrap().resolution_hash()
        );
        let err = parse(&format!("{GOOD}init = true\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no entrypoint or cmd for tini"), "{err}");
    }

    #[test]
    fn rejects_bad_specs() {
        for (bad, needle) in [
            (
                GOOD.replace("bases = [\"core\"]", "bases = [\"nope\"]"),
                "no [base.nope]",
            ),
            (
                GOOD.replace("src = \"app/\"", "src = \"../x\""),
                "inside the project",
            ),
            (
                GOOD.replace("user = \"nonroot\"", "user = \"bob\""),
                "unknown account",
            ),
            (
                GOOD.replace(
                    "suite = \"trixie\"",
                    "suite = \"trixie\"\narchitectures=[\"vax\"]",
                ),
                "vax",
            ),
            (
                GOOD.replace("[image.api]", "[image.api]\nbogus = 1"),
                "unknown field",
            ),
        ] {
            let msg = parse(&bad).unwrap_err().to_string();
            assert!(msg.contains(needle), "{msg}");
        }
    }

    #[test]
    fn durations_and_users() {
        assert_eq!(parse_duration("30s"), Some(30_000_000_000));
        assert_eq!(parse_duration("x"), None);
        assert_eq!(Account::parse_user("nonroot"), Ok((65532, 65532)));
        assert_eq!(Account::parse_user("10:20"), Ok((10, 20)));
    }
}
