//! Installing a wheel without running anything, as the binary distribution format spec
//! (formerly PEP 427) and the recording-installed-projects spec describe:
//!
//! - `purelib` and `platlib` contents go to the site directory (one directory on Debian);
//!   `NAME-VER.data/{purelib,platlib}` too, `.data/scripts` to the `bin` directory with a
//!   `#!python` line rewritten to the image's interpreter, `.data/headers` to
//!   `include/pythonX.Y/NAME`, `.data/data` under the prefix (`/usr/local`);
//! - every file is checked against its `RECORD` hash (a file missing from `RECORD`, or a
//!   path leaving the wheel, is refused);
//! - console and GUI entry points become scripts in `bin`;
//! - `INSTALLER` says `bosun`, and `RECORD` is written anew with the installed paths.
//!
//! Files are root-owned, `0644` or `0755` when the wheel marks them executable; the layer
//! writer adds the parent directories.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use base64::Engine as _;
use bosun_oci::layer::Entry;
use sha2::{Digest as _, Sha256};

use super::{Dist, Target, normalize};
use crate::{Error, safe_relative};

/// Biggest file bosun unpacks from a wheel (bytes): a bound against zip bombs.
const MAX_FILE: u64 = 2 << 30;

/// Installs the wheel `bytes` of `dist` for `target`: the layer entries it makes. The bytes
/// are checked against the lock's hash first.
pub fn install(bytes: &[u8], dist: &Dist, target: &Target) -> Result<Vec<Entry>, Error> {
    let filename = &dist.file.filename;
    let pinned = &dist.file.hash;
    let actual = pinned.digest(bytes);
    if actual != pinned.hex {
        return Err(Error::Hash {
            package: dist.name.clone(),
            file: filename.clone(),
            against: format!("the lockfile's {}", pinned.algorithm),
            expected: pinned.hex.clone(),
            actual,
        });
    }
    let archive = |message: String| Error::Archive {
        package: dist.name.clone(),
        file: filename.clone(),
        message,
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| archive(format!("not a zip archive: {e}")))?;
    // Read every member once, refusing unsafe names.
    let mut members: BTreeMap<String, (Vec<u8>, bool)> = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| archive(e.to_string()))?;
        let raw = f.name().to_string();
        if f.is_dir() {
            continue;
        }
        let name = safe_relative(&raw)
            .ok_or_else(|| archive(format!("entry {raw:?} leaves the wheel")))?;
        if f.is_symlink() {
            return Err(archive(format!("entry {raw:?} is a symbolic link")));
        }
        if f.size() > MAX_FILE {
            return Err(archive(format!("entry {raw:?} is {} bytes", f.size())));
        }
        let executable = f.unix_mode().is_some_and(|m| m & 0o111 != 0);
        let mut data = Vec::with_capacity(f.size() as usize);
        f.by_ref()
            .take(MAX_FILE + 1)
            .read_to_end(&mut data)
            .map_err(|e| archive(format!("entry {raw:?}: {e}")))?;
        if members.insert(name.clone(), (data, executable)).is_some() {
            return Err(archive(format!("entry {raw:?} appears twice")));
        }
    }
    // The .dist-info directory: `{name}-{version}.dist-info`, matched by normalised name.
    let dist_info = members
        .keys()
        .filter_map(|k| k.split('/').next())
        .filter(|top| top.ends_with(".dist-info"))
        .find(|top| {
            let stem = top.trim_end_matches(".dist-info");
            let name = stem.rsplit_once('-').map_or(stem, |(n, _)| n);
            normalize(name) == dist.name
        })
        .map(str::to_string)
        .ok_or_else(|| archive(format!("no {}-*.dist-info directory", dist.name)))?;
    let data_dir = format!("{}.data", dist_info.trim_end_matches(".dist-info"));
    let record_path = format!("{dist_info}/RECORD");
    let record = members
        .get(&record_path)
        .map(|(d, _)| String::from_utf8_lossy(d).into_owned())
        .ok_or_else(|| archive(format!("no {record_path}")))?;
    let hashes = parse_record(&record);
    let wheel_meta = members
        .get(&format!("{dist_info}/WHEEL"))
        .map(|(d, _)| String::from_utf8_lossy(d).into_owned())
        .ok_or_else(|| archive(format!("no {dist_info}/WHEEL")))?;
    if let Some(v) = header(&wheel_meta, "Wheel-Version")
        && !v.starts_with("1.")
    {
        return Err(archive(format!("Wheel-Version {v} is not 1.x")));
    }

    let site = target.site_packages();
    let bin = "usr/local/bin";
    let headers = format!(
        "usr/local/include/python{}/{}",
        target.minor_version(),
        dist.name
    );
    let interpreter = target.interpreter();
    let mut entries = Vec::new();
    let mut installed: Vec<(String, Option<(String, usize)>)> = Vec::new();
    for (name, (data, executable)) in &members {
        // Every file but RECORD itself (and its signatures) is listed in RECORD, with a hash.
        let signature = name.starts_with(&format!("{dist_info}/RECORD."));
        if *name != record_path && !signature {
            match hashes.get(name.as_str()) {
                Some(Some((alg, want))) => {
                    let got = record_hash(alg, data).ok_or_else(|| {
                        archive(format!("RECORD uses an unknown hash {alg} for {name}"))
                    })?;
                    if &got != want {
                        return Err(Error::Hash {
                            package: dist.name.clone(),
                            file: name.clone(),
                            against: format!("its RECORD's {alg}"),
                            expected: want.clone(),
                            actual: got,
                        });
                    }
                }
                Some(None) => return Err(archive(format!("{name} has no hash in RECORD"))),
                None => return Err(archive(format!("{name} is not listed in RECORD"))),
            }
        }
        if signature || *name == record_path {
            continue;
        }
        let (dest, data, executable) = match name.strip_prefix(&format!("{data_dir}/")) {
            Some(rest) => {
                let (scheme, sub) = rest
                    .split_once('/')
                    .ok_or_else(|| archive(format!("{name} is not inside a .data scheme")))?;
                match scheme {
                    "purelib" | "platlib" => (format!("{site}/{sub}"), data.clone(), *executable),
                    "scripts" => (
                        format!("{bin}/{sub}"),
                        rewrite_shebang(data, &interpreter),
                        true,
                    ),
                    "headers" => (format!("{headers}/{sub}"), data.clone(), false),
                    "data" => (format!("usr/local/{sub}"), data.clone(), *executable),
                    other => return Err(archive(format!("unknown .data scheme {other:?}"))),
                }
            }
            None => (format!("{site}/{name}"), data.clone(), *executable),
        };
        installed.push((dest.clone(), Some((hash_b64(&data), data.len()))));
        entries.push(Entry::file(
            &dest,
            if executable { 0o755 } else { 0o644 },
            data,
        ));
    }
    // Entry points.
    if let Some((ep, _)) = members.get(&format!("{dist_info}/entry_points.txt")) {
        for (script, target_spec) in entry_points(&String::from_utf8_lossy(ep)) {
            let Some(text) = launcher(&target_spec, &interpreter) else {
                return Err(archive(format!(
                    "entry point {script} = {target_spec:?} cannot be read"
                )));
            };
            if script.contains('/') || script.starts_with('.') || script.is_empty() {
                return Err(archive(format!(
                    "entry point name {script:?} is not a file name"
                )));
            }
            let dest = format!("{bin}/{script}");
            installed.push((dest.clone(), Some((hash_b64(text.as_bytes()), text.len()))));
            entries.push(Entry::file(&dest, 0o755, text.into_bytes()));
        }
    }
    let installer = format!("{site}/{dist_info}/INSTALLER");
    entries.push(Entry::file(&installer, 0o644, b"bosun\n".to_vec()));
    installed.push((installer, Some((hash_b64(b"bosun\n"), 6))));
    // RECORD: paths relative to the site directory, the way pip writes them.
    let record_dest = format!("{site}/{dist_info}/RECORD");
    installed.push((record_dest.clone(), None));
    let mut lines: Vec<String> = installed
        .iter()
        .map(|(path, hash)| {
            let rel = crate::relative(&site, path);
            match hash {
                Some((h, len)) => format!("{},sha256={h},{len}", csv_field(&rel)),
                None => format!("{},,", csv_field(&rel)),
            }
        })
        .collect();
    lines.sort();
    entries.push(Entry::file(
        &record_dest,
        0o644,
        (lines.join("\n") + "\n").into_bytes(),
    ));
    Ok(entries)
}

/// `path,hash,size` lines: path to `(algorithm, urlsafe-base64 digest)`, or `None` for a
/// file listed without a hash.
fn parse_record(text: &str) -> BTreeMap<String, Option<(String, String)>> {
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let fields = csv_split(line);
        let Some(path) = fields.first() else { continue };
        let Some(path) = safe_relative(path) else {
            continue;
        };
        let hash = fields
            .get(1)
            .and_then(|h| h.split_once('='))
            .map(|(alg, digest)| (alg.to_string(), digest.trim_end_matches('=').to_string()));
        out.insert(path, hash);
    }
    out
}

/// RECORD is CSV: fields may be quoted, with `""` for a quote.
fn csv_split(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

fn csv_field(s: &str) -> String {
    match s.contains([',', '"', '\n']) {
        true => format!("\"{}\"", s.replace('"', "\"\"")),
        false => s.to_string(),
    }
}

fn record_hash(alg: &str, data: &[u8]) -> Option<String> {
    let digest = match alg {
        "sha256" => Sha256::digest(data).to_vec(),
        "sha384" => sha2::Sha384::digest(data).to_vec(),
        "sha512" => sha2::Sha512::digest(data).to_vec(),
        _ => return None,
    };
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest))
}

fn hash_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(data))
}

fn header<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
        })
        .map(|(_, v)| v.trim())
}

/// `#!python` (or `#!pythonw`) becomes the image's interpreter; other lines are kept.
fn rewrite_shebang(data: &[u8], interpreter: &str) -> Vec<u8> {
    let first_end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let first = &data[..first_end];
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    if first.starts_with(b"#!python") {
        let mut out = format!("#!{interpreter}").into_bytes();
        out.extend_from_slice(&data[first_end..]);
        return out;
    }
    data.to_vec()
}

/// `[console_scripts]` and `[gui_scripts]` of an `entry_points.txt`: `(name, target)`.
fn entry_points(text: &str) -> Vec<(String, String)> {
    let mut out = BTreeSet::new();
    let mut section = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s.trim().to_string();
            continue;
        }
        if (section == "console_scripts" || section == "gui_scripts")
            && let Some((k, v)) = line.split_once('=')
        {
            out.insert((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out.into_iter().collect()
}

/// The script for `module:attr.path [extras]`, as pip's launcher template writes it.
fn launcher(spec: &str, interpreter: &str) -> Option<String> {
    let spec = spec.split('[').next()?.trim();
    let (module, attr) = spec.split_once(':')?;
    let (module, attr) = (module.trim(), attr.trim());
    let ident = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|p| {
                !p.is_empty()
                    && p.chars().all(|c| c.is_alphanumeric() || c == '_')
                    && !p.starts_with(|c: char| c.is_ascii_digit())
            })
    };
    if !ident(module) || !ident(attr) {
        return None;
    }
    let top = attr.split('.').next()?;
    Some(format!(
        "#!{interpreter}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom {module} import {top}\nif __name__ == \"__main__\":\n    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n    sys.exit({attr}())\n"
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Integrity;
    use crate::python::File;
    use crate::python::tests::target;
    use bosun_oci::layer::EntryKind;
    use std::io::Write;

    /// A wheel made of `files` (name, contents, executable), with a RECORD listing them
    /// unless `record` is given.
    pub(crate) fn wheel(files: &[(&str, &[u8], bool)], record: Option<&str>) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let mut lines = Vec::new();
            for (name, data, exec) in files {
                let opts = zip::write::SimpleFileOptions::default().unix_permissions(if *exec {
                    0o755
                } else {
                    0o644
                });
                zip.start_file(*name, opts).unwrap();
                zip.write_all(data).unwrap();
                lines.push(format!("{name},sha256={},{}", hash_b64(data), data.len()));
            }
            lines.push("demo-1.0.dist-info/RECORD,,".into());
            zip.start_file(
                "demo-1.0.dist-info/RECORD",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            zip.write_all(
                record
                    .map(str::to_string)
                    .unwrap_or(lines.join("\n"))
                    .as_bytes(),
            )
            .unwrap();
            zip.finish().unwrap();
        }
        buf.into_inner()
    }

    fn wheel_record(files: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let lines: Vec<String> = files
            .iter()
            .map(|(name, data, _)| format!("{name},sha256={},{}", hash_b64(data), data.len()))
            .collect();
        lines.join("\n").into_bytes()
    }

    pub(crate) fn dist(bytes: &[u8]) -> Dist {
        Dist {
            name: "demo".into(),
            version: "1.0".into(),
            file: File {
                filename: "demo-1.0-py3-none-any.whl".into(),
                url: "https://files.example/demo-1.0-py3-none-any.whl".into(),
                hash: Integrity::sha256(&hex::encode(Sha256::digest(bytes))),
                size: None,
            },
            depends: vec![],
        }
    }

    const META: &[(&str, &[u8], bool)] = &[
        ("demo/__init__.py", b"X = 1\n", false),
        ("demo/_native.so", b"\x7fELF", true),
        (
            "demo-1.0.data/scripts/demo-tool",
            b"#!python\nprint('hi')\n",
            false,
        ),
        ("demo-1.0.data/headers/demo.h", b"int x;\n", false),
        ("demo-1.0.data/data/share/demo/x.txt", b"x\n", false),
        ("demo-1.0.data/platlib/demo_ext.so", b"\x7fELF", false),
        (
            "demo-1.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
            false,
        ),
        (
            "demo-1.0.dist-info/WHEEL",
            b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\n",
            false,
        ),
        (
            "demo-1.0.dist-info/entry_points.txt",
            b"[console_scripts]\ndemo = demo.cli:main.run\n[other]\nx = y:z\n",
            false,
        ),
    ];

    #[test]
    fn installs_by_the_spec() {
        let bytes = wheel(META, None);
        let entries = install(&bytes, &dist(&bytes), &target("amd64")).unwrap();
        let by_path: BTreeMap<&str, &Entry> =
            entries.iter().map(|e| (e.path.as_str(), e)).collect();
        let site = "usr/local/lib/python3.13/dist-packages";
        assert_eq!(
            by_path[format!("{site}/demo/_native.so").as_str()].mode,
            0o755
        );
        assert_eq!(
            by_path[format!("{site}/demo/__init__.py").as_str()].mode,
            0o644
        );
        assert!(by_path.contains_key(format!("{site}/demo_ext.so").as_str()));
        assert!(by_path.contains_key("usr/local/include/python3.13/demo/demo.h"));
        assert!(by_path.contains_key("usr/local/share/demo/x.txt"));
        let tool = &by_path["usr/local/bin/demo-tool"];
        assert_eq!(tool.mode, 0o755);
        assert_eq!(
            tool.kind,
            EntryKind::File(b"#!/usr/bin/python3.13\nprint('hi')\n".to_vec())
        );
        let EntryKind::File(script) = &by_path["usr/local/bin/demo"].kind else {
            panic!()
        };
        let script = String::from_utf8_lossy(script);
        assert!(script.starts_with("#!/usr/bin/python3.13\n"), "{script}");
        assert!(
            script.contains("from demo.cli import main\n")
                && script.contains("sys.exit(main.run())"),
            "{script}"
        );
        assert!(
            !by_path.contains_key("usr/local/bin/x"),
            "only console and GUI scripts"
        );
        let EntryKind::File(record) =
            &by_path[format!("{site}/demo-1.0.dist-info/RECORD").as_str()].kind
        else {
            panic!()
        };
        let record = String::from_utf8_lossy(record);
        assert!(record.contains("../../../bin/demo,sha256="), "{record}");
        assert!(
            record.contains("demo-1.0.dist-info/INSTALLER,sha256="),
            "{record}"
        );
        assert!(record.contains("demo-1.0.dist-info/RECORD,,"), "{record}");
    }

    #[test]
    fn refuses_hostile_wheels() {
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                wheel(&[("../evil.py", b"x", false), META[6], META[7]], None),
                "leaves the wheel",
            ),
            (
                wheel(&[("/etc/cron.d/x", b"x", false), META[6], META[7]], None),
                "leaves the wheel",
            ),
            (
                {
                    let good =
                        String::from_utf8(wheel_record(&[META[0], META[6], META[7]])).unwrap();
                    let bad = good.replace(&hash_b64(b"X = 1\n"), &hash_b64(b"X = 2\n"));
                    wheel(&[META[0], META[6], META[7]], Some(&bad))
                },
                "demo/__init__.py does not match its RECORD's sha256",
            ),
            (
                wheel(
                    &[META[0], META[6], META[7]],
                    Some("demo-1.0.dist-info/RECORD,,\n"),
                ),
                "not listed in RECORD",
            ),
            (wheel(&[META[0]], None), "no demo-1.0.dist-info/WHEEL"),
            (b"not a zip".to_vec(), "not a zip archive"),
            (
                wheel(
                    &[("demo-1.0.data/weird/x", b"x", false), META[6], META[7]],
                    None,
                ),
                "unknown .data scheme",
            ),
        ];
        for (bytes, needle) in cases {
            let err = install(&bytes, &dist(&bytes), &target("amd64"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{needle}: {err}");
            assert!(err.starts_with("demo: "), "{err}");
        }
    }

    #[test]
    fn record_csv() {
        assert_eq!(csv_split("\"a,b\",sha256=x,1"), ["a,b", "sha256=x", "1"]);
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert!(launcher("pkg.mod:main [extra]", "/p").is_some());
        assert_eq!(launcher("os; import x:main", "/p"), None);
    }
}
