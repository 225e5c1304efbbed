//! `Packages` indexes (Debian Policy §5.3) and relationship fields (§7.1).

use crate::control;
use crate::version::Version;

/// One binary package from an index.
#[derive(Debug, Clone)]
pub struct PackageRecord {
    /// `Package`.
    pub name: String,
    /// `Version`.
    pub version: Version,
    /// `Architecture` (`all` or the index's architecture).
    pub architecture: String,
    /// `Pre-Depends` then `Depends`, parsed.
    pub depends: Vec<Alternatives>,
    /// `Provides`: virtual names, with a version when the provide is versioned.
    pub provides: Vec<(String, Option<Version>)>,
    /// Source package name.
    pub source: String,
    /// Source version (the binary version unless `Source: name (version)` says otherwise).
    pub source_version: String,
    /// Path below the archive root.
    pub filename: String,
    /// Size in bytes.
    pub size: u64,
    /// sha256, hex.
    pub sha256: String,
    /// Which suite's index listed it.
    pub suite: String,
    /// `Priority` rank: 0 required, 1 important, 2 standard, 3 optional, 4 extra or unknown.
    pub priority: u8,
}

/// A relation operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<<`
    Lt,
    /// `<=`
    Le,
    /// `=`
    Eq,
    /// `>=`
    Ge,
    /// `>>`
    Gt,
}

/// One package name in a relation, with its optional version constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    /// Package (or virtual package) name, without any `:any` qualifier.
    pub name: String,
    /// Version constraint.
    pub constraint: Option<(Op, Version)>,
}

/// `a | b | c`: any one satisfies.
pub type Alternatives = Vec<Atom>;

impl Op {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "<<" => Self::Lt,
            "<=" | "<" => Self::Le,
            "=" => Self::Eq,
            ">=" | ">" => Self::Ge,
            ">>" => Self::Gt,
            _ => return None,
        })
    }

    /// Whether `have OP want` holds.
    pub fn holds(self, have: &Version, want: &Version) -> bool {
        let o = have.cmp(want);
        match self {
            Self::Lt => o.is_lt(),
            Self::Le => o.is_le(),
            Self::Eq => o.is_eq(),
            Self::Ge => o.is_ge(),
            Self::Gt => o.is_gt(),
        }
    }
}

impl std::fmt::Display for Atom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if let Some((op, v)) = &self.constraint {
            let op = match op {
                Op::Lt => "<<",
                Op::Le => "<=",
                Op::Eq => "=",
                Op::Ge => ">=",
                Op::Gt => ">>",
            };
            write!(f, " ({op} {v})")?;
        }
        Ok(())
    }
}

/// Parses a relationship field such as `libc6 (>= 2.34), python3:any | foo`.
pub fn parse_relations(text: &str) -> Result<Vec<Alternatives>, String> {
    let mut out = Vec::new();
    for group in text.split(',') {
        let group = group.trim();
        if group.is_empty() {
            continue;
        }
        let alts = group
            .split('|')
            .map(parse_atom)
            .collect::<Result<Vec<_>, _>>()?;
        out.push(alts);
    }
    Ok(out)
}

fn parse_atom(text: &str) -> Result<Atom, String> {
    let text = text.trim();
    // Architecture restrictions `[...]` and build profiles `<...>` (source packages only)
    // follow the name and constraint; drop them.
    let (name_part, constraint) = match text.split_once('(') {
        Some((n, rest)) => {
            let inner = rest.split_once(')').map(|(i, _)| i);
            let inner = inner
                .ok_or_else(|| format!("unclosed `(` in {text:?}"))?
                .trim();
            let split = inner
                .find(|c: char| !"<>=".contains(c))
                .unwrap_or(inner.len());
            let op =
                Op::parse(&inner[..split]).ok_or_else(|| format!("bad operator in {text:?}"))?;
            let version = Version::parse(inner[split..].trim()).map_err(|e| e.to_string())?;
            (n.trim(), Some((op, version)))
        }
        None => (text.split(['[', '<']).next().unwrap_or(text), None),
    };
    let name = name_part.split(':').next().unwrap_or(name_part).trim();
    if name.is_empty() {
        return Err(format!("empty package name in {text:?}"));
    }
    Ok(Atom {
        name: name.to_string(),
        constraint,
    })
}

/// Parses a whole `Packages` index. `suite` is recorded on each record; `what` names the index
/// in errors.
pub fn parse_index(text: &str, suite: &str) -> Result<Vec<PackageRecord>, String> {
    // Paragraphs stand alone, so a large index (trixie's main is ~65 MB) is parsed in one
    // piece per core, each cut at a blank line; the records keep the index's order.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pieces = if text.len() < 1 << 20 { 1 } else { cores };
    let mut starts = vec![0];
    for k in 1..pieces {
        let from = (text.len() * k / pieces).max(*starts.last().unwrap_or(&0));
        if let Some(at) = text[from..].find("\n\n") {
            starts.push(from + at + 2);
        }
    }
    starts.push(text.len());
    starts.dedup();
    let piece = |start: usize, end: usize| {
        parse_piece(&text[start..end], suite).map_err(|(line, e)| {
            // Lines are counted from the piece; make them the index's.
            let before = text[..start].bytes().filter(|&b| b == b'\n').count();
            format!("line {}: {e}", before + line)
        })
    };
    // A small index is parsed here; only a large one is worth threads.
    if let [start, end] = starts[..] {
        return piece(start, end);
    }
    let parsed: Vec<Result<Vec<PackageRecord>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = starts
            .windows(2)
            .map(|w| scope.spawn(move || piece(w[0], w[1])))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("the index parser panicked".into()))
            })
            .collect()
    });
    let mut out = Vec::new();
    for piece in parsed {
        out.extend(piece?);
    }
    Ok(out)
}

/// The packages a dpkg database lists as installed: `/var/lib/dpkg/status` (paragraphs whose
/// `Status` ends in `installed`) or a distroless `status.d/` file (no `Status` field). They
/// have no file in an archive: `filename` and `sha256` are empty, `suite` is `installed`.
pub fn parse_installed(text: &str) -> Result<Vec<PackageRecord>, (usize, String)> {
    let paragraphs = control::parse(text).map_err(|e| (e.line, e.message.to_string()))?;
    let mut out = Vec::new();
    for p in &paragraphs {
        if p.get("Status")
            .is_some_and(|s| !s.trim_end().ends_with(" installed"))
        {
            continue;
        }
        let mut fields: Vec<(&str, &str)> = p
            .fields()
            .iter()
            .filter(|(k, _)| {
                matches!(
                    *k,
                    "Package"
                        | "Version"
                        | "Architecture"
                        | "Pre-Depends"
                        | "Depends"
                        | "Provides"
                        | "Source"
                        | "Priority"
                )
            })
            .map(|(k, v)| (*k, *v))
            .collect();
        let zero = "0".repeat(64);
        fields.extend([
            ("Filename", "installed"),
            ("SHA256", zero.as_str()),
            ("Size", "0"),
        ]);
        // Relations may be folded over lines; one line each is what the record parser reads.
        let text: String = fields
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}: {}\n",
                    v.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            })
            .collect();
        let parsed = control::parse(&text).map_err(|e| (p.line, e.message.to_string()))?;
        let mut r = record(&parsed[0], "installed").map_err(|e| (p.line, e))?;
        r.filename.clear();
        r.sha256.clear();
        out.push(r);
    }
    Ok(out)
}

/// One piece of an index: its records, or the line (from the piece's start) that is wrong.
fn parse_piece(text: &str, suite: &str) -> Result<Vec<PackageRecord>, (usize, String)> {
    let paragraphs = control::parse(text).map_err(|e| (e.line, e.message.to_string()))?;
    let mut out = Vec::with_capacity(paragraphs.len());
    for p in &paragraphs {
        out.push(record(p, suite).map_err(|e| (p.line, e))?);
    }
    Ok(out)
}

fn record(p: &control::Paragraph<'_>, suite: &str) -> Result<PackageRecord, String> {
    let field = |name: &str| p.get(name).ok_or_else(|| format!("missing {name}"));
    let name = field("Package")?.to_string();
    let version = Version::parse(field("Version")?).map_err(|e| e.to_string())?;
    let mut depends = parse_relations(p.get("Pre-Depends").unwrap_or(""))?;
    depends.extend(parse_relations(p.get("Depends").unwrap_or(""))?);
    let mut provides = Vec::new();
    for alts in parse_relations(p.get("Provides").unwrap_or(""))? {
        for atom in alts {
            let v = match atom.constraint {
                Some((Op::Eq, v)) => Some(v),
                Some(_) => return Err(format!("Provides of {} must use `=`", atom.name)),
                None => None,
            };
            provides.push((atom.name, v));
        }
    }
    let (source, source_version) = match p.get("Source") {
        Some(s) => match s.split_once('(') {
            Some((n, v)) => (
                n.trim().to_string(),
                v.trim_end_matches(')').trim().to_string(),
            ),
            None => (s.trim().to_string(), version.to_string()),
        },
        None => (name.clone(), version.to_string()),
    };
    let filename = field("Filename")?.to_string();
    if filename.starts_with('/') || filename.split('/').any(|c| c == "..") {
        return Err(format!("unsafe Filename {filename:?}"));
    }
    let sha256 = field("SHA256")?.to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("bad SHA256 for {name}"));
    }
    Ok(PackageRecord {
        name,
        version,
        architecture: field("Architecture")?.to_string(),
        depends,
        provides,
        source,
        source_version,
        filename,
        size: field("Size")?.parse().map_err(|_| "bad Size".to_string())?,
        sha256,
        suite: suite.to_string(),
        priority: match p.get("Priority") {
            Some("required") => 0,
            Some("important") => 1,
            Some("standard") => 2,
            Some("optional") => 3,
            _ => 4,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_packages_from_status_and_status_d() {
        let status = "Package: libc6\nStatus: install ok installed\nVersion: 2.41-12\nArchitecture: amd64\nDepends: libgcc-s1,\n libc-bin (>= 2.41)\nDescription: GNU C Library\n shared libraries\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: all\n\nPackage: mawk\nStatus: install ok installed\nVersion: 1.3.4-1\nArchitecture: amd64\nProvides: awk\n";
        let got = parse_installed(status).unwrap();
        let names: Vec<&str> = got.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["libc6", "mawk"]);
        assert_eq!(got[0].depends.len(), 2);
        assert_eq!(got[1].provides[0].0, "awk");
        assert_eq!(got[0].suite, "installed");
        // status.d files have no Status field.
        let distroless =
            parse_installed("Package: tzdata\nVersion: 2025b-4\nArchitecture: all\n").unwrap();
        assert_eq!(distroless[0].version.to_string(), "2025b-4");
        assert!(parse_installed("Package: x\n").is_err(), "no version");
    }

    /// A large index is parsed in pieces: the records, their order and an error's line
    /// number are what one pass would give.
    #[test]
    fn large_indexes_parse_in_pieces_alike() {
        let paragraph = |i: usize| {
            format!(
                "Package: p{i}\nVersion: 1.{i}\nArchitecture: amd64\nDepends: libc6 (>= 2.36)\n\
                 Filename: pool/main/p/p{i}.deb\nSize: {i}\nSHA256: {}\nDescription: x\n more\n\n",
                "a".repeat(64)
            )
        };
        let text: String = (0..20_000).map(paragraph).collect();
        assert!(text.len() > 2 << 20, "large enough to be cut");
        let records = parse_index(&text, "trixie").unwrap();
        assert_eq!(records.len(), 20_000);
        assert!(
            records
                .iter()
                .enumerate()
                .all(|(i, r)| r.name == format!("p{i}"))
        );
        // A bad paragraph near the end names its line in the whole index.
        let bad_at = 19_000;
        let broken = text.replacen(
            &format!("Package: p{bad_at}\n"),
            &format!("Package: p{bad_at}\nnonsense\n"),
            1,
        );
        let err = parse_index(&broken, "trixie").unwrap_err();
        let line = 1 + bad_at * 10 + 1;
        assert!(err.starts_with(&format!("line {line}:")), "{err}");
    }

    #[test]
    fn relations() {
        let r =
            parse_relations("libc6 (>= 2.34), python3:any | foo (<< 1:2~), bar [amd64] <!nocheck>")
                .unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0][0].to_string(), "libc6 (>= 2.34)");
        assert_eq!(r[1][0].name, "python3");
        assert_eq!(r[1][1].to_string(), "foo (<< 1:2~)");
        assert_eq!(r[2][0].name, "bar");
        assert!(parse_relations("a (>= 1").is_err());
        assert!(parse_relations("a (=> x1)").is_err());
    }

    #[test]
    fn index_records() {
        let text = format!(
            "Package: libfoo1\nSource: foo (1.2-3)\nVersion: 1.2-3+b1\nArchitecture: amd64\nProvides: libfoo (= 1.2), foo-any\nDepends: libc6 (>= 2.36)\nPre-Depends: dpkg\nFilename: pool/main/f/foo/libfoo1.deb\nSize: 10\nSHA256: {}\n",
            "A".repeat(64)
        );
        let recs = parse_index(&text, "trixie").unwrap();
        let r = &recs[0];
        assert_eq!(
            (r.source.as_str(), r.source_version.as_str()),
            ("foo", "1.2-3")
        );
        assert_eq!(r.depends[0][0].name, "dpkg");
        assert_eq!(r.provides[0].1.as_ref().unwrap().as_str(), "1.2");
        assert_eq!(r.sha256, "a".repeat(64));
        let evil = text.replace("pool/main", "../../etc");
        assert!(
            parse_index(&evil, "trixie")
                .unwrap_err()
                .contains("unsafe Filename")
        );
    }
}
