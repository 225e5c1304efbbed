//! `pylock.toml` (PEP 751): a flat list of packages, each with a marker saying where it
//! belongs; installing for a target is evaluating each marker there (with the lock's
//! `extras` and `dependency-groups` sets) and taking one wheel of each package that stays.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{Candidate, File, Selection, Target, markers, normalize, url_filename};
use crate::{Error, Integrity};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Lock {
    lock_version: String,
    #[serde(default)]
    requires_python: Option<String>,
    #[serde(default)]
    environments: Vec<String>,
    #[serde(default)]
    default_groups: Vec<String>,
    #[serde(default)]
    packages: Vec<Package>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Package {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    marker: Option<String>,
    #[serde(default)]
    requires_python: Option<String>,
    #[serde(default)]
    wheels: Vec<Artifact>,
    #[serde(default)]
    sdist: Option<Artifact>,
    #[serde(default)]
    vcs: Option<toml::Value>,
    #[serde(default)]
    directory: Option<toml::Value>,
    #[serde(default)]
    archive: Option<toml::Value>,
    #[serde(default)]
    dependencies: Vec<BTreeMap<String, toml::Value>>,
}

#[derive(Debug, Deserialize)]
struct Artifact {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

/// The packages `target` needs from the `pylock.toml` text at `path`.
pub fn candidates(
    path: &Path,
    text: &str,
    target: &Target,
    selection: &Selection,
) -> Result<Vec<Candidate>, Error> {
    let invalid = |message: String| Error::Lockfile {
        path: path.to_path_buf(),
        message,
    };
    let lock: Lock = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
    if !lock.lock_version.starts_with("1.") {
        return Err(invalid(format!(
            "lock-version {} is not one bosun reads (1.x)",
            lock.lock_version
        )));
    }
    super::require_python(path, lock.requires_python.as_deref(), target)?;
    // Groups: what the spec asks for, else the lock's defaults.
    let groups = match selection.groups.is_empty() {
        true => lock.default_groups.clone(),
        false => selection.groups.clone(),
    };
    let env = target.environment(&selection.extras, &groups);
    super::require_environment(path, &lock.environments, &env, target)?;
    let mut out = Vec::new();
    for p in &lock.packages {
        if let Some(m) = &p.marker
            && !markers::evaluate(m, &env).map_err(invalid)?
        {
            continue;
        }
        let name = normalize(&p.name);
        if let Some(rp) = &p.requires_python
            && !target.satisfies(rp)
        {
            return Err(invalid(format!(
                "{name} requires Python {rp}, and the image has {}",
                target.minor_version()
            )));
        }
        if p.vcs.is_some() || p.directory.is_some() || p.archive.is_some() {
            return Err(invalid(format!(
                "{name} comes from a VCS, directory or archive source, which bosun cannot install without building it"
            )));
        }
        let version = p
            .version
            .clone()
            .ok_or_else(|| invalid(format!("{name} has no version")))?;
        let mut wheels = Vec::new();
        for w in &p.wheels {
            let Some(url) = &w.url else {
                return Err(invalid(format!(
                    "{name}: a wheel at a local path ({}) is not something bosun fetches",
                    w.path.as_deref().unwrap_or("?")
                )));
            };
            let hash = ["sha512", "sha384", "sha256"]
                .iter()
                .find_map(|alg| {
                    w.hashes
                        .get(*alg)
                        .and_then(|h| Integrity::parse(&format!("{alg}:{h}")))
                })
                .ok_or_else(|| invalid(format!("{name} {version}: a wheel without a sha256")))?;
            wheels.push(File {
                filename: w.name.clone().unwrap_or_else(|| url_filename(url)),
                url: url.clone(),
                hash,
                size: w.size,
            });
        }
        let depends = p
            .dependencies
            .iter()
            .filter_map(|d| d.get("name")?.as_str().map(normalize))
            .collect();
        let sdist = p.sdist.as_ref().and_then(|a| {
            let url = a.url.clone()?;
            let hash = ["sha512", "sha384", "sha256"].iter().find_map(|alg| {
                a.hashes
                    .get(*alg)
                    .and_then(|h| Integrity::parse(&format!("{alg}:{h}")))
            })?;
            Some(File {
                filename: a.name.clone().unwrap_or_else(|| url_filename(&url)),
                url,
                hash,
                size: a.size,
            })
        });
        out.push(Candidate {
            name,
            version,
            wheels,
            sdist,
            depends,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::tests::target;

    const LOCK: &str = r#"
lock-version = "1.0"
requires-python = ">=3.10"
environments = ["sys_platform == 'linux'"]
default-groups = ["default"]
created-by = "uv"

[[packages]]
name = "markupsafe"
version = "3.0.2"
index = "https://index.example/simple"
wheels = [
  { url = "https://files.example/MarkupSafe-3.0.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", upload-time = 2024-10-18T15:21:00Z, size = 23, hashes = { sha256 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" } },
]

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "sys_platform == 'win32'"
wheels = [{ url = "https://files.example/colorama-0.4.6-py2.py3-none-any.whl", hashes = { sha256 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" } }]

[[packages]]
name = "pytest"
version = "8.4.1"
marker = "'dev' in dependency_groups"
wheels = [{ url = "https://files.example/pytest-8.4.1-py3-none-any.whl", hashes = { sha256 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" } }]
"#;

    #[test]
    fn evaluates_each_marker() {
        let path = Path::new("pylock.toml");
        let got = candidates(path, LOCK, &target("amd64"), &Selection::default()).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].name, "markupsafe");
        let dev = Selection {
            groups: vec!["dev".into()],
            ..Default::default()
        };
        assert_eq!(
            candidates(path, LOCK, &target("amd64"), &dev)
                .unwrap()
                .len(),
            2
        );
        let chosen = crate::python::choose(&got, &target("amd64"), &[]).unwrap();
        assert!(
            chosen[0]
                .file
                .filename
                .starts_with("MarkupSafe-3.0.2-cp313")
        );
        let err = crate::python::choose(&got, &target("arm64"), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("markupsafe 3.0.2 has no wheel"), "{err}");
        let mac = LOCK.replace("sys_platform == 'linux'", "sys_platform == 'darwin'");
        let err = candidates(path, &mac, &target("amd64"), &Selection::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("locked only for sys_platform == 'darwin'"),
            "{err}"
        );
    }
}
