//! Dependency resolution over one architecture's package universe.
//!
//! Follows `Pre-Depends` and `Depends` (never `Recommends`), with alternatives, versioned
//! constraints, `Provides` and `:any`; picks the newest satisfying version across the suites
//! read; prefers what is already selected or installed by a base group. Essential packages get
//! no special treatment: they come in only when something depends on them. The same inputs
//! always give the same selection.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use crate::packages::{Atom, PackageRecord};

/// Every candidate package for one architecture (its own plus `all`).
pub struct Universe {
    records: Vec<PackageRecord>,
    architecture: String,
    by_name: HashMap<String, Vec<usize>>,
    providers: HashMap<String, Vec<usize>>,
    /// Where the packages came from, for messages: `trixie/main amd64`.
    pub description: String,
}

/// What Debian packages depend on only so that their maintainer scripts can run: `dpkg`
/// (`dpkg-maintscript-helper`, `dpkg-divert`), `debconf` (questions at install time), `awk`
/// (base-files' postinst), `install-info`, `ucf`, `adduser`, `init-system-helpers`,
/// `debianutils` (`add-shell`) and `sensible-utils`. bosun never runs maintainer scripts and a
/// distroless image has no shell to run these tools from, so by default such dependencies
/// are not followed, and neither is what they would pull in (`tar`, `perl-base`, `mawk`...).
pub const MAINTAINER_SCRIPT_TOOLS: &[&str] = &[
    "adduser",
    "awk",
    "cdebconf",
    "debconf",
    "debconf-2.0",
    "debianutils",
    "dpkg",
    "init-system-helpers",
    "install-info",
    "sensible-utils",
    "ucf",
];

/// Dependencies of one package on another that only its maintainer scripts use, where the
/// other is a real tool elsewhere: `ca-certificates` runs `openssl` from
/// `update-ca-certificates` in its postinst to hash the certificate directory; bosun writes
/// the CA bundle itself, so the edge is not followed (and neither are `libssl3t64` and
/// `openssl-provider-legacy`, unless something else needs them).
pub const MAINTAINER_SCRIPT_EDGES: &[(&str, &str)] = &[("ca-certificates", "openssl")];

/// What a resolution leaves out.
#[derive(Debug, Clone, Default)]
pub struct Omit {
    /// Packages never installed; dependencies on them count as met.
    pub exclude: HashSet<String>,
    /// Packages that dependencies are not followed to because only maintainer scripts use
    /// them (see [`MAINTAINER_SCRIPT_TOOLS`]); each such edge is recorded in
    /// [`Selected::dropped`].
    pub maintainer_tools: HashSet<String>,
    /// `(package, dependency)` edges not followed for the same reason (see
    /// [`MAINTAINER_SCRIPT_EDGES`]).
    pub maintainer_edges: HashSet<(String, String)>,
}

/// A selected package and why it is there.
#[derive(Debug, Clone)]
pub struct Selected {
    /// The chosen record.
    pub record: PackageRecord,
    /// Names of the selected packages that satisfy its dependencies.
    pub depends: BTreeSet<String>,
    /// Dependencies not followed because only maintainer scripts need them.
    pub dropped: BTreeSet<String>,
    /// The package that pulled it in (`None` for a root).
    pub required_by: Option<String>,
}

/// The outcome of a resolution: packages by name.
pub type Selection = BTreeMap<String, Selected>;

/// Why a resolution failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{problem}", chain.iter().map(|c| format!("{c} -> ")).collect::<String>())]
pub struct ResolveError {
    /// The packages from the root to the one whose dependency failed.
    pub chain: Vec<String>,
    /// What could not be satisfied, and why.
    pub problem: String,
}

impl Universe {
    /// Builds a universe from index records, keeping those of `architecture` and `all`.
    /// Records with the same name and version keep the first one seen, so list the main suite
    /// before `-updates` and `-security`.
    pub fn new(records: Vec<PackageRecord>, architecture: &str, description: String) -> Self {
        let mut seen = HashSet::new();
        let records: Vec<PackageRecord> = records
            .into_iter()
            .filter(|r| r.architecture == architecture || r.architecture == "all")
            .filter(|r| seen.insert((r.name.clone(), r.version.to_string())))
            .collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut providers: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in records.iter().enumerate() {
            by_name.entry(r.name.clone()).or_default().push(i);
            for (virt, _) in &r.provides {
                providers.entry(virt.clone()).or_default().push(i);
            }
        }
        let newest_first = |v: &mut Vec<usize>| {
            v.sort_by(|&a, &b| {
                let (ra, rb) = (&records[a], &records[b]);
                rb.version
                    .cmp(&ra.version)
                    .then_with(|| ra.name.cmp(&rb.name))
            });
        };
        by_name.values_mut().for_each(newest_first);
        // Among providers of a virtual package, prefer what apt would: the highest priority
        // (`mawk` over `gawk` for `awk`), then the name, then the newest version.
        providers.values_mut().for_each(|v| {
            newest_first(v);
            v.sort_by(|&a, &b| {
                (records[a].priority, &records[a].name)
                    .cmp(&(records[b].priority, &records[b].name))
            });
        });
        Self {
            records,
            architecture: architecture.to_string(),
            by_name,
            providers,
            description,
        }
    }

    /// The same universe with only the records `keep` accepts (pins: a relock that may move a
    /// package only to certain versions).
    pub fn filtered(&self, keep: impl Fn(&PackageRecord) -> bool) -> Self {
        let architecture = self.architecture.clone();
        let records = self.records.iter().filter(|r| keep(r)).cloned().collect();
        Self::new(records, &architecture, self.description.clone())
    }

    /// The versions of a package the indexes hold, newest first.
    pub fn versions(&self, name: &str) -> Vec<&PackageRecord> {
        self.by_name
            .get(name)
            .map(|ix| ix.iter().map(|&i| &self.records[i]).collect())
            .unwrap_or_default()
    }

    /// Every record built from a source package at a version, for finding the one that ships
    /// the source's changelog.
    pub fn built_from(&self, source: &str, version: &str) -> Vec<&PackageRecord> {
        self.records
            .iter()
            .filter(|r| r.source == source && r.source_version == version)
            .collect()
    }

    /// Number of candidate records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the universe is empty.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Resolves `roots` and everything they need. Packages in `installed` (a base group's
    /// selection) satisfy dependencies and are not selected again; `omit` says what counts as
    /// satisfied without being selected.
    pub fn resolve(
        &self,
        roots: &[String],
        installed: &Selection,
        omit: &Omit,
    ) -> Result<Selection, ResolveError> {
        let exclude = &omit.exclude;
        let mut selection = Selection::new();
        let mut queue = VecDeque::new();
        for root in roots {
            if exclude.contains(root)
                || installed.contains_key(root)
                || selection.contains_key(root)
            {
                continue;
            }
            let atom = Atom {
                name: root.clone(),
                constraint: None,
            };
            let Some(i) = self.best(&atom) else {
                return Err(ResolveError {
                    chain: vec![],
                    problem: self.unknown_root(root),
                });
            };
            let name = self.records[i].name.clone();
            if !selection.contains_key(&name) {
                selection.insert(name.clone(), self.selected(i, None));
                queue.push_back(name);
            }
        }
        while let Some(name) = queue.pop_front() {
            let deps = selection[&name].record.depends.clone();
            for alternatives in &deps {
                if alternatives.iter().any(|a| exclude.contains(&a.name)) {
                    continue;
                }
                if let Some(tool) = alternatives.iter().find(|a| {
                    omit.maintainer_tools.contains(&a.name)
                        || omit
                            .maintainer_edges
                            .contains(&(name.clone(), a.name.clone()))
                }) {
                    // Followed only when something else already brought the tool in.
                    let already = alternatives.iter().find_map(|a| {
                        find_satisfier(a, &selection).or_else(|| find_satisfier(a, installed))
                    });
                    let entry = selection.get_mut(&name).expect("selected");
                    match already {
                        Some(dep) => entry.depends.insert(dep),
                        None => entry.dropped.insert(tool.name.clone()),
                    };
                    continue;
                }
                let already = alternatives.iter().find_map(|a| {
                    find_satisfier(a, &selection).or_else(|| find_satisfier(a, installed))
                });
                if let Some(dep) = already {
                    selection
                        .get_mut(&name)
                        .expect("selected")
                        .depends
                        .insert(dep);
                    continue;
                }
                let Some(i) = alternatives.iter().find_map(|a| self.best(a)) else {
                    return Err(ResolveError {
                        chain: chain_to(&name, &selection),
                        problem: self.unsatisfiable(alternatives, &selection),
                    });
                };
                let dep = self.records[i].name.clone();
                if selection.contains_key(&dep) {
                    // Selected at another version that does not satisfy this constraint.
                    return Err(ResolveError {
                        chain: chain_to(&name, &selection),
                        problem: format!(
                            "{}: conflicts with {dep} {} already selected",
                            alternatives[0], selection[&dep].record.version
                        ),
                    });
                }
                selection.insert(dep.clone(), self.selected(i, Some(name.clone())));
                selection
                    .get_mut(&name)
                    .expect("selected")
                    .depends
                    .insert(dep.clone());
                queue.push_back(dep);
            }
        }
        Ok(selection)
    }

    fn selected(&self, i: usize, required_by: Option<String>) -> Selected {
        Selected {
            record: self.records[i].clone(),
            depends: BTreeSet::new(),
            dropped: BTreeSet::new(),
            required_by,
        }
    }

    /// The newest real package satisfying `atom`, else the first provider that does.
    fn best(&self, atom: &Atom) -> Option<usize> {
        let real = self.by_name.get(&atom.name).and_then(|c| {
            c.iter()
                .copied()
                .find(|&i| satisfies(&self.records[i], atom))
        });
        real.or_else(|| {
            self.providers
                .get(&atom.name)?
                .iter()
                .copied()
                .find(|&i| satisfies(&self.records[i], atom))
        })
    }

    fn unknown_root(&self, root: &str) -> String {
        let mut close: Vec<(f64, &String)> = self
            .by_name
            .keys()
            .map(|n| (strsim::jaro_winkler(root, n), n))
            .filter(|(s, _)| *s > 0.85)
            .collect();
        close.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let names: Vec<&str> = close.iter().take(3).map(|(_, n)| n.as_str()).collect();
        let hint = if names.is_empty() {
            String::new()
        } else {
            format!(" (did you mean {}?)", names.join(", "))
        };
        format!("unknown package `{root}` in {}{hint}", self.description)
    }

    fn unsatisfiable(&self, alternatives: &[Atom], selection: &Selection) -> String {
        let text: Vec<String> = alternatives.iter().map(ToString::to_string).collect();
        let first = &alternatives[0];
        let why = match self.by_name.get(&first.name) {
            Some(c) if !c.is_empty() => {
                let versions: Vec<String> = c
                    .iter()
                    .map(|&i| self.records[i].version.to_string())
                    .collect();
                format!(
                    "only {} available in {}",
                    versions.join(", "),
                    self.description
                )
            }
            _ if selection.contains_key(&first.name) => {
                "conflicts with the selected version".into()
            }
            _ => format!("no such package in {}", self.description),
        };
        format!("{}: {why}", text.join(" | "))
    }
}

fn satisfies(r: &PackageRecord, atom: &Atom) -> bool {
    if r.name == atom.name {
        return atom
            .constraint
            .as_ref()
            .is_none_or(|(op, v)| op.holds(&r.version, v));
    }
    r.provides.iter().any(|(virt, pv)| {
        virt == &atom.name
            && match (&atom.constraint, pv) {
                (None, _) => true,
                (Some((op, v)), Some(pv)) => op.holds(pv, v),
                (Some(_), None) => false,
            }
    })
}

fn find_satisfier(atom: &Atom, selection: &Selection) -> Option<String> {
    if let Some(s) = selection.get(&atom.name)
        && satisfies(&s.record, atom)
    {
        return Some(atom.name.clone());
    }
    selection
        .values()
        .find(|s| satisfies(&s.record, atom))
        .map(|s| s.record.name.clone())
}

/// The chain of `required_by` links from a root down to `name`.
fn chain_to(name: &str, selection: &Selection) -> Vec<String> {
    let mut chain = vec![name.to_string()];
    let mut cur = name;
    while let Some(parent) = selection.get(cur).and_then(|s| s.required_by.as_deref()) {
        if chain.iter().any(|c| c == parent) {
            break;
        }
        chain.push(parent.to_string());
        cur = parent;
    }
    chain.reverse();
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packages::parse_relations;
    use crate::version::Version;

    fn pkg(name: &str, version: &str, depends: &str, provides: &str) -> PackageRecord {
        let provides = parse_relations(provides)
            .unwrap()
            .into_iter()
            .flatten()
            .map(|a| (a.name, a.constraint.map(|c| c.1)))
            .collect();
        PackageRecord {
            name: name.into(),
            version: Version::parse(version).unwrap(),
            architecture: "amd64".into(),
            depends: parse_relations(depends).unwrap(),
            provides,
            source: name.into(),
            source_version: version.into(),
            filename: format!("pool/{name}.deb"),
            size: 1,
            sha256: "0".repeat(64),
            suite: "test".into(),
            priority: if name == "mawk" { 0 } else { 3 },
        }
    }

    fn universe() -> Universe {
        Universe::new(
            vec![
                pkg(
                    "python3",
                    "3.13-1",
                    "python3-minimal (= 3.13-1), libpython3-stdlib, dpkg",
                    "",
                ),
                pkg("python3-minimal", "3.13-1", "libc6 (>= 2.36)", ""),
                pkg("python3-minimal", "3.14-1", "libc6", ""),
                pkg(
                    "libpython3-stdlib",
                    "3.13-1",
                    "mime-support | media-types, tzdata",
                    "",
                ),
                pkg("media-types", "1", "", ""),
                pkg("tzdata", "2025a-1", "debconf (>= 0.5) | debconf-2.0", ""),
                pkg("cdebconf", "1", "", "debconf-2.0"),
                pkg("libc6", "2.36-1", "libgcc-s1", ""),
                pkg("libc6", "2.41-1", "libgcc-s1", ""),
                pkg("libgcc-s1", "14-1", "", ""),
                pkg("dpkg", "1.22", "", ""),
                pkg("needs-new", "1", "libc6 (>= 9)", ""),
                pkg("uses-virtual", "1", "awk (>= 2)", ""),
                pkg("gawk", "5", "", "awk (= 3)"),
                pkg("mawk", "1.3", "", "awk (= 3)"),
                pkg(
                    "ca-certificates",
                    "20250419",
                    "openssl (>= 1.1.1), debconf (>= 0.5) | debconf-2.0",
                    "",
                ),
                pkg("openssl", "3.5.4-1", "libssl3t64 (>= 3.5.4)", ""),
                pkg("libssl3t64", "3.5.4-1", "libc6", ""),
                pkg("curl", "8.14-1", "openssl", ""),
            ],
            "amd64",
            "test/main amd64".into(),
        )
    }

    fn names(s: &Selection) -> Vec<&str> {
        s.keys().map(String::as_str).collect()
    }

    #[test]
    fn resolves_alternatives_versions_and_virtuals() {
        let u = universe();
        let s = u
            .resolve(&["python3".into()], &Selection::new(), &Omit::default())
            .unwrap();
        assert_eq!(
            names(&s),
            [
                "cdebconf",
                "dpkg",
                "libc6",
                "libgcc-s1",
                "libpython3-stdlib",
                "media-types",
                "python3",
                "python3-minimal",
                "tzdata"
            ]
        );
        assert_eq!(s["python3-minimal"].record.version.as_str(), "3.13-1");
        assert_eq!(s["libc6"].record.version.as_str(), "2.41-1");
        let v = u
            .resolve(
                &["uses-virtual".into()],
                &Selection::new(),
                &Omit::default(),
            )
            .unwrap();
        assert!(
            v.contains_key("mawk") && !v.contains_key("gawk"),
            "the required-priority provider wins"
        );
    }

    #[test]
    fn exclude_and_installed() {
        let u = universe();
        let base = u
            .resolve(&["libc6".into()], &Selection::new(), &Omit::default())
            .unwrap();
        let omit = Omit {
            exclude: ["dpkg".to_string(), "debconf".to_string()].into(),
            ..Omit::default()
        };
        let s = u.resolve(&["python3".into()], &base, &omit).unwrap();
        assert!(!s.contains_key("libc6") && !s.contains_key("dpkg") && !s.contains_key("cdebconf"));
        assert!(s["python3-minimal"].depends.contains("libc6"));
    }

    /// Dependencies on maintainer-script tools are recorded as dropped, not followed, unless
    /// something else brought the tool in.
    #[test]
    fn maintainer_tools_are_not_followed() {
        let u = universe();
        let omit = Omit {
            maintainer_tools: MAINTAINER_SCRIPT_TOOLS
                .iter()
                .map(|t| t.to_string())
                .collect(),
            ..Omit::default()
        };
        let s = u
            .resolve(&["python3".into()], &Selection::new(), &omit)
            .unwrap();
        assert!(
            !s.contains_key("dpkg") && !s.contains_key("cdebconf"),
            "{:?}",
            names(&s)
        );
        assert!(s["python3"].dropped.contains("dpkg"));
        assert!(s["tzdata"].dropped.contains("debconf"));
        // Asked for by name, the tool is there, and satisfies the edges to it.
        let s = u
            .resolve(&["dpkg".into(), "python3".into()], &Selection::new(), &omit)
            .unwrap();
        assert!(s.contains_key("dpkg") && s["python3"].depends.contains("dpkg"));
    }

    /// `ca-certificates` needs `openssl` only for its postinst: that edge alone is dropped;
    /// a package that runs openssl itself still gets it.
    #[test]
    fn maintainer_edges_are_not_followed() {
        let u = universe();
        let omit = Omit {
            maintainer_edges: MAINTAINER_SCRIPT_EDGES
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ..Omit::default()
        };
        let s = u
            .resolve(&["ca-certificates".into()], &Selection::new(), &omit)
            .unwrap();
        assert!(
            !s.contains_key("openssl") && !s.contains_key("libssl3t64"),
            "{:?}",
            names(&s)
        );
        assert!(s["ca-certificates"].dropped.contains("openssl"));
        let s = u
            .resolve(
                &["ca-certificates".into(), "curl".into()],
                &Selection::new(),
                &omit,
            )
            .unwrap();
        assert!(s.contains_key("openssl") && s["curl"].depends.contains("openssl"));
    }

    #[test]
    fn errors_name_the_chain() {
        let u = universe();
        let err = u
            .resolve(&["needs-new".into()], &Selection::new(), &Omit::default())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "needs-new -> libc6 (>= 9): only 2.41-1, 2.36-1 available in test/main amd64"
        );
        let err = u
            .resolve(&["pyhton3".into()], &Selection::new(), &Omit::default())
            .unwrap_err();
        assert!(err.to_string().contains("did you mean python3"), "{err}");
    }
}
