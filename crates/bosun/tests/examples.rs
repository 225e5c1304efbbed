//! End-to-end tests of the examples against the real Debian mirror found in this machine's
//! apt sources, checked with real peers: podman runs the images, skopeo and umoci read them,
//! syft lists their packages, qemu-user runs the arm64 build. The `.deb` cache is kept between
//! runs (`BOSUN_CACHE_DIR`, default `~/.cache/bosun`) so reruns are quick.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use bosun_test::{Context, peer, workspace_root};

#[path = "examples/app_deps.rs"]
mod app_deps;
#[path = "examples/steps.rs"]
mod steps;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else if e.file_name() != "bosun.lock" {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A context on the real mirror with a persistent download cache and the example copied in.
fn example(name: &str) -> Context {
    let mut ctx = Context::new();
    ctx.set("BOSUN_APT_ROOT", "/");
    let cache = std::env::var("BOSUN_CACHE_DIR").unwrap_or_else(|_| {
        format!(
            "{}/.cache/bosun",
            std::env::var("HOME").unwrap_or_else(|_| "/root".into())
        )
    });
    ctx.set("BOSUN_CACHE_DIR", &cache);
    copy_dir(
        &workspace_root().join("examples").join(name),
        &ctx.project(),
    );
    ctx
}

/// Tests run in parallel on one podman store, and their images share layers: a `rmi` in one
/// test can drop a layer another test's `load` found present a moment earlier ("layer not
/// known"). Loads and removals take turns.
static PODMAN_STORE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn podman(conf: &Path, args: &[&str]) -> String {
    let out = podman_output(conf, args);
    assert!(
        out.status.success(),
        "podman {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Clean-up that may find nothing to remove.
fn podman_cleanup(conf: &Path, args: &[&str]) {
    let _ = podman_output(conf, args);
}

fn podman_output(conf: &Path, args: &[&str]) -> std::process::Output {
    let _turn = matches!(args.first(), Some(&("load" | "rmi")))
        .then(|| PODMAN_STORE.lock().unwrap_or_else(|e| e.into_inner()));
    Command::new(peer("podman").unwrap())
        .env("CONTAINERS_CONF", conf)
        .args(args)
        .output()
        .unwrap()
}

/// Asserts that `path` is an aarch64 ELF program (`e_machine` 183, EM_AARCH64).
fn assert_aarch64(path: &Path) {
    let elf = std::fs::read(path).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF", "{} is no ELF file", path.display());
    assert_eq!(
        u16::from_le_bytes([elf[18], elf[19]]),
        183,
        "{} is no aarch64 program",
        path.display()
    );
}

fn umoci_unpack(layout: &Path, tag: &str, bundle: &Path) -> Option<PathBuf> {
    let umoci = peer("umoci")?;
    let out = Command::new(umoci)
        .args([
            "unpack",
            "--rootless",
            "--image",
            &format!("{}:{tag}", layout.display()),
            bundle.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "umoci: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(bundle.join("rootfs"))
}

#[test]
fn python_example_runs_is_minimal_and_reproducible() {
    let ctx = example("python");
    ctx.bosun(&["lock"]).ok();
    // ca-certificates wants openssl only for its postinst; bosun writes the CA bundle itself.
    let why = ctx.bosun(&["lock", "--why", "openssl"]).ok();
    assert!(
        why.stdout.contains(
            "`openssl` is left out: ca-certificates depends on it only to run maintainer scripts"
        ),
        "{}",
        why.stdout
    );
    let built = ctx
        .bosun(&["build", "--locked", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    let digest = built[0]["digest"].as_str().unwrap().to_string();
    assert_eq!(
        built[0]["media_type"], "application/vnd.oci.image.index.v1+json",
        "amd64 + arm64 index"
    );
    let work = ctx.dir.path();

    // Reproducible: another store, another directory, a second later, the same lock.
    let other = example("python");
    std::fs::copy(
        ctx.project().join("bosun.lock"),
        other.project().join("bosun.lock"),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = other
        .bosun(&[
            "build",
            "--locked",
            "--format",
            "json",
            "-f",
            other.project().join("bosun.toml").to_str().unwrap(),
        ])
        .ok()
        .json::<serde_json::Value>();
    assert_eq!(
        again[0]["digest"],
        digest.as_str(),
        "same lock, same digest"
    );

    // skopeo reads the store, the OCI archive and the Docker archive.
    let archive = work.join("py.tar");
    let oci_archive = work.join("py-oci.tar");
    ctx.bosun(&[
        "copy",
        "python-app",
        &format!("docker-archive:{}", archive.display()),
    ])
    .ok();
    ctx.bosun(&[
        "copy",
        "python-app",
        &format!("oci-archive:{}", oci_archive.display()),
    ])
    .ok();
    if let Some(skopeo) = peer("skopeo") {
        for reference in [
            format!("oci:{}:python-app:latest", ctx.store().display()),
            format!("oci-archive:{}", oci_archive.display()),
            format!("docker-archive:{}", archive.display()),
        ] {
            let out = Command::new(&skopeo)
                .args(["inspect", "--override-arch", "amd64", &reference])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "skopeo inspect {reference}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(info["Architecture"], "amd64");
            assert_eq!(info["Layers"].as_array().unwrap().len(), 3);
        }
    }

    // podman runs it as nonroot and it prints its line; no shell, dpkg, apt, tar or awk inside,
    // though the spec has no `exclude` list: that is the default.
    if peer("podman").is_some() {
        let conf = work.join("containers.conf");
        std::fs::write(&conf, "[containers]\ndefault_ulimits = []\n").unwrap();
        podman(&conf, &["load", "-q", "-i", archive.to_str().unwrap()]);
        let line = podman(&conf, &["run", "--rm", "localhost/python-app:latest"]);
        let report: serde_json::Value = serde_json::from_str(
            line.trim()
                .strip_prefix("hello from bosun: ")
                .expect("the example's line"),
        )
        .unwrap();
        assert!(
            report["ca_certificates"].as_u64().unwrap() > 100,
            "{report}"
        );
        assert_eq!(report["paris"], "2024-01-01T13:00:00+01:00");
        let probe = "import os; print(os.getuid(), os.getgid(), *[os.path.exists(p) for p in ('/bin/sh', '/usr/bin/dpkg', '/usr/bin/apt', '/usr/bin/bash', '/usr/bin/tar', '/usr/bin/mawk', '/usr/bin/debconf')])";
        let facts = podman(
            &conf,
            &[
                "run",
                "--rm",
                "--entrypoint",
                "/usr/bin/python3",
                "localhost/python-app:latest",
                "-c",
                probe,
            ],
        );
        assert_eq!(
            facts.trim(),
            "65532 65532 False False False False False False False"
        );
        // `init = true`: tini is PID 1 and passes SIGTERM on, so `podman stop` ends the app
        // by that signal (exit 143); python as PID 1 ignores it and is killed (137).
        let stopped_by = |entrypoint: Option<&str>| -> String {
            let mut run = vec!["run", "-d"];
            if let Some(e) = entrypoint {
                run.extend(["--entrypoint", e]);
            }
            run.push("localhost/python-app:latest");
            if entrypoint.is_some() {
                run.push("/app/main.py");
            }
            run.push("--serve");
            let id = podman(&conf, &run).trim().to_string();
            // Up once it has printed its line (a bounded wait).
            let up = (0..100).any(|_| {
                std::thread::sleep(std::time::Duration::from_millis(100));
                podman(&conf, &["logs", &id]).contains("hello from bosun")
            });
            assert!(up, "the app did not start");
            podman(&conf, &["stop", "-t", "2", &id]);
            let code = podman(&conf, &["inspect", "--format", "{{.State.ExitCode}}", &id]);
            podman(&conf, &["rm", "-f", &id]);
            code.trim().to_string()
        };
        assert_eq!(stopped_by(None), "143", "SIGTERM ends the app under tini");
        assert_eq!(
            stopped_by(Some("/usr/bin/python3")),
            "137",
            "without tini, python as PID 1 ignores SIGTERM (the check above means something)"
        );
        podman_cleanup(&conf, &["rmi", "-f", "localhost/python-app:latest"]);
    }

    // syft sees exactly the locked amd64 packages, with Debian purls.
    if let Some(syft) = peer("syft") {
        let out = Command::new(syft)
            .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
            .args([
                "scan",
                &format!("docker-archive:{}", archive.display()),
                "-o",
                "json",
                "-q",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "syft: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sbom: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let found: BTreeSet<(String, String)> = sbom["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                assert_eq!(a["type"], "deb", "no extra non-Debian packages: {a}");
                assert!(
                    a["purl"].as_str().unwrap().starts_with("pkg:deb/debian/"),
                    "{a}"
                );
                (
                    a["name"].as_str().unwrap().to_string(),
                    a["version"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let lock = bosun_spec::Lockfile::load(&ctx.project().join("bosun.lock")).unwrap();
        let locked: BTreeSet<(String, String)> = lock
            .packages
            .iter()
            .filter(|p| p.architecture == "amd64")
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect();
        assert_eq!(found, locked);
    }

    // A lock one point release old, as an SBOM of the image with openssl and python3.13 back
    // at trixie's first versions: the scan names the newer versions the real mirror has and
    // the CVE ids their changelogs list since (these are history, so they stay).
    let sbom_file = work.join("old.cdx.json");
    ctx.bosun(&[
        "sbom",
        "python-app",
        "-o",
        "cyclonedx-json",
        "--file",
        sbom_file.to_str().unwrap(),
    ])
    .ok();
    let mut sbom: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sbom_file).unwrap()).unwrap();
    let first = [
        ("libssl3t64", "3.5.1-1"),
        ("libpython3.13-minimal", "3.13.5-2"),
    ];
    let mut moved = 0;
    for c in sbom["components"].as_array_mut().unwrap() {
        let Some((_, old)) = first.iter().find(|(n, _)| c["name"] == *n) else {
            continue;
        };
        let now = c["version"].as_str().unwrap().to_string();
        let encoded = now.replace('+', "%2B").replace(':', "%3A");
        let purl = c["purl"]
            .as_str()
            .unwrap()
            .replace(&format!("@{encoded}"), &format!("@{old}"));
        assert!(purl.contains(old), "{purl}");
        c["purl"] = purl.into();
        c["version"] = (*old).into();
        moved += 1;
    }
    assert_eq!(moved, 2, "the image has both packages");
    std::fs::write(&sbom_file, serde_json::to_vec(&sbom).unwrap()).unwrap();
    let report = ctx
        .bosun(&["scan", "--format", "json", sbom_file.to_str().unwrap()])
        .ok()
        .json::<serde_json::Value>();
    assert_eq!(
        report["suite"], "trixie",
        "from the purls' distro=debian-13"
    );
    for (name, old) in first {
        let update = report["updates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["package"] == name)
            .unwrap_or_else(|| panic!("no update for {name}: {report}"));
        assert_eq!(update["installed"], old);
        let cves = update["cves"].as_array().unwrap();
        assert!(
            cves.iter().all(|c| c.as_str().unwrap().starts_with("CVE-")) && !cves.is_empty(),
            "{update}"
        );
    }
    let openssl = report["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["package"] == "libssl3t64")
        .unwrap();
    assert!(
        openssl["cves"]
            .as_array()
            .unwrap()
            .contains(&"CVE-2025-9230".into()),
        "{openssl}"
    );

    // The arm64 image runs its python3 under qemu-user.
    let arm_layout = work.join("arm64");
    ctx.bosun(&[
        "copy",
        "--platform",
        "linux/arm64",
        "python-app",
        &format!("oci:{}:py", arm_layout.display()),
    ])
    .ok();
    if let (Some(rootfs), Some(qemu)) = (
        umoci_unpack(&arm_layout, "py", &work.join("arm64-bundle")),
        peer("qemu-aarch64"),
    ) {
        let out = Command::new(qemu)
            .arg("-L")
            .arg(&rootfs)
            .arg(rootfs.join("usr/bin/python3"))
            .arg(rootfs.join("app/main.py"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "qemu-aarch64: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("hello from bosun: "));
        assert_aarch64(&rootfs.join("usr/bin/python3.13"));
    }
}

#[test]
fn shared_core_is_stored_once() {
    let ctx = example("shared-core");
    let built = ctx
        .bosun(&["build", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    let layers = |i: usize| -> Vec<String> {
        built[i]["layers"]["amd64"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["digest"].as_str().unwrap().to_string())
            .collect()
    };
    // The core came from the included file, which the lock pins.
    let lock = std::fs::read_to_string(ctx.project().join("bosun.lock")).unwrap();
    assert!(
        lock.contains("[[include]]\npath = \"platform/core.toml\"\nsha256 = "),
        "{lock}"
    );
    let (api, worker) = (layers(0), layers(1));
    assert_eq!(api.len(), 3);
    assert_eq!(api[0], worker[0], "the core layer is shared");
    assert_eq!(
        api[1], worker[1],
        "the same python packages give the same layer"
    );
    assert_ne!(api[2], worker[2], "app layers differ");
    let blobs: Vec<String> = std::fs::read_dir(ctx.store().join("blobs/sha256"))
        .unwrap()
        .map(|e| format!("sha256:{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    assert_eq!(blobs.iter().filter(|b| **b == api[0]).count(), 1);
    // 2 images x (config + manifest) + 4 distinct layers, and beside each image its SPDX and
    // CycloneDX documents with their artifact manifests (2 x 4), and the one empty config
    // artifacts share.
    assert_eq!(blobs.len(), 8 + 8 + 1, "{blobs:?}");
}

/// `debug = true` on the python example: the plain image keeps its digest and has no shell;
/// the twin, tagged `:debug` and `:latest-debug`, has busybox in /busybox (its shell and
/// `wget` work under podman), shares every other layer, is in the lock and the SBOM, and
/// `inspect` says what it is.
#[test]
fn debug_twin_of_the_python_example() {
    let Some(_) = peer("podman") else { return };
    let ctx = example("python");
    let spec = std::fs::read_to_string(ctx.project().join("bosun.toml")).unwrap();
    ctx.write(
        "bosun.toml",
        &spec.replace(
            "architectures = [\"amd64\", \"arm64\"]",
            "architectures = [\"amd64\"]",
        ),
    );
    let plain = ctx
        .bosun(&["build", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    let digest = plain[0]["digest"].as_str().unwrap().to_string();
    ctx.write(
        "bosun.toml",
        &spec
            .replace(
                "architectures = [\"amd64\", \"arm64\"]",
                "architectures = [\"amd64\"]",
            )
            .replace("init = true", "init = true\ndebug = true"),
    );
    let built = ctx
        .bosun(&["build", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    let built = built.as_array().unwrap();
    assert_eq!(built.len(), 2, "{built:?}");
    assert_eq!(
        built[0]["digest"],
        digest.as_str(),
        "the plain image is untouched"
    );
    assert_eq!(
        built[1]["tags"],
        serde_json::json!(["python-app:debug", "python-app:latest-debug"])
    );
    let lock = bosun_spec::Lockfile::load(&ctx.project().join("bosun.lock")).unwrap();
    let group = lock
        .group("debug.python-app", "amd64")
        .expect("a debug group");
    assert_eq!(group.packages, ["busybox-static"]);
    let why = ctx.bosun(&["lock", "--why", "busybox-static"]).ok();
    assert!(
        why.stderr
            .contains("[image.python-app] `debug = true`: the debug twin's busybox"),
        "{}",
        why.stderr
    );

    // Every layer of the plain image is the twin's too.
    let disk: serde_json::Value = ctx
        .bosun(&["images", "--disk", "--format", "json"])
        .ok()
        .json();
    let images = disk["images"].as_array().unwrap();
    let plain_disk = images
        .iter()
        .find(|i| i["digest"] == digest.as_str())
        .unwrap();
    let twin_disk = images
        .iter()
        .find(|i| i["digest"] == built[1]["digest"])
        .unwrap();
    assert_eq!(twin_disk["shared_bytes"], plain_disk["shared_bytes"]);
    assert!(
        plain_disk["unique_bytes"].as_u64().unwrap() < 10_000,
        "{plain_disk}"
    );

    // The SBOM knows busybox; inspect knows the twin for what it is, and the plain image
    // still has no shell.
    let sbom = ctx
        .bosun(&["sbom", "python-app:debug", "-o", "spdx-json"])
        .ok();
    assert!(
        sbom.stdout.contains("\"busybox-static\""),
        "no busybox in the SBOM"
    );
    let findings = |image: &str| -> Vec<serde_json::Value> {
        let report: serde_json::Value = ctx
            .bosun(&["inspect", image, "--format", "json"])
            .ok()
            .json();
        report["findings"].as_array().unwrap().clone()
    };
    assert!(
        !findings("python-app:latest")
            .iter()
            .any(|f| f["code"] == "BI031")
    );
    let shell = findings("python-app:debug")
        .into_iter()
        .find(|f| f["code"] == "BI031")
        .expect("the twin's shell is reported");
    assert!(
        shell["message"]
            .as_str()
            .unwrap()
            .contains("debug twin of python-app:latest"),
        "{shell}"
    );

    // The explorer on a bosun image: the twin's layer, its owner, and from a file to its
    // package and back to the package's files.
    if let Some(screen) = bosun_test::tmux::Screen::start(
        ctx.command(&[]),
        &["inspect", "-i", "python-app:debug"],
        "twin",
    ) {
        let first = screen.wait_for("Image Details");
        assert!(first.contains("busybox in /busybox"), "{first}");
        screen.keys(&["/", "bin/busybox", "Enter", "Down", "Down", "Enter"]);
        let owners = screen.wait_for("Bytes by owner");
        let selected = owners
            .lines()
            .find(|l| l.contains("busybox-static"))
            .unwrap_or_else(|| panic!("{owners}"));
        assert!(selected.contains("deb"), "{selected}");
        screen.keys(&["Enter"]);
        let files = bosun_test::tmux::Screen::right(&screen.wait_for("[files of busybox-static]"));
        assert!(files.contains("busybox"), "{files}");
        screen.keys(&["q"]);
        let (state, code) = screen.after();
        bosun_test::tmux::restored(&state);
        assert_eq!(code.trim(), "exit=0");
    }

    let conf = ctx.dir.path().join("containers.conf");
    std::fs::write(&conf, "[containers]\ndefault_ulimits = []\n").unwrap();
    let archive = ctx.dir.path().join("debug.tar");
    ctx.bosun(&[
        "copy",
        "python-app:debug",
        &format!("docker-archive:{}", archive.display()),
    ])
    .ok();
    podman(&conf, &["load", "-q", "-i", archive.to_str().unwrap()]);
    let said = podman(
        &conf,
        &[
            "run",
            "--rm",
            "--entrypoint",
            "/busybox/sh",
            "localhost/python-app:debug",
            "-c",
            "ls /app && wget --help 2>&1 | head -1 && echo $PATH",
        ],
    );
    let _ = podman(&conf, &["rmi", "-f", "localhost/python-app:debug"]);
    assert!(said.contains("main.py"), "{said}");
    assert!(said.contains("BusyBox"), "{said}");
    assert!(said.trim_end().ends_with(":/busybox"), "{said}");
}
