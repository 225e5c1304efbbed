//! `uv.lock`: the packages of a uv project, read as `uv sync --frozen --no-dev
//! --no-install-project` would install them for the target.
//!
//! The lock is a graph: the project's own packages (`source = { virtual | editable = "." }`,
//! and `[manifest] members` of a workspace) are the roots, not installed (the app's code is
//! copied into the image); each edge may carry a marker, extras the target package is asked
//! for (`extra = [...]`), and, where a name has several locked versions (forked
//! resolutions), the version and source it means. Each reached package is installed from
//! one of its `wheels`, by URL and sha256.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use serde::Deserialize;

use super::{Candidate, File, Selection, Target, markers, normalize, url_filename};
use crate::{Error, Integrity};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Lock {
    version: u32,
    #[serde(default)]
    requires_python: Option<String>,
    #[serde(default)]
    supported_markers: Vec<String>,
    #[serde(default)]
    manifest: Option<Manifest>,
    #[serde(default)]
    package: Vec<Package>,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    #[serde(default)]
    members: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Package {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Vec<Dependency>>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, Vec<Dependency>>,
    #[serde(default)]
    sdist: Option<Artifact>,
    #[serde(default)]
    wheels: Vec<Artifact>,
}

#[derive(Debug, Deserialize)]
struct Dependency {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: Option<BTreeMap<String, toml::Value>>,
    #[serde(default)]
    marker: Option<String>,
    #[serde(default)]
    extra: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Artifact {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    hash: Option<String>,
    #[serde(default)]
    size: Option<u64>,
}

/// The lock versions this reader knows.
const VERSIONS: [u32; 1] = [1];

/// The packages `target` needs from the `uv.lock` text at `path`.
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
    if !VERSIONS.contains(&lock.version) {
        return Err(invalid(format!(
            "uv.lock version {} is not one bosun reads (it reads {VERSIONS:?})",
            lock.version
        )));
    }
    super::require_python(path, lock.requires_python.as_deref(), target)?;
    let env = target.environment(&[], &[]);
    super::require_environment(path, &lock.supported_markers, &env, target)?;
    let members: BTreeSet<String> = lock
        .manifest
        .iter()
        .flat_map(|m| m.members.iter().map(|n| normalize(n)))
        .collect();
    let is_root = |p: &Package| {
        members.contains(&normalize(&p.name))
            || ["virtual", "editable"]
                .iter()
                .any(|k| p.source.get(*k).and_then(|v| v.as_str()) == Some("."))
    };
    let roots: Vec<usize> = (0..lock.package.len())
        .filter(|&i| is_root(&lock.package[i]))
        .collect();
    if roots.is_empty() {
        return Err(invalid(
            "no project package (source = { virtual = \".\" } or { editable = \".\" }) to start from"
                .into(),
        ));
    }
    let find = |dep: &Dependency| -> Result<usize, Error> {
        let want = normalize(&dep.name);
        let matches: Vec<usize> = (0..lock.package.len())
            .filter(|&i| {
                let p = &lock.package[i];
                normalize(&p.name) == want
                    && dep
                        .version
                        .as_ref()
                        .is_none_or(|v| p.version.as_ref() == Some(v))
                    && dep.source.as_ref().is_none_or(|s| *s == p.source)
            })
            .collect();
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(invalid(format!(
                "a dependency on {} names no locked package",
                dep.name
            ))),
            _ => Err(invalid(format!(
                "a dependency on {} is ambiguous: the lock has several",
                dep.name
            ))),
        }
    };
    // Breadth first from the roots: (package, extras asked of it).
    let mut extras_of: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut depends: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut queue: VecDeque<(usize, Vec<String>, bool)> = roots
        .iter()
        .map(|&r| {
            (
                r,
                selection.extras.iter().map(|e| normalize(e)).collect(),
                true,
            )
        })
        .collect();
    let groups: BTreeSet<String> = selection.groups.iter().map(|g| normalize(g)).collect();
    while let Some((i, extras, root)) = queue.pop_front() {
        let seen = extras_of.entry(i).or_default();
        let new: Vec<String> = extras
            .iter()
            .filter(|e| !seen.contains(*e))
            .cloned()
            .collect();
        let first = !depends.contains_key(&i);
        if !first && new.is_empty() {
            continue;
        }
        seen.extend(new.iter().cloned());
        let p = &lock.package[i];
        let mut edges: Vec<&Dependency> = Vec::new();
        if first {
            edges.extend(&p.dependencies);
            if root {
                for (group, deps) in &p.dev_dependencies {
                    if groups.contains(&normalize(group)) {
                        edges.extend(deps);
                    }
                }
            }
        }
        for extra in &new {
            match p
                .optional_dependencies
                .iter()
                .find(|(k, _)| normalize(k) == *extra)
            {
                Some((_, deps)) => edges.extend(deps),
                None if root => {
                    return Err(invalid(format!("the project has no extra `{extra}`")));
                }
                None => {}
            }
        }
        let entry = depends.entry(i).or_default();
        let mut next = Vec::new();
        for dep in edges {
            if let Some(m) = &dep.marker
                && !markers::evaluate(m, &env).map_err(invalid)?
            {
                continue;
            }
            let j = find(dep)?;
            entry.insert(normalize(&lock.package[j].name));
            next.push((j, dep.extra.iter().map(|e| normalize(e)).collect(), false));
        }
        queue.extend(next);
    }
    let mut out = Vec::new();
    for (&i, deps) in &depends {
        let p = &lock.package[i];
        if roots.contains(&i) {
            continue;
        }
        let name = normalize(&p.name);
        if !p.source.contains_key("registry") && !p.source.contains_key("url") {
            let kind = p.source.keys().next().cloned().unwrap_or_default();
            return Err(invalid(format!(
                "{name} comes from a {kind} source, which bosun cannot install without building it: publish it to an index or build it in a build step"
            )));
        }
        let version = p
            .version
            .clone()
            .ok_or_else(|| invalid(format!("{name} has no version")))?;
        let mut wheels = Vec::new();
        for w in &p.wheels {
            let url = match (&w.url, &w.path) {
                (Some(u), _) => u.clone(),
                (None, Some(path)) => {
                    return Err(invalid(format!(
                        "{name}: a wheel at a local path ({path}) is not something bosun fetches"
                    )));
                }
                (None, None) => continue,
            };
            let hash = w
                .hash
                .as_deref()
                .and_then(Integrity::parse)
                .ok_or_else(|| invalid(format!("{name} {version}: a wheel without a hash")))?;
            wheels.push(File {
                filename: w.filename.clone().unwrap_or_else(|| url_filename(&url)),
                url,
                hash,
                size: w.size,
            });
        }
        let sdist = p.sdist.as_ref().and_then(|a| {
            let url = a.url.clone()?;
            Some(File {
                filename: a.filename.clone().unwrap_or_else(|| url_filename(&url)),
                hash: a.hash.as_deref().and_then(Integrity::parse)?,
                url,
                size: a.size,
            })
        });
        out.push(Candidate {
            name,
            version,
            wheels,
            sdist,
            depends: deps.iter().cloned().collect(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::tests::target;

    const LOCK: &str = r#"
version = 1
revision = 3
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "click" },
    { name = "numpy", version = "2.3.1", source = { registry = "https://index.example/simple" }, marker = "python_full_version >= '3.12'" },
    { name = "numpy", version = "2.2.6", source = { registry = "https://index.example/simple" }, marker = "python_full_version < '3.12'" },
    { name = "requests", extra = ["socks"] },
]
[package.optional-dependencies]
web = [{ name = "flask" }]
[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "click"
version = "8.2.1"
source = { registry = "https://index.example/simple" }
dependencies = [{ name = "colorama", marker = "sys_platform == 'win32'" }]
wheels = [{ url = "https://files.example/click-8.2.1-py3-none-any.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", size = 10 }]

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://index.example/simple" }
wheels = [{ url = "https://files.example/colorama-0.4.6-py2.py3-none-any.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }]

[[package]]
name = "numpy"
version = "2.3.1"
source = { registry = "https://index.example/simple" }
sdist = { url = "https://files.example/numpy-2.3.1.tar.gz", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }
wheels = [
  { url = "https://files.example/numpy-2.3.1-cp313-cp313-manylinux_2_28_x86_64.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
  { url = "https://files.example/numpy-2.3.1-cp313-cp313-manylinux_2_28_aarch64.whl", hash = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" },
]

[[package]]
name = "numpy"
version = "2.2.6"
source = { registry = "https://index.example/simple" }
wheels = [{ url = "https://files.example/numpy-2.2.6-cp311-cp311-manylinux_2_28_x86_64.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }]

[[package]]
name = "requests"
version = "2.32.4"
source = { registry = "https://index.example/simple" }
dependencies = [{ name = "urllib3" }]
wheels = [{ url = "https://files.example/requests-2.32.4-py3-none-any.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }]
[package.optional-dependencies]
socks = [{ name = "pysocks" }]

[[package]]
name = "pysocks"
version = "1.7.1"
source = { registry = "https://index.example/simple" }
wheels = [{ url = "https://files.example/PySocks-1.7.1-py3-none-any.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }]

[[package]]
name = "urllib3"
version = "2.5.0"
source = { registry = "https://index.example/simple" }
wheels = [{ url = "https://files.example/urllib3-2.5.0-py3-none-any.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }]

[[package]]
name = "flask"
version = "3.1.1"
source = { registry = "https://index.example/simple" }
sdist = { url = "https://files.example/flask-3.1.1.tar.gz", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }

[[package]]
name = "pytest"
version = "8.4.1"
source = { registry = "https://index.example/simple" }
wheels = [{ url = "https://files.example/pytest-8.4.1-py3-none-any.whl", hash = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }]
"#;

    fn names(c: &[Candidate]) -> Vec<String> {
        c.iter()
            .map(|c| format!("{}=={}", c.name, c.version))
            .collect()
    }

    #[test]
    fn walks_the_graph_for_the_target() {
        let path = Path::new("uv.lock");
        let got = candidates(path, LOCK, &target("arm64"), &Selection::default()).unwrap();
        assert_eq!(
            names(&got),
            [
                "click==8.2.1",
                "numpy==2.3.1",
                "requests==2.32.4",
                "pysocks==1.7.1",
                "urllib3==2.5.0"
            ]
        );
        let requests = got.iter().find(|c| c.name == "requests").unwrap();
        assert_eq!(requests.depends, ["pysocks", "urllib3"]);
        let chosen = crate::python::choose(&got, &target("arm64"), &[]).unwrap();
        let numpy = chosen.iter().find(|d| d.name == "numpy").unwrap();
        assert!(numpy.file.filename.ends_with("aarch64.whl"));
        // Python 3.11 takes the other fork; dev groups only when asked.
        let old = Target::from_debian("3.11.2-1", "2.36-9", "amd64").unwrap();
        let sel = Selection {
            groups: vec!["dev".into()],
            ..Default::default()
        };
        let got = names(&candidates(path, LOCK, &old, &sel).unwrap());
        assert!(
            got.contains(&"numpy==2.2.6".to_string()) && got.contains(&"pytest==8.4.1".to_string()),
            "{got:?}"
        );
    }

    #[test]
    fn refuses_what_it_cannot_install() {
        let path = Path::new("app/uv.lock");
        let web = Selection {
            extras: vec!["web".into()],
            ..Default::default()
        };
        let got = candidates(path, LOCK, &target("amd64"), &web).unwrap();
        let err = crate::python::choose(&got, &target("amd64"), &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("flask 3.1.1 has no wheel") && err.contains("source distribution"),
            "{err}"
        );
        let nope = Selection {
            extras: vec!["nope".into()],
            ..Default::default()
        };
        let err = candidates(path, LOCK, &target("amd64"), &nope)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no extra `nope`"), "{err}");
        let old = Target::from_debian("3.9.2-3", "2.31-13", "amd64").unwrap();
        let err = candidates(path, LOCK, &old, &Selection::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "app/uv.lock: the project requires Python >=3.11, and the image has 3.9"
        );
        let mac = LOCK.replace(
            "requires-python = \">=3.11\"",
            "requires-python = \">=3.11\"\nsupported-markers = [\"sys_platform == 'darwin'\"]",
        );
        let err = candidates(path, &mac, &target("amd64"), &Selection::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("locked only for sys_platform == 'darwin'"),
            "{err}"
        );
        let local = LOCK.replace("name = \"urllib3\"\nversion = \"2.5.0\"\nsource = { registry = \"https://index.example/simple\" }", "name = \"urllib3\"\nversion = \"2.5.0\"\nsource = { directory = \"../urllib3\" }");
        let err = candidates(path, &local, &target("amd64"), &Selection::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("urllib3 comes from a directory source"),
            "{err}"
        );
        let err = candidates(
            path,
            "version = 9\n",
            &target("amd64"),
            &Selection::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("version 9"), "{err}");
    }
}
