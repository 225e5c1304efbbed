//! Packages compiled into ELF binaries: Go's build info (`.go.buildinfo`, Go 1.18 and later)
//! and cargo-auditable's dependency list (`.dep-v0`, zlib-compressed JSON).

use std::io::Read;

use object::{Object, ObjectSection};

use crate::{Kind, Package};

const GO_MAGIC: &[u8] = b"\xff Go buildinf:";

/// The Go modules and Rust crates an ELF binary says it was built from.
pub(crate) fn packages(location: &str, bytes: &[u8]) -> Vec<Package> {
    let Ok(file) = object::File::parse(bytes) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let go = file
        .section_by_name(".go.buildinfo")
        .and_then(|s| s.data().ok())
        .or_else(|| {
            // Some linkers drop the section name: the blob is 16-byte aligned in the data.
            (0..bytes.len().saturating_sub(32))
                .step_by(16)
                .find(|&i| bytes[i..].starts_with(GO_MAGIC))
                .map(|i| &bytes[i..])
        });
    if let Some(data) = go {
        out.extend(go_modules(location, data));
    }
    if let Some(data) = file.section_by_name(".dep-v0").and_then(|s| s.data().ok()) {
        out.extend(rust_crates(location, data));
    }
    out
}

fn varint(data: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, b) in data.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

fn string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, n) = varint(data)?;
    let end = n.checked_add(usize::try_from(len).ok()?)?;
    Some((data.get(n..end)?, &data[end..]))
}

fn go_modules(location: &str, data: &[u8]) -> Vec<Package> {
    // Header: magic (14), pointer size (1), flags (1), padding to 32; flag 2 = inline strings.
    if !data.starts_with(GO_MAGIC) || data.len() < 32 || data[15] & 2 == 0 {
        return Vec::new();
    }
    let Some((version, rest)) = string(&data[32..]) else {
        return Vec::new();
    };
    let Some((mut info, _)) = string(rest) else {
        return Vec::new();
    };
    // The module info is wrapped in 16-byte sentinels.
    if info.len() >= 33 && info[info.len() - 17] == b'\n' {
        info = &info[16..info.len() - 16];
    }
    let info = String::from_utf8_lossy(info);
    let go_version = String::from_utf8_lossy(version).to_string();
    let module = |path: &str, version: &str| Package {
        kind: Kind::GoModule,
        name: path.to_string(),
        version: version.to_string(),
        purl: {
            let (ns, name) = path
                .rsplit_once('/')
                .map_or((None, path), |(n, p)| (Some(n), p));
            crate::purl::purl("golang", ns, name, version, &[])
        },
        architecture: None,
        source: None,
        licenses: Vec::new(),
        location: location.to_string(),
        sha256: None,
        sha512: None,
        suite: None,
        depends: Vec::new(),
    };
    let mut out: Vec<Package> = Vec::new();
    let mut main_path = None;
    let mut has_mod = false;
    for line in info.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        has_mod |= fields.first() == Some(&"mod");
        if let ["path", path, ..] = fields[..] {
            main_path = Some(path.to_string());
        }
        match fields[..] {
            ["mod", path, version, ..] | ["dep", path, version, ..] => {
                out.push(module(path, version))
            }
            // A replacement applies to the dep before it.
            ["=>", path, version, ..] => {
                if let Some(last) = out.last_mut() {
                    *last = module(path, version);
                }
            }
            _ => {}
        }
    }
    // A program built outside module mode has no `mod` line: its package path names it.
    if let (false, Some(path)) = (has_mod, main_path) {
        out.insert(0, module(&path, "(devel)"));
    }
    if let Some(v) = go_version.strip_prefix("go") {
        let v = v.split([' ', '+']).next().unwrap_or(v);
        let mut stdlib = module("stdlib", &format!("go{v}"));
        stdlib.purl = crate::purl::purl("golang", None, "stdlib", v, &[]);
        out.push(stdlib);
    }
    out
}

fn rust_crates(location: &str, data: &[u8]) -> Vec<Package> {
    #[derive(serde::Deserialize)]
    struct Audit {
        packages: Vec<Crate>,
    }
    #[derive(serde::Deserialize)]
    struct Crate {
        name: String,
        version: String,
        #[serde(default)]
        kind: Option<String>,
        #[serde(default)]
        dependencies: Vec<usize>,
    }
    let mut json = Vec::new();
    // The section is small; a bound keeps a hostile one from inflating without end.
    if flate2::read::ZlibDecoder::new(data)
        .take(64 << 20)
        .read_to_end(&mut json)
        .is_err()
    {
        return Vec::new();
    }
    let Ok(audit) = serde_json::from_slice::<Audit>(&json) else {
        return Vec::new();
    };
    audit
        .packages
        .iter()
        .filter(|c| c.kind.as_deref() != Some("build"))
        .map(|c| Package {
            depends: c
                .dependencies
                .iter()
                .filter_map(|&i| audit.packages.get(i).map(|d| d.name.clone()))
                .collect(),
            ..Package::new(
                Kind::RustCrate,
                &c.name,
                &c.version,
                crate::purl::purl("cargo", None, &c.name, &c.version, &[]),
                location,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_build_info() {
        let varint = |mut n: usize, out: &mut Vec<u8>| {
            while n >= 0x80 {
                out.push((n as u8 & 0x7f) | 0x80);
                n >>= 7;
            }
            out.push(n as u8);
        };
        let mut data = GO_MAGIC.to_vec();
        data.extend([8u8, 2]);
        data.resize(32, 0);
        let version = b"go1.24.4";
        varint(version.len(), &mut data);
        data.extend(version);
        let info = b"path\texample.org/cmd/tool\nmod\texample.org/cmd\tv1.2.3\th1:x\ndep\tgolang.org/x/sys\tv0.1.0\th1:y\ndep\tgithub.com/a/b\tv1.0.0\th1:z\n=>\tgithub.com/fork/b\tv1.0.1\th1:w\n";
        let mut wrapped = vec![b'0'; 16];
        wrapped.extend(info);
        wrapped.extend([b'1'; 16]);
        varint(wrapped.len(), &mut data);
        data.extend(&wrapped);
        let got: Vec<(String, String)> = go_modules("/bin/tool", &data)
            .into_iter()
            .map(|p| (p.name, p.version))
            .collect();
        assert_eq!(
            got,
            [
                ("example.org/cmd".into(), "v1.2.3".into()),
                ("golang.org/x/sys".into(), "v0.1.0".into()),
                ("github.com/fork/b".into(), "v1.0.1".into()),
                ("stdlib".into(), "go1.24.4".into()),
            ]
        );
    }

    #[test]
    fn cargo_auditable() {
        let json = br#"{"packages":[{"name":"tool","version":"0.1.0","source":"local","root":true,"dependencies":[1]},{"name":"serde","version":"1.0.0","source":"crates.io"},{"name":"cc","version":"1.0.0","source":"crates.io","kind":"build"}]}"#;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, json).unwrap();
        let got = rust_crates("/bin/tool", &z.finish().unwrap());
        let names: Vec<&str> = got.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["tool", "serde"]);
        assert_eq!(got[0].depends, ["serde"]);
        assert_eq!(got[1].purl, "pkg:cargo/serde@1.0.0");
    }
}
