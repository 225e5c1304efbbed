//! Packages compiled into ELF binaries: Go's build info (`.go.buildinfo`, Go 1.18 and later)
//! and cargo-auditable's dependency list (`.dep-v0`, zlib-compressed JSON).

use std::io::Read;

use object::{Object, ObjectSection};

use crate::{Kind, Package};

const GO_MAGIC: &[u8] = b"\xff Go buildinf:";

/// The Go modules and Rust crates an ELF file says it was built from. Only an `executable`
/// one is searched for Go's build info without its section (the shared libraries of a
/// Debian image are many and large, and Go programs keep the section).
pub(crate) fn packages(location: &str, bytes: &[u8], executable: bool) -> Vec<Package> {
    let Ok(file) = object::File::parse(bytes) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let go = file
        .section_by_name(".go.buildinfo")
        .and_then(|s| s.data().ok())
        .or_else(|| {
            // Some linkers drop the section name: the blob is 16-byte aligned in the data.
            executable
                .then(|| {
                    (0..bytes.len().saturating_sub(32))
                        .step_by(16)
                        .find(|&i| bytes[i..].starts_with(GO_MAGIC))
                        .map(|i| &bytes[i..])
                })
                .flatten()
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
    let mut settings: Vec<(&str, &str)> = Vec::new();
    for line in info.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        has_mod |= fields.first() == Some(&"mod");
        if let ["path", path, ..] = fields[..] {
            main_path = Some(path.to_string());
        }
        if let ["build", setting, ..] = fields[..] {
            settings.extend(setting.split_once('='));
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
        out.insert(0, module(&path, DEVEL));
    }
    // A main module built from a checkout is `(devel)`: its version is what the build set
    // with `-X ...version=`, else the pseudo-version of its commit, as syft reads them.
    if has_mod
        && let Some(main) = out.first_mut()
        && main.version == DEVEL
    {
        let setting = |key: &str| settings.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let version = setting("-ldflags")
            .and_then(|flags| version_from_ldflags(flags, &main.name))
            .or_else(|| pseudo_version(setting("vcs.revision")?, setting("vcs.time")?));
        if let Some(version) = version {
            *main = module(&main.name.clone(), &version);
        }
    }
    if let Some(v) = go_version.strip_prefix("go") {
        let v = v.split([' ', '+']).next().unwrap_or(v);
        let mut stdlib = module("stdlib", &format!("go{v}"));
        stdlib.purl = crate::purl::purl("golang", None, "stdlib", v, &[]);
        out.push(stdlib);
    }
    out
}

/// What Go reports for a main module built from a checkout.
const DEVEL: &str = "(devel)";

/// The version `-X` set in a program's `-ldflags`: a variable of package `main` or of a package
/// of `module` whose name ends in `ver`/`version` (or is a `tag`), holding a semantic version;
/// `v`-prefixed, as Go versions are.
fn version_from_ldflags(ldflags: &str, module: &str) -> Option<String> {
    let owner = format!(r"(?:main|{}/\S*)", regex::escape(module));
    let value = r"=(?:\S+/)*(?P<version>v?\d+.\d+.\d+[-\w]*)";
    [
        format!(r"(?m){owner}\.[a-zA-Z0-9]*[vV]er(?:sion)?{value}"),
        format!(r"(?m){owner}\.[a-zA-Z0-9]*[tT]ag{value}"),
    ]
    .iter()
    .filter_map(|p| regex::Regex::new(p).ok())
    .find_map(|re| {
        re.captures(ldflags)?
            .name("version")
            .map(|m| m.as_str().to_string())
    })
    .map(|v| match v.starts_with('v') {
        true => v,
        false => format!("v{v}"),
    })
}

/// Go's pseudo-version of a commit (`v0.0.0-YYYYMMDDHHMMSS-REVISION12`) from the build's VCS
/// settings.
fn pseudo_version(revision: &str, time: &str) -> Option<String> {
    let time: jiff::Timestamp = time.parse().ok()?;
    let stamp = time.strftime("%Y%m%d%H%M%S");
    let revision = &revision[..revision.len().min(12)];
    Some(format!("v0.0.0-{stamp}-{revision}"))
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

    /// Go's build info blob around module info text.
    fn build_info(info: &[u8]) -> Vec<u8> {
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
        let mut wrapped = vec![b'0'; 16];
        wrapped.extend(info);
        wrapped.extend([b'1'; 16]);
        varint(wrapped.len(), &mut data);
        data.extend(&wrapped);
        data
    }

    /// syft's cases (parse_go_binary_test.go): the main module's version from `-ldflags`, else
    /// the commit's pseudo-version, else `(devel)`.
    #[test]
    fn main_module_version_when_devel() {
        let main = |settings: &str| -> String {
            let info = format!(
                "path\tgithub.com/anchore/syft/cmd/syft\nmod\tgithub.com/anchore/syft\t(devel)\t\n{settings}"
            );
            go_modules("/bin/syft", &build_info(info.as_bytes()))[0]
                .version
                .clone()
        };
        let ldflags = |flags: &str| format!("build\t-ldflags=\"{flags}\"\n");
        assert_eq!(
            main(&ldflags(
                "-w -s -extldflags '-static' -X github.com/anchore/syft/internal/version.version=0.79.0 -X github.com/anchore/syft/internal/version.gitCommit=b2b332e"
            )),
            "v0.79.0"
        );
        assert_eq!(main(&ldflags("-w -s -X main.version=0.79.0")), "v0.79.0");
        assert_eq!(main(&ldflags("-w -s -X main.Version=0.79.0")), "v0.79.0");
        let vcs = "build\tvcs.revision=41bc6bb410352845f22766e27dd48ba93aa825a4\nbuild\tvcs.time=2022-10-14T19:54:57Z\n";
        assert_eq!(
            main(&format!("{}{vcs}", ldflags("-w -s -X blah=foobar"))),
            "v0.0.0-20221014195457-41bc6bb41035"
        );
        assert_eq!(main(&ldflags("-w -s -X blah=foobar")), "(devel)");
        assert_eq!(main(""), "(devel)");
    }

    #[test]
    fn versions_from_ldflags() {
        let cases = [
            (
                "github.com/containerd/nerdctl",
                "-s -w -X github.com/containerd/nerdctl/pkg/version.Version=v1.3.1 -X github.com/containerd/nerdctl/pkg/version.Revision=b224b28",
                Some("v1.3.1"),
            ),
            (
                "github.com/hashicorp/terraform",
                "-w -s -X 'github.com/hashicorp/terraform/version.Version=1.4.6' -X 'github.com/hashicorp/terraform/version.Prerelease='",
                Some("v1.4.6"),
            ),
            (
                "github.com/prometheus/common",
                "-X github.com/prometheus/common/version.Version=2.44.0 -X github.com/prometheus/common/version.Revision=1ac5131",
                Some("v2.44.0"),
            ),
            (
                "github.com/influxdata/influxdb-client-go/v2",
                "-s -w -X main.version=v2.7.1 -X main.commit=407fa622e9",
                Some("v2.7.1"),
            ),
            (
                "code.gitea.io/gitea",
                r#" -X \"main.MakeVersion=GNU Make 4.1\" -X \"main.Version=1.19.3\" "#,
                Some("v1.19.3"),
            ),
            (
                "github.com/docker/sbom-cli-plugin",
                "-X github.com/docker/sbom-cli-plugin/internal/version.version=0.6.1-SNAPSHOT-02cf1c8 -X github.com/docker/sbom-cli-plugin/internal/version.gitDescription=v0.6.1-dirty",
                Some("v0.6.1-SNAPSHOT-02cf1c8"),
            ),
            (
                "github.com/docker/scout-cli-plugin",
                "-w -s -extldflags '-static' -X github.com/docker/scout-cli-plugin/internal.version=0.10.0 ",
                Some("v0.10.0"),
            ),
            (
                "github.com/a/b",
                "-X github.com/other/x/version.Version=1.2.3",
                None,
            ),
            ("github.com/a/b", "", None),
        ];
        for (module, flags, want) in cases {
            assert_eq!(
                version_from_ldflags(flags, module).as_deref(),
                want,
                "{module}: {flags}"
            );
        }
    }

    #[test]
    fn go_build_info() {
        let info = b"path\texample.org/cmd/tool\nmod\texample.org/cmd\tv1.2.3\th1:x\ndep\tgolang.org/x/sys\tv0.1.0\th1:y\ndep\tgithub.com/a/b\tv1.0.0\th1:z\n=>\tgithub.com/fork/b\tv1.0.1\th1:w\n";
        let data = build_info(info);
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
