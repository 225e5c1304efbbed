//! What the machine says about registries, read as podman and skopeo read it:
//! `registries.conf` (v2: search list, per-prefix location rewrites, `insecure`, `blocked`,
//! mirrors) and the `certs.d` directories (extra CAs and client certificates per host).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Error;
use crate::reference::Reference;

/// The merged registries.conf: the user's file in place of the system's, then the drop-ins
/// of `registries.conf.d` in name order, later ones winning key by key.
#[derive(Debug, Clone, Default)]
pub struct RegistriesConf {
    /// Where short names are looked up, in order.
    pub search: Vec<String>,
    /// `[[registry]]` entries.
    pub registries: Vec<RegistryEntry>,
}

/// One `[[registry]]` table.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub struct RegistryEntry {
    /// The names it applies to (`host`, `host/namespace`, `*.domain`); defaults to `location`.
    #[serde(default)]
    pub prefix: String,
    /// Where those names really live.
    #[serde(default)]
    pub location: String,
    /// Plain HTTP or unverified TLS is allowed.
    #[serde(default)]
    pub insecure: bool,
    /// Nothing may be pulled from or pushed to it.
    #[serde(default)]
    pub blocked: bool,
    /// Pull-only mirrors, tried in order before the location.
    #[serde(default, rename = "mirror")]
    pub mirrors: Vec<Mirror>,
    /// Use mirrors only for pulls by digest.
    #[serde(default)]
    pub mirror_by_digest_only: bool,
}

/// A `[[registry.mirror]]` table.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub struct Mirror {
    /// `host[/namespace]`.
    pub location: String,
    /// Plain HTTP or unverified TLS is allowed.
    #[serde(default)]
    pub insecure: bool,
    /// `all` (default), `digest-only` or `tag-only`.
    #[serde(default)]
    pub pull_from_mirror: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ConfFile {
    unqualified_search_registries: Option<Vec<String>>,
    #[serde(default)]
    registry: Vec<RegistryEntry>,
}

/// Where a repository is reached: the endpoint and whether it may be insecure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The reference rewritten to this endpoint's host and namespace.
    pub reference: Reference,
    /// registries.conf marks it insecure.
    pub insecure: bool,
    /// A mirror (pull only), not the location itself.
    pub mirror: bool,
}

impl RegistriesConf {
    /// Reads the machine's configuration under `root` (`/` normally), with the user's file
    /// (`$XDG_CONFIG_HOME/containers/registries.conf`) in place of the system's when present.
    /// `CONTAINERS_REGISTRIES_CONF` names one file to use instead of both, as in podman.
    pub fn load(root: &Path, user: Option<PathBuf>) -> Result<Self, Error> {
        let mut files = Vec::new();
        if let Some(only) = std::env::var_os("CONTAINERS_REGISTRIES_CONF") {
            files.push(PathBuf::from(only));
        } else {
            match user.filter(|u| u.is_file()) {
                Some(user) => files.push(user),
                None => files.push(root.join("etc/containers/registries.conf")),
            }
            if let Ok(dir) = std::fs::read_dir(root.join("etc/containers/registries.conf.d")) {
                let mut dropins: Vec<PathBuf> = dir
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "conf"))
                    .collect();
                dropins.sort();
                files.extend(dropins);
            }
        }
        let mut conf = Self::default();
        for file in files {
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(bosun_fs::with_path(&file, e).into()),
            };
            conf.merge(&text).map_err(|reason| Error::Config {
                path: file.clone(),
                reason,
            })?;
        }
        Ok(conf)
    }

    /// Adds one file's settings on top of what is there.
    pub fn merge(&mut self, text: &str) -> Result<(), String> {
        let file: ConfFile = toml::from_str(text).map_err(|e| e.message().to_string())?;
        if let Some(search) = file.unqualified_search_registries {
            self.search = search;
        }
        for mut entry in file.registry {
            if entry.prefix.is_empty() {
                entry.prefix = entry.location.clone();
            }
            if entry.prefix.is_empty() {
                return Err("a [[registry]] table needs a prefix or a location".into());
            }
            self.registries.retain(|e| e.prefix != entry.prefix);
            self.registries.push(entry);
        }
        Ok(())
    }

    /// The `[[registry]]` entry whose prefix matches the reference most specifically.
    pub fn entry_for(&self, reference: &Reference) -> Option<&RegistryEntry> {
        let name = reference.name();
        self.registries
            .iter()
            .filter(|e| prefix_matches(&e.prefix, &name))
            .max_by_key(|e| e.prefix.len())
    }

    /// Where to pull `reference` from, in order: the mirrors that may serve it, then the
    /// location. An error when the registry is blocked.
    pub fn pull_endpoints(&self, reference: &Reference) -> Result<Vec<Endpoint>, Error> {
        // The location (which also refuses a blocked registry) comes last.
        let location = self.push_endpoint(reference)?;
        let Some(entry) = self.entry_for(reference) else {
            return Ok(vec![location]);
        };
        let by_digest = reference.digest.is_some();
        let mut out = Vec::new();
        if !entry.mirror_by_digest_only || by_digest {
            for mirror in &entry.mirrors {
                let fits = match mirror.pull_from_mirror.as_deref() {
                    Some("digest-only") => by_digest,
                    Some("tag-only") => !by_digest,
                    _ => true,
                };
                if fits {
                    out.push(Endpoint {
                        reference: rewrite(reference, &entry.prefix, &mirror.location)?,
                        insecure: mirror.insecure,
                        mirror: true,
                    });
                }
            }
        }
        out.push(location);
        Ok(out)
    }

    /// Where to push `reference` (never a mirror). An error when the registry is blocked.
    pub fn push_endpoint(&self, reference: &Reference) -> Result<Endpoint, Error> {
        let Some(entry) = self.entry_for(reference) else {
            return Ok(Endpoint {
                reference: reference.clone(),
                insecure: false,
                mirror: false,
            });
        };
        if entry.blocked {
            return Err(Error::Blocked {
                reference: reference.to_string(),
            });
        }
        let location = match entry.location.is_empty() {
            true => &entry.prefix,
            false => &entry.location,
        };
        Ok(Endpoint {
            reference: rewrite(reference, &entry.prefix, location)?,
            insecure: entry.insecure,
            mirror: false,
        })
    }

    /// Whether a host is marked insecure by an entry for the host itself.
    pub fn host_insecure(&self, host: &str) -> bool {
        self.registries
            .iter()
            .any(|e| e.insecure && (e.location == host || e.prefix == host))
    }
}

/// A prefix matches a name at a component boundary; `*.domain` matches any subdomain host.
fn prefix_matches(prefix: &str, name: &str) -> bool {
    if let Some(domain) = prefix.strip_prefix("*.") {
        let host = name.split('/').next().unwrap_or_default();
        return host.ends_with(&format!(".{domain}"));
    }
    name == prefix
        || name
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn rewrite(reference: &Reference, prefix: &str, location: &str) -> Result<Reference, Error> {
    if prefix.starts_with("*.") || prefix == location {
        return Ok(reference.clone());
    }
    let name = reference.name();
    let rest = name.strip_prefix(prefix).unwrap_or_default();
    let mut text = format!("{location}{rest}");
    if let Some(tag) = &reference.tag {
        text.push(':');
        text.push_str(tag);
    }
    if let Some(digest) = &reference.digest {
        text.push('@');
        text.push_str(digest.as_str());
    }
    Reference::parse(&text)
}

/// The TLS material for one host: extra roots (`*.crt`) and a client certificate
/// (`*.cert` with the `*.key` of the same stem), from `--cert-dir` when given, else from the
/// first of `$XDG_CONFIG_HOME/containers/certs.d/HOST`, `/etc/containers/certs.d/HOST`,
/// `/etc/docker/certs.d/HOST` that exists.
#[derive(Debug, Clone, Default)]
pub struct CertFiles {
    /// Extra CA certificates (PEM files).
    pub roots: Vec<PathBuf>,
    /// A client certificate chain and its key.
    pub client: Option<(PathBuf, PathBuf)>,
}

impl CertFiles {
    /// Finds the files for `host` (`host:port`).
    pub fn find(host: &str, cert_dir: Option<&Path>, root: &Path, user: Option<&Path>) -> Self {
        let dirs: Vec<PathBuf> = match cert_dir {
            Some(dir) => vec![dir.to_path_buf()],
            None => user
                .map(|u| u.join("containers/certs.d").join(host))
                .into_iter()
                .chain([
                    root.join("etc/containers/certs.d").join(host),
                    root.join("etc/docker/certs.d").join(host),
                ])
                .collect(),
        };
        let Some(dir) = dirs.into_iter().find(|d| d.is_dir()) else {
            return Self::default();
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        let ext = |p: &Path, want: &str| p.extension().is_some_and(|e| e == want);
        let roots = files.iter().filter(|p| ext(p, "crt")).cloned().collect();
        let client = files.iter().filter(|p| ext(p, "cert")).find_map(|cert| {
            let key = cert.with_extension("key");
            key.is_file().then(|| (cert.clone(), key))
        });
        Self { roots, client }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> RegistriesConf {
        let mut c = RegistriesConf::default();
        c.merge(text).unwrap();
        c
    }

    #[test]
    fn locations_mirrors_and_blocks() {
        let c = conf(
            r#"
unqualified-search-registries = ["one.internal"]
[[registry]]
prefix = "one.internal/team"
location = "mirror.internal:5000/one-team"
insecure = true
[[registry.mirror]]
location = "cache.internal/one"
pull-from-mirror = "digest-only"
[[registry]]
location = "blocked.internal"
blocked = true
"#,
        );
        assert_eq!(c.search, ["one.internal"]);
        let r = Reference::parse("one.internal/team/app:1").unwrap();
        let push = c.push_endpoint(&r).unwrap();
        assert_eq!(
            push.reference.to_string(),
            "mirror.internal:5000/one-team/app:1"
        );
        assert!(push.insecure);
        assert_eq!(c.pull_endpoints(&r).unwrap().len(), 1, "digest-only mirror");
        let d = r.with_digest(bosun_oci::Digest::of(b""));
        let pulls = c.pull_endpoints(&d).unwrap();
        assert_eq!(pulls.len(), 2);
        assert!(pulls[0].mirror);
        assert_eq!(pulls[0].reference.repository, "one/app");
        // Prefixes match whole components only.
        let other = Reference::parse("one.internal/teamx/app").unwrap();
        assert_eq!(c.push_endpoint(&other).unwrap().reference, other);
        let blocked = Reference::parse("blocked.internal/a").unwrap();
        assert!(matches!(
            c.pull_endpoints(&blocked),
            Err(Error::Blocked { .. })
        ));
    }

    #[test]
    fn later_files_win_and_bad_files_say_where() {
        let mut c = conf(
            "unqualified-search-registries = [\"a.internal\"]\n[[registry]]\nlocation = \"x.internal\"\ninsecure = true\n",
        );
        c.merge("unqualified-search-registries = [\"b.internal\"]\n[[registry]]\nlocation = \"x.internal\"\n")
            .unwrap();
        assert_eq!(c.search, ["b.internal"]);
        assert_eq!(c.registries.len(), 1);
        assert!(!c.host_insecure("x.internal"));
        assert!(c.merge("[[registry]]\ninsecure = true\n").is_err());
        assert!(c.merge("[[[").is_err());
    }

    #[test]
    fn files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let etc = dir.path().join("etc/containers");
        std::fs::create_dir_all(etc.join("registries.conf.d")).unwrap();
        let none = Some(dir.path().join("no-user-file"));
        let search =
            |user: Option<PathBuf>| RegistriesConf::load(dir.path(), user).map(|c| c.search);
        assert!(search(none.clone()).unwrap().is_empty());
        std::fs::write(
            etc.join("registries.conf"),
            "unqualified-search-registries = [\"one.internal\", \"two.internal\"]\n",
        )
        .unwrap();
        assert_eq!(
            search(none.clone()).unwrap(),
            ["one.internal", "two.internal"]
        );
        // A drop-in wins.
        std::fs::write(
            etc.join("registries.conf.d/50-site.conf"),
            "unqualified-search-registries = [\"site.internal\"]\n",
        )
        .unwrap();
        assert_eq!(search(none.clone()).unwrap(), ["site.internal"]);
        // The user's file replaces the system's.
        let user = dir.path().join("user.conf");
        std::fs::write(
            &user,
            "unqualified-search-registries = [\"mine.internal\"]\n",
        )
        .unwrap();
        std::fs::remove_file(etc.join("registries.conf.d/50-site.conf")).unwrap();
        assert_eq!(search(Some(user)).unwrap(), ["mine.internal"]);
        // A malformed file is an error naming it, as podman refuses it.
        std::fs::write(etc.join("registries.conf.d/90-bad.conf"), "[[[").unwrap();
        let e = search(none).unwrap_err().to_string();
        assert!(e.contains("90-bad.conf"), "{e}");
    }

    #[test]
    fn cert_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let host = dir.path().join("etc/containers/certs.d/reg.internal:5000");
        std::fs::create_dir_all(&host).unwrap();
        for f in ["ca.crt", "client.cert", "client.key", "other.cert"] {
            std::fs::write(host.join(f), "x").unwrap();
        }
        let found = CertFiles::find("reg.internal:5000", None, dir.path(), None);
        assert_eq!(found.roots, [host.join("ca.crt")]);
        assert_eq!(
            found.client,
            Some((host.join("client.cert"), host.join("client.key")))
        );
        assert!(
            CertFiles::find("other:1", None, dir.path(), None)
                .roots
                .is_empty()
        );
    }
}
