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

/// The registries an image named without one is looked up in, as podman and buildah find
/// them: `unqualified-search-registries` in containers' registries.conf (the user's file in
/// place of the system's, then the drop-ins in `registries.conf.d`, later ones winning).
/// Unreadable or malformed files are skipped: this only widens what DL3026 trusts.
pub(crate) fn unqualified_search_registries() -> Vec<String> {
    let root = PathBuf::from(env(BOSUN_CONTAINERS_ROOT).unwrap_or_else(|| "/".into()));
    let user = env("XDG_CONFIG_HOME")
        .map_or_else(|| home().join(".config"), PathBuf::from)
        .join("containers/registries.conf");
    search_registries(&root, user)
}

fn search_registries(root: &Path, user: PathBuf) -> Vec<String> {
    let main = match user.is_file() {
        true => user,
        false => root.join("etc/containers/registries.conf"),
    };
    let mut files = vec![main];
    if let Ok(dir) = std::fs::read_dir(root.join("etc/containers/registries.conf.d")) {
        let mut dropins: Vec<PathBuf> = dir
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "conf"))
            .collect();
        dropins.sort();
        files.extend(dropins);
    }
    let mut found = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(table) = text.parse::<toml::Table>() else {
            continue;
        };
        if let Some(list) = table
            .get("unqualified-search-registries")
            .and_then(|v| v.as_array())
        {
            found = list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_registries_from_registries_conf() {
        let dir = tempfile::tempdir().unwrap();
        let etc = dir.path().join("etc/containers");
        std::fs::create_dir_all(etc.join("registries.conf.d")).unwrap();
        let none = dir.path().join("no-user-file");
        assert!(search_registries(dir.path(), none.clone()).is_empty());
        std::fs::write(
            etc.join("registries.conf"),
            "unqualified-search-registries = [\"one.internal\", \"two.internal\"]\n",
        )
        .unwrap();
        assert_eq!(
            search_registries(dir.path(), none.clone()),
            ["one.internal", "two.internal"]
        );
        // A drop-in wins; a malformed one is skipped.
        std::fs::write(
            etc.join("registries.conf.d/50-site.conf"),
            "unqualified-search-registries = [\"site.internal\"]\n",
        )
        .unwrap();
        std::fs::write(etc.join("registries.conf.d/90-bad.conf"), "[[[").unwrap();
        assert_eq!(search_registries(dir.path(), none), ["site.internal"]);
        // The user's file replaces the system's.
        let user = dir.path().join("user.conf");
        std::fs::write(
            &user,
            "unqualified-search-registries = [\"mine.internal\"]\n",
        )
        .unwrap();
        std::fs::remove_file(etc.join("registries.conf.d/50-site.conf")).unwrap();
        assert_eq!(search_registries(dir.path(), user), ["mine.internal"]);
    }
}
