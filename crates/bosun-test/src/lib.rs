//! Test helpers shared by bosun's integration tests (never a dependency of shipped code).
//!
//! - [`peer`]: find a peer tool (podman, skopeo, ...); with `BOSUN_REQUIRE_PEERS` set a
//!   missing one fails the test instead of skipping it.
//! - [`Server`]: a static HTTP server on 127.0.0.1 serving a directory.
//! - [`script::ScriptServer`]: a loopback HTTP server whose replies a handler writes.
//! - [`registry::Registry`]: Distribution on loopback (TLS, basic or token auth).
//! - [`FixtureRepo`]: a small Debian repository, signed with a throwaway gpg key.
//! - [`DebBuilder`]: `.deb` files in any of the compressions dpkg uses.
#![allow(missing_docs, clippy::print_stderr)]

pub mod registry;
mod repo;
pub mod script;
mod server;
pub mod tmux;

pub use repo::{DebBuilder, FixtureRepo, Pkg};
pub use server::Server;

use std::path::PathBuf;

/// Where a peer tool lives, or `None` to skip (panics instead when `BOSUN_REQUIRE_PEERS` is set).
pub fn peer(name: &str) -> Option<PathBuf> {
    let extra = std::env::var_os("BOSUN_PEERS_BIN").map(PathBuf::from);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = extra
        .into_iter()
        .chain(std::env::split_paths(&path))
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        missing_peer(&format!("peer `{name}`"));
    }
    found
}

/// What every test does when a peer it needs is missing: skip with a line on stderr, or, when
/// `BOSUN_REQUIRE_PEERS` is set (CI), fail.
#[track_caller]
pub fn missing_peer(what: &str) {
    assert!(
        std::env::var_os("BOSUN_REQUIRE_PEERS").is_none(),
        "{what} is required (BOSUN_REQUIRE_PEERS is set) but not installed; run scripts/test"
    );
    eprintln!("skipping: {what} not installed");
}

/// Runs a peer command and returns its stdout; panics with both outputs when it fails.
#[track_caller]
pub fn run(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Debian's static busybox (package `busybox-static`), which lets `FROM scratch` test images
/// RUN commands; `None` to skip (panics instead when `BOSUN_REQUIRE_PEERS` is set).
pub fn static_busybox() -> Option<PathBuf> {
    let path = PathBuf::from("/bin/busybox");
    if path.exists() {
        return Some(path);
    }
    missing_peer("busybox-static");
    None
}

/// The `bosun` binary built for this test run.
pub fn bosun_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("CARGO_BIN_EXE_bosun") {
        return p.into();
    }
    // Integration tests of other crates: the binary sits next to the test executable's parent.
    let exe = std::env::current_exe().expect("test executable");
    exe.parent()
        .and_then(|d| d.parent())
        .map(|d| d.join("bosun"))
        .expect("target dir")
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// A project directory, store and cache of one test, and a way to run `bosun` in them.
pub struct Context {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
}

/// What a `bosun` run did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with the output unless the run succeeded.
    #[track_caller]
    /// Standard output as JSON (panics with the output when it is not).
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", self.stdout, self.stderr))
    }

    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "bosun failed:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics unless the run failed with `code` and stderr contains `needle`.
    #[track_caller]
    pub fn fails(self, code: i32, needle: &str) -> Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}:\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        let errors: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .collect();
        assert_eq!(errors.len(), 1, "exactly one error line:\n{}", self.stderr);
        assert!(
            errors[0].contains(needle),
            "error line lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }
}

impl Default for Context {
    fn default() -> Self {
        Self::new()
    }
}

impl Context {
    /// A fresh context with its own store and cache (and no apt sources unless a test adds a
    /// mirror).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        std::fs::create_dir_all(p.join("project")).unwrap();
        std::fs::create_dir_all(p.join("apt")).unwrap();
        let env = vec![
            ("BOSUN_STORE".into(), p.join("store").display().to_string()),
            (
                "BOSUN_CACHE_DIR".into(),
                p.join("cache").display().to_string(),
            ),
            ("BOSUN_APT_ROOT".into(), p.join("apt").display().to_string()),
            ("BOSUN_NO_PROGRESS".into(), "1".into()),
            // No snapshot archive outside the test: a test that wants one serves it.
            ("BOSUN_DEBIAN_SNAPSHOT".into(), String::new()),
            // Registry settings of the machine stay out: auth files, registries.conf, certs.d.
            (
                "REGISTRY_AUTH_FILE".into(),
                p.join("auth.json").display().to_string(),
            ),
            (
                "XDG_RUNTIME_DIR".into(),
                p.join("run").display().to_string(),
            ),
            (
                "XDG_CONFIG_HOME".into(),
                p.join("config").display().to_string(),
            ),
            (
                "DOCKER_CONFIG".into(),
                p.join("docker").display().to_string(),
            ),
            (
                "BOSUN_CONTAINERS_ROOT".into(),
                p.join("containers-root").display().to_string(),
            ),
        ];
        Self { dir, env }
    }

    pub fn project(&self) -> PathBuf {
        self.dir.path().join("project")
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    pub fn set(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    /// Writes a file below the project directory.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.project().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Runs `bosun ARGS` in the project directory.
    pub fn bosun(&self, args: &[&str]) -> Run {
        let out = self.command(args).output().expect("run bosun");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The command for `bosun ARGS`, for tests that spawn it.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(bosun_bin());
        cmd.args(args).current_dir(self.project());
        for var in [
            "BOSUN_DEBIAN_MIRROR",
            "BOSUN_DEBIAN_SECURITY_MIRROR",
            "BOSUN_KEYRING",
            "SOURCE_DATE_EPOCH",
            "RUST_LOG",
            "CONTAINERS_REGISTRIES_CONF",
        ] {
            cmd.env_remove(var);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }
}

/// The peers' virtualenv (syft, hadolint, dive, pyspdxtools, cyclonedx-python-lib).
pub fn peers_venv() -> PathBuf {
    std::env::var_os("BOSUN_PEERS_VENV").map_or_else(
        || {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/bosun/peers-venv")
        },
        PathBuf::from,
    )
}

/// Checks SBOM documents with the validators their users have: pyspdxtools for SPDX, and
/// cyclonedx-python-lib's strict 1.6 JSON schema validator for CycloneDX. Panics with what
/// they said; skips (or fails under `BOSUN_REQUIRE_PEERS`) when they are not installed.
#[track_caller]
pub fn validate_sboms(spdx: &std::path::Path, cyclonedx: &std::path::Path) {
    let bin = peers_venv().join("bin");
    if !bin.join("pyspdxtools").is_file() || !bin.join("python").is_file() {
        missing_peer("pyspdxtools and cyclonedx-python-lib in the peers' virtualenv");
        return;
    }
    let out = std::process::Command::new(bin.join("pyspdxtools"))
        .arg("-i")
        .arg(spdx)
        .output()
        .expect("run pyspdxtools");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // pyspdxtools exits 0 either way; what it prints says whether the document is valid.
    assert!(
        out.status.success() && !said.contains("ERROR") && !said.contains("issues"),
        "pyspdxtools: {said}"
    );
    let check = "import sys\nfrom cyclonedx.validation.json import JsonStrictValidator\nfrom cyclonedx.schema import SchemaVersion\ne = JsonStrictValidator(SchemaVersion.V1_6).validate_str(open(sys.argv[1]).read())\nprint(e or 'valid')\nsys.exit(1 if e else 0)\n";
    let out = std::process::Command::new(bin.join("python"))
        .args(["-c", check])
        .arg(cyclonedx)
        .output()
        .expect("run the CycloneDX validator");
    assert!(
        out.status.success(),
        "CycloneDX 1.6: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
