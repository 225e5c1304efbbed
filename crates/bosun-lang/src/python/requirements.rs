//! Hash-pinned `requirements.txt`, as `uv pip compile --generate-hashes`, `uv export` and
//! `pip-compile --generate-hashes` write it: every requirement `name==version` with one or
//! more `--hash`, its marker after `;`, and `# via` comments naming what pulled it in.
//!
//! Such a file names no download URLs: the files come from the package index (the file's
//! own `--index-url`, else the one configured for pip or uv), and only a file whose hash
//! the requirement lists is taken, as `pip install --require-hashes` does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use super::simple::{self, SimpleIndex};
use super::{Candidate, File, Selection, Target, markers, normalize};
use crate::{Error, Integrity};

/// One requirement line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Normalised name.
    pub name: String,
    /// The pinned version (`==` or `===`).
    pub version: Option<String>,
    /// A direct URL (`name @ URL`).
    pub url: Option<String>,
    /// Extras asked for.
    pub extras: Vec<String>,
    /// Its marker.
    pub marker: Option<String>,
    /// The hashes it allows.
    pub hashes: Vec<Integrity>,
    /// Names of the requirements that pulled it in (`# via`).
    pub via: Vec<String>,
    /// 1-based line.
    pub line: usize,
}

/// A whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirements {
    /// `--index-url`, when the file sets one.
    pub index_url: Option<String>,
    /// `--extra-index-url`s.
    pub extra_index_urls: Vec<String>,
    /// The requirements.
    pub requirements: Vec<Requirement>,
}

/// Parses the file at `path`.
pub fn parse(path: &Path, text: &str) -> Result<Requirements, Error> {
    let invalid = |line: usize, message: String| Error::Lockfile {
        path: path.to_path_buf(),
        message: format!("line {line}: {message}"),
    };
    let mut out = Requirements::default();
    // Logical lines: continuations joined, each with its first physical line number.
    let mut logical: Vec<(usize, String, Option<String>)> = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let (body, comment) = split_comment(raw);
        let (start, mut acc) = pending.take().unwrap_or((number, String::new()));
        let trimmed = body.trim_end();
        if let Some(cont) = trimmed.strip_suffix('\\') {
            acc.push_str(cont);
            acc.push(' ');
            pending = Some((start, acc));
            continue;
        }
        acc.push_str(trimmed);
        logical.push((start, acc, comment.map(str::to_string)));
    }
    if let Some((start, acc)) = pending {
        logical.push((start, acc, None));
    }
    let mut last: Option<usize> = None;
    let mut in_via = false;
    for (line, text, comment) in logical {
        let text = text.trim();
        if text.is_empty() {
            // `# via` blocks: `# via flask` or `# via` then `#   flask` lines.
            if let (Some(c), Some(r)) = (comment, last) {
                let c = c.trim();
                let names = match c.strip_prefix("via") {
                    Some(rest) => {
                        in_via = true;
                        rest.trim()
                    }
                    None if in_via => c,
                    None => "",
                };
                // `-r requirements.in` and `(pyproject.toml)` name files, not packages.
                if !names.starts_with(['-', '(']) {
                    for name in names.split([',', ' ']).filter(|n| !n.is_empty()) {
                        out.requirements[r].via.push(normalize(name));
                    }
                }
            }
            continue;
        }
        in_via = false;
        let mut words = tokens(text).into_iter().peekable();
        if text.starts_with('-') {
            let option = words.next().unwrap_or_default();
            let (flag, inline) = match option.split_once('=') {
                Some((f, v)) => (f.to_string(), Some(v.to_string())),
                None => (option.clone(), None),
            };
            let mut value = || inline.clone().or_else(|| words.next());
            match flag.as_str() {
                "-i" | "--index-url" => out.index_url = value(),
                "--extra-index-url" => out.extra_index_urls.extend(value()),
                "-e" | "--editable" => {
                    return Err(invalid(line, "editable requirements cannot go in an image; copy the project's source instead".into()));
                }
                "-r" | "--requirement" | "-c" | "--constraint" => {
                    return Err(invalid(
                        line,
                        format!(
                            "{flag} is not followed: give bosun one flattened file (`uv export` or `pip-compile` write one)"
                        ),
                    ));
                }
                "--no-index" | "-f" | "--find-links" => {
                    return Err(invalid(
                        line,
                        format!("{flag}: bosun fetches from a package index only"),
                    ));
                }
                // Options about building or choosing that bosun's wheel-only install already
                // decides: only binaries, verified by hash.
                _ => {}
            }
            continue;
        }
        let (spec, marker) = match text.split_once(';') {
            Some((s, m)) => (s.trim().to_string(), Some(m.trim().to_string())),
            None => (text.to_string(), None),
        };
        // The requirement is the spec up to its options; `--hash` may follow on the line.
        let mut hashes = Vec::new();
        let mut marker = marker;
        let spec_part = match spec.find(" --") {
            Some(i) => {
                collect_hashes(&spec[i..], &mut hashes);
                spec[..i].trim().to_string()
            }
            None => spec.clone(),
        };
        if let Some(m) = &mut marker
            && let Some(i) = m.find(" --")
        {
            collect_hashes(&m[i..], &mut hashes);
            m.truncate(i);
            *m = m.trim().to_string();
        }
        let mut r = requirement(&spec_part).map_err(|m| invalid(line, m))?;
        r.marker = marker.filter(|m| !m.is_empty());
        r.hashes = hashes;
        r.line = line;
        if r.version.is_none() && r.url.is_none() {
            return Err(invalid(
                line,
                format!(
                    "{} is not pinned with `==`: lock it (`uv pip compile --generate-hashes`)",
                    r.name
                ),
            ));
        }
        if r.hashes.is_empty() {
            return Err(invalid(
                line,
                format!(
                    "{} has no --hash: lock it with hashes (`uv pip compile --generate-hashes` or `pip-compile --generate-hashes`)",
                    r.name
                ),
            ));
        }
        last = Some(out.requirements.len());
        out.requirements.push(r);
    }
    Ok(out)
}

fn split_comment(line: &str) -> (&str, Option<&str>) {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return (&line[..i], Some(&line[i + 1..]));
        }
    }
    (line, None)
}

fn tokens(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

fn collect_hashes(options: &str, hashes: &mut Vec<Integrity>) {
    let words = tokens(options);
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let value = match w.strip_prefix("--hash=") {
            Some(v) => Some(v.to_string()),
            None if w == "--hash" => words.get(i + 1).cloned().inspect(|_| i += 1),
            None => None,
        };
        if let Some(h) = value.as_deref().and_then(Integrity::parse) {
            hashes.push(h);
        }
        i += 1;
    }
}

/// `name[extras]==version` or `name[extras] @ URL`.
fn requirement(spec: &str) -> Result<Requirement, String> {
    let spec = spec.trim();
    let name_end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
        .unwrap_or(spec.len());
    let name = &spec[..name_end];
    if name.is_empty() {
        return Err(format!("cannot read requirement {spec:?}"));
    }
    let mut rest = spec[name_end..].trim_start();
    let mut extras = Vec::new();
    if let Some(r) = rest.strip_prefix('[') {
        let end = r
            .find(']')
            .ok_or_else(|| format!("unclosed `[` in {spec:?}"))?;
        extras = r[..end]
            .split(',')
            .map(|e| normalize(e.trim()))
            .filter(|e| !e.is_empty())
            .collect();
        rest = r[end + 1..].trim_start();
    }
    let (version, url) = if let Some(u) = rest.strip_prefix('@') {
        (None, Some(u.trim().to_string()))
    } else if let Some(v) = rest.strip_prefix("===").or_else(|| rest.strip_prefix("==")) {
        let v = v.trim();
        if v.contains([',', '*']) || v.is_empty() {
            return Err(format!("{name} is not pinned to one version ({rest})"));
        }
        (Some(v.to_string()), None)
    } else if rest.is_empty() {
        (None, None)
    } else {
        return Err(format!("{name} is not pinned with `==` ({rest})"));
    };
    Ok(Requirement {
        name: normalize(name),
        version,
        url,
        extras,
        marker: None,
        hashes: Vec::new(),
        via: Vec::new(),
        line: 0,
    })
}

/// The packages `target` needs: each requirement whose marker holds, with the files of its
/// pinned version that the index lists under one of its hashes. `default_index` is used
/// when the file sets no `--index-url`.
pub fn candidates(
    path: &Path,
    reqs: &Requirements,
    target: &Target,
    selection: &Selection,
    index: &dyn SimpleIndex,
    default_index: Option<&str>,
) -> Result<Vec<Candidate>, Error> {
    let invalid = |message: String| Error::Lockfile {
        path: path.to_path_buf(),
        message,
    };
    let env = target.environment(&selection.extras, &selection.groups);
    let mut chosen: Vec<&Requirement> = Vec::new();
    for r in &reqs.requirements {
        if let Some(m) = &r.marker
            && !markers::evaluate(m, &env).map_err(|e| invalid(format!("line {}: {e}", r.line)))?
        {
            continue;
        }
        chosen.push(r);
    }
    let names: BTreeSet<&str> = chosen.iter().map(|r| r.name.as_str()).collect();
    // `# via` lists parents; turn them into each package's dependencies.
    let mut depends: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for r in &chosen {
        for parent in &r.via {
            if names.contains(parent.as_str()) {
                depends
                    .entry(parent.as_str())
                    .or_default()
                    .insert(r.name.clone());
            }
        }
    }
    let indexes: Vec<String> = reqs
        .index_url
        .iter()
        .cloned()
        .chain(reqs.extra_index_urls.iter().cloned())
        .chain(match reqs.index_url {
            None => default_index.map(str::to_string),
            Some(_) => None,
        })
        .collect();
    let mut out = Vec::new();
    for r in chosen {
        let deps = depends
            .get(r.name.as_str())
            .map(|d| d.iter().cloned().collect())
            .unwrap_or_default();
        if let Some(url) = &r.url {
            let filename = super::url_filename(url);
            let hash = r.hashes.iter().max().cloned().expect("checked when parsed");
            let version = super::tags::WheelName::parse(&filename)
                .map(|w| w.version)
                .unwrap_or_default();
            let is_wheel = filename.ends_with(".whl");
            let file = File {
                filename,
                url: url.clone(),
                hash,
                size: None,
            };
            out.push(Candidate {
                name: r.name.clone(),
                version,
                wheels: match is_wheel {
                    true => vec![file.clone()],
                    false => vec![],
                },
                sdist: (!is_wheel).then_some(file),
                depends: deps,
            });
            continue;
        }
        let version = r.version.clone().expect("pinned when parsed");
        if indexes.is_empty() {
            return Err(invalid(format!(
                "line {}: {} names no download URL and no package index is configured (set --index-url in the file, the spec's `index`, or pip's or uv's index setting)",
                r.line, r.name
            )));
        }
        let mut wheels = Vec::new();
        let mut sdist = None;
        for idx in &indexes {
            let url = simple::project_url(idx, &r.name);
            let body = index.page(&url).map_err(|source| Error::Index {
                url: url.clone(),
                source,
            })?;
            for f in simple::files(&url, &body)? {
                let Some(hash) = r
                    .hashes
                    .iter()
                    .find(|h| f.hash.as_ref().is_some_and(|fh| fh == *h))
                else {
                    continue;
                };
                if f.filename.ends_with(".whl") {
                    let same_version = super::tags::WheelName::parse(&f.filename)
                        .is_some_and(|w| same_version(&w.version, &version));
                    if same_version {
                        wheels.push(File {
                            filename: f.filename,
                            url: f.url,
                            hash: hash.clone(),
                            size: f.size,
                        });
                    }
                } else if super::is_sdist(&f.filename) && sdist.is_none() {
                    sdist = Some(File {
                        filename: f.filename,
                        url: f.url,
                        hash: hash.clone(),
                        size: f.size,
                    });
                }
            }
            if !wheels.is_empty() {
                break;
            }
        }
        if wheels.is_empty() && sdist.is_none() {
            return Err(invalid(format!(
                "line {}: the index lists no file of {} {version} with any of its hashes",
                r.line, r.name
            )));
        }
        out.push(Candidate {
            name: r.name.clone(),
            version,
            wheels,
            sdist,
            depends: deps,
        });
    }
    Ok(out)
}

fn same_version(a: &str, b: &str) -> bool {
    match (
        pep440_rs::Version::from_str(a),
        pep440_rs::Version::from_str(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::tests::target;

    const FILE: &str = "# This file was autogenerated by uv via the following command:
#    uv pip compile --generate-hashes requirements.in
--index-url https://index.example/simple

blinker==1.9.0 \\
    --hash=sha256:ba0efaa9080b619ff2f3459d1d500c57bddea4a6b424b60a91141db6fd2f08bc \\
    --hash=sha256:b4ce2265a7abece45e7cc896e98dbebe6cead56bcf805a3d23136d145f5445bf
    # via flask
colorama==0.4.6 ; sys_platform == 'win32' \\
    --hash=sha256:08695f5cb7ed6e0531a20572697297273c47b8cae5a63ffc6d6ed5c201be6e44
    # via click
Flask==3.1.1 \\
    --hash=sha256:07aae2bb5eaf77993ef57e357491839f5fd9f4dc281593a81a9e4d79a24f295c
    # via
    #   -r requirements.in
    #   other-app
";

    #[test]
    fn parses_hashed_pins() {
        let r = parse(Path::new("requirements.txt"), FILE).unwrap();
        assert_eq!(r.index_url.as_deref(), Some("https://index.example/simple"));
        assert_eq!(r.requirements.len(), 3);
        assert_eq!(r.requirements[0].hashes.len(), 2);
        assert_eq!(r.requirements[0].via, ["flask"]);
        assert_eq!(
            r.requirements[1].marker.as_deref(),
            Some("sys_platform == 'win32'")
        );
        assert_eq!(r.requirements[2].name, "flask");
        assert_eq!(r.requirements[2].via, ["other-app"]);
        assert_eq!(r.requirements[2].line, 12);
    }

    #[test]
    fn refuses_what_is_not_locked() {
        for (text, needle) in [
            ("flask>=3\n", "line 1: flask is not pinned with `==`"),
            ("flask==3.1.1\n", "flask has no --hash"),
            ("-e .\n", "editable"),
            ("-r base.txt\n", "-r is not followed"),
            (
                "flask==3.*  --hash=sha256:07aae2bb5eaf77993ef57e357491839f5fd9f4dc281593a81a9e4d79a24f295c\n",
                "not pinned to one version",
            ),
        ] {
            let err = parse(Path::new("requirements.txt"), text)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    struct FakeIndex;
    impl SimpleIndex for FakeIndex {
        fn page(&self, url: &str) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
            match url {
                "https://index.example/simple/blinker/" => Ok(br#"{"files":[
                    {"filename":"blinker-1.9.0-py3-none-any.whl","url":"https://files.example/blinker-1.9.0-py3-none-any.whl","hashes":{"sha256":"ba0efaa9080b619ff2f3459d1d500c57bddea4a6b424b60a91141db6fd2f08bc"}},
                    {"filename":"blinker-1.9.0-py2-none-any.whl","url":"https://files.example/evil.whl","hashes":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}]}"#.to_vec()),
                "https://index.example/simple/flask/" => Ok(br#"{"files":[
                    {"filename":"flask-3.1.1.tar.gz","url":"https://files.example/flask-3.1.1.tar.gz","hashes":{"sha256":"07aae2bb5eaf77993ef57e357491839f5fd9f4dc281593a81a9e4d79a24f295c"}}]}"#.to_vec()),
                _ => Err("down".into()),
            }
        }
    }

    #[test]
    fn takes_only_hashed_files_from_the_index() {
        let path = Path::new("requirements.txt");
        let r = parse(path, FILE).unwrap();
        let c = candidates(
            path,
            &r,
            &target("amd64"),
            &Selection::default(),
            &FakeIndex,
            None,
        )
        .unwrap();
        assert_eq!(c.len(), 2, "colorama is for Windows only");
        assert_eq!(
            c[0].wheels.len(),
            1,
            "a file under another hash is not taken"
        );
        assert_eq!(c[1].depends, ["blinker"]);
        let err = crate::python::choose(&c, &target("amd64"), &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("flask 3.1.1 has no wheel") && err.contains("source distribution"),
            "{err}"
        );
        let down = parse(
            path,
            &FILE.replace(
                "https://index.example/simple",
                "https://down.example/simple",
            ),
        )
        .unwrap();
        let err = candidates(
            path,
            &down,
            &target("amd64"),
            &Selection::default(),
            &FakeIndex,
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "package index https://down.example/simple/blinker/"
        );
        let bare = parse(
            path,
            &FILE.replace("--index-url https://index.example/simple", ""),
        )
        .unwrap();
        let err = candidates(
            path,
            &bare,
            &target("amd64"),
            &Selection::default(),
            &FakeIndex,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("no package index is configured"), "{err}");
    }
}
