//! End-to-end tests against a small Debian repository the tests build and sign themselves,
//! served on 127.0.0.1: resolution, verification, assembly, and every way input can be bad.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use bosun_test::{Context, FixtureRepo, Pkg, Server, peer};

const SUITE: &str = "bosuntest";

#[path = "fixture_repo/app_deps.rs"]
mod app_deps;

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

#[test]
fn locks_newest_versions_across_suites_and_explains_why() {
    let f = fixture();
    let ctx = context(&f);
    ctx.bosun(&["lock"]).ok();
    let lock = lock_toml(&ctx);
    assert!(
        lock.contains("version = \"1.0-1+sec1\""),
        "security update wins:\n{lock}"
    );
    assert!(lock.contains("suite = \"bosuntest-security\""));
    assert!(
        lock.contains("name = \"less\"") && !lock.contains("name = \"most\""),
        "priority picks less for pager"
    );
    assert!(
        lock.contains("name = \"hello-data\"") && lock.contains("package-architecture = \"all\""),
        "binary-all is read"
    );
    // Distroless by default: what only maintainer scripts use is left out, and so is what
    // that would have pulled in.
    for left_out in [
        "dpkg",
        "debconf",
        "mawk",
        "gawk",
        "tar",
        "dash",
        "perl-base",
        "apt",
    ] {
        assert!(
            !lock.contains(&format!("name = \"{left_out}\"")),
            "{left_out}:\n{lock}"
        );
    }
    let why = ctx.bosun(&["lock", "--why", "dpkg"]).ok();
    assert!(
        why.stdout
            .contains("`dpkg` is left out: hello depends on it only to run maintainer scripts"),
        "{why:?}"
    );
    assert!(
        why.stderr.contains("include_maintainer_deps = true"),
        "{why:?}"
    );
    let why = ctx.bosun(&["lock", "--why", "awk"]).ok();
    assert!(why.stdout.contains("base-files depends on it"), "{why:?}");
    let why = ctx.bosun(&["lock", "--why", "libfoo1"]).ok();
    assert_eq!(why.stdout.trim(), "hello -> libfoo1");
    // Unchanged archive: --check passes, and a relock keeps the lock as it is at the cost of
    // one conditional request per suite (a 304 each, no index read); a new security version
    // makes --check fail.
    ctx.bosun(&["lock", "--check"]).ok();
    let before = f.server.logged();
    let connections = f
        .server
        .connections
        .load(std::sync::atomic::Ordering::Relaxed);
    let written = std::fs::metadata(ctx.project().join("bosun.lock"))
        .and_then(|m| m.modified())
        .unwrap();
    let relock = ctx.bosun(&["lock"]).ok();
    assert!(
        relock.stderr.contains("bosun.lock is up to date"),
        "{relock:?}"
    );
    let requests = f.server.requests_since(before, "");
    assert!(
        requests.len() >= 2
            && requests
                .iter()
                .all(|(path, status)| path.ends_with("/InRelease") && *status == 304),
        "{requests:?}"
    );
    assert_eq!(
        f.server
            .connections
            .load(std::sync::atomic::Ordering::Relaxed),
        connections + 1,
        "one kept-alive connection serves every suite"
    );
    assert_eq!(
        std::fs::metadata(ctx.project().join("bosun.lock"))
            .and_then(|m| m.modified())
            .unwrap(),
        written,
        "an unchanged lock is not rewritten"
    );
    f.repo.publish(
        &format!("{SUITE}-security"),
        &[Pkg::new("libfoo1", "1.0-1+sec2").file("usr/lib/libfoo.so.1", 0o644, "x")],
    );
    let check = ctx.bosun(&["lock", "--check"]);
    assert_eq!(check.code, 1, "{check:?}");
    assert!(
        check
            .stdout
            .contains("libfoo1: 1.0-1+sec1 -> 1.0-1+sec2 (security update)"),
        "{}",
        check.stdout
    );
}

#[test]
fn builds_a_layered_image_and_rebuilds_from_cache() {
    let f = fixture();
    let ctx = context(&f);
    let first = ctx.bosun(&["build", "--format", "json"]).ok();
    let built: serde_json::Value = first.json();
    // Connections are kept alive and reused: no more of them than parallel downloads (8),
    // whatever the number of requests.
    let (requests, connections) = (
        f.server.hits.load(std::sync::atomic::Ordering::Relaxed),
        f.server
            .connections
            .load(std::sync::atomic::Ordering::Relaxed),
    );
    assert!(
        requests >= 12 && connections <= 8,
        "{requests} requests over {connections} connections"
    );
    let layers = built[0]["layers"]["amd64"].as_array().unwrap().clone();
    assert_eq!(layers.len(), 3, "core, hello packages, app");
    assert!(layers.iter().all(|l| l["cached"] == false));
    let hits_before = f.server.hits.load(std::sync::atomic::Ordering::Relaxed);
    let again = ctx.bosun(&["build", "--locked", "--format", "json"]).ok();
    let rebuilt: serde_json::Value = again.json();
    assert_eq!(rebuilt[0]["digest"], built[0]["digest"]);
    assert!(
        rebuilt[0]["layers"]["amd64"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["cached"] == true)
    );
    assert_eq!(
        f.server.hits.load(std::sync::atomic::Ordering::Relaxed),
        hits_before,
        "a locked rebuild touches no network"
    );
    // --no-cache builds every layer anew: the same bytes, so the same image.
    let fresh: serde_json::Value = ctx
        .bosun(&["build", "--locked", "--no-cache", "--format", "json"])
        .ok()
        .json();
    assert_eq!(fresh[0]["digest"], built[0]["digest"]);
    assert!(
        fresh[0]["layers"]["amd64"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["cached"] == false),
        "{fresh}"
    );
    let names: Vec<String> = images(&ctx)
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["hello:1", "hello:latest"]);
    // A single-platform image names its platform too, and its size is that platform's.
    let listed = &images(&ctx)[0];
    assert_eq!(listed["platforms"], serde_json::json!(["linux/amd64"]));
    assert_eq!(listed["size"], listed["platform_sizes"][0]);
    let table = ctx.bosun(&["images"]).ok();
    assert!(table.stdout.contains("linux/amd64"), "{}", table.stdout);
    // `-q` prints the result only: each image's names and digest.
    let quiet = ctx.bosun(&["-q", "build", "--locked"]).ok();
    assert_eq!(quiet.stdout.lines().count(), 1, "{}", quiet.stdout);
    assert!(quiet.stdout.starts_with("hello:1, hello:latest  sha256:"));

    // Changing only the app file changes only the last layer.
    ctx.write("app/msg.txt", "changed\n");
    let changed = ctx.bosun(&["build", "--locked", "--format", "json"]).ok();
    let changed: serde_json::Value = changed.json();
    let new_layers = changed[0]["layers"]["amd64"].as_array().unwrap();
    assert_eq!(new_layers[0]["digest"], layers[0]["digest"]);
    assert_eq!(new_layers[1]["digest"], layers[1]["digest"]);
    assert_ne!(new_layers[2]["digest"], layers[2]["digest"]);
}

#[test]
fn image_content_is_distroless_and_readable_by_umoci_and_skopeo() {
    let f = fixture();
    let ctx = context(&f);
    ctx.bosun(&["build"]).ok();
    let layout = ctx.dir.path().join("layout");
    let copied = ctx
        .bosun(&[
            "copy",
            "hello:1",
            &format!("oci:{}:hello", layout.display()),
        ])
        .ok();
    // A single-platform image: the digest said is its manifest's, and says so.
    assert!(
        copied.stderr.contains("(manifest sha256:"),
        "{}",
        copied.stderr
    );
    if let Some(skopeo) = peer("skopeo") {
        let out = Command::new(skopeo)
            .args([
                "inspect",
                "--config",
                &format!("oci:{}:hello", layout.display()),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let config: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(config["config"]["User"], "65532");
        assert_eq!(config["rootfs"]["diff_ids"].as_array().unwrap().len(), 3);
    }
    let Some(umoci) = peer("umoci") else { return };
    let bundle = ctx.dir.path().join("bundle");
    let out = Command::new(umoci)
        .args([
            "unpack",
            "--rootless",
            "--image",
            &format!("{}:hello", layout.display()),
            bundle.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = bundle.join("rootfs");
    let read =
        |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    assert_eq!(
        read("usr/lib/x86_64-linux-gnu/libfoo.so.1"),
        "foo 1.0 patched",
        "merged-/usr and the security version"
    );
    assert_eq!(
        std::fs::read_link(root.join("lib")).unwrap(),
        Path::new("usr/lib")
    );
    assert_eq!(
        std::fs::read_link(root.join("usr/lib/x86_64-linux-gnu/libfoo.so")).unwrap(),
        Path::new("libfoo.so.1")
    );
    assert_eq!(read("etc/os-release"), read("usr/lib/os-release"));
    let bundle_text = read("etc/ssl/certs/ca-certificates.crt");
    assert!(
        bundle_text.find("AAAA").unwrap() < bundle_text.find("BBBB").unwrap(),
        "sorted, concatenated CA bundle"
    );
    assert!(read("etc/passwd").contains("nonroot:x:65532:65532:"));
    assert!(read("var/lib/dpkg/status.d/hello").contains("Package: hello\n"));
    assert!(read("var/lib/dpkg/status.d/hello.md5sums").contains("  usr/bin/busybox\n"));
    assert!(root.join("usr/share/doc/hello/copyright").exists());
    assert!(
        !root
            .join("usr/share/doc/hello/changelog.Debian.gz")
            .exists(),
        "docs dropped"
    );
    assert!(
        !root.join("usr/share/man/man1/hello.1.gz").exists(),
        "man pages dropped"
    );
    // The spec names no `exclude`: the default keeps every maintainer-script tool out.
    for absent in [
        "usr/bin/dpkg",
        "usr/bin/sh",
        "usr/bin/dash",
        "usr/bin/tar",
        "usr/bin/apt-get",
        "usr/bin/debconf",
        "usr/bin/perl",
        "usr/bin/mawk",
    ] {
        assert!(
            root.join(absent).symlink_metadata().is_err(),
            "{absent} is in the image"
        );
    }
    assert!(
        root.join("usr/bin/less").exists(),
        "a runtime dependency is still followed"
    );
    assert!(!root.join("app/.env").exists(), ".dockerignore honoured");
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        std::fs::metadata(root.join("tmp")).unwrap().mode() & 0o7777,
        0o1777
    );
}

#[test]
fn runs_under_podman_as_nonroot() {
    let (Some(podman), Some(_)) = (peer("podman"), bosun_test::static_busybox()) else {
        return;
    };
    let f = fixture();
    let ctx = context(&f);
    ctx.bosun(&["build"]).ok();
    let archive = ctx.dir.path().join("hello.tar");
    ctx.bosun(&[
        "copy",
        "hello:1",
        &format!("docker-archive:{}", archive.display()),
    ])
    .ok();
    let conf = ctx.dir.path().join("containers.conf");
    std::fs::write(&conf, "[containers]\ndefault_ulimits = []\n").unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(&podman)
            .env("CONTAINERS_CONF", &conf)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "podman {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let loaded = run(&["load", "-q", "-i", archive.to_str().unwrap()]);
    assert!(loaded.contains("hello:1"), "{loaded}");
    assert_eq!(
        run(&["run", "--rm", "localhost/hello:1"]),
        "hello from a bosun fixture\n"
    );
    assert_eq!(
        run(&[
            "run",
            "--rm",
            "--entrypoint",
            "/usr/bin/busybox",
            "localhost/hello:1",
            "id",
            "-u"
        ])
        .trim(),
        "65532"
    );
    let _ = Command::new(&podman)
        .env("CONTAINERS_CONF", &conf)
        .args(["rmi", "-f", "localhost/hello:1"])
        .output();
}

#[test]
fn same_lock_same_digest_across_stores_and_directories() {
    let f = fixture();
    let a = context(&f);
    a.bosun(&["lock"]).ok();
    let b = context(&f);
    std::fs::copy(
        a.project().join("bosun.lock"),
        b.project().join("bosun.lock"),
    )
    .unwrap();
    let one = a.bosun(&["build", "--locked", "--format", "json"]).ok();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let two = b
        .bosun(&[
            "build",
            "--locked",
            "--format",
            "json",
            "-f",
            b.project().join("bosun.toml").to_str().unwrap(),
        ])
        .ok();
    let d = |r: &bosun_test::Run| {
        serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap()[0]["digest"].clone()
    };
    assert_eq!(d(&one), d(&two));
    // A fresh store of the same user takes the layers worth keeping (the package layer with
    // busybox) from the user's shared layer cache instead of building them: the same image.
    let cached = |r: &bosun_test::Run| -> Vec<bool> {
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        v[0]["layers"]["amd64"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["cached"].as_bool().unwrap())
            .collect()
    };
    assert_eq!(cached(&one), [false, false, false]);
    let fresh = |ctx: &Context| {
        let mut cmd = ctx.command(&["build", "--locked", "--format", "json"]);
        cmd.env("BOSUN_STORE", ctx.dir.path().join("fresh-store"));
        cmd
    };
    let out = fresh(&a).output().unwrap();
    let three = bosun_test::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_eq!(d(&three), d(&one), "{}", three.stderr);
    assert_eq!(
        cached(&three),
        [false, true, false],
        "only the package layer is big enough"
    );
    // Turned off, nothing is shared.
    let out = fresh(&b)
        .env("BOSUN_LAYER_CACHE_MAX", "0")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v[0]["layers"]["amd64"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["cached"] == false),
        "{v}"
    );
}

#[test]
fn tampered_or_wrongly_signed_release_is_refused() {
    let f = fixture();
    let ctx = context(&f);
    let inrelease = f.repo.root().join("dists/bosuntest/InRelease");
    let text = std::fs::read_to_string(&inrelease).unwrap();
    std::fs::write(
        &inrelease,
        text.replacen("Label: bosun fixture", "Label: bosun fixturf", 1),
    )
    .unwrap();
    ctx.bosun(&["lock"]).fails(2, "signature check failed");
    std::fs::write(&inrelease, &text).unwrap();
    // A genuine, signed release of another suite replayed in place of this one.
    let updates = std::fs::read(f.repo.root().join("dists/bosuntest-updates/InRelease")).unwrap();
    std::fs::write(&inrelease, updates).unwrap();
    ctx.bosun(&["lock"]).fails(
        2,
        "signed release is for bosuntest-updates/bosuntest-updates, not bosuntest",
    );
    std::fs::write(&inrelease, &text).unwrap();
    let other = FixtureRepo::new();
    let mut wrong = context(&f);
    wrong.set("BOSUN_KEYRING", other.keyring.to_str().unwrap());
    wrong
        .bosun(&["build"])
        .fails(2, "no valid signature from a key in the keyring");
    assert!(images(&wrong).is_empty(), "nothing written to the store");
}

#[test]
fn tampered_index_and_deb_are_refused() {
    let f = fixture();
    let ctx = context(&f);
    ctx.bosun(&["lock"]).ok();
    // A .deb that changed after locking.
    let deb = f.repo.root().join("pool/main/h/hello_2.10-1_amd64.deb");
    let mut bytes = std::fs::read(&deb).unwrap();
    let n = bytes.len();
    bytes[n - 10] ^= 0xff;
    std::fs::write(&deb, bytes).unwrap();
    ctx.bosun(&["build", "--locked"]).fails(2, "hash mismatch");
    assert!(
        images(&ctx).is_empty(),
        "nothing tagged after a refused download"
    );
    // An index that does not match the signed release.
    let index = f
        .repo
        .root()
        .join("dists/bosuntest/main/binary-amd64/Packages.xz");
    std::fs::write(&index, b"garbage").unwrap();
    context(&f).bosun(&["lock"]).fails(2, "hash mismatch");
}

#[test]
fn hostile_deb_is_refused() {
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "bosun.toml",
        &SPEC.replace("packages = [\"hello\"]", "packages = [\"evil\"]"),
    );
    ctx.bosun(&["build"]).fails(2, "unsafe path");
    assert!(images(&ctx).is_empty());
}

#[test]
fn expired_release_is_refused() {
    let f = fixture();
    f.repo.publish_with(SUITE, &packages(), &[], -60);
    context(&f).bosun(&["lock"]).fails(2, "expired");
}

#[test]
fn resolution_errors_name_the_package_and_chain() {
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "bosun.toml",
        &SPEC.replace("packages = [\"hello\"]", "packages = [\"helo\"]"),
    );
    let typo = ctx.bosun(&["lock"]).fails(
        2,
        "cannot resolve image.hello: unknown package `helo` in bosuntest/main amd64 (did you mean hello",
    );
    assert_eq!(
        typo.stderr.matches("unknown package").count(),
        1,
        "the cause is said once: {}",
        typo.stderr
    );
    ctx.write(
        "bosun.toml",
        &SPEC.replace("packages = [\"hello\"]", "packages = [\"needs-ghost\"]"),
    );
    ctx.bosun(&["lock"]).fails(
        2,
        "cannot resolve image.hello: needs-ghost -> libghost (>= 2): only 1.0 available in bosuntest/main amd64",
    );
}

#[test]
fn bad_inputs_get_one_line_errors() {
    let f = fixture();
    let mut ctx = context(&f);
    ctx.write(
        "bosun.toml",
        "[debian]\nsuite = \"bosuntest\"\n[image.x]\npackages = [\"hello\"\n",
    );
    ctx.bosun(&["build"])
        .fails(2, "bosun.toml:4:20: unclosed array");
    ctx.write("bosun.toml", SPEC);
    std::fs::remove_dir_all(ctx.project().join("app")).unwrap();
    std::os::unix::fs::symlink("/etc", ctx.project().join("app")).unwrap();
    ctx.bosun(&["build"])
        .fails(2, "outside the project directory");
    std::fs::remove_file(ctx.project().join("app")).unwrap();
    ctx.write("app/msg.txt", "x");
    ctx.set("BOSUN_DEBIAN_MIRROR", "http://127.0.0.1:9");
    ctx.bosun(&["lock"]).fails(
        2,
        "cannot fetch http://127.0.0.1:9/dists/bosuntest/InRelease",
    );
    let mut none = Context::new();
    none.write("bosun.toml", SPEC);
    none.set("BOSUN_KEYRING", f.repo.keyring.to_str().unwrap());
    none.bosun(&["lock"]).fails(2, "no Debian mirror found");
    ctx.set("BOSUN_DEBIAN_MIRROR", &f.server.url());
    ctx.bosun(&["lock"]).ok();
    ctx.write(
        "bosun.toml",
        &SPEC.replace("\"hello\"]", "\"hello\", \"mawk\"]"),
    );
    ctx.bosun(&["build", "--locked"]).fails(2, "out of date");
}

#[test]
fn concurrent_builds_share_one_store() {
    let f = fixture();
    let a = context(&f);
    a.bosun(&["lock"]).ok();
    let b = context(&f);
    std::fs::copy(
        a.project().join("bosun.lock"),
        b.project().join("bosun.lock"),
    )
    .unwrap();
    b.write(
        "bosun.toml",
        &SPEC.replace(
            "tags = [\"hello:1\", \"hello:latest\"]",
            "tags = [\"other:1\"]",
        ),
    );
    let mut b_env = b.env.clone();
    b_env.retain(|(k, _)| k != "BOSUN_STORE");
    let mut children = Vec::new();
    for _ in 0..2 {
        children.push(
            a.command(&["build", "--locked"])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let mut cmd = b.command(&["build"]);
        cmd.env("BOSUN_STORE", a.store());
        children.push(cmd.stderr(std::process::Stdio::piped()).spawn().unwrap());
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let names: Vec<String> = images(&a)
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["hello:1", "hello:latest", "other:1"]);
    a.bosun(&["gc"]).ok();
    a.bosun(&[
        "copy",
        "other:1",
        &format!("oci-archive:{}", a.dir.path().join("o.tar").display()),
    ])
    .ok();
}

#[test]
fn interrupted_build_leaves_a_consistent_store() {
    let f = fixture();
    let ctx = context(&f);
    ctx.bosun(&["lock"]).ok();
    for delay_ms in [5, 50, 200] {
        let mut child = ctx.command(&["build", "--locked"]).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let _ = child.wait();
        // Whatever point it stopped at, the store opens, lists and collects garbage.
        images(&ctx);
        ctx.bosun(&["gc"]).ok();
    }
    ctx.bosun(&["build", "--locked"]).ok();
    assert_eq!(images(&ctx).len(), 2);
}

#[test]
fn corrupt_cache_entry_is_fetched_again() {
    let f = fixture();
    let ctx = context(&f);
    let built: serde_json::Value = ctx.bosun(&["build", "--format", "json"]).ok().json();
    // Built again from the packages' fast copies: the same image.
    let mut again = context(&f);
    again.set(
        "BOSUN_CACHE_DIR",
        ctx.dir.path().join("cache").to_str().unwrap(),
    );
    let rebuilt: serde_json::Value = again.bosun(&["build", "--format", "json"]).ok().json();
    assert_eq!(rebuilt[0]["digest"], built[0]["digest"]);
    // The .debs and their fast copies, the uncompressed indexes, and the kept InRelease
    // copies all go bad.
    let mut corrupted = 0;
    for dir in ["debs-v1", "debs-zstd-v1", "indexes-v1", "changing-v1"] {
        for e in std::fs::read_dir(ctx.dir.path().join("cache").join(dir)).unwrap() {
            let path = e.unwrap().path();
            if !path.to_string_lossy().ends_with(".validators") {
                std::fs::write(path, b"corrupt").unwrap();
                corrupted += 1;
            }
        }
    }
    assert!(corrupted >= 10, "{corrupted} cache entries");
    let mut fresh = context(&f);
    fresh.set(
        "BOSUN_CACHE_DIR",
        ctx.dir.path().join("cache").to_str().unwrap(),
    );
    fresh.bosun(&["lock"]).ok();
    assert_eq!(lock_toml(&fresh), lock_toml(&ctx));
    let repaired: serde_json::Value = fresh
        .bosun(&["build", "--locked", "--format", "json"])
        .ok()
        .json();
    assert_eq!(repaired[0]["digest"], built[0]["digest"]);
}

#[test]
fn init_writes_a_spec_that_parses_and_zstd_layers_build() {
    let f = fixture();
    let ctx = context(&f);
    let dir = ctx.dir.path().join("fresh");
    ctx.bosun(&["init", "python", "--dir", dir.to_str().unwrap()])
        .ok();
    bosun_spec::Spec::load(&dir.join("bosun.toml")).unwrap();
    assert!(dir.join("app/main.py").exists());
    // Editors find the schema: a `#:schema` line, and the schema itself beside the spec.
    let spec = std::fs::read_to_string(dir.join("bosun.toml")).unwrap();
    assert!(spec.starts_with("#:schema ./bosun.schema.json\n"), "{spec}");
    assert_eq!(
        std::fs::read_to_string(dir.join("bosun.schema.json")).unwrap(),
        ctx.bosun(&["spec", "schema"]).ok().stdout
    );
    ctx.bosun(&["init", "python", "--dir", dir.to_str().unwrap()])
        .fails(2, "already exists");
    // The web starters: the app, its manifest with exact pins, and a spec that takes the
    // dependencies from the lockfile the app's own tool writes next.
    for (template, manifest, next) in [
        ("flask", "pyproject.toml", "uv lock"),
        ("express", "package.json", "npm install --package-lock-only"),
    ] {
        let dir = ctx.dir.path().join(template);
        let out = ctx
            .bosun(&["init", template, "--dir", dir.to_str().unwrap()])
            .ok();
        assert!(out.stderr.contains(next), "{}", out.stderr);
        let spec = bosun_spec::Spec::load(&dir.join("bosun.toml")).unwrap();
        assert!(dir.join(manifest).exists());
        let image = spec.image.values().next().unwrap();
        assert!(image.python.is_some() || image.node.is_some());
        assert_eq!(image.user, None, "nonroot by default");
    }
    ctx.write(
        "bosun.toml",
        &SPEC.replace("tags = [", "compression = \"zstd\"\ntags = ["),
    );
    let built: serde_json::Value =
        serde_json::from_str(&ctx.bosun(&["build", "--format", "json"]).ok().stdout).unwrap();
    // Two specs in one directory: each locks into its own file, and neither moves the other.
    let main_lock = lock_toml(&ctx);
    ctx.write(
        "other.toml",
        &SPEC.replace("packages = [\"hello\"]", "packages = [\"hello\", \"less\"]"),
    );
    ctx.bosun(&["lock", "--file", "other.toml"]).ok();
    assert!(
        std::fs::read_to_string(ctx.project().join("other.lock"))
            .unwrap()
            .contains("name = \"less\"")
    );
    assert_eq!(lock_toml(&ctx), main_lock);
    ctx.bosun(&["lock", "--check", "--file", "other.toml"]).ok();
    ctx.bosun(&["build", "--locked", "--file", "other.toml"])
        .ok();
    ctx.bosun(&["lock", "--check"]).ok();
    let digest = built[0]["digest"].as_str().unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&store_blob(&ctx, digest)).unwrap();
    assert!(
        manifest["layers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["mediaType"] == "application/vnd.oci.image.layer.v1.tar+zstd")
    );
    if let Some(skopeo) = peer("skopeo") {
        let out = Command::new(skopeo)
            .args(["inspect", &format!("oci:{}:hello:1", ctx.store().display())])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// What users read, snapshotted (insta): help, the build table, `images`, `inspect`,
/// `lock --check`, and the one-line errors of the common mistakes. A change to any of it shows
/// as a diff of `tests/snapshots/` in review. What varies from run to run is filtered: the
/// fixture's temporary paths and port, and the digests (the fixture repository is signed and
/// dated anew on every run, so its images' timestamps and digests change).
#[test]
fn what_users_read() {
    let f = fixture();
    let ctx = context(&f);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    let root = ctx.dir.path().display().to_string();
    settings.add_filter(&regex_escape(&root), "[TMP]");
    settings.add_filter(&regex_escape(&f.server.url()), "[MIRROR]");
    settings.add_filter(r"sha256:[0-9a-f]{64}", "sha256:[DIGEST]");
    settings.add_filter(r"\b[0-9a-f]{12}\b", "[SHORT]");
    settings.add_filter(r"in \d+\.\d+s", "in [TIME]");
    settings.add_filter(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "[DATE]");
    // Sizes with the padding before them: busybox's size, for one, is the machine's.
    settings.add_filter(r" *\d+(\.\d+)? (B|kB|MB|GB)\b", " [SIZE]");
    settings.bind(|| {
        let show = |run: bosun_test::Run| {
            format!(
                "exit: {}\n--- stdout\n{}--- stderr\n{}",
                run.code, run.stdout, run.stderr
            )
        };
        for (name, args) in [
            ("help", vec!["--help"]),
            ("build_help", vec!["build", "--help"]),
            ("lock_help", vec!["lock", "--help"]),
        ] {
            insta::assert_snapshot!(name, show(ctx.bosun(&args)));
        }
        insta::assert_snapshot!("lock", show(ctx.bosun(&["lock"])));
        insta::assert_snapshot!("lock_check", show(ctx.bosun(&["lock", "--check"])));
        insta::assert_snapshot!("lock_why", show(ctx.bosun(&["lock", "--why", "libfoo1"])));
        insta::assert_snapshot!("build", show(ctx.bosun(&["build", "--locked"])));
        insta::assert_snapshot!("images", show(ctx.bosun(&["images"])));
        insta::assert_snapshot!("inspect", show(ctx.bosun(&["inspect", "hello:latest"])));
        // Errors: one line each, naming what is wrong.
        insta::assert_snapshot!("error_no_image", show(ctx.bosun(&["inspect", "nope:1"])));
        insta::assert_snapshot!("error_build_unknown", show(ctx.bosun(&["build", "nope"])));
        ctx.write("bosun.toml", &SPEC.replace("[\"hello\"]", "[\"helo\"]"));
        insta::assert_snapshot!("error_unknown_package", show(ctx.bosun(&["lock"])));
        insta::assert_snapshot!("error_stale_lock", show(ctx.bosun(&["build", "--locked"])));
        ctx.write(
            "bosun.toml",
            "[debian]\nsuite = \"bosuntest\"\n[image.x]\npackages = [\"hello\"\n",
        );
        insta::assert_snapshot!("error_bad_toml", show(ctx.bosun(&["lock"])));
        ctx.write(
            "bosun.toml",
            &SPEC.replace("bases = [\"core\"]", "bases = [\"kore\"]"),
        );
        insta::assert_snapshot!("error_unknown_base", show(ctx.bosun(&["lock"])));
        ctx.write(
            "bosun.toml",
            &SPEC.replace("src = \"app/\"", "src = \"gone/\""),
        );
        insta::assert_snapshot!("error_copy_missing", show(ctx.bosun(&["build"])));
    });
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

/// The build writes SBOMs beside the image: SPDX and CycloneDX artifacts whose subject is the
/// manifest, found as referrers in the store's index. They hold the lock's facts (each .deb's
/// sha256), agree with a catalogue of the built image on every Debian package, list the app
/// files, validate with the peers' validators, are not written twice, travel with
/// `copy --artifacts`, and go when their image does.
#[test]
fn build_writes_sboms_beside_the_image() {
    let f = fixture();
    let ctx = context(&f);
    ctx.bosun(&["build"]).ok();
    let index = || -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(ctx.store().join("index.json")).unwrap())
            .unwrap()
    };
    let unnamed = |index: &serde_json::Value| -> usize {
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["annotations"]["org.opencontainers.image.ref.name"].is_null())
            .count()
    };
    assert_eq!(
        unnamed(&index()),
        2,
        "an SPDX and a CycloneDX artifact: {}",
        index()
    );
    let spdx: serde_json::Value = serde_json::from_str(
        &ctx.bosun(&["sbom", "-o", "spdx-json", "hello:1"])
            .ok()
            .stdout,
    )
    .unwrap();
    let catalogued: serde_json::Value = serde_json::from_str(
        &ctx.bosun(&["sbom", "-o", "json", "--catalog", "hello:1"])
            .ok()
            .stdout,
    )
    .unwrap();
    let lock: toml::Table = lock_toml(&ctx).parse().unwrap();
    let locked: std::collections::BTreeMap<String, String> = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let debs: std::collections::BTreeSet<(String, String)> = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["externalRefs"][0]["referenceLocator"]
                .as_str()
                .is_some_and(|l| l.starts_with("pkg:deb/"))
        })
        .map(|p| {
            let name = p["name"].as_str().unwrap().to_string();
            assert_eq!(
                p["checksums"][0]["checksumValue"].as_str(),
                locked.get(&name).map(String::as_str),
                "{name}: the .deb's sha256"
            );
            (name, p["versionInfo"].as_str().unwrap().to_string())
        })
        .collect();
    let found: std::collections::BTreeSet<(String, String)> = catalogued["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "deb")
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        debs, found,
        "the build's SBOM and a catalogue of the image agree"
    );
    assert_eq!(debs.len(), locked.len());
    assert!(
        spdx["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["fileName"] == "./app/msg.txt"),
        "{spdx}"
    );
    // The peers' validators accept what the build stored.
    let (file, cdx) = (
        ctx.dir.path().join("build.spdx.json"),
        ctx.dir.path().join("build.cdx.json"),
    );
    for (format, path) in [("spdx-json", &file), ("cyclonedx-json", &cdx)] {
        ctx.bosun(&[
            "sbom",
            "-o",
            format,
            "--file",
            path.to_str().unwrap(),
            "hello:1",
        ])
        .ok();
    }
    bosun_test::validate_sboms(&file, &cdx);
    // A rebuild that changes nothing writes nothing new.
    ctx.bosun(&["build", "--locked"]).ok();
    assert_eq!(unnamed(&index()), 2);
    // copy --artifacts takes them along to an OCI layout; bosun still reads the image by name.
    let layout = ctx.dir.path().join("with-sboms");
    ctx.bosun(&[
        "copy",
        "--artifacts",
        "hello:1",
        &format!("oci:{}:hello", layout.display()),
    ])
    .ok();
    let copied: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(layout.join("index.json")).unwrap()).unwrap();
    assert_eq!(copied["manifests"].as_array().unwrap().len(), 3, "{copied}");
    ctx.bosun(&["inspect", &format!("oci:{}", layout.display())])
        .ok();
    // They go with their image.
    ctx.bosun(&["rm", "hello:1", "hello:latest"]).ok();
    ctx.bosun(&["gc"]).ok();
    assert_eq!(unnamed(&index()), 0, "{}", index());
}

/// An image built without the security suite is scanned against the mirror: the security
/// update is found, with the CVE its changelog names since the installed version (and not the
/// older one), `--fail-on fixable` fails, and the JSON says how fresh the mirror's data is.
#[test]
fn scan_finds_security_updates_and_their_cves() {
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "bosun.toml",
        &SPEC.replace(
            "suite = \"bosuntest\"",
            "suite = \"bosuntest\"\nsecurity = false",
        ),
    );
    ctx.bosun(&["build"]).ok();
    let lock = lock_toml(&ctx);
    assert!(lock.contains("version = \"1.0-1\""), "{lock}");
    let out = ctx
        .bosun(&[
            "scan",
            "--suite",
            "bosuntest",
            "--format",
            "json",
            "hello:1",
        ])
        .ok();
    let report: serde_json::Value = out.json();
    let updates = report["updates"].as_array().unwrap();
    assert_eq!(updates.len(), 1, "{report}");
    assert_eq!(updates[0]["package"], "libfoo1");
    assert_eq!(updates[0]["installed"], "1.0-1");
    assert_eq!(updates[0]["available"], "1.0-1+sec1");
    assert_eq!(updates[0]["suite"], "bosuntest-security");
    assert_eq!(updates[0]["security"], true);
    assert_eq!(updates[0]["cves"], serde_json::json!(["CVE-2026-31337"]));
    assert!(report["mirror_date"].as_str().unwrap().ends_with('Z'));
    // No advisory database here: the JSON says so, and a severity gate fails closed, naming
    // why, unless told to pass unchecked.
    assert_eq!(report["advisory_data"], "missing");
    ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--fail-on",
        "high",
        "hello:1",
    ])
    .fails(
        1,
        "--fail-on checks nothing: no vulnerability database was read",
    );
    ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--fail-on",
        "high",
        "--allow-missing-db",
        "hello:1",
    ])
    .ok();
    let table = ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--fail-on",
        "fixable",
        "hello:1",
    ]);
    assert_eq!(table.code, 1, "{}{}", table.stdout, table.stderr);
    assert!(table.stdout.contains("CVE-2026-31337"), "{}", table.stdout);
    // An SBOM file scans as its image does, in either format.
    for format in ["spdx-json", "cyclonedx-json"] {
        let file = ctx.dir.path().join(format!("hello.{format}"));
        ctx.bosun(&[
            "sbom",
            "-o",
            format,
            "--file",
            file.to_str().unwrap(),
            "hello:1",
        ])
        .ok();
        let out = ctx
            .bosun(&[
                "scan",
                "--suite",
                "bosuntest",
                "--format",
                "json",
                file.to_str().unwrap(),
            ])
            .ok();
        let from_file: serde_json::Value = out.json();
        assert_eq!(from_file["updates"], report["updates"], "{format}");
    }
    // The image bosun built from the full lock has nothing to fix.
    ctx.write("bosun.toml", SPEC);
    ctx.bosun(&["build"]).ok();
    ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--fail-on",
        "fixable",
        "hello:1",
    ])
    .ok();
    // Without a release to look in, it says what to pass.
    ctx.bosun(&["scan", "hello:1"]).fails(2, "pass --suite");
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

/// `bosun db update` from a tracker export and OSV zips on loopback, then `bosun scan`: an
/// image built from a lock without the security suite gets each entry's verdict as the
/// tracker states it (vulnerable with the fixed version and where the mirror has it now,
/// unfixed, undetermined, minor with the no-DSA reason, end-of-life; unimportant and not
/// affected ones only with --all), OSV's verdicts on its Python and npm packages by their
/// version rules; ignore rules, VEX statements, --fail-on levels and SARIF; after a
/// security-only relock the Debian part is clean.
#[test]
fn scan_gives_each_advisory_the_trackers_verdict() {
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "bosun.toml",
        &SPEC.replace(
            "suite = \"bosuntest\"",
            "suite = \"bosuntest\"\nsecurity = false",
        ),
    );
    ctx.write(
        "app/site-packages/requests-2.0.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: Requests\nVersion: 2.0.0\n",
    );
    ctx.write(
        "app/node_modules/lodash/package.json",
        r#"{"name": "lodash", "version": "4.17.20"}"#,
    );
    ctx.bosun(&["build"]).ok();
    let server = advisory_server();
    let db = ctx.dir.path().join("db");
    let db = db.to_str().unwrap();
    let tracker = format!("{}/tracker/json", server.url());
    let osv = format!("{}/osv", server.url());
    let update = ctx
        .bosun(&[
            "db",
            "update",
            "--db",
            db,
            "--tracker-url",
            &tracker,
            "--osv-url",
            &osv,
        ])
        .ok();
    assert!(update.stderr.contains("updated"), "{}", update.stderr);
    let status = ctx
        .bosun(&["db", "status", "--db", db, "--format", "json"])
        .ok();
    let sources: serde_json::Value = status.json();
    let names: Vec<&str> = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["debian", "pypi", "npm", "go", "crates.io"]);
    assert_eq!(
        sources[0]["releases"],
        serde_json::json!(["bosuntest", "trixie"])
    );

    let scan = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "scan",
            "--suite",
            "bosuntest",
            "--db",
            db,
            "--format",
            "json",
        ];
        args.extend(extra);
        args.push("hello:1");
        serde_json::from_str(&ctx.bosun(&args).ok().stdout).unwrap()
    };
    let all = scan(&["--all"]);
    let verdicts: BTreeMap<(String, String), &serde_json::Value> = all["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let key = (
                v["package"].as_str().unwrap().to_string(),
                v["id"].as_str().unwrap().to_string(),
            );
            (key, v)
        })
        .collect();
    let verdict = |package: &str, id: &str| -> &serde_json::Value {
        verdicts
            .get(&(package.to_string(), id.to_string()))
            .unwrap_or_else(|| panic!("no {id} for {package}: {all}"))
    };
    let sec = verdict("libfoo1", "CVE-2026-31337");
    assert_eq!(sec["status"], "vulnerable");
    assert_eq!(sec["source"], "foo");
    assert_eq!(sec["severity"], "high");
    assert_eq!(sec["fixed_version"], "1.0-1+sec1");
    assert_eq!(sec["fix_now"]["suite"], "bosuntest-security");
    assert_eq!(
        verdict("libfoo1", "CVE-2025-0001")["status"],
        "not-affected"
    );
    assert_eq!(
        verdict("libfoo1", "CVE-2026-0002")["status"],
        "not-affected"
    );
    assert_eq!(verdict("hello", "CVE-2026-1000")["status"], "unfixed");
    assert_eq!(verdict("hello", "CVE-2026-1000")["severity"], "medium");
    assert_eq!(verdict("hello", "CVE-2026-1001")["status"], "undetermined");
    let postponed = verdict("hello", "CVE-2026-1002");
    assert_eq!(postponed["status"], "minor");
    assert_eq!(postponed["reason"], "postponed: Minor issue");
    assert_eq!(
        verdict("hello-data", "CVE-2026-1003")["reason"],
        "ignored: the affected code is not built"
    );
    assert_eq!(verdict("less", "CVE-2026-1004")["urgency"], "unimportant");
    assert_eq!(
        verdict("ca-certificates", "CVE-2026-1005")["status"],
        "end-of-life"
    );
    let requests = verdict("requests", "GHSA-1111");
    assert_eq!(
        (&requests["status"], &requests["fixed_version"]),
        (&"vulnerable".into(), &"2.3.1".into())
    );
    assert_eq!(requests["aliases"], serde_json::json!(["CVE-2026-2000"]));
    assert_eq!(
        verdict("lodash", "GHSA-2222")["severity"],
        "critical",
        "rated from its CVSS vector"
    );
    assert_eq!(
        verdicts.len(),
        11,
        "nothing else, not another release's, not PYSEC-2: {all}"
    );
    assert_eq!(all["database"]["age_days"], 0);
    assert!(all["database"]["fetched"].as_str().unwrap().ends_with('Z'));

    // By default: what affects the image, unimportant ones left out.
    let default = scan(&[]);
    let ids: BTreeSet<&str> = default["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "CVE-2026-31337",
            "CVE-2026-1000",
            "CVE-2026-1001",
            "CVE-2026-1002",
            "CVE-2026-1003",
            "CVE-2026-1005",
            "GHSA-1111",
            "GHSA-2222"
        ])
    );
    assert_eq!(
        default["vulnerabilities"][0]["id"], "GHSA-2222",
        "worst first"
    );
    let fixed_only = scan(&["--ignore-unfixed"]);
    assert_eq!(
        fixed_only["vulnerabilities"].as_array().unwrap().len(),
        3,
        "{fixed_only}"
    );

    // Gates, ignore rules (one expired), VEX.
    let gate = |extra: &[&str]| {
        let mut args = vec!["scan", "--suite", "bosuntest", "--db", db];
        args.extend(extra);
        args.push("hello:1");
        ctx.bosun(&args)
    };
    assert_eq!(gate(&["--fail-on", "critical"]).code, 1);
    let table = gate(&[]).ok();
    assert!(
        table
            .stdout
            .contains("1.0-1+sec1 (now in bosuntest-security)"),
        "{}",
        table.stdout
    );
    assert!(
        table.stderr.contains("advisories of") && table.stderr.contains("0 days old"),
        "{}",
        table.stderr
    );
    ctx.write(
        "ignore.toml",
        "[[ignore]]\nid = \"GHSA-2222\"\nreason = \"lodash is only in the test tooling\"\nexpires = 2099-01-01\n\n\
         [[ignore]]\npackage = \"hello\"\nid = \"CVE-2026-1000\"\nreason = \"was accepted\"\nexpires = 2020-01-01\n",
    );
    let vex = r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
            {"vulnerability": {"name": "CVE-2026-31337"}, "status": "not_affected",
              "justification": "vulnerable_code_not_in_execute_path",
              "products": [{"@id": "hello:1", "subcomponents": [{"@id": "pkg:deb/debian/libfoo1"}]}]}]}"#;
    ctx.write("app.vex.json", vex);
    let ignore = ctx.project().join("ignore.toml");
    let vex = ctx.project().join("app.vex.json");
    let judged = [
        "--ignore-file",
        ignore.to_str().unwrap(),
        "--vex",
        vex.to_str().unwrap(),
    ];
    let out = gate(&[&judged[..], &["--fail-on", "critical"]].concat()).ok();
    assert!(
        out.stderr.contains("expired on 2020-01-01"),
        "{}",
        out.stderr
    );
    assert_eq!(
        gate(&[&judged[..], &["--fail-on", "high"]].concat()).code,
        1,
        "requests is high"
    );
    let report = scan(&judged);
    let ignored: BTreeMap<&str, &str> = report["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap(),
                i["ignored_because"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(ignored.len(), 2, "{report}");
    assert!(ignored["GHSA-2222"].contains("only in the test tooling"));
    assert!(
        ignored["CVE-2026-31337"].contains("VEX not_affected: vulnerable_code_not_in_execute_path")
    );
    assert!(
        report["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["id"] == "CVE-2026-1000"),
        "the expired rule ignores nothing"
    );

    // SARIF: one result per reported finding, each under a rule.
    let sarif: serde_json::Value =
        serde_json::from_str(&gate(&["--format", "sarif"]).ok().stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 8);
    let rules: BTreeSet<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        results
            .iter()
            .all(|r| rules.contains(r["ruleId"].as_str().unwrap()))
    );
    assert_eq!(results[0]["level"], "error");

    // Offline: the database alone.
    let offline = scan(&["--offline"]);
    assert!(offline.get("mirror_date").is_none(), "{offline}");
    assert_eq!(offline["vulnerabilities"], {
        let mut v = default["vulnerabilities"].clone();
        for f in v.as_array_mut().unwrap() {
            f.as_object_mut().unwrap().remove("fix_now");
        }
        v
    });

    // The fix taken: the Debian part of the scan has nothing with a fix left.
    ctx.write("bosun.toml", SPEC);
    ctx.bosun(&["lock", "--update", "--security-only"]).ok();
    ctx.bosun(&["build"]).ok();
    let after = scan(&[]);
    assert!(
        after["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["ecosystem"] != "debian" || v["status"] != "vulnerable"),
        "{after}"
    );

    // Clear errors.
    ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--db",
        "/nonexistent/db",
        "hello:1",
    ])
    .fails(
        2,
        "no vulnerability database in /nonexistent/db: run `bosun db update`",
    );
    let bad = format!("{}/bad/json", server.url());
    ctx.bosun(&[
        "db",
        "update",
        "--db",
        db,
        "--tracker-url",
        &bad,
        "--osv-url",
        &osv,
    ])
    .fails(2, "not the tracker's JSON export");
    let missing = format!("{}/missing", server.url());
    ctx.bosun(&[
        "db",
        "update",
        "--db",
        db,
        "--tracker-url",
        &tracker,
        "--osv-url",
        &missing,
    ])
    .fails(2, "/missing/PyPI/all.zip: HTTP status 404");
    // A failed update leaves the database as it was.
    assert_eq!(scan(&[])["vulnerabilities"], after["vulnerabilities"]);
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

/// `bosun keygen`, `sign` and `verify` on the store, checked by independent implementations:
/// openssl verifies the signature over the payload with the public key; Python's scrypt and
/// PyNaCl open the encrypted private key and `cryptography` finds the same public key. A
/// tampered payload, the wrong key and an unsigned image each fail verification with their
/// reason.
#[test]
fn signs_and_verifies_as_cosign_does() {
    let f = fixture();
    let mut ctx = context(&f);
    ctx.set("BOSUN_PASSWORD", "correct horse");
    ctx.bosun(&["build"]).ok();
    let project = ctx.project();
    ctx.bosun(&["keygen"]).ok();
    let key = project.join("cosign.key");
    let public = project.join("cosign.pub");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let key_pem = std::fs::read_to_string(&key).unwrap();
    assert!(
        key_pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"),
        "{key_pem}"
    );
    ctx.bosun(&["keygen"])
        .fails(2, "cosign.key exists: pass --force");

    assert!(
        ctx.bosun(&["verify", "hello:1", "--key", "cosign.pub"])
            .stderr
            .contains("no signatures found")
    );
    let signed = ctx
        .bosun(&["sign", "hello:1", "--key", "cosign.key", "-a", "build=42"])
        .ok();
    let digest = signed
        .stdout
        .trim()
        .strip_prefix("hello@")
        .unwrap()
        .to_string();
    assert!(digest.starts_with("sha256:"), "{}", signed.stdout);
    let out = ctx
        .bosun(&[
            "verify",
            "hello:1",
            "--key",
            "cosign.pub",
            "--format",
            "json",
        ])
        .ok();
    let payloads: serde_json::Value = out.json();
    assert_eq!(
        payloads[0]["critical"]["image"]["docker-manifest-digest"],
        digest.as_str()
    );
    assert_eq!(
        payloads[0]["critical"]["identity"]["docker-reference"],
        "hello"
    );
    assert_eq!(
        payloads[0]["critical"]["type"],
        "cosign container image signature"
    );
    assert_eq!(payloads[0]["optional"]["build"], "42");
    // The key from the environment works as the file does.
    ctx.set("COSIGN_PUB", &std::fs::read_to_string(&public).unwrap());
    ctx.bosun(&["verify", "hello:1", "--key", "env://COSIGN_PUB"])
        .ok();

    // openssl verifies what bosun signed.
    let signatures = store_signatures(&ctx);
    assert_eq!(signatures.len(), 1);
    let (payload, signature) = &signatures[0];
    let sig_file = ctx.dir.path().join("sig.der");
    std::fs::write(&sig_file, signature).unwrap();
    if let Some(openssl) = peer("openssl") {
        let out = Command::new(openssl)
            .args(["dgst", "-sha256", "-verify"])
            .arg(&public)
            .arg("-signature")
            .arg(&sig_file)
            .arg(payload)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "Verified OK",
            "{out:?}"
        );
    }
    // Python opens the private key as cosign's format says, and finds the same public key.
    let python = bosun_test::peers_venv().join("bin/python");
    let opened = Command::new(&python)
        .arg("-c")
        .arg(
            r#"
import base64, hashlib, json, sys
from nacl.secret import SecretBox
from cryptography.hazmat.primitives import serialization
pem = open(sys.argv[1]).read().strip().splitlines()
sealed = json.loads(base64.b64decode("".join(pem[1:-1])))
kdf = sealed["kdf"]
assert kdf["name"] == "scrypt" and sealed["cipher"]["name"] == "nacl/secretbox", sealed
p = kdf["params"]
key = hashlib.scrypt(b"correct horse", salt=base64.b64decode(kdf["salt"]), n=p["N"], r=p["r"], p=p["p"], maxmem=1 << 26, dklen=32)
der = SecretBox(key).decrypt(base64.b64decode(sealed["ciphertext"]), base64.b64decode(sealed["cipher"]["nonce"]))
private = serialization.load_der_private_key(der, password=None)
sys.stdout.write(private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
"#,
        )
        .arg(&key)
        .output();
    match opened {
        Ok(out) if out.status.success() => assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(&public).unwrap()
        ),
        other => {
            bosun_test::missing_peer(&format!("python with pynacl and cryptography: {other:?}"))
        }
    }

    // The wrong key, and a tampered payload.
    ctx.bosun(&["keygen", "--output-key-prefix", "other"]).ok();
    let wrong = ctx.bosun(&["verify", "hello:1", "--key", "other.pub"]);
    assert_eq!(wrong.code, 1, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("does not match the payload and key"),
        "{}",
        wrong.stderr
    );
    let mut bytes = std::fs::read(payload).unwrap();
    bytes[10] ^= 1;
    let mut perms = std::fs::metadata(payload).unwrap().permissions();
    perms.set_mode(0o644);
    std::fs::set_permissions(payload, perms).unwrap();
    std::fs::write(payload, bytes).unwrap();
    let tampered = ctx.bosun(&["verify", "hello:1", "--key", "cosign.pub"]);
    assert_eq!(tampered.code, 1, "{}", tampered.stderr);
    assert!(
        tampered
            .stderr
            .contains("none of its 1 signatures is valid"),
        "{}",
        tampered.stderr
    );
    // A wrong password, and a missing one, are clear.
    ctx.set("BOSUN_PASSWORD", "wrong");
    ctx.bosun(&["sign", "hello:1", "--key", "cosign.key"])
        .fails(2, "the password does not decrypt the private key");
    ctx.set("BOSUN_PASSWORD", "correct horse");
    ctx.bosun(&[
        "sign",
        &format!("oci:{}", project.display()),
        "--key",
        "cosign.key",
    ])
    .fails(2, "sign and verify images in the store or in a registry");
    ctx.bosun(&["build", "--sign", "--key", "missing.key"])
        .fails(2, "cannot read the key missing.key");
    // build --sign: the rebuilt image (same digest) gets a valid signature beside the
    // tampered one.
    let built = ctx.bosun(&["build", "--sign", "--key", "cosign.key"]).ok();
    assert!(
        built.stderr.contains(&format!("signed hello@{digest}")),
        "{}",
        built.stderr
    );
    let out = ctx
        .bosun(&["verify", "hello:1", "--key", "cosign.pub"])
        .ok();
    assert!(
        out.stderr.contains("signature rejected") && out.stderr.contains("1 valid signature"),
        "{}",
        out.stderr
    );
    // Signing the unchanged image again writes nothing: the same signature, the same SBOM
    // attestations, and its provenance kept.
    let index = std::fs::read(ctx.store().join("index.json")).unwrap();
    let again = ctx.bosun(&["build", "--sign", "--key", "cosign.key"]).ok();
    assert!(
        again.stderr.contains("provenance (kept)"),
        "{}",
        again.stderr
    );
    assert_eq!(
        std::fs::read(ctx.store().join("index.json")).unwrap(),
        index
    );
    // ... and attested its provenance and its SBOMs.
    let attestation = |kind: &str, key: &str| {
        ctx.bosun(&[
            "verify-attestation",
            "hello:1",
            "--key",
            key,
            "--type",
            kind,
            "--format",
            "json",
        ])
    };
    let statements: serde_json::Value =
        serde_json::from_str(&attestation("slsaprovenance", "cosign.pub").ok().stdout).unwrap();
    let statement = &statements[0];
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
    assert_eq!(
        statement["subject"][0]["digest"]["sha256"],
        digest.trim_start_matches("sha256:")
    );
    let definition = &statement["predicate"]["buildDefinition"];
    let lock: toml::Table = lock_toml(&ctx).parse().unwrap();
    let libfoo = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str() == Some("libfoo1"))
        .unwrap();
    let deps = definition["resolvedDependencies"].as_array().unwrap();
    let dep = deps
        .iter()
        .find(|d| {
            d["uri"]
                .as_str()
                .is_some_and(|u| u.starts_with("pkg:deb/debian/libfoo1@"))
        })
        .unwrap_or_else(|| panic!("{definition}"));
    assert_eq!(dep["digest"]["sha256"], libfoo["sha256"].as_str().unwrap());
    assert_eq!(dep["name"], libfoo["filename"].as_str().unwrap());
    // The epoch the layers were clamped to (the lock's), and each layer's real media type.
    assert!(
        definition["internalParameters"]["sourceDateEpoch"]
            .as_i64()
            .is_some_and(|e| e > 0),
        "{definition}"
    );
    for byproduct in statement["predicate"]["runDetails"]["byproducts"]
        .as_array()
        .unwrap()
    {
        assert_eq!(
            byproduct["mediaType"],
            "application/vnd.oci.image.layer.v1.tar+gzip"
        );
    }
    let lock_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        std::fs::read(project.join("bosun.lock")).unwrap(),
    ));
    assert!(
        deps.iter()
            .any(|d| d["name"] == "bosun.lock" && d["digest"]["sha256"] == lock_sha.as_str())
    );
    assert!(
        !deps
            .iter()
            .any(|d| d["uri"].as_str().is_some_and(|u| u.contains("/evil@"))),
        "only the image's packages"
    );
    let run = &statement["predicate"]["runDetails"];
    assert!(
        run["metadata"]["startedOn"].as_str().unwrap()
            <= run["metadata"]["finishedOn"].as_str().unwrap()
    );
    let spdx: serde_json::Value =
        serde_json::from_str(&attestation("spdxjson", "cosign.pub").ok().stdout).unwrap();
    assert_eq!(spdx[0]["predicate"]["spdxVersion"], "SPDX-2.3");
    let cdx: serde_json::Value =
        serde_json::from_str(&attestation("cyclonedx", "cosign.pub").ok().stdout).unwrap();
    assert_eq!(cdx[0]["predicate"]["bomFormat"], "CycloneDX");
    let wrong = attestation("slsaprovenance", "other.pub");
    assert_eq!(wrong.code, 1, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("attestation rejected"),
        "{}",
        wrong.stderr
    );

    // Python checks the DSSE envelopes: the pre-authentication encoding, signed with the key.
    let store = ctx.store();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("index.json")).unwrap()).unwrap();
    let blob = |digest: &str| {
        store
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    };
    let envelopes: Vec<std::path::PathBuf> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| {
            let manifest: serde_json::Value =
                serde_json::from_slice(&std::fs::read(blob(m["digest"].as_str()?)).ok()?).ok()?;
            (manifest["artifactType"] == "application/vnd.dev.cosign.artifact.att.v1+json")
                .then(|| blob(manifest["layers"][0]["digest"].as_str().unwrap()))
        })
        .collect();
    assert_eq!(envelopes.len(), 3, "provenance, SPDX, CycloneDX");
    let checked = Command::new(&python)
        .arg("-c")
        .arg(
            r#"
import base64, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = serialization.load_pem_public_key(open(sys.argv[1], "rb").read())
for path in sys.argv[2:]:
    env = json.load(open(path))
    payload = base64.b64decode(env["payload"])
    t = env["payloadType"].encode()
    pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)
    key.verify(base64.b64decode(env["signatures"][0]["sig"]), pae, ec.ECDSA(hashes.SHA256()))
    print(json.loads(payload)["predicateType"])
"#,
        )
        .arg(&public)
        .args(&envelopes)
        .output();
    match checked {
        Ok(out) if out.status.success() => {
            let mut types: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
            types.sort();
            assert_eq!(
                types,
                [
                    "https://cyclonedx.org/bom",
                    "https://slsa.dev/provenance/v1",
                    "https://spdx.dev/Document"
                ]
            );
        }
        other => bosun_test::missing_peer(&format!("python with cryptography: {other:?}")),
    }

    // Pushed, the signatures and attestations go under cosign's tags; another store
    // verifies them there. (The tampered payload is mended first: a registry refuses a blob
    // whose bytes do not match its digest, as the push said.)
    let mut bytes = std::fs::read(payload).unwrap();
    bytes[10] ^= 1;
    std::fs::write(payload, bytes).unwrap();
    if let Some(reg) = bosun_test::registry::Registry::start(None, bosun_test::registry::Auth::None)
    {
        let remote = format!("docker://{}/team/hello:1", reg.host);
        ctx.bosun(&["copy", "--tls-verify=false", "hello:1", &remote])
            .ok();
        let elsewhere = Context::new();
        let public = public.to_str().unwrap();
        let verified = elsewhere
            .bosun(&["verify", "--tls-verify=false", &remote, "--key", public])
            .ok();
        // Two signatures (one with `-a build=42`), each under cosign's tag and as a
        // referrer: counted once each.
        assert!(
            verified.stderr.contains(": 2 valid signatures for the key"),
            "{}",
            verified.stderr
        );
        let out = elsewhere
            .bosun(&[
                "verify-attestation",
                "--tls-verify=false",
                &remote,
                "--key",
                public,
                "--format",
                "json",
            ])
            .ok();
        let statements: serde_json::Value = out.json();
        assert_eq!(
            statements[0]["predicateType"],
            "https://slsa.dev/provenance/v1"
        );
        // A signed publish of the unchanged spec, again: the registry gets no write at all
        // (Distribution's access log lists every request).
        let publish = || {
            ctx.bosun(&[
                "build",
                "--tls-verify=false",
                "--sign",
                "--key",
                "cosign.key",
                "--push",
                &format!("docker://{}/team", reg.host),
            ])
            .ok()
        };
        publish();
        let seen = std::fs::read_to_string(&reg.log).unwrap().len();
        publish();
        let log = std::fs::read_to_string(&reg.log).unwrap();
        let writes: Vec<&str> = log[seen..]
            .lines()
            .filter(|l| {
                ["\"PUT ", "\"POST ", "\"PATCH ", "\"DELETE "]
                    .iter()
                    .any(|m| l.contains(m))
            })
            .collect();
        assert!(writes.is_empty(), "{writes:#?}");
    }
    // cosign 3's form in the store: a Sigstore bundle about the image counts as a signature,
    // and is not taken for an attestation.
    ctx.bosun(&["sign", "--bundle", "hello:1", "--key", "cosign.key"])
        .ok();
    let out = ctx
        .bosun(&[
            "verify",
            "hello:1",
            "--key",
            "cosign.pub",
            "--format",
            "json",
        ])
        .ok();
    assert!(
        out.stdout.contains("https://sigstore.dev/cosign/sign/v1"),
        "{}",
        out.stdout
    );
    let out = attestation("slsaprovenance", "cosign.pub").ok();
    assert!(!out.stderr.contains("rejected"), "{}", out.stderr);
}

/// `bosun policy check`: a table of images, each short of the policy in one way (run as root,
/// unsigned, a base outside the allow-list, a secret inside, signed without attestations, a
/// vulnerability with a fix) and one that meets it, gives exactly the expected result per
/// rule; `mode = "warn"` reports without failing; JSON and SARIF say the same.
#[test]
fn policy_gates_each_image_on_each_rule() {
    let f = fixture();
    let mut ctx = context(&f);
    ctx.set("BOSUN_PASSWORD", "pw");
    // Each image runs tini as PID 1 but nolabel, whose busybox would ignore SIGTERM.
    let image = |name: &str, extra: &str| {
        let init = if name == "nolabel" {
            ""
        } else {
            "init = true\n"
        };
        format!(
            "[image.{name}]\nbases = [\"core\"]\npackages = [\"hello\"]\nentrypoint = [\"/usr/bin/busybox\", \"true\"]\n\
             healthcheck = {{ cmd = [\"/usr/bin/busybox\", \"true\"] }}\ntags = [\"{name}:1\"]\n{init}{extra}\n"
        )
    };
    let source = "labels = { \"org.opencontainers.image.source\" = \"https://example.org/app\" }";
    let spec = [
        "[debian]\nsuite = \"bosuntest\"\n\n[base.core]\npackages = [\"base-files\", \"ca-certificates\"]\n".to_string(),
        image("good", &format!("user = \"65532\"\n{source}")),
        image("root", &format!("user = \"root\"\n{source}")),
        image("unsigned", &format!("user = \"65532\"\n{source}")),
        image(
            "unpinned",
            "user = \"65532\"\nlabels = { \"org.opencontainers.image.source\" = \"https://example.org/app\", \
             \"org.opencontainers.image.base.name\" = \"elsewhere.example/debian:12\" }",
        ),
        image("secret", &format!("user = \"65532\"\n{source}\ncopy = [{{ src = \"secret/\", dst = \"/etc/app\" }}]")),
        image("nosbom", &format!("user = \"65532\"\n{source}")),
        image("vulnerable", &format!("user = \"65532\"\n{source}"))
            .replace("packages = [\"hello\"]", "packages = [\"hello\", \"most\"]"),
        image("nolabel", "user = \"65532\""),
    ]
    .join("\n");
    ctx.write("bosun.toml", &spec);
    ctx.write("secret/config.yaml", "aws_access_key_id: AKIAIOSFODNN7EXAMPLE\naws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    ctx.bosun(&["keygen"]).ok();
    ctx.bosun(&[
        "build",
        "--sign",
        "--key",
        "cosign.key",
        "good",
        "root",
        "unpinned",
        "secret",
        "vulnerable",
        "nolabel",
    ])
    .ok();
    ctx.bosun(&["build", "unsigned", "nosbom"]).ok();
    ctx.bosun(&["sign", "nosbom:1", "--key", "cosign.key"]).ok();
    // The advisory database: `most` has a fix rated high.
    let export = r#"{"most": {"CVE-2026-7000": {"description": "overflow", "releases": {
        "bosuntest": {"status": "resolved", "fixed_version": "5.3", "urgency": "high"}}}}}"#;
    let server = bosun_test::script::ScriptServer::start(move |req| match req.path.as_str() {
        "/json" => bosun_test::script::Reply::new(200).body(export),
        _ => bosun_test::script::Reply::new(404),
    });
    let db = ctx.dir.path().join("db");
    ctx.bosun(&[
        "db",
        "update",
        "--db",
        db.to_str().unwrap(),
        "--tracker-url",
        &format!("{}/json", server.url()),
        "--ecosystem",
        "pypi",
        "--osv-url",
        &server.url(),
    ])
    .fails(2, "/PyPI/all.zip: HTTP status 404");
    ctx.write(
        "policy.toml",
        "[digest]\nmode = \"warn\"\n[base]\nallow = [\"registry.internal/\"]\n[signed]\nkeys = [\"cosign.pub\"]\n\
         [provenance]\nkeys = [\"cosign.pub\"]\nbuilders = [\"urn:bosun:builder:v1\"]\n[sbom]\nkeys = [\"cosign.pub\"]\n\
         [vulnerabilities]\nseverity = \"high\"\nsuite = \"bosuntest\"\n[non-root]\n[healthcheck]\n[init]\n[no-shell]\nallow = [\"/usr/bin/busybox\"]\n[no-secrets]\n\
         [size]\nmax = \"50MB\"\n[labels]\nrequired = [\"org.opencontainers.image.source\"]\n[age]\nmax-days = 3650\n",
    );
    let images = [
        "good:1",
        "root:1",
        "unsigned:1",
        "unpinned:1",
        "secret:1",
        "nosbom:1",
        "vulnerable:1",
        "nolabel:1",
    ];
    let mut args = vec![
        "policy",
        "check",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend(images);
    let run = ctx.bosun(&args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let results: serde_json::Value = run.json();
    let rules = [
        "digest",
        "base",
        "signed",
        "provenance",
        "sbom",
        "vulnerabilities",
        "non-root",
        "healthcheck",
        "init",
        "no-shell",
        "no-secrets",
        "size",
        "labels",
        "age",
    ];
    // What fails for each image (digest only warns, and fails for every store name); the
    // base rule is skipped where no provenance says what the image was built from.
    let expected: [(&str, &[&str]); 8] = [
        ("good:1", &[]),
        ("root:1", &["non-root"]),
        ("unsigned:1", &["signed", "provenance", "sbom"]),
        ("unpinned:1", &["base"]),
        ("secret:1", &["no-secrets"]),
        ("nosbom:1", &["provenance", "sbom"]),
        ("vulnerable:1", &["vulnerabilities"]),
        ("nolabel:1", &["init", "labels"]),
    ];
    for (i, (name, fails)) in expected.iter().enumerate() {
        let result = &results[i];
        assert_eq!(result["image"], *name);
        let got: Vec<(&str, &str)> = result["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["rule"].as_str().unwrap(), r["result"].as_str().unwrap()))
            .collect();
        let unattested = fails.contains(&"provenance");
        let want: Vec<(&str, &str)> = rules
            .iter()
            .map(|r| match *r {
                "digest" => (*r, "fail"),
                "base" if unattested => (*r, "skip"),
                r if fails.contains(&r) => (r, "fail"),
                r => (r, "pass"),
            })
            .collect();
        assert_eq!(got, want, "{name}: {result}");
    }
    assert!(
        results[6]["rules"][5]["reason"]
            .as_str()
            .unwrap()
            .contains("CVE-2026-7000 in most 5.2 (fixed in 5.3)"),
        "{}",
        results[6]
    );
    assert!(
        results[1]["rules"][6]["reason"]
            .as_str()
            .unwrap()
            .contains("runs as"),
        "{}",
        results[1]
    );
    assert!(
        results[7]["rules"][8]["reason"]
            .as_str()
            .unwrap()
            .contains("/usr/bin/busybox runs as PID 1 without an init"),
        "{}",
        results[7]
    );
    // With no advisory database the vulnerabilities rule checked nothing: it fails, saying so.
    let missing = ctx.dir.path().join("no-db");
    let run = ctx.bosun(&[
        "policy",
        "check",
        "--db",
        missing.to_str().unwrap(),
        "--format",
        "json",
        "good:1",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let results: serde_json::Value = run.json();
    let rule = &results[0]["rules"][5];
    assert_eq!(
        (&rule["rule"], &rule["result"]),
        (&"vulnerabilities".into(), &"fail".into()),
        "{rule}"
    );
    assert!(
        rule["reason"]
            .as_str()
            .unwrap()
            .contains("so nothing was checked"),
        "{rule}"
    );
    // The example policy (README, `policy check --help`) is one bosun reads: the fixture's
    // image ships busybox, which the example does not allow; `digest` only warns.
    let example =
        std::fs::read_to_string(bosun_test::workspace_root().join("examples/policy.toml")).unwrap();
    // (The fixture's os-release names no release: the example's commented suite says it.)
    ctx.write(
        "example-policy.toml",
        &example.replace("# suite = \"trixie\"", "suite = \"bosuntest\""),
    );
    let run = ctx.bosun(&[
        "policy",
        "check",
        "--policy",
        "example-policy.toml",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
        "good:1",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let results: serde_json::Value = run.json();
    let failed: Vec<&str> = results[0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["result"] == "fail" && r["mode"] == "enforce")
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["no-shell"], "{results}");
    let help = ctx.bosun(&["policy", "check", "--help"]).ok().stdout;
    assert!(help.contains(&example), "{help}");
    // A policy missing a key says where, as spec errors do.
    ctx.write(
        "bad-policy.toml",
        "[non-root]\n\n[provenance]\nbuilders = [\"x\"]\n",
    );
    ctx.bosun(&["policy", "check", "--policy", "bad-policy.toml", "good:1"])
        .fails(2, "bad-policy.toml:3:1: missing field `keys`");
    // The image that meets the policy passes; a warning alone does not fail.
    let good = ctx
        .bosun(&["policy", "check", "--db", db.to_str().unwrap(), "good:1"])
        .ok();
    assert!(good.stdout.contains("warn  digest"), "{}", good.stdout);
    assert!(
        good.stderr
            .contains("0 enforced rule(s) failed, 1 warning(s)"),
        "{}",
        good.stderr
    );
    // Without a policy file: bosun's baseline, said on stderr; `policy init` writes it out.
    let elsewhere = ctx.dir.path().join("no-policy-here");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::copy(
        ctx.project().join("cosign.pub"),
        elsewhere.join("cosign.pub"),
    )
    .unwrap();
    let baseline = |extra: &[&str]| {
        let mut args = vec!["policy", "check", "--format", "json", "good:1", "root:1"];
        args.extend(extra);
        let out = ctx.command(&args).current_dir(&elsewhere).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let outcome = |i: usize| -> BTreeMap<String, String> {
            results[i]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["rule"].as_str().unwrap().to_string(),
                        r["result"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        (stderr, outcome(0), outcome(1))
    };
    let (stderr, good, root) = baseline(&[]);
    assert!(
        stderr.contains("no policy file: checking bosun's baseline"),
        "{stderr}"
    );
    let expect = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    // Store names are no digests; the fixture's images ship busybox.
    let base = [
        ("digest", "fail"),
        ("non-root", "pass"),
        ("no-shell", "fail"),
        ("no-secrets", "pass"),
    ];
    assert_eq!(good, expect(&base));
    assert_eq!(root["non-root"], "fail");
    let (_, good, _) = baseline(&["--key", "cosign.pub"]);
    let signed: Vec<(&str, &str)> = base.iter().copied().chain([("signed", "pass")]).collect();
    assert_eq!(good, expect(&signed));
    let init = |extra: &[&str]| {
        let mut args = vec!["policy", "init"];
        args.extend(extra);
        ctx.command(&args).current_dir(&elsewhere).output().unwrap()
    };
    assert!(init(&["--key", "cosign.pub"]).status.success());
    let (stderr, good, _) = baseline(&[]);
    assert!(
        !stderr.contains("baseline"),
        "policy.toml is read: {stderr}"
    );
    assert_eq!(good, expect(&signed));
    let again = init(&[]);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("policy.toml exists: pass --force"),
        "{again:?}"
    );
    // SARIF: one result per failed rule.
    let mut args = vec![
        "policy",
        "check",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "sarif",
    ];
    args.extend(images);
    let sarif: serde_json::Value = serde_json::from_str(&ctx.bosun(&args).stdout).unwrap();
    let failed: usize = expected.iter().map(|(_, f)| f.len() + 1).sum();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        failed
    );
    // Kubernetes manifests: each container's settings, with file and line, and its image
    // against the image rules when it can be read (pushed with its signatures).
    if let Some(reg) = bosun_test::registry::Registry::start(None, bosun_test::registry::Auth::None)
    {
        let digest_file = ctx.dir.path().join("good.digest");
        ctx.bosun(&[
            "copy",
            "--tls-verify=false",
            "good:1",
            &format!("docker://{}/team/good:1", reg.host),
            "--digestfile",
            digest_file.to_str().unwrap(),
        ])
        .ok();
        let digest = std::fs::read_to_string(&digest_file).unwrap();
        let hardened = "securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities:\n              drop: [ALL]\n          livenessProbe: {exec: {command: [/usr/bin/busybox, \"true\"]}}\n          readinessProbe: {exec: {command: [/usr/bin/busybox, \"true\"]}}";
        ctx.write(
            "deploy.yaml",
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: good\nspec:\n  template:\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile: {{type: RuntimeDefault}}\n      containers:\n        - name: app\n          image: {host}/team/good@{digest}\n          {hardened}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: loose\nspec:\n  containers:\n  - name: app\n    image: {host}/team/good:1\n    securityContext: {{privileged: true}}\n  - name: gone\n    image: 127.0.0.1:9/nothing@sha256:{zeros}\n",
                host = reg.host,
                zeros = "0".repeat(64)
            ),
        );
        let out = ctx.bosun(&[
            "policy",
            "check",
            "--tls-verify=false",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
            "deploy.yaml",
        ]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        let results: serde_json::Value = out.json();
        let entries = results.as_array().unwrap();
        let failed = |i: usize| -> Vec<&str> {
            entries[i]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["result"] == "fail")
                .map(|r| r["rule"].as_str().unwrap())
                .collect()
        };
        assert!(
            entries[0]["image"]
                .as_str()
                .unwrap()
                .starts_with(&format!("docker://{}/team/good@sha256:", reg.host)),
            "{results}"
        );
        assert_eq!(
            failed(0),
            Vec::<&str>::new(),
            "the pinned, signed image passes every image rule: {}",
            entries[0]
        );
        assert_eq!(
            entries[1]["image"],
            "deploy.yaml:12 Deployment/good container app"
        );
        assert_eq!(
            failed(1),
            Vec::<&str>::new(),
            "the hardened container: {}",
            entries[1]
        );
        assert_eq!(
            failed(2),
            ["digest"],
            "the tag reference only warns on the image rules: {}",
            entries[2]
        );
        assert_eq!(
            entries[3]["image"],
            "deploy.yaml:28 Pod/loose container app"
        );
        assert_eq!(
            failed(3),
            [
                "pinned",
                "run-as-non-root",
                "no-privilege-escalation",
                "read-only-root",
                "drop-capabilities",
                "not-privileged",
                "seccomp",
                "probes"
            ]
        );
        assert_eq!(
            entries[4]["rules"][0]["result"], "skip",
            "an unreachable image: {}",
            entries[4]
        );
        assert_eq!(
            entries[5]["image"],
            "deploy.yaml:31 Pod/loose container gone"
        );
    }
    // A policy with a mistake is refused with its file named.
    ctx.write("bad.toml", "[signed]\nkey = [\"cosign.pub\"]\n");
    ctx.bosun(&["policy", "check", "--policy", "bad.toml", "good:1"])
        .fails(2, "bad.toml:2:1: unknown field `key`");
}

/// A lock builds after the mirror drops a locked version: the `.deb` comes from the snapshot
/// archive (addressed by archive name and a time after the locked release's date), is checked
/// against the lock's sha256, and the image has the same digest; with neither, the error says
/// both.
#[test]
fn dropped_packages_come_from_the_snapshot_archive() {
    let f = fixture();
    let mut ctx = context(&f);
    ctx.write(
        "bosun.toml",
        &SPEC.replace(
            "suite = \"bosuntest\"",
            "suite = \"bosuntest\"\nsecurity = false",
        ),
    );
    let digest = |ctx: &Context| -> String {
        let out = ctx.bosun(&["build", "--locked", "--format", "json"]).ok();
        let v: serde_json::Value = out.json();
        v[0]["digest"].as_str().unwrap().to_string()
    };
    ctx.bosun(&["lock"]).ok();
    let before = digest(&ctx);
    // The mirror drops the locked libfoo1 1.0-1 (a newer one is in -security).
    let lock: toml::Table = lock_toml(&ctx).parse().unwrap();
    let libfoo = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str() == Some("libfoo1"))
        .unwrap();
    let filename = libfoo["filename"].as_str().unwrap().to_string();
    let release_date = lock["release"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["suite"].as_str() == Some("bosuntest"))
        .unwrap()["date"]
        .as_integer()
        .unwrap();
    let pool = f.repo.root().join(&filename);
    let deb = std::fs::read(&pool).unwrap();
    std::fs::remove_file(&pool).unwrap();
    // A fresh store and cache, so the build must download again.
    for dir in ["store", "cache"] {
        std::fs::remove_dir_all(ctx.dir.path().join(dir)).unwrap();
    }
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let snapshot = {
        let (asked, filename, deb) = (asked.clone(), filename.clone(), deb.clone());
        bosun_test::script::ScriptServer::start(move |req| {
            asked.lock().unwrap().push(req.path.clone());
            match req
                .path
                .strip_prefix("/archive/debian/")
                .and_then(|p| p.split_once('/'))
            {
                Some((_, path)) if path == filename => {
                    bosun_test::script::Reply::new(200).body(deb.clone())
                }
                _ => bosun_test::script::Reply::new(404),
            }
        })
    };
    ctx.set("BOSUN_DEBIAN_SNAPSHOT", &snapshot.url());
    assert_eq!(
        digest(&ctx),
        before,
        "the same image from the snapshot archive"
    );
    let asked = asked.lock().unwrap().clone();
    let stamp = jiff::Timestamp::from_second(release_date + 86_400)
        .unwrap()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    assert_eq!(
        asked,
        [format!("/archive/debian/{stamp}/{filename}")],
        "only the dropped package, at the locked release's time"
    );
    // A snapshot that has something else under that name is refused by the lock's sha256.
    let liar = bosun_test::script::ScriptServer::start(|_| {
        bosun_test::script::Reply::new(200).body("not the deb")
    });
    for dir in ["store", "cache"] {
        std::fs::remove_dir_all(ctx.dir.path().join(dir)).unwrap();
    }
    ctx.set("BOSUN_DEBIAN_SNAPSHOT", &liar.url());
    ctx.bosun(&["build", "--locked"]).fails(2, "sha256");
    // Neither has it: the error says both.
    ctx.set(
        "BOSUN_DEBIAN_SNAPSHOT",
        &format!("{}/nothing", snapshot.url()),
    );
    let out = ctx.bosun(&["build", "--locked"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("the mirror no longer has libfoo1_1.0-1_amd64.deb")
            && out.stderr.contains("HTTP status 404")
            && out.stderr.contains("snapshot archive cannot supply it"),
        "{}",
        out.stderr
    );
}

/// `lock --update --security-only`: from a lock made without the update suites, only the
/// package a -security suite fixes moves (printed with the CVE its changelog names), the
/// -updates version of another package does not; the rebuild changes only the layer holding
/// the fixed package, and the scan has nothing fixable left. A plain `--update` then takes
/// the rest.
#[test]
fn security_only_relock_moves_only_security_fixes() {
    let f = fixture();
    let ctx = context(&f);
    let old_spec = SPEC.replace(
        "suite = \"bosuntest\"",
        "suite = \"bosuntest\"\nupdates = false\nsecurity = false",
    );
    ctx.write("bosun.toml", &old_spec);
    let built = |ctx: &Context| -> Vec<String> {
        let out = ctx.bosun(&["build", "--format", "json"]).ok();
        let v: serde_json::Value = out.json();
        v[0]["layers"]["amd64"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["digest"].as_str().unwrap().to_string())
            .collect()
    };
    let before = built(&ctx);
    let before_archive = ctx.dir.path().join("before.tar");
    ctx.bosun(&[
        "copy",
        "hello:1",
        &format!("oci-archive:{}", before_archive.display()),
    ])
    .ok();
    let version = |ctx: &Context, name: &str| -> String {
        let lock: toml::Table = lock_toml(ctx).parse().unwrap();
        lock["package"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"].as_str() == Some(name))
            .unwrap()["version"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(version(&ctx, "libfoo1"), "1.0-1");
    assert_eq!(version(&ctx, "ca-certificates"), "20250419");
    ctx.write("bosun.toml", SPEC);
    let out = ctx.bosun(&["lock", "--update", "--security-only"]).ok();
    assert!(
        out.stdout
            .contains("libfoo1: 1.0-1 -> 1.0-1+sec1 (security update)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("libfoo1: fixes CVE-2026-31337"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("ca-certificates"), "{}", out.stdout);
    assert_eq!(version(&ctx, "libfoo1"), "1.0-1+sec1");
    assert_eq!(
        version(&ctx, "ca-certificates"),
        "20250419",
        "not a security update"
    );
    let after = built(&ctx);
    // The size change, explained by package.
    let diff = ctx.bosun(&[
        "diff",
        &format!("oci-archive:{}", before_archive.display()),
        "hello:1",
        "--by",
        "owner",
        "--format",
        "json",
    ]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    let report: serde_json::Value = serde_json::from_str(&diff.stdout).unwrap();
    let libfoo = report["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "libfoo1")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(libfoo["a_version"], "1.0-1");
    assert_eq!(libfoo["b_version"], "1.0-1+sec1");
    assert_eq!(
        libfoo["delta"],
        "foo 1.0 patched".len() as i64 - "foo 1.0".len() as i64
    );
    assert!(
        report["owners"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["name"] != "ca-certificates"),
        "unchanged packages are not listed: {report}"
    );
    assert_eq!(after[0], before[0], "the core layer keeps its digest");
    assert_ne!(after[1], before[1], "the layer holding libfoo1 is rebuilt");
    assert_eq!(after[2], before[2], "the app layer keeps its digest");
    ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--fail-on",
        "fixable",
        "hello:1",
    ])
    .ok();
    ctx.bosun(&["lock", "--update"]).ok();
    assert_eq!(version(&ctx, "ca-certificates"), "20250420");
    let bare = ctx.bosun(&["lock", "--security-only"]);
    assert_eq!(bare.code, 2, "{}", bare.stderr);
    assert!(bare.stderr.contains("--update"), "{}", bare.stderr);
}

#[test]
fn images_disk_counts_each_shared_layer_once() {
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "bosun.toml",
        r#"
[debian]
suite = "bosuntest"

[base.core-a]
packages = ["base-files"]

[base.core-b]
packages = ["ca-certificates"]

[image.a1]
bases = ["core-a"]
packages = ["libfoo1"]

[image.a2]
bases = ["core-a"]
packages = ["less"]

[image.a3]
bases = ["core-a"]
copy = [{ src = "app/", dst = "/app" }]

[image.b1]
bases = ["core-b"]
packages = ["libfoo1"]

[image.b2]
bases = ["core-b"]
copy = [{ src = "app/", dst = "/app" }]
"#,
    );
    let built: serde_json::Value = ctx.bosun(&["build", "--format", "json"]).ok().json();
    let core_a = built.as_array().unwrap()[0]["layers"]["amd64"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let usage: serde_json::Value = ctx
        .bosun(&["images", "--disk", "--format", "json"])
        .ok()
        .json();
    let images = usage["images"].as_array().unwrap();
    assert_eq!(images.len(), 5, "{usage}");
    for i in images {
        assert_eq!(
            i["bytes"].as_u64().unwrap(),
            i["shared_bytes"].as_u64().unwrap() + i["unique_bytes"].as_u64().unwrap()
        );
    }
    // Each core layer serves its apps and is counted once.
    let shared = usage["shared"].as_array().unwrap();
    let core = shared
        .iter()
        .find(|s| s["digest"] == core_a.as_str())
        .unwrap_or_else(|| panic!("{core_a} is not shared: {usage}"));
    assert_eq!(core["images"], 3);
    let field = |k: &str| usage[k].as_u64().unwrap();
    assert_eq!(
        field("shared_once"),
        shared
            .iter()
            .map(|s| s["bytes"].as_u64().unwrap())
            .sum::<u64>()
    );
    assert!(
        field("sum_of_images") > field("stored_once") + 2 * core["bytes"].as_u64().unwrap() - 1
    );
    // What `du` says of the blob files is the shared blobs once, the unique ones, and the rest
    // (SBOMs beside the images).
    let blobs: Vec<std::path::PathBuf> = std::fs::read_dir(ctx.store().join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let du = Command::new("du").arg("-cb").args(&blobs).output().unwrap();
    let du = String::from_utf8_lossy(&du.stdout);
    let total: u64 = du
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(field("on_disk"), total);
    assert_eq!(
        field("shared_once") + field("unique") + field("other"),
        total
    );
    // The same report for images named anywhere bosun reads them.
    let named: serde_json::Value = ctx
        .bosun(&[
            "images",
            "--disk",
            "a1:latest",
            "a2:latest",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert!(
        named["shared"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["digest"] == core_a.as_str() && s["images"] == 2),
        "{named}"
    );
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

#[test]
fn schema_is_current_and_validates_every_spec() {
    let python = bosun_test::peers_venv().join("bin/python");
    if !python.is_file() {
        bosun_test::missing_peer("the peers' Python (jsonschema)");
        return;
    }
    let f = fixture();
    let ctx = context(&f);
    let out = ctx.bosun(&["spec", "schema"]).ok();
    let checked_in =
        std::fs::read_to_string(bosun_test::workspace_root().join("schema/bosun.schema.json"))
            .unwrap();
    assert!(
        out.stdout == checked_in,
        "schema/bosun.schema.json is stale: run `bosun spec schema > schema/bosun.schema.json`"
    );
    let schema = ctx.dir.path().join("bosun.schema.json");
    std::fs::write(&schema, &out.stdout).unwrap();
    // Every spec the project holds or writes: the examples, what `init` writes, the tests'.
    let mut good: Vec<std::path::PathBuf> =
        std::fs::read_dir(bosun_test::workspace_root().join("examples"))
            .unwrap()
            .map(|e| e.unwrap().path().join("bosun.toml"))
            .filter(|p| p.is_file())
            .collect();
    assert!(good.len() >= 3, "{good:?}");
    for kind in ["python", "static"] {
        let dir = ctx.dir.path().join(format!("init-{kind}"));
        ctx.bosun(&["init", kind, "--dir", dir.to_str().unwrap()])
            .ok();
        good.push(dir.join("bosun.toml"));
    }
    good.push(ctx.project().join("bosun.toml"));
    // A spec made of files: an include, an override and a matrix.
    ctx.write(
        "composed/core.toml",
        "[vars]\nchannel = \"stable\"\n[debian]\nsuite = \"bosuntest\"\n[base.core]\npackages = [\"base-files\"]\n",
    );
    ctx.write(
        "composed/bosun.toml",
        "include = [\"core.toml\"]\n[vars]\noverride = true\nchannel = \"edge\"\n[base.core]\noverride = true\npackages = [\"base-files\", \"ca-certificates\"]\n[image.app]\nmatrix = { pager = [\"less\", \"most\"] }\nname = \"app-${pager}\"\nbases = [\"core\"]\npackages = [\"${pager}\"]\nlabels = { channel = \"${channel}\" }\n",
    );
    for file in ["core.toml", "bosun.toml"] {
        good.push(ctx.project().join("composed").join(file));
    }
    let shown = ctx
        .bosun(&[
            "spec",
            "show",
            "--file",
            "composed/bosun.toml",
            "--format",
            "json",
        ])
        .ok()
        .json::<serde_json::Value>();
    assert_eq!(
        shown["image"]["app-most"]["labels"]["channel"], "edge",
        "{shown}"
    );
    // Shape errors: the schema refuses each, and so does bosun.
    let bad = [
        (
            "unknown-field",
            "[debian]\nsuite = \"trixie\"\nsuit = \"x\"\n[image.a]\npackages = [\"x\"]\n",
        ),
        (
            "string-for-list",
            "[debian]\nsuite = \"trixie\"\n[image.a]\npackages = \"python3\"\n",
        ),
        (
            "compression",
            "[debian]\nsuite = \"trixie\"\n[image.a]\npackages = [\"x\"]\ncompression = \"lz4\"\n",
        ),
        (
            "architecture",
            "[debian]\nsuite = \"trixie\"\narchitectures = [\"vax\"]\n[image.a]\npackages = [\"x\"]\n",
        ),
        (
            "copy-mode",
            "[debian]\nsuite = \"trixie\"\n[image.a]\ncopy = [{ src = \"a\", dst = \"/a\", mode = \"rwx\" }]\n",
        ),
        (
            "no-suite",
            "[debian]\ncomponents = [\"main\"]\n[image.a]\npackages = [\"x\"]\n",
        ),
        (
            "variable-in-key",
            "[debian]\nsuite = \"trixie\"\n[image.\"${x}\"]\npackages = [\"x\"]\n",
        ),
        (
            "override-not-bool",
            "[debian]\nsuite = \"trixie\"\n[image.a]\noverride = \"yes\"\npackages = [\"x\"]\n",
        ),
        (
            "empty-matrix-axis",
            "[debian]\nsuite = \"trixie\"\n[image.a]\nmatrix = { v = [] }\npackages = [\"x\"]\n",
        ),
        (
            "include-not-a-list",
            "include = \"core.toml\"\n[debian]\nsuite = \"trixie\"\n[image.a]\npackages = [\"x\"]\n",
        ),
    ];
    let mut files: Vec<String> = good.iter().map(|p| p.display().to_string()).collect();
    for (name, text) in bad {
        let path = ctx.dir.path().join(format!("bad-{name}.toml"));
        std::fs::write(&path, text).unwrap();
        files.push(path.display().to_string());
        let dir = ctx.dir.path().join(format!("bad-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("bosun.toml"), text).unwrap();
        let refused = ctx.bosun(&["lock", "--file", dir.join("bosun.toml").to_str().unwrap()]);
        assert_eq!(
            refused.code, 2,
            "bosun takes bad-{name}: {}",
            refused.stderr
        );
    }
    let report = bosun_test::run(
        Command::new(python)
            .arg("-c")
            .arg(VALIDATE)
            .arg(&schema)
            .args(&files),
    );
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), files.len(), "{report}");
    for line in lines {
        let bad = line.contains("/bad-");
        assert_eq!(line.ends_with(" ok"), !bad, "{line}");
    }
}

#[test]
fn variables_expand_before_locking() {
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "bosun.toml",
        r#"[vars]
pager = "less"

[debian]
suite = "bosuntest"

[image.app]
packages = ["${pager}"]
tags = ["app-${pager}:${suite}"]
labels = { "org.opencontainers.image.title" = "${image}" }
"#,
    );
    let shown = ctx.bosun(&["spec", "show"]).ok();
    assert!(
        shown.stdout.contains("packages = [\"less\"]"),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains("tags = [\"app-less:bosuntest\"]"),
        "{}",
        shown.stdout
    );
    ctx.bosun(&["lock"]).ok();
    assert!(lock_toml(&ctx).contains("name = \"less\""));
    let why = ctx.bosun(&["lock", "--why", "less"]).ok();
    assert!(
        why.stderr
            .contains("bosun.toml:8:13: [image.app] packages names `less` (written \"${pager}\")"),
        "{why:?}"
    );
    // --set changes what it names, the lock follows the expanded spec, and --locked knows.
    ctx.bosun(&["lock", "--set", "pager=most"]).ok();
    let lock = lock_toml(&ctx);
    assert!(
        lock.contains("name = \"most\"") && !lock.contains("name = \"less\""),
        "{lock}"
    );
    ctx.bosun(&["build", "--locked"])
        .fails(2, "bosun.lock is out of date with bosun.toml");
    let built: serde_json::Value = ctx
        .bosun(&[
            "build",
            "--locked",
            "--set",
            "pager=most",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(
        built[0]["tags"],
        serde_json::json!(["app-most:bosuntest"]),
        "{built}"
    );
    // BOSUN_VAR_<NAME> sits between the spec and --set.
    let mut env = context(&f);
    env.write(
        "bosun.toml",
        &std::fs::read_to_string(ctx.project().join("bosun.toml")).unwrap(),
    );
    env.set("BOSUN_VAR_PAGER", "most");
    let shown = env.bosun(&["spec", "show", "--format", "json"]).ok();
    let spec: serde_json::Value = shown.json();
    assert_eq!(
        spec["image"]["app"]["packages"],
        serde_json::json!(["most"])
    );
    // Errors point at the reference.
    ctx.write(
        "bosun.toml",
        "[debian]\nsuite = \"bosuntest\"\n[image.app]\npackages = [\"${pagr}\"]\n",
    );
    ctx.bosun(&["lock"])
        .fails(2, "bosun.toml:4:14: undefined variable `pagr`");
}

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

#[test]
fn specs_compose_from_includes_and_matrices() {
    let f = fixture();
    let mut ctx = context(&f);
    // The project is a work tree: includes may come from anywhere in it.
    ctx.write(".git/HEAD", "ref: refs/heads/main\n");
    ctx.write(
        "platform/core.toml",
        "[debian]\nsuite = \"bosuntest\"\n\n[base.core]\npackages = [\"base-files\", \"ca-certificates\"]\n",
    );
    let apps = [("a", "less"), ("b", "most"), ("c", "libfoo1")];
    for (app, package) in apps {
        ctx.write(
            &format!("apps/{app}/bosun.toml"),
            &format!(
                "include = [\"../../platform/core.toml\"]\n\n[image.{app}]\nbases = [\"core\"]\npackages = [\"{package}\"]\n"
            ),
        );
    }
    // Three apps in three directories: one core layer, byte for byte.
    let mut cores = BTreeSet::new();
    for (app, _) in apps {
        let file = format!("apps/{app}/bosun.toml");
        let built = ctx
            .bosun(&["build", "--file", &file, "--format", "json"])
            .ok()
            .json::<serde_json::Value>();
        let layers = &built_layers(&built)[app];
        let core: Vec<&String> = layers
            .iter()
            .filter(|(by, _)| by.contains("base core"))
            .map(|(_, d)| d)
            .collect();
        assert_eq!(core.len(), 1, "{layers:?}");
        cores.insert(core[0].clone());
        let lock = lock_of(&ctx, &format!("apps/{app}/bosun.toml"));
        assert!(
            lock.contains("[[include]]\npath = \"../../platform/core.toml\"\nsha256 = \""),
            "{lock}"
        );
        ctx.bosun(&["build", "--locked", "--file", &file]).ok();
    }
    assert_eq!(cores.len(), 1, "{cores:?}");
    // lock --why points into the included file.
    let why = ctx
        .bosun(&[
            "lock",
            "--why",
            "ca-certificates",
            "--file",
            "apps/a/bosun.toml",
        ])
        .ok();
    assert_eq!(why.stdout.trim(), "ca-certificates", "{why:?}");
    assert!(
        why.stderr
            .contains("platform/core.toml:5:27: [base.core] packages names `ca-certificates`"),
        "{why:?}"
    );
    // A change to the shared core stops every --locked build, naming the file, until relocked.
    let core = ctx.project().join("platform/core.toml");
    let text = std::fs::read_to_string(&core).unwrap();
    std::fs::write(&core, format!("# reviewed by the platform team\n{text}")).unwrap();
    for (app, _) in apps {
        let file = format!("apps/{app}/bosun.toml");
        ctx.bosun(&["build", "--locked", "--file", &file]).fails(
            2,
            &format!("apps/{app}/bosun.lock was made with ../../platform/core.toml at sha256:"),
        );
        let check = ctx.bosun(&["lock", "--check", "--file", &file]);
        assert!(
            check.code == 1 && check.stderr.contains("that file has changed since"),
            "{check:?}"
        );
        let before = lock_of(&ctx, &format!("apps/{app}/bosun.toml"));
        ctx.bosun(&["lock", "--file", &file]).ok();
        let after = lock_of(&ctx, &format!("apps/{app}/bosun.toml"));
        assert_ne!(before, after);
        // Only the include's line moved: the pins stand.
        let changed: Vec<(&str, &str)> = before
            .lines()
            .zip(after.lines())
            .filter(|(b, a)| b != a)
            .collect();
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert!(changed[0].0.starts_with("sha256 = "), "{changed:?}");
        ctx.bosun(&["build", "--locked", "--file", &file]).ok();
    }
    // An include outside the work tree needs the caller's leave, by flag or environment.
    let elsewhere = ctx.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(
        elsewhere.join("debian.toml"),
        "[debian]\nsuite = \"bosuntest\"\n",
    )
    .unwrap();
    ctx.write(
        "outside/bosun.toml",
        &format!(
            "include = [{:?}]\n[image.x]\npackages = [\"less\"]\n",
            elsewhere.join("debian.toml").display().to_string()
        ),
    );
    ctx.bosun(&["spec", "show", "--file", "outside/bosun.toml"])
        .fails(2, "outside/bosun.toml:1:12: include");
    let shown = ctx
        .bosun(&[
            "spec",
            "show",
            "--file",
            "outside/bosun.toml",
            "--include-root",
            elsewhere.to_str().unwrap(),
        ])
        .ok();
    assert!(
        shown.stdout.starts_with(&format!(
            "# included: {}/debian.toml (sha256:",
            elsewhere.display()
        )),
        "{}",
        shown.stdout
    );
    ctx.set("BOSUN_INCLUDE_ROOTS", elsewhere.to_str().unwrap());
    ctx.bosun(&["spec", "show", "--file", "outside/bosun.toml"])
        .ok();

    // A 2 x 2 matrix: four images; each layer the combinations share is stored once.
    ctx.write(
        "matrix/bosun.toml",
        r#"include = ["../platform/core.toml"]

[vars]
other = "most"

[image.pager]
matrix = { pager = ["less", "${other}"], channel = ["stable", "edge"] }
name = "pager-${pager}-${channel}"
bases = ["core"]
packages = ["${pager}"]
labels = { channel = "${channel}" }
"#,
    );
    let built = ctx
        .bosun(&[
            "build",
            "--file",
            "matrix/bosun.toml",
            "pager",
            "--format",
            "json",
        ])
        .ok()
        .json::<serde_json::Value>();
    let images = built_layers(&built);
    assert_eq!(
        images.keys().collect::<Vec<_>>(),
        [
            "pager-less-edge",
            "pager-less-stable",
            "pager-most-edge",
            "pager-most-stable"
        ]
    );
    let all: Vec<&String> = images.values().flatten().map(|(_, d)| d).collect();
    let distinct: BTreeSet<&String> = all.iter().copied().collect();
    let per_image = images["pager-less-edge"].len();
    assert_eq!(all.len(), 4 * per_image);
    // Everything below the own layer is shared by all four; the own layer by each pager's two.
    assert_eq!(distinct.len(), per_image - 1 + 2, "{images:?}");
    let digests =
        |name: &str| -> Vec<String> { images[name].iter().map(|(_, d)| d.clone()).collect() };
    assert_eq!(digests("pager-less-edge"), digests("pager-less-stable"));
    assert!(
        cores.contains(
            &images["pager-most-edge"]
                .iter()
                .find(|(by, _)| by.contains("base core"))
                .unwrap()
                .1
        )
    );
    let digest_of = |built: &serde_json::Value, name: &str| {
        built
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["image"] == name)
            .map(|i| i["digest"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_ne!(
        digest_of(&built, "pager-less-edge"),
        digest_of(&built, "pager-less-stable"),
        "the channel label differs"
    );
    // --set moves only what uses the variable.
    let moved = ctx
        .bosun(&[
            "build",
            "--file",
            "matrix/bosun.toml",
            "--set",
            "other=gawk",
            "--format",
            "json",
        ])
        .ok()
        .json::<serde_json::Value>();
    for name in ["pager-less-edge", "pager-less-stable"] {
        assert_eq!(digest_of(&moved, name), digest_of(&built, name));
    }
    let names: Vec<String> = built_layers(&moved).into_keys().collect();
    assert!(names.contains(&"pager-gawk-edge".to_string()), "{names:?}");
    assert!(!names.contains(&"pager-most-edge".to_string()), "{names:?}");
    // One combination by its own name.
    let one = ctx
        .bosun(&[
            "build",
            "--file",
            "matrix/bosun.toml",
            "pager-most-edge",
            "--format",
            "json",
        ])
        .ok()
        .json::<serde_json::Value>();
    assert_eq!(one.as_array().unwrap().len(), 1);
}

/// Spec files shared through a registry: pushed as an OCI artifact, included by reference,
/// pinned by manifest digest in the lock, read from the cache once pinned.
#[test]
fn registry_includes_are_pinned_by_digest() {
    let Some(reg) = bosun_test::registry::Registry::start(None, bosun_test::registry::Auth::None)
    else {
        return;
    };
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "platform/core.toml",
        "include = [\"debian.toml\"]\n\n[base.core]\npackages = [\"base-files\", \"ca-certificates\"]\n",
    );
    ctx.write("platform/debian.toml", "[debian]\nsuite = \"bosuntest\"\n");
    let target = format!("docker://{}/platform/core:1", reg.host);
    let push = || {
        ctx.bosun(&[
            "spec",
            "push",
            "--tls-verify=false",
            &target,
            "platform/core.toml",
            "platform/debian.toml",
        ])
        .ok()
        .stdout
        .trim()
        .to_string()
    };
    let first = push();
    assert!(
        first.starts_with(&format!("docker://{}/platform/core@sha256:", reg.host)),
        "{first}"
    );
    assert_eq!(push(), first, "the same files make the same artifact");
    let first_digest = first.rsplit('@').next().unwrap().to_string();
    // skopeo reads it as an OCI artifact with one titled layer per file.
    match peer("skopeo") {
        Some(skopeo) => {
            let raw = bosun_test::run(
                Command::new(skopeo)
                    .args(["inspect", "--raw", "--tls-verify=false"])
                    .arg(&target),
            );
            let manifest: serde_json::Value = serde_json::from_str(&raw).unwrap();
            assert_eq!(
                manifest["artifactType"], "application/vnd.bosun.spec.v1+toml",
                "{manifest}"
            );
            let titles: Vec<&str> = manifest["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    l["annotations"]["org.opencontainers.image.title"]
                        .as_str()
                        .unwrap()
                })
                .collect();
            assert_eq!(titles, ["core.toml", "debian.toml"]);
        }
        None => bosun_test::missing_peer("skopeo"),
    }
    let include = format!("docker://{}/platform/core:1#core.toml", reg.host);
    ctx.write(
        "svc/bosun.toml",
        &format!(
            "include = [{include:?}]\n\n[image.svc]\nbases = [\"core\"]\npackages = [\"less\"]\n"
        ),
    );
    let build = |extra: &[&str]| {
        let mut args = vec![
            "build",
            "--tls-verify=false",
            "--file",
            "svc/bosun.toml",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        ctx.bosun(&args).ok().json::<serde_json::Value>()[0]["digest"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let built = build(&[]);
    let lock = lock_of(&ctx, "svc/bosun.toml");
    for file in ["core.toml", "debian.toml"] {
        let entry = format!(
            "[[include]]\npath = \"docker://{}/platform/core:1#{file}\"\nsha256 = \"",
            reg.host
        );
        assert!(lock.contains(&entry), "{lock}");
    }
    assert_eq!(
        lock.matches(&format!("digest = \"{first_digest}\""))
            .count(),
        2,
        "{lock}"
    );
    // A file of an image's filesystem: the platform ships its spec files in an image.
    ctx.write(
        "files/bosun.toml",
        "[debian]\nsuite = \"bosuntest\"\n[image.platform-files]\ncopy = [{ src = \"conf/\", dst = \"/etc/bosun\" }]\n",
    );
    ctx.write(
        "files/conf/core.toml",
        "include = [\"debian.toml\"]\n[base.core]\npackages = [\"base-files\"]\n",
    );
    ctx.write(
        "files/conf/debian.toml",
        "[debian]\nsuite = \"bosuntest\"\n",
    );
    ctx.bosun(&["build", "--file", "files/bosun.toml"]).ok();
    let files_image = format!("docker://{}/platform/files:1", reg.host);
    ctx.bosun(&["copy", "--tls-verify=false", "platform-files", &files_image])
        .ok();
    ctx.write(
        "svc2/bosun.toml",
        &format!(
            "include = [\"{files_image}#/etc/bosun/core.toml\"]\n[image.svc2]\nbases = [\"core\"]\npackages = [\"less\"]\n"
        ),
    );
    ctx.bosun(&["build", "--tls-verify=false", "--file", "svc2/bosun.toml"])
        .ok();
    let lock = lock_of(&ctx, "svc2/bosun.toml");
    for file in ["core.toml", "debian.toml"] {
        let entry = format!("path = \"{files_image}#/etc/bosun/{file}\"");
        assert!(lock.contains(&entry), "{lock}");
    }
    ctx.write(
        "bad/bosun.toml",
        &format!(
            "include = [\"{files_image}#/etc/bosun/nope.toml\"]\n[image.x]\npackages = [\"less\"]\n"
        ),
    );
    ctx.bosun(&[
        "spec",
        "show",
        "--tls-verify=false",
        "--file",
        "bad/bosun.toml",
    ])
    .fails(2, "the image has no /etc/bosun/nope.toml");
    // Errors name the include: a file the artifact lacks, a reference without a file.
    ctx.write(
        "bad/bosun.toml",
        &format!(
            "include = [\"docker://{}/platform/core:1#nope.toml\"]\n[image.x]\npackages = [\"less\"]\n",
            reg.host
        ),
    );
    ctx.bosun(&[
        "spec",
        "show",
        "--tls-verify=false",
        "--file",
        "bad/bosun.toml",
    ])
    .fails(2, "bad/bosun.toml:1:12: include \"docker://")
    .fails(
        2,
        "the artifact has no file nope.toml (it has: core.toml, debian.toml)",
    );
    ctx.write(
        "bad/bosun.toml",
        &format!(
            "include = [\"docker://{}/platform/core:1\"]\n[image.x]\npackages = [\"less\"]\n",
            reg.host
        ),
    );
    ctx.bosun(&[
        "spec",
        "show",
        "--tls-verify=false",
        "--file",
        "bad/bosun.toml",
    ])
    .fails(2, "name the file of the artifact");
    // The tag moves: builds keep the pinned artifact until `bosun lock` follows the tag.
    ctx.write(
        "platform/core.toml",
        "include = [\"debian.toml\"]\n\n[base.core]\npackages = [\"base-files\"]\n",
    );
    let second = push();
    assert_ne!(second, first);
    assert_eq!(build(&["--locked"]), built);
    let check = ctx.bosun(&[
        "lock",
        "--check",
        "--tls-verify=false",
        "--file",
        "svc/bosun.toml",
    ]);
    assert!(check.code == 1, "{check:?}");
    ctx.bosun(&["lock", "--tls-verify=false", "--file", "svc/bosun.toml"])
        .ok();
    let lock = lock_of(&ctx, "svc/bosun.toml");
    let second_digest = second.rsplit('@').next().unwrap();
    assert!(lock.contains(second_digest), "{lock}");
    let moved = build(&["--locked"]);
    assert_ne!(moved, built);
    // Pinned, the spec reads without the registry: the cache has the artifact.
    drop(reg);
    assert_eq!(build(&["--locked"]), moved);
    ctx.bosun(&["build", "--locked", "--file", "svc2/bosun.toml"])
        .ok();
    let why = ctx
        .bosun(&["lock", "--why", "base-files", "--file", "svc/bosun.toml"])
        .ok();
    assert!(
        why.stderr
            .contains("/platform/core:1#core.toml:4:13: [base.core] packages names `base-files`"),
        "{why:?}"
    );
    // Unpinned, an unreachable registry is one clear error naming the include.
    ctx.bosun(&["lock", "--tls-verify=false", "--file", "svc/bosun.toml"])
        .fails(2, &format!("svc/bosun.toml:1:12: include {include:?}"));
}

/// `${arch}`: each platform of one image gets its own files and environment.
#[test]
fn arch_variable_gives_each_platform_its_own_files() {
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "bosun.toml",
        r#"[debian]
suite = "bosuntest"
architectures = ["amd64", "arm64"]

[image.tool]
packages = ["ca-certificates"]
copy = [{ src = "dist/${arch}/", dst = "/opt/tool" }]
env = { TOOL_ARCH = "${arch}" }
"#,
    );
    ctx.write("dist/amd64/tool", "built for amd64\n");
    ctx.write("dist/arm64/tool", "built for arm64\n");
    let shown = ctx.bosun(&["spec", "show"]).ok().stdout;
    assert!(shown.contains("src = \"dist/${arch}/\""), "{shown}");
    let arm = ctx.bosun(&["spec", "show", "--arch", "arm64"]).ok().stdout;
    assert!(arm.contains("src = \"dist/arm64/\""), "{arm}");
    ctx.bosun(&["spec", "show", "--arch", "s390x"])
        .fails(2, "--arch s390x: the spec builds for amd64, arm64");
    let built = ctx
        .bosun(&["build", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    let layers = &built[0]["layers"];
    let last = |arch: &str| {
        layers[arch].as_array().unwrap().last().unwrap()["digest"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_ne!(last("amd64"), last("arm64"), "{built}");
    // Each platform's config says which it is, and its files are its own.
    let index: serde_json::Value =
        serde_json::from_slice(&store_blob(&ctx, built[0]["digest"].as_str().unwrap())).unwrap();
    let manifests = index["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 2, "{index}");
    for m in manifests {
        let arch = m["platform"]["architecture"].as_str().unwrap();
        let blob = |digest: &str| store_blob(&ctx, digest);
        let manifest: serde_json::Value =
            serde_json::from_slice(&blob(m["digest"].as_str().unwrap())).unwrap();
        let config: serde_json::Value =
            serde_json::from_slice(&blob(manifest["config"]["digest"].as_str().unwrap())).unwrap();
        let env: Vec<&str> = config["config"]["Env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        assert!(
            env.contains(&format!("TOOL_ARCH={arch}").as_str()),
            "{env:?}"
        );
        let layers = manifest["layers"].as_array().unwrap();
        let top = blob(layers.last().unwrap()["digest"].as_str().unwrap());
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&top[..]));
        let mut found = None;
        for entry in tar.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().ends_with("opt/tool/tool") {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
                found = Some(text);
            }
        }
        assert_eq!(
            found.as_deref(),
            Some(format!("built for {arch}\n").as_str())
        );
    }
}

/// What a spec takes from this machine stays portable and sound: an image archive named by an
/// absolute path is locked (and recorded in the history) relative to the spec, and one outside
/// the work tree is refused; a single-platform image is refused as an input of another
/// architecture unless the copy says its files fit any; a copied symlink to a file the image
/// lacks is warned about.
#[test]
fn copies_from_this_machine_are_portable_and_checked() {
    let f = fixture();
    let ctx = context(&f);
    std::fs::create_dir_all(ctx.project().join(".git")).unwrap();
    ctx.bosun(&["build"]).ok();
    let archive = ctx.project().join("out/deps.tar");
    std::fs::create_dir_all(archive.parent().unwrap()).unwrap();
    let to_archive = |path: &Path| {
        ctx.bosun(&[
            "copy",
            "hello:1",
            &format!("oci-archive:{}", path.display()),
        ])
        .ok();
    };
    to_archive(&archive);
    let spec = |reference: &str, arches: &str, extra: &str| {
        format!(
            "[debian]\nsuite = \"bosuntest\"\narchitectures = [{arches}]\n\n[image.svc]\n\
             packages = [\"ca-certificates\"]\n\
             copy = [{{ image = \"oci-archive:{reference}\", src = \"/app/msg.txt\", dst = \"/srv/msg.txt\"{extra} }}, {{ src = \"files/\", dst = \"/srv/files\" }}]\n\
             tags = [\"svc:1\"]\n"
        )
    };
    ctx.write(
        "svc/bosun.toml",
        &spec(&archive.display().to_string(), "\"amd64\"", ""),
    );
    ctx.write("svc/files/real.txt", "x\n");
    let files = ctx.project().join("svc/files");
    for (link, target) in [
        ("ok", "real.txt"),
        ("bundle", "/etc/ssl/certs/ca-certificates.crt"),
        ("python3", "/home/builder/.venv/bin/python3"),
        ("gone", "../nothing/here"),
    ] {
        std::os::unix::fs::symlink(target, files.join(link)).unwrap();
    }
    let built = ctx
        .bosun(&["build", "-f", "svc/bosun.toml", "--format", "json"])
        .ok();
    let warned = |link: &str| {
        built
            .stderr
            .lines()
            .any(|l| l.starts_with("warning:") && l.contains(&format!("/srv/files/{link} leads")))
    };
    assert!(warned("python3") && warned("gone"), "{}", built.stderr);
    assert!(!warned("ok") && !warned("bundle"), "{}", built.stderr);
    let image: Vec<serde_json::Value> = built.json();
    assert_eq!(
        image[0]["warnings"].as_array().unwrap().len(),
        2,
        "{}",
        built.stdout
    );
    // The lock and the history name the archive relative to the spec, no machine's path.
    let lock = lock_of(&ctx, "svc/bosun.toml");
    assert!(lock.contains("\"oci-archive:../out/deps.tar\""), "{lock}");
    let project = ctx.project().display().to_string();
    assert!(!lock.contains(&project), "{lock}");
    let history = built.stdout.clone();
    assert!(
        history.contains("oci-archive:../out/deps.tar:/app/msg.txt"),
        "{history}"
    );
    assert!(!history.contains(&project), "{history}");
    // From another directory, with the path written relative: the same image.
    ctx.write("svc/bosun.toml", &spec("../out/deps.tar", "\"amd64\"", ""));
    let elsewhere = ctx.dir.path().join("cwd");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let spec_path = ctx.project().join("svc/bosun.toml");
    let again = ctx
        .command(&[
            "build",
            "--locked",
            "-f",
            spec_path.to_str().unwrap(),
            "--format",
            "json",
        ])
        .current_dir(&elsewhere)
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let again: Vec<serde_json::Value> = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again[0]["digest"], image[0]["digest"]);
    // Outside the work tree: refused, as includes are.
    let far = ctx.dir.path().join("far.tar");
    to_archive(&far);
    ctx.write(
        "svc/far.toml",
        &spec(&far.display().to_string(), "\"amd64\"", ""),
    );
    ctx.bosun(&["lock", "-f", "svc/far.toml"])
        .fails(2, "outside the allowed roots");
    // A two-architecture spec cannot take amd64 files for arm64 ...
    ctx.write(
        "svc/multi.toml",
        &spec("../out/deps.tar", "\"amd64\", \"arm64\"", ""),
    );
    let refused = ctx.bosun(&["lock", "-f", "svc/multi.toml"]);
    assert_ne!(refused.code, 0, "{}", refused.stdout);
    assert!(
        refused.stderr.contains("has no image for linux/arm64")
            && refused.stderr.contains("it is linux/amd64"),
        "{}",
        refused.stderr
    );
    // ... unless the copy says they fit any architecture.
    ctx.write(
        "svc/multi.toml",
        &spec(
            "../out/deps.tar",
            "\"amd64\", \"arm64\"",
            ", arch-independent = true",
        ),
    );
    ctx.bosun(&["build", "-f", "svc/multi.toml"]).ok();
}
