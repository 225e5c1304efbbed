//! The Flask and Express examples, with their lockfiles made at run time by uv and npm
//! from the examples' exact pins (a lockfile records its index's host, which the project
//! never commits), against the real Debian mirror, package index and npm registry; each
//! extended with a dependency that ships native code per platform (numpy's manylinux wheels,
//! rollup's optional `@rollup/rollup-linux-*` packages). podman serves the amd64 images,
//! qemu-user runs the arm64 ones, syft lists their packages.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bosun_test::registry::free_port;
use bosun_test::{Context, peer, run};

use super::{example, podman, podman_cleanup, umoci_unpack};

/// GET `/` on 127.0.0.1:`port`, retried until it answers or `wait` passes.
pub(super) fn http_get(port: u16, wait: Duration) -> String {
    let started = Instant::now();
    loop {
        let attempt = (|| -> std::io::Result<String> {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
            s.set_read_timeout(Some(Duration::from_secs(10)))?;
            s.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
            let mut out = String::new();
            s.read_to_string(&mut out)?;
            Ok(out)
        })();
        match attempt {
            Ok(body) if body.starts_with("HTTP/1") => return body,
            _ if started.elapsed() > wait => panic!("nothing answered on port {port}: {attempt:?}"),
            _ => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}

/// A package name as PEP 503 compares it (npm names have no `_` or upper case to change).
fn normal(name: &str) -> String {
    name.to_lowercase().replace(['_', '.'], "-")
}

/// Kills a background process when dropped (a failing assertion must not leave it).
pub(super) struct Background(pub(super) Child);
impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `command` started in the background, its output dropped; killed when dropped.
pub(super) fn background(command: &mut Command) -> Background {
    Background(
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    )
}

/// Builds, loads into podman and serves the amd64 image `name`; returns what `/` answered.
pub(super) fn serve_amd64(ctx: &Context, conf: &Path, name: &str) -> String {
    let archive = ctx.dir.path().join(format!("{name}.tar"));
    ctx.bosun(&[
        "copy",
        "--platform",
        "linux/amd64",
        name,
        &format!("docker-archive:{}", archive.display()),
    ])
    .ok();
    podman(conf, &["load", "-q", "-i", archive.to_str().unwrap()]);
    let port = free_port();
    let container = format!("bosun-test-{name}-{port}");
    podman(
        conf,
        &[
            "run",
            "-d",
            "--name",
            &container,
            "-p",
            &format!("127.0.0.1:{port}:8080"),
            &format!("localhost/{name}:latest"),
        ],
    );
    let body = http_get(port, Duration::from_secs(60));
    let user = podman(
        conf,
        &["inspect", "--format", "{{.Config.User}}", &container],
    );
    podman_cleanup(conf, &["rm", "-f", "-t", "2", &container]);
    podman_cleanup(conf, &["rmi", "-f", &format!("localhost/{name}:latest")]);
    assert_eq!(user.trim(), "65532", "non-root by default");
    body
}

/// The arm64 image of `name`, unpacked.
pub(super) fn arm64_rootfs(ctx: &Context, name: &str) -> PathBuf {
    let layout = ctx.dir.path().join(format!("{name}-arm64"));
    ctx.bosun(&[
        "copy",
        "--platform",
        "linux/arm64",
        name,
        &format!("oci:{}:arm", layout.display()),
    ])
    .ok();
    umoci_unpack(
        &layout,
        "arm",
        &ctx.dir.path().join(format!("{name}-arm64-bundle")),
    )
    .expect("umoci")
}

/// The (name, version) pairs syft finds of one type in the amd64 image.
fn syft_packages(ctx: &Context, name: &str, kind: &str) -> BTreeSet<(String, String)> {
    let layout = ctx.dir.path().join(format!("{name}-syft"));
    ctx.bosun(&[
        "copy",
        "--platform",
        "linux/amd64",
        name,
        &format!("oci:{}:s", layout.display()),
    ])
    .ok();
    let out = run(Command::new(peer("syft").expect("syft"))
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .args([
            "scan",
            &format!("oci-dir:{}", layout.display()),
            "-o",
            "json",
            "-q",
        ]));
    let sbom: serde_json::Value = serde_json::from_str(&out).unwrap();
    sbom["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"] == kind)
        .map(|a| {
            (
                normal(a["name"].as_str().unwrap()),
                a["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The (name, version) pairs of one purl type in the SBOM bosun's build wrote.
fn bosun_packages(ctx: &Context, name: &str, purl_type: &str) -> BTreeSet<(String, String)> {
    let out = ctx.dir.path().join(format!("{name}.cdx.json"));
    ctx.bosun(&[
        "sbom",
        name,
        "--platform",
        "linux/amd64",
        "-o",
        "cyclonedx-json",
        "--file",
        out.to_str().unwrap(),
    ])
    .ok();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["purl"]
                .as_str()
                .is_some_and(|p| p.starts_with(&format!("pkg:{purl_type}/")))
        })
        .map(|c| {
            // What the app's lockfile brought carries its file's hash (Debian's nodejs ships
            // npm packages of its own, under /usr/share/nodejs).
            let location = c["properties"]
                .as_array()
                .and_then(|p| p.iter().find(|p| p["name"] == "bosun:location"))
                .and_then(|p| p["value"].as_str())
                .unwrap_or_default();
            if location.contains("/node_modules/") || location.starts_with("/usr/local/lib/python")
            {
                assert!(
                    c["hashes"].as_array().is_some_and(|h| !h.is_empty()),
                    "the file's hash: {c}"
                );
            }
            (
                normal(c["name"].as_str().unwrap()),
                c["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

pub(super) fn containers_conf(ctx: &Context) -> PathBuf {
    let conf = ctx.dir.path().join("containers.conf");
    std::fs::write(&conf, "[containers]\ndefault_ulimits = []\n").unwrap();
    conf
}

/// The Flask example, with numpy added: uv locks it; the image serves under podman
/// (gunicorn, a console script bosun wrote), the arm64 image serves under qemu-user with
/// its aarch64 numpy, syft lists the same PyPI packages as bosun's SBOM, the same lock
/// gives the same digest, and an edit to the app changes only the app's layer.
#[test]
fn flask_app_from_uv_lock() {
    let (Some(uv), Some(_), Some(_), Some(qemu)) = (
        peer("uv"),
        peer("podman"),
        peer("syft"),
        peer("qemu-aarch64"),
    ) else {
        return;
    };
    let ctx = example("flask");
    let project = ctx.project();
    let pyproject = std::fs::read_to_string(project.join("pyproject.toml")).unwrap();
    std::fs::write(
        project.join("pyproject.toml"),
        pyproject.replace(
            "\"gunicorn==23.0.0\"",
            "\"gunicorn==23.0.0\", \"numpy==2.3.1\"",
        ),
    )
    .unwrap();
    ctx.write(
        "app/stats.py",
        "import numpy\n\nTOTAL = int(numpy.arange(10).sum())\n",
    );
    let main = std::fs::read_to_string(project.join("app/main.py")).unwrap();
    ctx.write(
        "app/main.py",
        &main.replace(
            "return f\"hello",
            "from stats import TOTAL\n\n    return f\"total {TOTAL} hello",
        ),
    );
    run(Command::new(&uv).args(["lock", "-q"]).current_dir(&project));

    ctx.bosun(&["lock"]).ok();
    let lock = bosun_spec::Lockfile::load(&project.join("bosun.lock")).unwrap();
    let numpy: Vec<&str> = lock
        .app_packages
        .iter()
        .filter(|p| p.name == "numpy")
        .map(|p| p.filename.as_str())
        .collect();
    assert_eq!(numpy.len(), 2, "one wheel per architecture");
    assert!(
        numpy
            .iter()
            .any(|f| f.contains("cp313-cp313-manylinux") && f.ends_with("_x86_64.whl")),
        "{numpy:?}"
    );
    assert!(
        numpy
            .iter()
            .any(|f| f.contains("cp313-cp313-manylinux") && f.ends_with("_aarch64.whl")),
        "{numpy:?}"
    );
    // numpy's extension modules load libstdc++: the image gets it.
    assert!(lock.package("arm64", "libstdc++6").is_some());
    let why = ctx
        .bosun(&["lock", "--why", "libstdc++6", "--arch", "arm64"])
        .ok();
    assert!(
        why.stderr
            .contains("[image.flask-app] pypi numpy 2.3.1 loads a library `libstdc++6` ships"),
        "{}",
        why.stderr
    );
    let built = ctx
        .bosun(&["build", "--locked", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    let digest = built[0]["digest"].as_str().unwrap().to_string();

    let conf = containers_conf(&ctx);
    let body = serve_amd64(&ctx, &conf, "flask-app");
    assert!(
        body.contains("total 45 hello from flask on python 3.13"),
        "{body}"
    );
    assert!(body.contains("(x86_64)"), "{body}");

    // arm64: the same app under qemu-user, with the image's own aarch64 python and numpy.
    let rootfs = arm64_rootfs(&ctx, "flask-app");
    let port = free_port();
    let _server = background(
        Command::new(&qemu)
            .arg("-L")
            .arg(&rootfs)
            .arg(rootfs.join("usr/bin/python3"))
            .arg(rootfs.join("usr/local/bin/gunicorn"))
            .args(["--bind", &format!("127.0.0.1:{port}"), "--chdir"])
            .arg(rootfs.join("app"))
            .arg("main:app"),
    );
    let body = http_get(port, Duration::from_secs(120));
    assert!(
        body.contains("total 45 hello from flask") && body.contains("(aarch64)"),
        "{body}"
    );

    // syft and bosun agree on the PyPI packages.
    let ours = bosun_packages(&ctx, "flask-app", "pypi");
    assert!(ours.len() >= 9, "{ours:?}");
    assert_eq!(syft_packages(&ctx, "flask-app", "python"), ours);

    // Reproducible: another store, the same lock, the same digest.
    let other = example("flask");
    for f in [
        "pyproject.toml",
        "uv.lock",
        "bosun.lock",
        "app/main.py",
        "app/stats.py",
    ] {
        std::fs::copy(project.join(f), other.project().join(f)).unwrap();
    }
    let again = other
        .bosun(&["build", "--locked", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    assert_eq!(again[0]["digest"], digest.as_str());

    // The same project exported by uv as pylock.toml and as hashed requirements: bosun
    // chooses the same files from each (requirements name no URLs: the files come from the
    // index uv.lock names, given as pip or uv users give it).
    let chosen = |lock: &bosun_spec::Lockfile| -> BTreeSet<(String, String, String)> {
        lock.app_packages
            .iter()
            .map(|p| (p.architecture.clone(), p.filename.clone(), p.hash.clone()))
            .collect()
    };
    let from_uv = chosen(&lock);
    let uv_lock: toml::Value =
        toml::from_str(&std::fs::read_to_string(project.join("uv.lock")).unwrap()).unwrap();
    let index = uv_lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|p| p["source"].get("registry")?.as_str())
        .unwrap()
        .to_string();
    let spec = std::fs::read_to_string(project.join("bosun.toml")).unwrap();
    let mut exported = example("flask");
    exported.set("UV_DEFAULT_INDEX", &index);
    for f in ["pyproject.toml", "uv.lock", "app/main.py", "app/stats.py"] {
        std::fs::copy(project.join(f), exported.project().join(f)).unwrap();
    }
    for (format, file) in [
        ("pylock.toml", "pylock.toml"),
        ("requirements.txt", "requirements.txt"),
    ] {
        run(Command::new(&uv)
            .args([
                "export",
                "-q",
                "--format",
                format,
                "--no-dev",
                "--no-emit-project",
                "-o",
                file,
            ])
            .current_dir(exported.project()));
        exported.write(
            "bosun.toml",
            &spec.replace("lock = \"uv.lock\"", &format!("lock = \"{file}\"")),
        );
        exported.bosun(&["lock"]).ok();
        let lock = bosun_spec::Lockfile::load(&exported.project().join("bosun.lock")).unwrap();
        assert_eq!(chosen(&lock), from_uv, "{file}");
    }

    // An edit to the app rebuilds the app's layer and nothing else.
    ctx.write(
        "app/stats.py",
        "import numpy\n\nTOTAL = int(numpy.arange(11).sum())\n",
    );
    let edited = ctx
        .bosun(&["build", "--locked", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    for arch in ["amd64", "arm64"] {
        let rebuilt: Vec<&str> = edited[0]["layers"][arch]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["cached"] == false)
            .map(|l| l["created_by"].as_str().unwrap())
            .collect();
        assert_eq!(rebuilt, ["bosun: copy app/ -> /app"], "{arch}");
    }
}

/// The Express example, with rollup added (its native code comes as optional packages per
/// os, cpu and libc): npm locks it; the amd64 image serves under podman with
/// `@rollup/rollup-linux-x64-gnu`, the arm64 one under qemu-user with
/// `@rollup/rollup-linux-arm64-gnu`, no musl, darwin or windows package in either; syft
/// lists the same npm packages as bosun's SBOM.
#[test]
fn express_app_from_package_lock() {
    let (Some(npm), Some(_), Some(_), Some(qemu)) = (
        peer("npm"),
        peer("podman"),
        peer("syft"),
        peer("qemu-aarch64"),
    ) else {
        return;
    };
    let mut ctx = example("express");
    let project = ctx.project();
    let package = std::fs::read_to_string(project.join("package.json")).unwrap();
    std::fs::write(
        project.join("package.json"),
        package.replace(
            "\"express\": \"4.21.2\"",
            "\"express\": \"4.21.2\",\n    \"rollup\": \"4.34.8\"",
        ),
    )
    .unwrap();
    let server = std::fs::read_to_string(project.join("server.js")).unwrap();
    ctx.write(
        "server.js",
        &server.replace(
            "res.send(`hello",
            "res.send(`rollup ${require(\"rollup\").VERSION} hello",
        ),
    );
    run(Command::new(&npm)
        .args([
            "install",
            "--package-lock-only",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ])
        .current_dir(&project));
    // Where this machine's npm fetches from: bosun reads npm's settings, and npm's built-in
    // default is in no file.
    let registry = run(Command::new(&npm).args(["config", "get", "registry"]));
    ctx.set("NPM_CONFIG_REGISTRY", registry.trim());

    ctx.bosun(&["lock"]).ok();
    let lock = bosun_spec::Lockfile::load(&project.join("bosun.lock")).unwrap();
    let natives = |arch: &str| -> Vec<String> {
        lock.app_packages
            .iter()
            .filter(|p| p.architecture == arch && p.name.starts_with("@rollup/rollup-"))
            .map(|p| p.name.clone())
            .collect()
    };
    assert_eq!(natives("amd64"), ["@rollup/rollup-linux-x64-gnu"]);
    assert_eq!(natives("arm64"), ["@rollup/rollup-linux-arm64-gnu"]);
    ctx.bosun(&["build", "--locked"]).ok();

    let conf = containers_conf(&ctx);
    let body = serve_amd64(&ctx, &conf, "express-app");
    assert!(
        body.contains("rollup 4.34.8 hello from express on node") && body.contains("(x64)"),
        "{body}"
    );

    let rootfs = arm64_rootfs(&ctx, "express-app");
    let port = free_port();
    let script = format!(
        "const http=require('http');const r=require('{}');http.createServer((q,s)=>s.end('rollup '+r.VERSION+' '+process.arch+'\\n')).listen({port},'127.0.0.1')",
        rootfs.join("app/node_modules/rollup").display()
    );
    let _server = background(
        Command::new(&qemu)
            .arg("-L")
            .arg(&rootfs)
            .arg(rootfs.join("usr/bin/node"))
            .args(["-e", &script]),
    );
    let body = http_get(port, Duration::from_secs(120));
    assert!(body.contains("rollup 4.34.8 arm64"), "{body}");

    let ours = bosun_packages(&ctx, "express-app", "npm");
    assert!(ours.len() >= 60, "{ours:?}");
    assert!(
        ours.contains(&("@rollup/rollup-linux-x64-gnu".into(), "4.34.8".into())),
        "{ours:?}"
    );
    assert_eq!(syft_packages(&ctx, "express-app", "npm"), ours);
}
