//! Locking: resolution across suites, what verification refuses, the snapshot archive, security-only relocks.

use super::*;

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
