//! `bosun diff` against the truth as peers see it: two podman-built images unpacked by umoci
//! (files), their configs as skopeo prints them (config, layers) and their packages as syft
//! lists them; and the cases that must come out identical or nearly so.
#![allow(clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use bosun_test::{Context, peer, run, static_busybox};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

const A: &str = r#"FROM scratch
COPY busybox /bin/busybox
COPY status-a /var/lib/dpkg/status
RUN ["/bin/busybox", "sh", "-c", "B=/bin/busybox; $B mkdir -p /app/gone-dir /app/dir && echo hello > /app/hello && echo same > /app/same && echo mode > /app/mode && $B chmod 0644 /app/mode && echo owner > /app/owner && $B ln -s /app/hello /app/link && echo gone > /app/gone && echo x > /app/gone-dir/x && echo h > /app/hard-src && $B ln /app/hard-src /app/hard && echo tmp > /app/tmp && $B chmod 0755 /app/dir"]
ENV A_ONLY=1 SHARED=one
USER 1000
LABEL version=1
"#;

const B: &str = r#"FROM scratch
COPY busybox /bin/busybox
COPY status-b /var/lib/dpkg/status
COPY status.d/ /var/lib/dpkg/status.d/
RUN ["/bin/busybox", "sh", "-c", "B=/bin/busybox; $B mkdir -p /app/dir /app/new-dir && echo hello-v2 > /app/hello && echo same > /app/same && echo mode > /app/mode && $B chmod 4755 /app/mode && echo owner > /app/owner && $B chown 7:7 /app/owner && $B ln -s /app/same /app/link && echo new > /app/new && echo h2 > /app/hard-src && $B ln /app/hard-src /app/hard && echo tmp > /app/tmp && $B chmod 0700 /app/dir"]
RUN ["/bin/busybox", "rm", "/app/tmp"]
ENV SHARED=two B_ONLY=1
USER 65532
LABEL version=2
"#;

/// dpkg status files made from this machine's own database: B drops three packages, moves four
/// versions (one down), adds two, and adds one more in a distroless-style `status.d/` file.
fn status_files(ctx: &Path) {
    let host = std::fs::read_to_string("/var/lib/dpkg/status").expect("dpkg status");
    let installed: Vec<&str> = host
        .split("\n\n")
        .filter(|p| p.contains("\nStatus: install ok installed"))
        .take(36)
        .collect();
    assert!(installed.len() >= 36, "too few packages on this machine");
    let bump = |p: &str, suffix: &str| -> String {
        p.lines()
            .map(|l| match l.strip_prefix("Version: ") {
                Some(v) => format!("Version: {v}{suffix}"),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let a: Vec<String> = installed[..30].iter().map(|p| p.to_string()).collect();
    let mut b: Vec<String> = Vec::new();
    for (i, p) in installed[..30].iter().enumerate() {
        match i {
            0..=2 => {}
            3..=5 => b.push(bump(p, "+bosun1")),
            6 => b.push(bump(p, "~rc1")),
            _ => b.push(p.to_string()),
        }
    }
    b.extend(installed[30..32].iter().map(|p| p.to_string()));
    std::fs::write(ctx.join("status-a"), a.join("\n\n") + "\n").unwrap();
    std::fs::write(ctx.join("status-b"), b.join("\n\n") + "\n").unwrap();
    std::fs::create_dir_all(ctx.join("status.d")).unwrap();
    std::fs::write(ctx.join("status.d/extra"), installed[32].to_string() + "\n").unwrap();
}

struct Built {
    dir: PathBuf,
    a: PathBuf,
    b: PathBuf,
}

/// podman builds one at a time: concurrent builds in one storage race on these machines.
fn build(podman: &Path, ctx: &Path, dockerfile: &str, name: &str, out: &Path) -> PathBuf {
    static PODMAN: Mutex<()> = Mutex::new(());
    let _one = PODMAN.lock().unwrap_or_else(|e| e.into_inner());
    let file = ctx.join(format!("Dockerfile.{name}"));
    std::fs::write(&file, dockerfile).unwrap();
    let tag = format!("localhost/bosun-diff-{name}:latest");
    run(Command::new(podman)
        .args(["build", "-q", "--format", "docker", "-f"])
        .arg(&file)
        .args(["-t", &tag])
        .arg(ctx));
    let archive = out.join(format!("{name}.tar"));
    run(Command::new(podman)
        .args(["save", "--format", "docker-archive", "-o"])
        .arg(&archive)
        .arg(&tag));
    let _ = Command::new(podman).args(["rmi", "-f", &tag]).output();
    archive
}

/// Both images, built once per test binary.
fn built() -> Option<&'static Built> {
    static BUILT: OnceLock<Option<Built>> = OnceLock::new();
    BUILT.get_or_init(build_both).as_ref()
}

fn build_both() -> Option<Built> {
    let podman = peer("podman")?;
    let busybox = static_busybox()?;
    let dir = tempfile::tempdir().unwrap().keep();
    let ctx = dir.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::copy(&busybox, ctx.join("busybox")).unwrap();
    status_files(&ctx);
    let a = build(&podman, &ctx, A, "a", &dir);
    let b = build(&podman, &ctx, B, "b", &dir);
    Some(Built { dir, a, b })
}

/// What a path is, as the unpacked filesystem shows it: the same facts bosun compares.
#[derive(Debug, PartialEq, Eq)]
struct Fact {
    kind: &'static str,
    mode: u32,
    owner: (u32, u32),
    size: Option<u64>,
    link: Option<String>,
    sha256: Option<String>,
}

fn walk(root: &Path) -> BTreeMap<String, Fact> {
    fn go(root: &Path, dir: &Path, out: &mut BTreeMap<String, Fact>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = format!("/{}", path.strip_prefix(root).unwrap().display());
            let t = meta.file_type();
            let kind = if t.is_dir() {
                "dir"
            } else if t.is_symlink() {
                "symlink"
            } else if t.is_file() {
                "file"
            } else {
                "special"
            };
            out.insert(
                rel,
                Fact {
                    kind,
                    mode: meta.permissions().mode() & 0o7777,
                    owner: (meta.uid(), meta.gid()),
                    size: t.is_file().then_some(meta.len()),
                    link: t
                        .is_symlink()
                        .then(|| std::fs::read_link(&path).unwrap().display().to_string()),
                    sha256: t
                        .is_file()
                        .then(|| hex::encode(Sha256::digest(std::fs::read(&path).unwrap()))),
                },
            );
            if t.is_dir() {
                go(root, &path, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    go(root, root, &mut out);
    out
}

/// umoci's view of an image's final filesystem.
fn unpack(skopeo: &Path, umoci: &Path, archive: &Path, work: &Path, name: &str) -> PathBuf {
    let layout = work.join("layout");
    run(Command::new(skopeo)
        .arg("copy")
        .arg(format!("docker-archive:{}", archive.display()))
        .arg(format!("oci:{}:{name}", layout.display())));
    let rootfs = work.join(format!("rootfs-{name}"));
    run(Command::new(umoci)
        .args(["raw", "unpack", "--image"])
        .arg(format!("{}:{name}", layout.display()))
        .arg(&rootfs));
    rootfs
}

fn paths(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn differences_match_what_the_peers_see() {
    let Some(images) = built() else { return };
    let (Some(skopeo), Some(umoci), Some(syft)) = (peer("skopeo"), peer("umoci"), peer("syft"))
    else {
        return;
    };
    let ctx = Context::new();
    let image_a = format!("docker-archive:{}", images.a.display());
    let image_b = format!("docker-archive:{}", images.b.display());
    let out = ctx
        .command(&["diff", &image_a, &image_b, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["identical"], false);

    // Files: umoci unpacks both; every path whose facts differ is what bosun lists.
    let root_a = unpack(&skopeo, &umoci, &images.a, &images.dir, "a");
    let root_b = unpack(&skopeo, &umoci, &images.b, &images.dir, "b");
    let (fa, fb) = (walk(&root_a), walk(&root_b));
    let added: BTreeSet<String> = fb
        .keys()
        .filter(|p| !fa.contains_key(*p))
        .cloned()
        .collect();
    let removed: BTreeSet<String> = fa
        .keys()
        .filter(|p| !fb.contains_key(*p))
        .cloned()
        .collect();
    let mut changed = BTreeMap::new();
    for (path, x) in &fa {
        let Some(y) = fb.get(path) else { continue };
        let mut what = BTreeSet::new();
        if x.kind != y.kind {
            what.insert("kind");
        }
        if x.sha256 != y.sha256 {
            what.insert("content");
        }
        if x.size != y.size {
            what.insert("size");
        }
        if x.mode != y.mode {
            what.insert("mode");
        }
        if x.owner != y.owner {
            what.insert("owner");
        }
        if x.link != y.link {
            what.insert("link");
        }
        if !what.is_empty() {
            changed.insert(path.clone(), what);
        }
    }
    let files = &report["files"];
    assert_eq!(paths(&files["added"]), added);
    assert_eq!(paths(&files["removed"]), removed);
    let ours: BTreeMap<String, BTreeSet<&str>> = files["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["what"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| w.as_str().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(ours, changed);
    // The cases the images were made for are all there.
    for path in ["/app/new", "/app/new-dir", "/var/lib/dpkg/status.d/extra"] {
        assert!(added.contains(path), "{path} added");
    }
    for path in ["/app/gone", "/app/gone-dir", "/app/gone-dir/x"] {
        assert!(removed.contains(path), "{path} removed");
    }
    assert!(!fb.contains_key("/app/tmp") && removed.contains("/app/tmp"));
    for (path, what) in [
        ("/app/hello", vec!["content", "size"]),
        ("/app/mode", vec!["mode"]),
        ("/app/owner", vec!["owner"]),
        ("/app/link", vec!["link"]),
        ("/app/dir", vec!["mode"]),
        ("/app/hard", vec!["content", "size"]),
        ("/app/hard-src", vec!["content", "size"]),
    ] {
        assert_eq!(
            changed
                .get(path)
                .map(|w| w.iter().copied().collect::<Vec<_>>()),
            Some(what),
            "{path}"
        );
    }

    // Config and layers: skopeo's view of both configs.
    let config = |archive: &Path| -> Value {
        serde_json::from_str(&run(Command::new(&skopeo)
            .args(["inspect", "--config"])
            .arg(format!("docker-archive:{}", archive.display()))))
        .unwrap()
    };
    let (ca, cb) = (config(&images.a), config(&images.b));
    let fields: BTreeSet<&str> = report["config"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    for field in [
        "config.User",
        "config.Env.A_ONLY",
        "config.Env.B_ONLY",
        "config.Env.SHARED",
        "config.Labels.version",
    ] {
        assert!(fields.contains(field), "{field} in {fields:?}");
    }
    assert!(
        !fields.contains("config.Env.PATH"),
        "unchanged env is not listed"
    );
    let user = report["config"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "config.User")
        .unwrap();
    assert_eq!(user["a"], ca["config"]["User"]);
    assert_eq!(user["b"], cb["config"]["User"]);
    let ids = |c: &Value| -> Vec<String> {
        c["rootfs"]["diff_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_string())
            .collect()
    };
    let (ia, ib) = (ids(&ca), ids(&cb));
    let layers = &report["layers"];
    let listed = |key: &str| -> Vec<String> {
        layers[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["diff_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        listed("shared"),
        ia.iter()
            .filter(|d| ib.contains(d))
            .cloned()
            .collect::<Vec<_>>()
    );
    assert_eq!(
        listed("only_a"),
        ia.iter()
            .filter(|d| !ib.contains(d))
            .cloned()
            .collect::<Vec<_>>()
    );
    assert_eq!(
        listed("only_b"),
        ib.iter()
            .filter(|d| !ia.contains(d))
            .cloned()
            .collect::<Vec<_>>()
    );
    assert_eq!(
        layers["common_base"],
        ia.iter().zip(&ib).take_while(|(x, y)| x == y).count()
    );

    // Packages: syft's list of each image.
    let syft_packages = |archive: &Path| -> BTreeMap<String, String> {
        let out = run(Command::new(&syft)
            .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
            .args(["scan", "-q", "-o", "json"])
            .arg(format!("docker-archive:{}", archive.display())));
        let sbom: Value = serde_json::from_str(&out).unwrap();
        sbom["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["type"] == "deb")
            .map(|a| {
                (
                    a["name"].as_str().unwrap().to_string(),
                    a["version"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (pa, pb) = (syft_packages(&images.a), syft_packages(&images.b));
    let names = |key: &str| -> BTreeSet<String> {
        report["packages"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names("added"),
        pb.keys()
            .filter(|n| !pa.contains_key(*n))
            .cloned()
            .collect()
    );
    assert_eq!(
        names("removed"),
        pa.keys()
            .filter(|n| !pb.contains_key(*n))
            .cloned()
            .collect()
    );
    let moved: BTreeMap<String, (String, String)> = pa
        .iter()
        .filter_map(|(n, va)| {
            let vb = pb.get(n)?;
            (vb != va).then(|| (n.clone(), (va.clone(), vb.clone())))
        })
        .collect();
    let ours: BTreeMap<String, (String, String)> = report["packages"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                (
                    c["a"].as_str().unwrap().to_string(),
                    c["b"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(ours, moved);
    assert_eq!(
        (names("added").len(), names("removed").len(), moved.len()),
        (3, 3, 4)
    );
    let downgrades = report["packages"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["direction"] == "downgrade")
        .count();
    assert_eq!(downgrades, 1);

    // The table says the same, for people.
    let table = ctx.command(&["diff", &image_a, &image_b]).output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("~ /app/mode  mode 0644 -> 4755"), "{text}");
    assert!(text.contains("(downgrade)"), "{text}");
}

#[test]
fn same_image_from_any_source_is_identical() {
    let Some(images) = built() else { return };
    let Some(skopeo) = peer("skopeo") else { return };
    let ctx = Context::new();
    let archive = format!("docker-archive:{}", images.a.display());
    let run = ctx.bosun(&["diff", &archive, &archive]).ok();
    assert!(
        run.stdout.trim_end().ends_with("identical"),
        "{}",
        run.stdout
    );

    // The same image as an OCI layout, twice, compressed two ways: same content, other blobs.
    let mut layouts = Vec::new();
    for format in ["gzip", "zstd"] {
        let layout = images.dir.join(format!("oci-{format}"));
        self::run(
            Command::new(&skopeo)
                .args(["copy", "--dest-compress-format", format])
                .arg(&archive)
                .arg(format!("oci:{}:a", layout.display())),
        );
        layouts.push(format!("oci:{}:a", layout.display()));
    }
    // The layout and a tar of it hold the same manifest.
    let tarred = images.dir.join("oci-gzip.tar");
    self::run(
        Command::new("tar")
            .arg("-C")
            .arg(images.dir.join("oci-gzip"))
            .arg("-cf")
            .arg(&tarred)
            .arg("."),
    );
    let run = ctx
        .bosun(&[
            "diff",
            &layouts[0],
            &format!("oci-archive:{}:a", tarred.display()),
        ])
        .ok();
    assert!(
        run.stdout.trim_end().ends_with("identical"),
        "{}",
        run.stdout
    );

    // skopeo's conversion to OCI drops the Docker-only config fields and nothing else: same
    // layers, same files, config fields absent on the OCI side only.
    let out = ctx
        .command(&["diff", &archive, &layouts[0], "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let dropped = report["config"].as_array().unwrap();
    assert!(!dropped.is_empty());
    assert!(dropped.iter().all(|c| c["b"].is_null()), "{dropped:?}");
    assert_eq!(report["layers"]["only_a"], Value::Array(vec![]));
    assert_eq!(report["layers"]["only_b"], Value::Array(vec![]));
    let files = &report["files"];
    for key in ["added", "removed", "changed"] {
        assert_eq!(files[key], Value::Array(vec![]), "{key}");
    }
    let out = ctx
        .command(&["diff", &layouts[0], &layouts[1], "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["identical"], false);
    assert_eq!(report["config"], Value::Array(vec![]));
    assert_eq!(report["layers"]["only_a"], Value::Array(vec![]));
    let blobs: Vec<&Value> = report["manifest"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["field"].as_str().unwrap().starts_with("layers["))
        .collect();
    assert_eq!(
        blobs.len(),
        report["layers"]["shared"].as_array().unwrap().len()
    );
    assert!(
        blobs[0]["b"].as_str().unwrap().contains("zstd"),
        "{:?}",
        blobs[0]
    );
    assert_eq!(report["files"]["changed"], Value::Array(vec![]));
}

#[test]
fn modification_times_only_with_times() {
    let (Some(podman), Some(busybox)) = (peer("podman"), static_busybox()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ctx_dir = dir.path().join("ctx");
    std::fs::create_dir_all(&ctx_dir).unwrap();
    std::fs::copy(&busybox, ctx_dir.join("busybox")).unwrap();
    let dockerfile = |when: u32| {
        format!(
            "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo same > /f && /bin/busybox touch -d @{when} /f\"]\n"
        )
    };
    let a = build(&podman, &ctx_dir, &dockerfile(1_000_000), "t1", dir.path());
    let b = build(&podman, &ctx_dir, &dockerfile(2_000_000), "t2", dir.path());
    let ctx = Context::new();
    let (a, b) = (
        format!("docker-archive:{}", a.display()),
        format!("docker-archive:{}", b.display()),
    );
    let out = ctx
        .command(&["diff", &a, &b, "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["files"]["changed"], Value::Array(vec![]));
    assert!(
        report["notes"][0].as_str().unwrap().contains("--times"),
        "{report}"
    );
    let out = ctx
        .command(&["diff", &a, &b, "--times", "--format", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = report["files"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "/f")
        .expect("/f changed");
    assert_eq!(f["what"], serde_json::json!(["mtime"]));
    assert_eq!(
        (f["a"]["mtime"].as_u64(), f["b"]["mtime"].as_u64()),
        (Some(1_000_000), Some(2_000_000))
    );
}

#[test]
fn unreadable_images_are_one_error() {
    let ctx = Context::new();
    let missing = ctx.dir.path().join("missing.tar");
    let run = ctx
        .bosun(&[
            "diff",
            &format!("docker-archive:{}", missing.display()),
            "x:1",
        ])
        .fails(2, "missing.tar");
    assert!(run.stdout.is_empty());
}
