//! Build steps against the real Debian mirror: the Go example compiled in the sandbox for
//! amd64 and arm64 (podman serves one, qemu-user the other), a C program built with make,
//! and the ways a step fails: an error exit, a missing output, a write outside its
//! directories, a connection attempt, and a machine without user namespaces.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use bosun_test::registry::free_port;
use bosun_test::{Context, peer};

use super::app_deps::{arm64_rootfs, background, containers_conf, http_get, serve_amd64};
use super::{assert_aarch64, example, podman};

/// Every path under `dir`, relative to it.
fn paths(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            }
            out.push(rel);
        }
    }
    out
}

/// The Go example from a clean store: the step runs once per architecture (Go
/// cross-compiles, no emulation), the amd64 image serves under podman and the arm64 binary
/// under qemu-user, neither image holds a Go toolchain or a shell, an unchanged build runs no
/// step, and the step run again on another store gives the same digest.
#[test]
fn go_server_compiled_in_a_step() {
    let (Some(_), Some(qemu)) = (peer("podman"), peer("qemu-aarch64")) else {
        return;
    };
    let ctx = example("go");
    // `--no-cache`: the step runs even when an earlier test run left its outputs cached.
    let first = ctx.bosun(&["build", "--no-cache", "--format", "json"]).ok();
    for arch in ["amd64", "arm64"] {
        assert!(
            first
                .stderr
                .contains(&format!("running step server for {arch}")),
            "{}",
            first.stderr
        );
    }
    let built: serde_json::Value = first.json();
    let digest = built[0]["digest"].as_str().unwrap().to_string();

    let conf = containers_conf(&ctx);
    let body = serve_amd64(&ctx, &conf, "hello-go");
    assert!(body.contains("hello from linux/amd64"), "{body}");

    let rootfs = arm64_rootfs(&ctx, "hello-go");
    let server = rootfs.join("usr/local/bin/server");
    assert_aarch64(&server);
    let port = free_port();
    let _server = background(
        Command::new(&qemu)
            .arg(&server)
            .env("PORT", port.to_string()),
    );
    let body = http_get(port, Duration::from_secs(60));
    assert!(body.contains("hello from linux/arm64"), "{body}");
    let held = paths(&rootfs);
    assert!(held.len() > 100, "{} paths", held.len());
    for p in &held {
        assert!(
            !p.contains("/go/") && !p.starts_with("usr/lib/go") && !p.ends_with("bin/go"),
            "a Go toolchain file in the image: {p}"
        );
    }
    assert!(
        !held
            .iter()
            .any(|p| p == "usr/bin/sh" || p == "usr/bin/dash")
    );

    // `inspect --by owner` names the step as the owner of what it made.
    let inspected: serde_json::Value = ctx
        .bosun(&[
            "inspect",
            "hello-go:latest",
            "--by",
            "owner",
            "--format",
            "json",
        ])
        .ok()
        .json();
    let owners = inspected["owners"]["packages"].as_array().unwrap();
    let server = owners
        .iter()
        .find(|o| o["kind"] == "step" && o["name"] == "server")
        .unwrap_or_else(|| panic!("no step owner: {owners:?}"));
    assert_eq!(server["files"], 2, "the binary and the step's file list");

    // Unchanged: no step runs, every layer is cached, the same digest.
    let again = ctx.bosun(&["build", "--locked", "--format", "json"]).ok();
    assert!(!again.stderr.contains("running step"), "{}", again.stderr);
    assert!(again.stderr.contains("step server for arm64: cached"));
    assert_eq!(
        again.json::<serde_json::Value>()[0]["digest"],
        digest.as_str()
    );

    // The spec and its lock are not the step's sources: a new label builds a new config,
    // and compiles nothing.
    let spec = std::fs::read_to_string(ctx.project().join("bosun.toml")).unwrap();
    ctx.write(
        "bosun.toml",
        &spec.replace(
            "tags = [\"hello-go:latest\"]",
            "tags = [\"hello-go:latest\"]\nlabels = { team = \"edge\" }",
        ),
    );
    let relabeled = ctx.bosun(&["build", "--locked"]).ok();
    assert!(
        relabeled.stderr.contains("step server for amd64: cached"),
        "{}",
        relabeled.stderr
    );
    ctx.write("bosun.toml", &spec);

    // Another store, the step run anew: the same bytes.
    let other = ctx.dir.path().join("other-store");
    let rerun = ctx
        .bosun(&[
            "--store",
            other.to_str().unwrap(),
            "build",
            "--locked",
            "--no-cache",
            "--format",
            "json",
        ])
        .ok();
    assert!(rerun.stderr.contains("running step server for amd64"));
    assert_eq!(
        rerun.json::<serde_json::Value>()[0]["digest"],
        digest.as_str()
    );

    // An edit to the sources runs the step again and changes only the binary's layer.
    let main = std::fs::read_to_string(ctx.project().join("main.go")).unwrap();
    // Unique per run, so no earlier run's outputs are cached for it.
    let tag = ctx
        .dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    ctx.write(
        "main.go",
        &main.replace("hello from", &format!("{tag} from")),
    );
    let edited = ctx.bosun(&["build", "--locked", "--format", "json"]).ok();
    assert!(edited.stderr.contains("running step server for amd64"));
    let layers: serde_json::Value = edited.json();
    let amd64 = layers[0]["layers"]["amd64"].as_array().unwrap();
    assert_eq!(amd64.len(), 2);
    assert_eq!(amd64[0]["cached"], true, "the package layer stays");
    assert_eq!(amd64[1]["cached"], false, "the binary's layer is new");
}

/// The spec of a project whose image copies `/out/OUTPUT` of the step `[step.NAME]`.
fn one_step(ctx: &Context, name: &str, step: &str, output: &str) {
    ctx.write(
        "bosun.toml",
        &format!(
            r#"[debian]
suite = "trixie"

[step.{name}]
{step}
outputs = ["{output}"]

[image.app]
packages = ["libc6"]
copy = [{{ step = "{name}", src = "{output}", dst = "/usr/local/bin/{output}" }}]
entrypoint = ["/usr/local/bin/{output}"]
tags = ["{name}:latest"]
"#
        ),
    );
}

/// A C program built with make for amd64 and, cross-compiled, arm64: run under podman and
/// qemu-user; then each way a step fails, with the
/// step's name and what it printed last.
#[test]
fn c_program_with_make_and_failing_steps() {
    let (Some(_), Some(qemu)) = (peer("podman"), peer("qemu-aarch64")) else {
        return;
    };
    let ctx = example("go");
    ctx.write(
        "c/hello.c",
        "#include <stdio.h>\nint main(void) { printf(\"hello from C\\n\"); return 0; }\n",
    );
    ctx.write(
        "c/Makefile",
        "hello: hello.c\n\t$(CC) -O2 -o $@ $<\n\ninstall: hello\n\tcp hello /out/hello\n",
    );
    ctx.write(
        "bosun.toml",
        r#"[debian]
suite = "trixie"
architectures = ["amd64", "arm64"]

[step.hello]
packages = ["gcc", "libc6-dev", "make"]
cross = true
src = "c"
run = ["make", "install"]
outputs = ["hello"]

[image.hello]
packages = ["libc6"]
copy = [{ step = "hello", src = "hello", dst = "/usr/local/bin/hello" }]
entrypoint = ["/usr/local/bin/hello"]
"#,
    );
    ctx.bosun(&["build"]).ok();
    let archive = ctx.dir.path().join("hello.tar");
    ctx.bosun(&[
        "copy",
        "hello:latest",
        &format!("docker-archive:{}", archive.display()),
    ])
    .ok();
    let conf = containers_conf(&ctx);
    podman(&conf, &["load", "-q", "-i", archive.to_str().unwrap()]);
    let said = podman(&conf, &["run", "--rm", "localhost/hello:latest"]);
    let _ = podman(&conf, &["rmi", "-f", "localhost/hello:latest"]);
    assert_eq!(said.trim(), "hello from C");
    // Why the environment has what no `packages` names.
    let why = ctx.bosun(&["lock", "--why", "coreutils"]).ok();
    assert!(
        why.stderr
            .contains("[step.hello] build environment: every step has a shell"),
        "{}",
        why.stderr
    );
    let why = ctx.bosun(&["lock", "--why", "gcc-aarch64-linux-gnu"]).ok();
    assert!(why.stderr.contains("`cross = true`"), "{}", why.stderr);
    // arm64 by Debian's cross compiler (`CC` set to it), run under qemu-user on the image's
    // own arm64 C library.
    let rootfs = arm64_rootfs(&ctx, "hello");
    let binary = rootfs.join("usr/local/bin/hello");
    assert_aarch64(&binary);
    let out = Command::new(&qemu)
        .arg("-L")
        .arg(&rootfs)
        .arg(&binary)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "hello from C");

    // A step that fails shows its name, its code and its last lines.
    let script = |body: &str| format!("packages = [\"busybox\"]\nscript = '''\n{body}\n'''");
    one_step(
        &ctx,
        "broken",
        &script("echo compiling; echo 'main.c:1: oops' >&2; exit 3"),
        "x",
    );
    let run = ctx
        .bosun(&["build"])
        .fails(2, "step `broken` exited with code 3");
    assert!(run.stderr.contains("main.c:1: oops"), "{}", run.stderr);

    // A declared output the step did not write.
    one_step(&ctx, "lazy", &script("echo done"), "missing");
    ctx.bosun(&["build"]).fails(
        2,
        "step `lazy` did not write its declared output /out/missing",
    );

    // Outside its directories, the root is read-only and the host is not there.
    one_step(
        &ctx,
        "escape",
        &script("touch /usr/escaped || { echo refused; exit 4; }"),
        "x",
    );
    let run = ctx
        .bosun(&["build"])
        .fails(2, "step `escape` exited with code 4");
    assert!(
        run.stderr.contains("Read-only file system"),
        "{}",
        run.stderr
    );

    // No network: not the host's loopback, not anything else.
    let host = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = host.local_addr().unwrap().port();
    one_step(
        &ctx,
        "online",
        &script(&format!(
            "busybox wget -q -T 5 -O /out/x http://127.0.0.1:{port}/ || exit 5"
        )),
        "x",
    );
    let run = ctx
        .bosun(&["build"])
        .fails(2, "step `online` exited with code 5");
    assert!(
        run.stderr.contains("unreachable") || run.stderr.contains("refused"),
        "{}",
        run.stderr
    );
    host.set_nonblocking(true).unwrap();
    assert!(host.accept().is_err(), "the step reached the host");

    // Without user namespaces: the reason and the fix, and nothing run unsandboxed.
    let Some(unshare) = peer("unshare") else {
        return;
    };
    one_step(&ctx, "marker", &script("echo ran > /out/x"), "x");
    let out = Command::new(unshare)
        .args(["--user", "--map-root-user", "sh", "-c"])
        .arg(format!(
            "echo 0 > /proc/sys/user/max_user_namespaces && exec {} build",
            bosun_test::bosun_bin().display()
        ))
        .current_dir(ctx.project())
        .envs(ctx.env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("does not allow one: creating user namespaces")
            && stderr.contains("user.max_user_namespaces"),
        "{stderr}"
    );
}

/// The Rust example: its crates fetched by `cargo fetch --locked` in the fetch phase (the
/// only one with network), built offline, served by podman (amd64) and qemu-user (arm64,
/// cross-compiled); an edit to the code builds again without fetching, since the lockfiles
/// did not change.
#[test]
fn rust_server_with_crates_fetched_first() {
    let (Some(_), Some(qemu)) = (peer("podman"), peer("qemu-aarch64")) else {
        return;
    };
    let ctx = example("rust");
    let first = ctx.bosun(&["build", "--no-cache"]).ok();
    for stage in [
        "fetching for step server for amd64 (network on)",
        "running step server for amd64 (network off)",
    ] {
        assert!(first.stderr.contains(stage), "{}", first.stderr);
    }
    let conf = containers_conf(&ctx);
    let body = serve_amd64(&ctx, &conf, "hello-rust");
    assert!(body.contains("hello from rust on x86_64"), "{body}");
    // arm64: cross-compiled with Debian's arm64 standard library and cross linker, run
    // under qemu-user on the image's own arm64 C library.
    assert!(
        first
            .stderr
            .contains("running step server for arm64 (network off)"),
        "{}",
        first.stderr
    );
    let rootfs = arm64_rootfs(&ctx, "hello-rust");
    let server = rootfs.join("usr/local/bin/hello");
    assert_aarch64(&server);
    let port = free_port();
    let _server = background(
        Command::new(&qemu)
            .arg("-L")
            .arg(&rootfs)
            .arg(&server)
            .env("PORT", port.to_string()),
    );
    let body = http_get(port, Duration::from_secs(60));
    assert!(body.contains("hello from rust on aarch64"), "{body}");

    let tag = ctx
        .dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let main = std::fs::read_to_string(ctx.project().join("src/main.rs")).unwrap();
    ctx.write(
        "src/main.rs",
        &main.replace("hello from rust", &format!("{tag} from rust")),
    );
    let edited = ctx.bosun(&["build", "--locked"]).ok();
    assert!(
        edited.stderr.contains("running step server for amd64"),
        "{}",
        edited.stderr
    );
    assert!(!edited.stderr.contains("fetching"), "{}", edited.stderr);
}

/// A Python package published only as a source distribution (docopt 0.6.2): refused by name
/// until the image's `python` table lists it in `build`; then built into a wheel in a
/// sandboxed step (offline, setuptools from Debian), installed as wheels are, for amd64 and,
/// pure Python, arm64, and importable in the image.
#[test]
fn python_sdist_built_into_a_wheel() {
    let (Some(uv), Some(_)) = (peer("uv"), peer("podman")) else {
        return;
    };
    let mut ctx = example("go");
    ctx.set("COSIGN_PASSWORD", "steps");
    for f in ["main.go", "go.mod", "bosun.toml"] {
        std::fs::remove_file(ctx.project().join(f)).unwrap();
    }
    ctx.write(
        "pyproject.toml",
        "[project]\nname = \"cli\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"docopt==0.6.2\"]\n",
    );
    ctx.write(
        "main.py",
        "import docopt\nprint('docopt', docopt.__version__)\n",
    );
    bosun_test::run(
        Command::new(&uv)
            .args(["lock", "-q"])
            .current_dir(ctx.project()),
    );
    let spec = |build: &str| {
        format!(
            r#"[debian]
suite = "trixie"
architectures = ["amd64", "arm64"]

[image.cli]
python = {{ lock = "uv.lock"{build} }}
copy = [{{ src = "main.py", dst = "/app/main.py" }}]
entrypoint = ["/usr/bin/python3", "/app/main.py"]
"#
        )
    };
    ctx.write("bosun.toml", &spec(""));
    ctx.bosun(&["lock"]).fails(2, "docopt 0.6.2 has no wheel");
    ctx.write("bosun.toml", &spec(", build = [\"docopt\"]"));
    ctx.bosun(&["keygen"]).ok();
    let built = ctx
        .bosun(&["build", "--no-cache", "--sign", "--key", "cosign.key"])
        .ok();
    // The provenance says which step built the wheel, from what, with what.
    let provenance = ctx
        .bosun(&[
            "verify-attestation",
            "cli:latest",
            "--key",
            "cosign.pub",
            "--type",
            "slsaprovenance",
            "--format",
            "json",
        ])
        .ok();
    for needle in [
        "\"name\":\"python docopt 0.6.2\"",
        "docopt-0.6.2-py",
        "pkg:deb/debian/python3-setuptools@",
    ] {
        assert!(
            provenance.stdout.contains(needle),
            "{needle}: {}",
            provenance.stdout
        );
    }
    for arch in ["amd64", "arm64"] {
        assert!(
            built
                .stderr
                .contains(&format!("running step python docopt 0.6.2 for {arch}")),
            "{}",
            built.stderr
        );
    }
    let conf = containers_conf(&ctx);
    let archive = ctx.dir.path().join("cli.tar");
    ctx.bosun(&[
        "copy",
        "--platform",
        "linux/amd64",
        "cli:latest",
        &format!("docker-archive:{}", archive.display()),
    ])
    .ok();
    podman(&conf, &["load", "-q", "-i", archive.to_str().unwrap()]);
    let said = podman(&conf, &["run", "--rm", "localhost/cli:latest"]);
    let _ = podman(&conf, &["rmi", "-f", "localhost/cli:latest"]);
    assert_eq!(said.trim(), "docopt 0.6.2");

    let rootfs = arm64_rootfs(&ctx, "cli");
    let site = paths(&rootfs);
    assert!(
        site.iter().any(|p| p.ends_with("dist-packages/docopt.py")),
        "{site:?}"
    );
    let installer = site
        .iter()
        .find(|p| p.ends_with("docopt-0.6.2.dist-info/INSTALLER"))
        .expect("a dist-info");
    assert_eq!(
        std::fs::read_to_string(rootfs.join(installer))
            .unwrap()
            .trim(),
        "bosun"
    );
}

/// An npm package whose postinstall script writes a file: refused by name until the image's
/// `node` table lists it in `build`; then the script runs in a sandboxed step (Debian's
/// nodejs, offline, the whole locked tree at hand) and the image has what it wrote.
#[test]
fn npm_install_script_runs_in_a_step() {
    use base64::Engine as _;
    use sha2::Digest as _;
    let Some(_) = peer("podman") else { return };
    let ctx = example("go");
    for f in ["main.go", "go.mod", "bosun.toml"] {
        std::fs::remove_file(ctx.project().join(f)).unwrap();
    }
    // The package, served on loopback as a registry tarball.
    let served = ctx.dir.path().join("served");
    std::fs::create_dir_all(&served).unwrap();
    let mut tgz = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    let manifest = r#"{"name":"hello-script","version":"1.0.0","main":"index.js","scripts":{"postinstall":"node -e \"require('fs').writeFileSync('built.txt', 'made by ' + process.env.npm_lifecycle_event + ' of ' + process.env.npm_package_name)\""}}"#;
    let index = "module.exports = require('fs').readFileSync(__dirname + '/built.txt', 'utf8');\n";
    for (path, data) in [
        ("package/package.json", manifest),
        ("package/index.js", index),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tgz.append_data(&mut h, path, data.as_bytes()).unwrap();
    }
    let bytes = tgz.into_inner().unwrap().finish().unwrap();
    std::fs::write(served.join("hello-script-1.0.0.tgz"), &bytes).unwrap();
    let integrity = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(&bytes))
    );
    let server = bosun_test::Server::start(&served);
    ctx.write(
        "package.json",
        r#"{"name":"app","version":"1.0.0","dependencies":{"hello-script":"1.0.0"}}"#,
    );
    ctx.write(
        "package-lock.json",
        &format!(
            r#"{{"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{{"":{{"name":"app","version":"1.0.0","dependencies":{{"hello-script":"1.0.0"}}}},"node_modules/hello-script":{{"version":"1.0.0","resolved":"{}/hello-script-1.0.0.tgz","integrity":"{integrity}","hasInstallScript":true}}}}}}"#,
            server.url()
        ),
    );
    ctx.write("app.js", "console.log(require('hello-script'));\n");
    let spec = |build: &str| {
        format!(
            r#"[debian]
suite = "trixie"

[image.web]
node = {{ lock = "package-lock.json", dst = "/app"{build} }}
copy = [{{ src = "app.js", dst = "/app/app.js" }}]
entrypoint = ["/usr/bin/node", "/app/app.js"]
"#
        )
    };
    ctx.write("bosun.toml", &spec(""));
    ctx.bosun(&["lock"])
        .fails(2, "hello-script 1.0.0 has an install script");
    ctx.write("bosun.toml", &spec(", build = [\"hello-script\"]"));
    let built = ctx.bosun(&["build", "--no-cache"]).ok();
    assert!(
        built
            .stderr
            .contains("running step npm scripts of web for amd64"),
        "{}",
        built.stderr
    );
    let conf = containers_conf(&ctx);
    let archive = ctx.dir.path().join("web.tar");
    ctx.bosun(&[
        "copy",
        "web:latest",
        &format!("docker-archive:{}", archive.display()),
    ])
    .ok();
    podman(&conf, &["load", "-q", "-i", archive.to_str().unwrap()]);
    let said = podman(&conf, &["run", "--rm", "localhost/web:latest"]);
    let _ = podman(&conf, &["rmi", "-f", "localhost/web:latest"]);
    assert_eq!(said.trim(), "made by postinstall of hello-script");
}
