//! Resolving flags, environment, spec and machine defaults into explicit values for the
//! libraries (precedence: flags > environment > spec > defaults).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bosun_deb::{Keyring, RepositoryConfig, sources};
use bosun_spec::Spec;

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

/// The archive roots: `debian` and (when known) `security`.
pub(crate) fn mirrors(spec: &Spec) -> Result<BTreeMap<String, String>> {
    let apt_root = env(BOSUN_APT_ROOT).unwrap_or_else(|| "/".into());
    let found = sources::discover(Path::new(&apt_root));
    let debian = env(BOSUN_DEBIAN_MIRROR)
        .or_else(|| spec.debian.mirror.clone())
        .or(found.debian);
    let security = env(BOSUN_DEBIAN_SECURITY_MIRROR)
        .or_else(|| spec.debian.security_mirror.clone())
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
    let path = match (&spec.debian.keyring, env(BOSUN_KEYRING)) {
        (Some(k), _) => spec_dir.join(k),
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
