//! Resolving flags, environment, spec and machine defaults into explicit values for the
//! libraries (precedence: flags > environment > spec > defaults).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bosun_deb::{Keyring, RepositoryConfig, sources};
use bosun_registry::{Client, Credential, Options, RegistriesConf};
use bosun_spec::Spec;

use crate::cli::RegistryArgs;

use crate::env_vars::*;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn home() -> PathBuf {
    env("HOME").map_or_else(|| PathBuf::from("/"), PathBuf::from)
}

/// The store directory.
pub(crate) fn store_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    env("XDG_DATA_HOME")
        .map_or_else(|| home().join(".local/share"), PathBuf::from)
        .join("bosun")
}

/// The download cache directory, shared by every project of this user.
pub(crate) fn cache_dir() -> PathBuf {
    if let Some(p) = env(BOSUN_CACHE_DIR) {
        return p.into();
    }
    env("XDG_CACHE_HOME")
        .map_or_else(|| home().join(".cache"), PathBuf::from)
        .join("bosun")
}

/// Where app dependencies come from when their lockfile does not say, found as pip, uv and
/// npm find them on this machine: the environment, then uv's and pip's configuration
/// files (user, then machine); npm's `.npmrc` files of the machine, the user and the
/// project (`project`), then `NPM_CONFIG_REGISTRY`. With none found, a lockfile that needs
/// one fails naming what to set.
pub(crate) fn app_sources(project: &Path) -> bosun_build::app::AppSources {
    use bosun_lang::python::config::{pip_index, uv_index};
    let config_home = env("XDG_CONFIG_HOME").map_or_else(|| home().join(".config"), PathBuf::from);
    let read = |p: &Path| std::fs::read_to_string(p).ok();
    let uv_files = [
        config_home.join("uv/uv.toml"),
        PathBuf::from("/etc/uv/uv.toml"),
    ];
    let pip_files: Vec<PathBuf> = env(PIP_CONFIG_FILE)
        .map(PathBuf::from)
        .into_iter()
        .chain([
            config_home.join("pip/pip.conf"),
            home().join(".pip/pip.conf"),
            PathBuf::from("/etc/xdg/pip/pip.conf"),
            PathBuf::from("/etc/pip.conf"),
        ])
        .collect();
    let python_index = env(UV_DEFAULT_INDEX)
        .or_else(|| env(UV_INDEX_URL))
        .or_else(|| env(PIP_INDEX_URL))
        .or_else(|| uv_files.iter().find_map(|p| uv_index(&read(p)?)))
        .or_else(|| pip_files.iter().find_map(|p| pip_index(&read(p)?)));
    let mut npm = bosun_lang::npm::Registries::default();
    let user_npmrc =
        env(NPM_CONFIG_USERCONFIG).map_or_else(|| home().join(".npmrc"), PathBuf::from);
    for file in [
        PathBuf::from("/usr/etc/npmrc"),
        PathBuf::from("/usr/local/etc/npmrc"),
        PathBuf::from("/etc/npmrc"),
        user_npmrc,
        project.join(".npmrc"),
    ] {
        if let Some(text) = read(&file) {
            npm.read_npmrc(&text);
        }
    }
    if let Some(r) = env(NPM_CONFIG_REGISTRY).or_else(|| env("npm_config_registry")) {
        npm.default = Some(r);
    }
    bosun_build::app::AppSources { python_index, npm }
}

/// The archive roots: `debian` and (when known) `security`.
pub(crate) fn mirrors(spec: &Spec) -> Result<BTreeMap<String, String>> {
    machine_mirrors(
        spec.debian.mirror.clone(),
        spec.debian.security_mirror.clone(),
    )
}

/// Debian's public snapshot service, where a locked `.deb` the mirror has dropped is found.
const DEFAULT_SNAPSHOT: &str = "https://snapshot.debian.org";

/// The snapshot archive: `BOSUN_DEBIAN_SNAPSHOT`, else the spec's `snapshot`, else Debian's;
/// an empty setting turns it off.
pub(crate) fn snapshot(spec: &Spec) -> Option<String> {
    let root = std::env::var(crate::env_vars::BOSUN_DEBIAN_SNAPSHOT)
        .ok()
        .or_else(|| spec.debian.snapshot.clone())
        .unwrap_or_else(|| DEFAULT_SNAPSHOT.to_string());
    (!root.trim().is_empty()).then_some(root)
}

/// The archive roots from the environment, else the spec's (when there is one), else the
/// machine's apt sources.
pub(crate) fn machine_mirrors(
    spec_debian: Option<String>,
    spec_security: Option<String>,
) -> Result<BTreeMap<String, String>> {
    let apt_root = env(BOSUN_APT_ROOT).unwrap_or_else(|| "/".into());
    let found = sources::discover(Path::new(&apt_root));
    let debian = env(BOSUN_DEBIAN_MIRROR).or(spec_debian).or(found.debian);
    let security = env(BOSUN_DEBIAN_SECURITY_MIRROR)
        .or(spec_security)
        .or(found.security);
    let Some(debian) = debian else {
        bail!(
            "no Debian mirror found: {apt_root}etc/apt has no Debian source; set {BOSUN_DEBIAN_MIRROR} or `mirror` in [debian]"
        );
    };
    let mut m = BTreeMap::from([("debian".to_string(), debian)]);
    if let Some(s) = security {
        m.insert("security".into(), s);
    }
    Ok(m)
}

/// The repository configuration for a spec.
pub(crate) fn repository(spec: &Spec, mirrors: &BTreeMap<String, String>) -> RepositoryConfig {
    RepositoryConfig {
        debian: mirrors["debian"].clone(),
        security: mirrors.get("security").cloned(),
        suite: spec.debian.suite.clone(),
        components: spec.debian.components.clone(),
        updates: spec.debian.updates,
        security_updates: spec.debian.security,
    }
}

/// The keyring that signs the archive.
pub(crate) fn keyring(spec: &Spec, spec_dir: &Path) -> Result<Keyring> {
    keyring_at(spec.debian.keyring.as_ref().map(|k| spec_dir.join(k)))
}

/// The keyring a spec names, else `BOSUN_KEYRING`, else Debian's.
pub(crate) fn keyring_at(from_spec: Option<PathBuf>) -> Result<Keyring> {
    let path = match (from_spec, env(BOSUN_KEYRING)) {
        (Some(k), _) => k,
        (None, Some(k)) => k.into(),
        (None, None) => PathBuf::from("/usr/share/keyrings/debian-archive-keyring.gpg"),
    };
    if !path.exists() {
        bail!(
            "keyring {} not found; install debian-archive-keyring or set `keyring` in [debian]",
            path.display()
        );
    }
    Keyring::load(&path).with_context(|| "cannot load the archive keyring".to_string())
}

/// `SOURCE_DATE_EPOCH` when set.
pub(crate) fn source_date_epoch() -> Result<Option<i64>> {
    env(SOURCE_DATE_EPOCH)
        .map(|v| {
            v.parse()
                .with_context(|| format!("{SOURCE_DATE_EPOCH}={v:?} is not a number"))
        })
        .transpose()
}

/// Seconds since the epoch now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The machine's containers registries.conf (the user's file in place of the system's, then
/// the drop-ins in `registries.conf.d`, later ones winning), under `BOSUN_CONTAINERS_ROOT`.
pub(crate) fn registries_conf() -> Result<RegistriesConf> {
    Ok(RegistriesConf::load(
        &containers_root(),
        Some(user_config().join("containers/registries.conf")),
    )?)
}

/// The user's layer cache shared by every store (`<cache>/layers-v1`), bounded by
/// `BOSUN_LAYER_CACHE_MAX` (bytes, or with a unit: `500MB`, `4GiB`; default 4 GiB; `0` turns
/// it off).
pub(crate) fn shared_layers() -> Result<Option<bosun_oci::shared::SharedLayers>> {
    let max = match env(BOSUN_LAYER_CACHE_MAX) {
        Some(text) => bosun_analyze::ci::parse_bytes(&text)
            .map_err(|e| anyhow::anyhow!("{BOSUN_LAYER_CACHE_MAX}={text:?}: {e}"))?,
        None => 4 << 30,
    };
    Ok((max > 0).then(|| bosun_oci::shared::SharedLayers::new(cache_dir().join("layers-v1"), max)))
}

fn containers_root() -> PathBuf {
    PathBuf::from(env(BOSUN_CONTAINERS_ROOT).unwrap_or_else(|| "/".into()))
}

fn user_config() -> PathBuf {
    env("XDG_CONFIG_HOME").map_or_else(|| home().join(".config"), PathBuf::from)
}

/// A registry client from the flags, the auth files and registries.conf.
pub(crate) fn registry_client(args: &RegistryArgs) -> Result<Client> {
    let mut options = Options {
        tls_verify: args.tls_verify,
        cert_dir: args.cert_dir.clone(),
        conf: registries_conf()?,
        root: containers_root(),
        user_config: Some(user_config()),
        ..Options::default()
    };
    if let Some(file) = &args.authfile {
        options.auth_files = vec![file.clone()];
    }
    if let Some(creds) = &args.creds {
        let (username, password) = match creds.split_once(':') {
            Some((u, p)) => (u.to_string(), p.to_string()),
            None => (
                creds.clone(),
                read_password(&format!("password for {creds}: "))?,
            ),
        };
        options.credentials = Some(Credential::Basic { username, password });
    }
    Ok(Client::new(options))
}

/// A password from standard input (one line), never echoed anywhere.
pub(crate) fn read_password(prompt: &str) -> Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    if std::io::stdin().is_terminal() {
        let mut err = std::io::stderr();
        let _ = write!(err, "{prompt}");
        let _ = err.flush();
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("no password given on standard input");
    }
    Ok(password)
}
