//! Building: layers, caches, content, running under podman, concurrency, errors, what users read.

use super::*;

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
    // Beside the other suites' snapshots, one directory up from this module.
    settings.set_snapshot_path("../snapshots");
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
