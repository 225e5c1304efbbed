//! End-to-end tests against a small Debian repository the tests build and sign themselves,
//! served on 127.0.0.1: resolution, verification, assembly, and every way input can be bad.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use bosun_test::{Context, FixtureRepo, Pkg, Server, peer};

const SUITE: &str = "bosuntest";

#[path = "fixture_repo/app_deps.rs"]
mod app_deps;
#[path = "fixture_repo/build.rs"]
mod build;
#[path = "fixture_repo/lock.rs"]
mod lock;
#[path = "fixture_repo/sbom_scan.rs"]
mod sbom_scan;
#[path = "fixture_repo/spec.rs"]
mod spec;
#[path = "fixture_repo/trust.rs"]
mod trust;

fn packages() -> Vec<Pkg> {
    // The real thing when it is installed (the podman test runs it); a stand-in otherwise,
    // for the tests that only read the image.
    let busybox = bosun_test::static_busybox()
        .and_then(|p| std::fs::read(p).ok())
        .unwrap_or_else(|| b"#!/not/a/binary\n".to_vec());
    vec![
        Pkg::new("base-files", "13.1")
            .field("Priority", "required")
            .field("Essential", "yes")
            .field("Pre-Depends", "awk")
            .file("usr/lib/os-release", 0o644, "PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"13\"\nID=debian\n")
            .symlink("etc/os-release", "../usr/lib/os-release"),
        Pkg::new("mawk", "1.3.4").field("Priority", "required").field("Provides", "awk").file("usr/bin/mawk", 0o755, "x"),
        Pkg::new("gawk", "5.2").field("Priority", "optional").field("Provides", "awk").file("usr/bin/gawk", 0o755, "x"),
        Pkg::new("ca-certificates", "20250419")
            .arch("all")
            .file("usr/share/ca-certificates/mozilla/B_Root.crt", 0o644, "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----")
            .file("usr/share/ca-certificates/mozilla/A_Root.crt", 0o644, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        Pkg::new("libfoo1", "1.0-1")
            .field("Source", "foo")
            .file("lib/x86_64-linux-gnu/libfoo.so.1", 0o644, "foo 1.0")
            .symlink("lib/x86_64-linux-gnu/libfoo.so", "libfoo.so.1")
            .compression("gz"),
        Pkg::new("hello", "2.10-1")
            .depends("libfoo1 (>= 1.0), dpkg, debconf (>= 0.5) | debconf-2.0")
            .field("Pre-Depends", "hello-data")
            .file("usr/bin/busybox", 0o755, busybox)
            .file("usr/share/doc/hello/changelog.Debian.gz", 0o644, "changes")
            .file("usr/share/man/man1/hello.1.gz", 0o644, "man")
            .compression("zst"),
        Pkg::new("hello-data", "2.10-1").arch("all").depends("pager").file("usr/share/hello/greeting", 0o644, "hi\n").compression("none"),
        Pkg::new("less", "668").field("Priority", "important").field("Provides", "pager").file("usr/bin/less", 0o755, "x"),
        Pkg::new("most", "5.2").field("Priority", "optional").field("Provides", "pager").file("usr/bin/most", 0o755, "x"),
        // What only maintainer scripts use, and what that pulls in: a shell, tar, perl.
        Pkg::new("dpkg", "1.22.21").field("Essential", "yes").field("Pre-Depends", "tar, dash").file("usr/bin/dpkg", 0o755, "x"),
        Pkg::new("debconf", "1.5.91").arch("all").field("Provides", "debconf-2.0").depends("perl-base").file("usr/bin/debconf", 0o755, "x"),
        Pkg::new("perl-base", "5.40").field("Essential", "yes").file("usr/bin/perl", 0o755, "x"),
        Pkg::new("tar", "1.35").field("Essential", "yes").file("usr/bin/tar", 0o755, "x"),
        Pkg::new("dash", "0.5.12").field("Essential", "yes").file("usr/bin/dash", 0o755, "x").symlink("usr/bin/sh", "dash"),
        Pkg::new("apt", "3.0").depends("dpkg").file("usr/bin/apt-get", 0o755, "x"),
        Pkg::new("needs-ghost", "1").depends("libghost (>= 2)"),
        Pkg::new("libghost", "1.0"),
        Pkg::new("evil", "1").file("usr/bin/evil", 0o755, "x"),
        Pkg::new("tini", "0.19.0-1").file("usr/bin/tini", 0o755, "x"),
    ]
}

/// The security update's changelog: the fix names a CVE; an older entry names another.
const CHANGELOG: &str = "foo (1.0-1+sec1) bosuntest-security; urgency=high\n\n  * Fix a heap overflow in the parser (CVE-2026-31337).\n\n -- Security Team <security@example.org>  Mon, 30 Nov 2026 00:00:00 +0000\n\nfoo (1.0-1) bosuntest; urgency=medium\n\n  * Initial release; closes CVE-2025-0001.\n\n -- Maintainer <m@example.org>  Mon, 01 Jun 2026 00:00:00 +0000\n";

fn gzip(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

struct Fixture {
    repo: FixtureRepo,
    server: Server,
}

fn fixture() -> Fixture {
    let repo = FixtureRepo::new();
    repo.publish_with(
        SUITE,
        &packages(),
        &[("evil", "../../etc/evil")],
        7 * 86_400,
    );
    // A point update that is not a security fix: a security-only relock leaves it alone.
    repo.publish(
        &format!("{SUITE}-updates"),
        &[Pkg::new("ca-certificates", "20250420")
            .arch("all")
            .file(
                "usr/share/ca-certificates/mozilla/B_Root.crt",
                0o644,
                "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----",
            )
            .file(
                "usr/share/ca-certificates/mozilla/A_Root.crt",
                0o644,
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            )],
    );
    repo.publish(
        &format!("{SUITE}-security"),
        &[Pkg::new("libfoo1", "1.0-1+sec1")
            .field("Source", "foo (1.0-1+sec1)")
            .file("lib/x86_64-linux-gnu/libfoo.so.1", 0o644, "foo 1.0 patched")
            .file(
                "usr/share/doc/libfoo1/changelog.Debian.gz",
                0o644,
                gzip(CHANGELOG),
            )
            .symlink("lib/x86_64-linux-gnu/libfoo.so", "libfoo.so.1")],
    );
    let server = Server::start(repo.root());
    Fixture { repo, server }
}

const SPEC: &str = r#"
[debian]
suite = "bosuntest"

[base.core]
packages = ["base-files", "ca-certificates"]

[image.hello]
bases = ["core"]
packages = ["hello"]
copy = [{ src = "app/", dst = "/app", owner = "nonroot" }]
entrypoint = ["/usr/bin/busybox", "cat", "/app/msg.txt"]
tags = ["hello:1", "hello:latest"]
"#;

fn context(f: &Fixture) -> Context {
    let mut ctx = Context::new();
    ctx.set("BOSUN_DEBIAN_MIRROR", &f.server.url());
    ctx.set("BOSUN_DEBIAN_SECURITY_MIRROR", &f.server.url());
    ctx.set("BOSUN_KEYRING", f.repo.keyring.to_str().unwrap());
    ctx.write("bosun.toml", SPEC);
    ctx.write("app/msg.txt", "hello from a bosun fixture\n");
    ctx.write("app/.env", "SECRET=1\n");
    ctx.write(".dockerignore", "**/.env*\n");
    ctx
}

fn lock_toml(ctx: &Context) -> String {
    lock_of(ctx, "bosun.toml")
}

/// The lock beside the spec at `spec` (relative to the project).
fn lock_of(ctx: &Context, spec: &str) -> String {
    let spec = ctx.project().join(spec);
    std::fs::read_to_string(spec.with_file_name("bosun.lock")).unwrap()
}

/// A blob of the store, by digest (`sha256:...`).
fn store_blob(ctx: &Context, digest: &str) -> Vec<u8> {
    std::fs::read(ctx.store().join("blobs/sha256").join(&digest[7..])).unwrap()
}

fn images(ctx: &Context) -> Vec<serde_json::Value> {
    let out = ctx.bosun(&["images", "--format", "json"]).ok();
    out.json()
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^' | '$' | '\\' => {
                format!("\\{c}")
            }
            c => c.to_string(),
        })
        .collect()
}

/// The Security Tracker's export, with an entry for each verdict it gives (release
/// `bosuntest`), and one for another release only.
const TRACKER_EXPORT: &str = r#"{
  "foo": {
    "CVE-2026-31337": {"description": "Heap overflow in the parser", "releases": {
      "bosuntest": {"status": "resolved", "fixed_version": "1.0-1+sec1", "urgency": "high",
                    "repositories": {"bosuntest": "1.0-1", "bosuntest-security": "1.0-1+sec1"}}}},
    "CVE-2025-0001": {"description": "Fixed before the installed version", "releases": {
      "bosuntest": {"status": "resolved", "fixed_version": "1.0-1", "urgency": "medium"}}},
    "CVE-2026-0002": {"description": "Never in this release", "releases": {
      "bosuntest": {"status": "resolved", "fixed_version": "0", "urgency": "not yet assigned"}}}
  },
  "hello": {
    "CVE-2026-1000": {"description": "Open, no fix yet", "releases": {
      "bosuntest": {"status": "open", "urgency": "medium"}}},
    "CVE-2026-1001": {"description": "Not yet looked at", "releases": {
      "bosuntest": {"status": "undetermined", "urgency": "not yet assigned"}}},
    "CVE-2026-1002": {"description": "Waits for a point release", "releases": {
      "bosuntest": {"status": "open", "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "postponed"}}}
  },
  "hello-data": {
    "CVE-2026-1003": {"description": "Code not built", "releases": {
      "bosuntest": {"status": "open", "urgency": "low", "nodsa": "the affected code is not built", "nodsa_reason": "ignored"}}}
  },
  "less": {
    "CVE-2026-1004": {"description": "Negligible", "releases": {
      "bosuntest": {"status": "open", "urgency": "unimportant"}}}
  },
  "ca-certificates": {
    "CVE-2026-1005": {"description": "No longer supported", "releases": {
      "bosuntest": {"status": "open", "urgency": "end-of-life"}}}
  },
  "base-files": {
    "CVE-2026-1006": {"description": "Another release", "releases": {
      "trixie": {"status": "open", "urgency": "high"}}}
  }
}"#;

/// A zip of OSV records, as the exports are.
fn osv_zip(records: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (i, record) in records.iter().enumerate() {
        zip.start_file(
            format!("R-{i}.json"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(record.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A tracker export and OSV zips served on loopback, as `bosun db update` reads them.
fn advisory_server() -> bosun_test::script::ScriptServer {
    let pypi = osv_zip(&[
        r#"{"id": "GHSA-1111", "aliases": ["CVE-2026-2000"], "summary": "Requests leaks headers",
            "database_specific": {"severity": "HIGH"},
            "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.3.1"}]}]}]}"#,
        r#"{"id": "PYSEC-2", "summary": "Only 3.x",
            "affected": [{"package": {"ecosystem": "PyPI", "name": "requests"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "3.0"}]}]}]}"#,
    ]);
    let npm = osv_zip(&[r#"{"id": "GHSA-2222", "summary": "Prototype pollution",
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
                          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}"#]);
    let other = osv_zip(&[
        r#"{"id": "GO-2026-1", "affected": [{"package": {"ecosystem": "Go", "name": "example.org/x"}, "versions": ["v1.0.0"]}]}"#,
    ]);
    bosun_test::script::ScriptServer::start(move |req| {
        let body = match req.path.as_str() {
            "/tracker/json" => TRACKER_EXPORT.as_bytes().to_vec(),
            "/osv/PyPI/all.zip" => pypi.clone(),
            "/osv/npm/all.zip" => npm.clone(),
            "/osv/Go/all.zip" | "/osv/crates.io/all.zip" => other.clone(),
            "/bad/json" => b"<html>not json</html>".to_vec(),
            _ => return bosun_test::script::Reply::new(404),
        };
        bosun_test::script::Reply::new(200).body(body)
    })
}

/// The signature layers bosun stored as artifacts in the store: (payload path, signature).
fn store_signatures(ctx: &Context) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    use base64::Engine as _;
    let store = ctx.store();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("index.json")).unwrap()).unwrap();
    let blob = |digest: &str| {
        store
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    };
    let mut out = Vec::new();
    for m in index["manifests"].as_array().unwrap() {
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(blob(m["digest"].as_str().unwrap())).unwrap())
                .unwrap();
        if manifest["artifactType"] != "application/vnd.dev.cosign.artifact.sig.v1+json" {
            continue;
        }
        for layer in manifest["layers"].as_array().unwrap() {
            let signature = layer["annotations"]["dev.cosignproject.cosign/signature"]
                .as_str()
                .unwrap();
            out.push((
                blob(layer["digest"].as_str().unwrap()),
                base64::engine::general_purpose::STANDARD
                    .decode(signature)
                    .unwrap(),
            ));
        }
    }
    out
}

/// Validates TOML files against a JSON Schema with Python's `jsonschema` (the peers' venv): one
/// line per file, `ok` or the first error.
const VALIDATE: &str = r#"
import json, sys, tomllib, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    errors = sorted(validator.iter_errors(tomllib.load(open(path, "rb"))), key=str)
    print(path, "ok" if not errors else "error: " + errors[0].message.replace("\n", " "))
"#;

/// The layers of a `build --format json` result, per image: (created_by, digest).
fn built_layers(built: &serde_json::Value) -> BTreeMap<String, Vec<(String, String)>> {
    built
        .as_array()
        .unwrap()
        .iter()
        .map(|image| {
            let layers = image["layers"]["amd64"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    (
                        l["created_by"].as_str().unwrap().to_string(),
                        l["digest"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (image["image"].as_str().unwrap().to_string(), layers)
        })
        .collect()
}
