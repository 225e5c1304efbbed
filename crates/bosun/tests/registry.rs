//! bosun against registries: Distribution (`docker-registry`) on 127.0.0.1 with TLS and
//! basic auth or bearer tokens, skopeo and podman reading what bosun pushed (and bosun reading
//! what skopeo pushed), and scripted registries that lie, fail, throttle and redirect.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bosun_test::registry::{Auth, Registry, Tls};
use bosun_test::script::{Reply, Request, ScriptServer};
use bosun_test::{Context, Run, peer, run};
use sha2::{Digest as _, Sha256};

fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A gzip layer of `files` and its diff id.
/// A Debian repository of two packages (base-files, whose os-release names the suite, and
/// greeter 2.0), signed and served on loopback.
fn greeter_repo() -> (bosun_test::FixtureRepo, bosun_test::Server) {
    let repo = bosun_test::FixtureRepo::new();
    repo.publish(
        "bosuntest",
        &[
            bosun_test::Pkg::new("base-files", "13.1").file(
                "usr/lib/os-release",
                0o644,
                "ID=debian\nVERSION_CODENAME=bosuntest\n",
            ),
            bosun_test::Pkg::new("greeter", "2.0").file(
                "usr/share/greeter/hello",
                0o644,
                "hello\n",
            ),
        ],
    );
    repo.publish("bosuntest-updates", &[]);
    repo.publish("bosuntest-security", &[]);
    let server = bosun_test::Server::start(repo.root());
    (repo, server)
}

fn layer(files: &[(&str, &[u8], u32)]) -> (Vec<u8>, String) {
    let mut tar = tar::Builder::new(Vec::new());
    for (path, bytes, mode) in files {
        let mut h = tar::Header::new_ustar();
        h.set_path(path).unwrap();
        h.set_size(bytes.len() as u64);
        h.set_mode(*mode);
        h.set_mtime(0);
        h.set_cksum();
        tar.append(&h, *bytes).unwrap();
    }
    let raw = tar.into_inner().unwrap();
    let diff_id = sha256(&raw);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&raw).unwrap();
    (gz.finish().unwrap(), diff_id)
}

/// An OCI layout with `app1` and `app2` (amd64; a shared core layer holding a static
/// busybox and 1 MiB of noise, plus a small layer of their own, printing their name) and
/// `multi`, an index of app1 for amd64 and arm64.
struct Layout {
    dir: PathBuf,
    core: String,
}

fn write_blob(dir: &Path, bytes: &[u8]) -> (String, u64) {
    let digest = sha256(bytes);
    let path = dir.join("blobs/sha256").join(&digest[7..]);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    (digest, bytes.len() as u64)
}

fn make_layout(dir: &Path, busybox: &[u8]) -> Layout {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    // Noise that gzip cannot shrink, the same in every run.
    let mut noise = Vec::with_capacity(1 << 20);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while noise.len() < 1 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.extend_from_slice(&x.to_le_bytes());
    }
    let status = b"Package: corelib\nVersion: 1.0\nArchitecture: amd64\n";
    let (core_gz, core_diff) = layer(&[
        ("bin/busybox", busybox, 0o755),
        ("data/noise", &noise, 0o644),
        ("var/lib/dpkg/status.d/corelib", &status[..], 0o644),
    ]);
    let (core, core_size) = write_blob(dir, &core_gz);
    let mut refs = Vec::new();
    let manifest_for = |name: &str, arch: &str| -> serde_json::Value {
        let (app_gz, app_diff) = layer(&[("app/name", name.as_bytes(), 0o644)]);
        let (app, app_size) = write_blob(dir, &app_gz);
        let config = serde_json::json!({
            "architecture": arch, "os": "linux",
            "config": {"Entrypoint": ["/bin/busybox", "cat", "/app/name"], "User": "65532"},
            "rootfs": {"type": "layers", "diff_ids": [core_diff, app_diff]},
        });
        let (config, config_size) = write_blob(dir, config.to_string().as_bytes());
        let manifest = serde_json::json!({
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": config_size},
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": core, "size": core_size},
                {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": app, "size": app_size},
            ],
        });
        let (digest, size) = write_blob(dir, manifest.to_string().as_bytes());
        serde_json::json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": size,
            "platform": {"architecture": arch, "os": "linux"}})
    };
    for name in ["app1", "app2"] {
        let mut d = manifest_for(name, "amd64");
        d["annotations"] = serde_json::json!({"org.opencontainers.image.ref.name": name});
        d.as_object_mut().unwrap().remove("platform");
        refs.push(d);
    }
    let index = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [manifest_for("app1", "amd64"), manifest_for("app1", "arm64")],
    });
    let (digest, size) = write_blob(dir, index.to_string().as_bytes());
    refs.push(serde_json::json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": digest, "size": size,
        "annotations": {"org.opencontainers.image.ref.name": "multi"}}));
    let top = serde_json::json!({"schemaVersion": 2, "manifests": refs});
    std::fs::write(dir.join("index.json"), top.to_string()).unwrap();
    Layout {
        dir: dir.to_path_buf(),
        core,
    }
}

/// Takes app1 and app2 from the layout into the store and pushes each to
/// `HOST/team/APP:1` (plain HTTP); returns the pushed digests.
fn push_apps(ctx: &Context, layout: &Layout, host: &str) -> BTreeMap<&'static str, String> {
    let mut digests = BTreeMap::new();
    for app in ["app1", "app2"] {
        ctx.bosun(&[
            "copy",
            &format!("oci:{}:{app}", layout.dir.display()),
            &format!("store:{app}"),
        ])
        .ok();
        let file = ctx.dir.path().join(format!("{app}.digest"));
        ctx.bosun(&[
            "copy",
            "--tls-verify=false",
            app,
            &format!("docker://{host}/team/{app}:1"),
            "--digestfile",
            file.to_str().unwrap(),
        ])
        .ok();
        digests.insert(app, std::fs::read_to_string(file).unwrap());
    }
    digests
}

fn with_stdin(ctx: &Context, args: &[&str], input: &str) -> Run {
    let mut child = ctx
        .command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn digest_file(ctx: &Context, name: &str) -> String {
    std::fs::read_to_string(ctx.dir.path().join(name)).unwrap()
}

fn podman(args: &[&str]) -> String {
    run(Command::new(peer("podman").unwrap()).args(args))
}

/// The whole round trip on a registry with TLS (a CA of the test's, found through certs.d)
/// and htpasswd auth: login, push two images sharing a core (the core goes up once), skopeo
/// and podman read them with the same digests, podman runs one, bosun reads what skopeo
/// pushed (an index, one platform or all), inspect and diff read the registry, logout.
#[test]
fn round_trip_with_tls_and_basic_auth() {
    let (Some(_), Some(_), Some(busybox)) =
        (peer("skopeo"), peer("podman"), bosun_test::static_busybox())
    else {
        return;
    };
    let ctx = Context::new();
    let tls = Tls::make(&ctx.dir.path().join("tls"));
    let Some(reg) = Registry::start(
        Some(&tls),
        Auth::Basic {
            user: "tester".into(),
            password: "s3cret-pw".into(),
        },
    ) else {
        return;
    };
    let host = reg.host.clone();
    // Without its CA, the error says where podman's users put one (told by the TLS error's
    // kind); a registry without TLS is told apart the same way.
    let unknown = ctx.bosun(&["images", &format!("docker://{host}/team/app1")]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains(&format!(
            "put the registry's CA in ~/.config/containers/certs.d/{host}/ca.crt"
        )),
        "{}",
        unknown.stderr
    );
    let Some(plain) = Registry::start(None, Auth::None) else {
        return;
    };
    let no_tls = ctx.bosun(&["images", &format!("docker://{}/team/app1", plain.host)]);
    assert!(
        no_tls
            .stderr
            .contains("it does not speak TLS: pass --tls-verify=false"),
        "{}",
        no_tls.stderr
    );
    // The CA through containers' certs.d, as podman finds it.
    let certs = ctx
        .dir
        .path()
        .join("containers-root/etc/containers/certs.d")
        .join(&host);
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(&tls.ca, certs.join("ca.crt")).unwrap();
    let cert_dir = certs.to_str().unwrap().to_string();
    let layout = make_layout(
        &ctx.dir.path().join("layout"),
        &std::fs::read(busybox).unwrap(),
    );
    let oci = |r: &str| format!("oci:{}:{r}", layout.dir.display());

    // Unauthenticated pushes are refused with a hint.
    ctx.bosun(&[
        "copy",
        &oci("app1"),
        &format!("docker://{host}/team/app1:1"),
    ])
    .fails(2, "authentication required");
    // login checks the password before saving it, and never prints it.
    let bad = with_stdin(
        &ctx,
        &["login", &host, "-u", "tester", "--password-stdin"],
        "wrong\n",
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("access denied"), "{}", bad.stderr);
    assert!(!ctx.dir.path().join("auth.json").exists());
    let good = with_stdin(
        &ctx,
        &["login", &host, "-u", "tester", "--password-stdin"],
        "s3cret-pw\n",
    );
    assert_eq!(good.code, 0, "{}", good.stderr);
    assert!(!good.stderr.contains("s3cret") && !good.stdout.contains("s3cret"));
    let auth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ctx.dir.path().join("auth.json")).unwrap())
            .unwrap();
    assert!(auth["auths"][&host]["auth"].is_string(), "{auth}");

    // Two images with one core: the core is uploaded once, the second push mounts it.
    for app in ["app1", "app2"] {
        ctx.bosun(&["copy", &oci(app), &format!("store:{app}")])
            .ok();
        let digestfile = ctx.dir.path().join(format!("{app}.digest"));
        ctx.bosun(&[
            "copy",
            app,
            &format!("docker://{host}/team/{app}:1"),
            "--digestfile",
            digestfile.to_str().unwrap(),
        ])
        .ok();
    }
    let requests = reg.requests();
    let core_hex = &layout.core[7..];
    let core_uploads: Vec<&String> = requests
        .iter()
        .filter(|r| r.starts_with("PUT ") && r.contains(core_hex))
        .collect();
    assert_eq!(core_uploads.len(), 1, "{requests:#?}");
    assert!(
        requests.iter().any(
            |r| r.starts_with("POST /v2/team/app2/blobs/uploads/?mount=") && r.contains(core_hex)
        ),
        "{requests:#?}"
    );
    // A second push of the same image sends no blob at all.
    let before = reg.requests().len();
    ctx.bosun(&["copy", "app1", &format!("docker://{host}/team/app1:1")])
        .ok();
    let again: Vec<String> = reg.requests()[before..].to_vec();
    assert!(
        !again
            .iter()
            .any(|r| r.starts_with("PUT ") && r.contains("/blobs/")),
        "{again:#?}"
    );
    assert!(!again.iter().any(|r| r.starts_with("PATCH ")), "{again:#?}");

    // skopeo and podman see the digests bosun pushed; podman runs the image.
    let d1 = digest_file(&ctx, "app1.digest");
    let creds = "tester:s3cret-pw";
    let inspect = run(Command::new("skopeo").args([
        "inspect",
        "--cert-dir",
        &cert_dir,
        "--creds",
        creds,
        &format!("docker://{host}/team/app1:1"),
    ]));
    let inspect: serde_json::Value = serde_json::from_str(&inspect).unwrap();
    assert_eq!(inspect["Digest"], d1.as_str());
    let image = format!("{host}/team/app1:1");
    podman(&[
        "pull",
        "-q",
        "--cert-dir",
        &cert_dir,
        "--creds",
        creds,
        &image,
    ]);
    let pulled = podman(&["image", "inspect", "--format", "{{.Digest}}", &image]);
    assert_eq!(pulled.trim(), d1);
    assert_eq!(podman(&["run", "--rm", &image]).trim(), "app1");
    podman(&["rmi", "-f", &image]);

    // bosun reads what skopeo pushed: an index; one platform by default, all with --all.
    let multi = format!("docker://{host}/sk/multi:1");
    run(Command::new("skopeo").args([
        "copy",
        "-q",
        "--all",
        "--dest-cert-dir",
        &cert_dir,
        "--dest-creds",
        creds,
        &oci("multi"),
        &multi,
    ]));
    let raw = Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            "--cert-dir",
            &cert_dir,
            "--creds",
            creds,
            &multi,
        ])
        .output()
        .unwrap()
        .stdout;
    let index_digest = sha256(&raw);
    let index: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let arm = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["platform"]["architecture"] == "arm64")
        .unwrap()["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let stored = |ctx: &Context, name: &str| -> String {
        let index: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(ctx.store().join("index.json")).unwrap())
                .unwrap();
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {index}"))["digest"]
            .as_str()
            .unwrap()
            .to_string()
    };
    ctx.bosun(&["copy", "--all", &multi, "store:multi:all"])
        .ok();
    assert_eq!(stored(&ctx, "multi:all"), index_digest);
    ctx.bosun(&[
        "copy",
        "--platform",
        "linux/arm64",
        &multi,
        "store:multi:arm",
    ])
    .ok();
    assert_eq!(stored(&ctx, "multi:arm"), arm);
    // The index goes back up under another name with its digest.
    ctx.bosun(&[
        "copy",
        "multi:all",
        &format!("docker://{host}/team/multi:2"),
    ])
    .ok();
    let raw2 = Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            "--cert-dir",
            &cert_dir,
            "--creds",
            creds,
            &format!("docker://{host}/team/multi:2"),
        ])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(sha256(&raw2), index_digest);

    // inspect and diff read the registry directly.
    let out = ctx
        .bosun(&[
            "inspect",
            "--format",
            "json",
            &format!("docker://{host}/team/app1:1"),
        ])
        .ok();
    let report: serde_json::Value = out.json();
    assert_eq!(report["digest"], d1.as_str(), "{report}");
    let diff = ctx.bosun(&["diff", &format!("docker://{host}/team/app1:1"), "app1"]);
    assert_eq!(diff.code, 0, "{}{}", diff.stdout, diff.stderr);
    let diff = ctx.bosun(&[
        "diff",
        &format!("docker://{host}/team/app1:1"),
        &format!("docker://{host}/team/app2:1"),
    ]);
    assert_eq!(
        diff.code, 1,
        "app1 and app2 differ: {}{}",
        diff.stdout, diff.stderr
    );
    ctx.bosun(&["inspect", &format!("docker://{host}/team/none:1")])
        .fails(2, "not found");

    // Without the certs.d entry, TLS fails with a hint; --cert-dir brings the CA back.
    std::fs::remove_dir_all(&certs).unwrap();
    let unreached = ctx
        .bosun(&["inspect", &format!("docker://{host}/team/app1:1")])
        .fails(2, "or pass --cert-dir)");
    assert!(
        unreached
            .stderr
            .contains(&format!("~/.config/containers/certs.d/{host}/ca.crt")),
        "the hint names the user's certs.d: {}",
        unreached.stderr
    );
    let other = ctx.dir.path().join("certs");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(&tls.ca, other.join("ca.crt")).unwrap();
    ctx.bosun(&[
        "inspect",
        "--cert-dir",
        other.to_str().unwrap(),
        &format!("docker://{host}/team/app1:1"),
    ])
    .ok();
    // logout forgets the credentials.
    ctx.bosun(&["logout", &host]).ok();
    ctx.bosun(&["logout", &host]).fails(2, "not logged in");
    ctx.bosun(&[
        "copy",
        "--cert-dir",
        other.to_str().unwrap(),
        &format!("docker://{host}/team/app1:1"),
        "store:again",
    ])
    .fails(2, "authentication required");
}

/// Bearer tokens: the challenge is answered at the token server with the credentials, a
/// token is reused for its scope, and wrong credentials fail clearly.
#[test]
fn bearer_tokens() {
    let Some(busybox) = bosun_test::static_busybox() else {
        return;
    };
    let ctx = Context::new();
    let Some(reg) = Registry::start(
        None,
        Auth::Token {
            user: "robot".into(),
            password: "t0ken-pw".into(),
        },
    ) else {
        return;
    };
    let layout = make_layout(
        &ctx.dir.path().join("layout"),
        &std::fs::read(busybox).unwrap(),
    );
    ctx.bosun(&[
        "copy",
        &format!("oci:{}:app1", layout.dir.display()),
        "store:app1",
    ])
    .ok();
    let target = format!("docker://{}/tok/app1:1", reg.host);
    let creds = ["--tls-verify=false", "--creds", "robot:t0ken-pw"];
    let with = |args: &[&str]| -> Run { ctx.bosun(&[&args[..1], &creds[..], &args[1..]].concat()) };
    with(&["copy", "app1", &target]).ok();
    let issued = reg.tokens_issued.load(Ordering::SeqCst);
    assert!(
        (1..=3).contains(&issued),
        "tokens are cached per scope: {issued}"
    );
    with(&["copy", &target, "store:back"]).ok();
    with(&["diff", "app1", "back"]).ok();
    ctx.bosun(&[
        "copy",
        "--tls-verify=false",
        "--creds",
        "robot:nope",
        &target,
        "store:x",
    ])
    .fails(2, "access denied");
    ctx.bosun(&["copy", "--tls-verify=false", &target, "store:x"])
        .fails(2, "authentication required");
    // A credential helper named in docker's config answers instead of --creds.
    let bin = ctx.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-bosuntest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\nread host\n[ \"$host\" = \"{}\" ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\necho '{{\"ServerURL\":\"'$host'\",\"Username\":\"robot\",\"Secret\":\"t0ken-pw\"}}'\n",
            reg.host
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(ctx.dir.path().join("docker")).unwrap();
    std::fs::write(
        ctx.dir.path().join("docker/config.json"),
        serde_json::json!({"credHelpers": {reg.host.as_str(): "bosuntest"}}).to_string(),
    )
    .unwrap();
    let mut ctx = ctx;
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    ctx.set("PATH", &path);
    let helped = format!("docker://{}/tok/helped:1", reg.host);
    ctx.bosun(&["copy", "--tls-verify=false", "app1", &helped])
        .ok();
    // Tags are listed and a manifest deleted, through the same tokens.
    let tags = ctx
        .bosun(&[
            "images",
            "--tls-verify=false",
            "--format",
            "json",
            &format!("docker://{}/tok/helped", reg.host),
        ])
        .ok();
    assert_eq!(
        serde_json::from_str::<Vec<String>>(&tags.stdout).unwrap(),
        ["1"]
    );
    ctx.bosun(&["rm", "--tls-verify=false", &helped]).ok();
    ctx.bosun(&["copy", "--tls-verify=false", &helped, "store:gone"])
        .fails(2, "not found");
    // --dest-compress recompresses every layer; the diff ids, and so the content, stay.
    let dir = ctx.dir.path().join("zstd");
    ctx.bosun(&[
        "copy",
        "--dest-compress",
        "zstd",
        "app1",
        &format!("oci:{}:z", dir.display()),
    ])
    .ok();
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let manifest = index["manifests"][0]["digest"].as_str().unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("blobs/sha256").join(&manifest[7..])).unwrap(),
    )
    .unwrap();
    for layer in manifest["layers"].as_array().unwrap() {
        assert_eq!(
            layer["mediaType"],
            "application/vnd.oci.image.layer.v1.tar+zstd"
        );
    }
    ctx.bosun(&["inspect", "--verify", &format!("oci:{}:z", dir.display())])
        .ok();
    ctx.bosun(&[
        "copy",
        "--preserve-digests",
        "--dest-compress",
        "gzip",
        "app1",
        "store:x",
    ])
    .fails(2, "cannot be used with");
}

/// A small image a scripted registry serves: manifest, config and one layer.
struct Served {
    manifest: Vec<u8>,
    blobs: BTreeMap<String, Vec<u8>>,
    layer: String,
}

fn served() -> Served {
    let (gz, diff_id) = layer(&[("hello.txt", &[b'x'; 200_000][..], 0o644)]);
    let layer_digest = sha256(&gz);
    let config = serde_json::json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).to_string();
    let manifest = serde_json::json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(config.as_bytes()), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": gz.len()}],
    })
    .to_string()
    .into_bytes();
    Served {
        manifest,
        blobs: BTreeMap::from([
            (sha256(config.as_bytes()), config.into_bytes()),
            (layer_digest.clone(), gz),
        ]),
        layer: layer_digest,
    }
}

/// Registries that lie, break, throttle, fail and redirect: each gives the right behaviour,
/// a clear error when it fails, and the store holds nothing partial.
#[test]
fn hostile_registries() {
    let image = Arc::new(served());
    let seen: Arc<Mutex<Vec<(String, String, bool)>>> = Arc::default();
    // Where blobs are redirected to; it must not receive the registry's credentials.
    let elsewhere_auth = Arc::new(AtomicBool::new(false));
    let elsewhere = {
        let image = image.clone();
        let auth = elsewhere_auth.clone();
        ScriptServer::start(move |req: &Request| {
            auth.fetch_or(req.header("authorization").is_some(), Ordering::SeqCst);
            let digest = req.path.rsplit('/').next().unwrap_or_default();
            match image.blobs.get(digest) {
                Some(b) => Reply::new(200).body(b.clone()),
                None => Reply::new(404),
            }
        })
    };
    let elsewhere_url = elsewhere.url();
    let counts: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let server = {
        let image = image.clone();
        let seen = seen.clone();
        let counts = counts.clone();
        ScriptServer::start(move |req: &Request| {
            let path = req.path.split('?').next().unwrap_or_default().to_string();
            seen.lock().unwrap().push((
                req.method.clone(),
                path.clone(),
                req.header("range").is_some(),
            ));
            if path == "/v2/" {
                return Reply::new(401).header("WWW-Authenticate", "Basic realm=\"test\"");
            }
            let parts: Vec<&str> = path.trim_start_matches("/v2/").split('/').collect();
            let (case, kind, object) = (parts[0], parts[2], parts[3]);
            // No referrers API and no fallback index: these images have no artifacts.
            if kind == "referrers" || object.starts_with("sha256-") {
                return Reply::new(404);
            }
            let n = {
                let mut c = counts.lock().unwrap();
                let n = c.entry(format!("{case} {kind}")).or_default();
                *n += 1;
                *n
            };
            let blob = image.blobs.get(object).cloned();
            let ok_manifest = || {
                Reply::new(200)
                    .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                    .header("Docker-Content-Digest", sha256(&image.manifest))
                    .body(image.manifest.clone())
            };
            let ok_blob = || match &blob {
                Some(b) => Reply::new(200).body(b.clone()),
                None => Reply::new(404),
            };
            match (case, kind) {
                ("ok", "manifests")
                | ("truncate", "manifests")
                | ("flaky", "manifests")
                | ("redirect", "manifests")
                | ("lieblob", "manifests")
                | ("down", "manifests") => ok_manifest(),
                ("ok", "blobs") => ok_blob(),
                ("liemanifest", "manifests") => {
                    let mut bytes = image.manifest.clone();
                    bytes.push(b' ');
                    Reply::new(200)
                        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .header("Docker-Content-Digest", sha256(&image.manifest))
                        .body(bytes)
                }
                ("lieblob", "blobs") if object == image.layer => {
                    let mut bytes = blob.unwrap();
                    let last = bytes.len() - 1;
                    bytes[last] ^= 0xff;
                    Reply::new(200).body(bytes)
                }
                ("lieblob", "blobs") => ok_blob(),
                ("truncate", "blobs") if object == image.layer => {
                    let bytes = blob.unwrap();
                    match req
                        .header("range")
                        .and_then(|r| r.strip_prefix("bytes="))
                        .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok())
                    {
                        Some(from) => Reply::new(206)
                            .header(
                                "Content-Range",
                                format!("bytes {from}-{}/{}", bytes.len() - 1, bytes.len()),
                            )
                            .body(bytes[from..].to_vec()),
                        None => {
                            let half = bytes.len() / 2;
                            Reply {
                                truncate_at: Some(half),
                                ..Reply::new(200).body(bytes)
                            }
                        }
                    }
                }
                ("truncate", "blobs") => ok_blob(),
                ("noauth", _) => Reply::new(401),
                ("missing", _) => Reply::new(404)
                    .header("Content-Type", "application/json")
                    .body(
                        r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
                    ),
                ("busy", "manifests") if n == 1 => Reply::new(429).header("Retry-After", "1"),
                ("busy", "manifests") => ok_manifest(),
                ("busy", "blobs") => ok_blob(),
                ("flaky", "blobs") if n == 1 => Reply::new(500),
                ("flaky", "blobs") => ok_blob(),
                ("down", "blobs") => Reply::new(503),
                ("redirect", "blobs") => {
                    Reply::new(307).header("Location", format!("{elsewhere_url}/blobs/{object}"))
                }
                _ => Reply::new(400),
            }
        })
    };
    let ctx = Context::new();
    let host = server.host();
    let store = |case: &str| ctx.dir.path().join("stores").join(case);
    // Each case pulls into a store of its own, so that every one downloads every blob.
    let pull = |case: &str| -> Run {
        ctx.bosun(&[
            "--store",
            store(case).to_str().unwrap(),
            "copy",
            "--tls-verify=false",
            "--creds",
            "u:p",
            &format!("docker://{host}/{case}/app:1"),
            &format!("store:{case}"),
        ])
    };
    let blobs = |case: &str| -> usize {
        std::fs::read_dir(store(case).join("blobs/sha256"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let leftovers = |case: &str| -> usize {
        std::fs::read_dir(store(case).join("tmp"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    let named = |case: &str| -> bool {
        std::fs::read_to_string(store(case).join("index.json"))
            .unwrap_or_default()
            .contains(&format!("\"{case}:latest\""))
    };
    // Lies: nothing is named, the lying blob is not stored, no partial file is left.
    pull("liemanifest").fails(2, "does not match its digest");
    pull("lieblob").fails(2, "does not match its digest");
    assert!(
        !store("lieblob")
            .join("blobs/sha256")
            .join(&image.layer[7..])
            .exists()
    );
    // Auth and absence.
    pull("noauth").fails(2, "access denied (HTTP 401)");
    pull("missing").fails(2, "not found");
    // Throttling, a 500 and a cut connection are survived; a registry that stays down is not.
    pull("busy").ok();
    assert_eq!(
        counts.lock().unwrap()["busy manifests"],
        2,
        "one 429, then the manifest"
    );
    pull("flaky").ok();
    assert_eq!(
        counts.lock().unwrap()["flaky blobs"],
        3,
        "config, then the layer twice"
    );
    pull("truncate").ok();
    let ranged = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, p, r)| *r && p.contains("/truncate/"))
        .count();
    assert_eq!(ranged, 1, "the cut download resumed with one Range request");
    pull("down").fails(2, "HTTP 503");
    assert_eq!(
        counts.lock().unwrap()["down blobs"] % 5,
        0,
        "each blob tried 5 times, no more"
    );
    assert_eq!(blobs("down"), 0);
    // A redirect to another host is followed without the credentials.
    pull("redirect").ok();
    assert!(
        !elsewhere_auth.load(Ordering::SeqCst),
        "credentials leaked to the redirect target"
    );
    // What was pulled is whole and named; what failed is not named and left nothing partial.
    for good in ["busy", "flaky", "truncate", "redirect"] {
        assert!(named(good), "{good}");
        assert_eq!(blobs(good), 3, "{good}: manifest, config, layer");
        ctx.bosun(&[
            "--store",
            store(good).to_str().unwrap(),
            "inspect",
            "--verify",
            good,
        ])
        .ok();
    }
    for bad in ["liemanifest", "lieblob", "noauth", "missing", "down"] {
        assert!(!named(bad), "{bad}");
        assert_eq!(leftovers(bad), 0, "{bad}: no partial blob is left behind");
    }
}

/// A push broken off midway (the registry refuses one blob) leaves the rest; the rerun
/// uploads only what is missing.
#[test]
fn interrupted_push_uploads_only_what_is_missing() {
    let Some(busybox) = bosun_test::static_busybox() else {
        return;
    };
    let Some(reg) = Registry::start(None, Auth::None) else {
        return;
    };
    let ctx = Context::new();
    let layout = make_layout(
        &ctx.dir.path().join("layout"),
        &std::fs::read(busybox).unwrap(),
    );
    ctx.bosun(&[
        "copy",
        &format!("oci:{}:app1", layout.dir.display()),
        "store:app1",
    ])
    .ok();
    // A proxy in front of the registry that refuses the core blob's upload while `broken`.
    let broken = Arc::new(AtomicBool::new(true));
    let uploads = Arc::new(AtomicUsize::new(0));
    let upstream = reg.host.clone();
    let proxy = {
        let (broken, uploads, core) = (broken.clone(), uploads.clone(), layout.core.clone());
        ScriptServer::start(move |req: &Request| {
            let is_upload = req.method == "PUT" && req.path.contains("/blobs/uploads/");
            if is_upload {
                uploads.fetch_add(1, Ordering::SeqCst);
                let digest = req.query("digest").unwrap_or_default();
                if broken.load(Ordering::SeqCst) && digest == core {
                    return Reply::new(500);
                }
            }
            bosun_test::script::forward(&upstream, req)
        })
    };
    let target = format!("docker://{}/int/app1:1", proxy.host());
    ctx.bosun(&["copy", "--tls-verify=false", "app1", &target])
        .fails(2, "HTTP 500");
    let first = uploads.swap(0, Ordering::SeqCst);
    assert!(
        first >= 3,
        "config and app layer went up, the core was tried: {first}"
    );
    broken.store(false, Ordering::SeqCst);
    ctx.bosun(&["copy", "--tls-verify=false", "app1", &target])
        .ok();
    assert_eq!(
        uploads.load(Ordering::SeqCst),
        1,
        "only the core is uploaded again"
    );
    ctx.bosun(&["copy", "--tls-verify=false", &target, "store:back"])
        .ok();
    ctx.bosun(&["diff", "app1", "back"]).ok();
    // registries.conf: a short name through the search list, a registry marked insecure (no
    // --tls-verify=false needed), and a mirror that serves another registry's names.
    let host = &reg.host;
    let etc = ctx.dir.path().join("containers-root/etc/containers");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::write(
        etc.join("registries.conf"),
        format!(
            "unqualified-search-registries = [\"{host}\"]\n\n[[registry]]\nlocation = \"{host}\"\ninsecure = true\n\n[[registry]]\nprefix = \"mirrored.invalid\"\nlocation = \"mirrored.invalid\"\n[[registry.mirror]]\nlocation = \"{host}\"\ninsecure = true\n"
        ),
    )
    .unwrap();
    ctx.bosun(&["copy", "docker://int/app1:1", "store:short"])
        .ok();
    ctx.bosun(&[
        "copy",
        "docker://mirrored.invalid/int/app1:1",
        "store:mirrored",
    ])
    .ok();
    ctx.bosun(&["diff", "short", "mirrored"]).ok();
}

/// `bosun pin` against a registry: multi-stage files with `--platform`, `COPY --from=IMAGE`
/// and an ARG in FROM (left alone, with a warning) are pinned to the registry's digests with
/// their formatting kept; hadolint and bosun lint find nothing new in them; `--check` is clean,
/// then fails when a tag moves, until `--update` re-pins it.
#[test]
fn pin_dockerfiles() {
    let Some(busybox) = bosun_test::static_busybox() else {
        return;
    };
    let Some(hadolint) = peer("hadolint") else {
        return;
    };
    let Some(reg) = Registry::start(None, Auth::None) else {
        return;
    };
    let ctx = Context::new();
    let host = &reg.host;
    let layout = make_layout(
        &ctx.dir.path().join("layout"),
        &std::fs::read(busybox).unwrap(),
    );
    let digests = push_apps(&ctx, &layout, host);
    let multi = format!(
        "# syntax=docker/dockerfile:1\n\
         ARG BASE={host}/team/app2:1\n\
         # the build stage\n\
         FROM --platform=$BUILDPLATFORM {host}/team/app1:1 AS build\n\
         COPY --from={host}/team/app2:1 /app/name /name\n\
         FROM ${{BASE}} AS base\n\
         FROM \\\n    {host}/team/app2:1\n\
         COPY --from=build /name /name\n\
         USER 65532\n"
    );
    let single = format!("FROM {host}/team/app1:1\nUSER 65532\n");
    ctx.write("multi.Dockerfile", &multi);
    ctx.write("single.Dockerfile", &single);
    let files = ["multi.Dockerfile", "single.Dockerfile"];
    let findings = |ctx: &Context| -> (String, String) {
        let bosun = ctx.bosun(&[&["lint", "--no-fail", "-f", "json"][..], &files[..]].concat());
        let had = Command::new(&hadolint)
            .args(["--no-fail", "-f", "json"])
            .args(files)
            .current_dir(ctx.project())
            .output()
            .unwrap();
        (
            bosun.stdout,
            String::from_utf8_lossy(&had.stdout).into_owned(),
        )
    };
    let before = findings(&ctx);
    let check = |ctx: &Context| {
        ctx.bosun(&[&["pin", "--tls-verify=false", "--check"][..], &files[..]].concat())
    };
    assert_eq!(check(&ctx).code, 1, "unpinned images fail --check");
    let out = ctx
        .bosun(&[&["pin", "--tls-verify=false"][..], &files[..]].concat())
        .ok();
    assert!(out.stderr.contains("${BASE} left alone"), "{}", out.stderr);
    let pinned = std::fs::read_to_string(ctx.project().join("multi.Dockerfile")).unwrap();
    let (d1, d2) = (&digests["app1"], &digests["app2"]);
    assert_eq!(
        pinned,
        multi
            .replace(
                &format!("{host}/team/app1:1 AS"),
                &format!("{host}/team/app1:1@{d1} AS")
            )
            .replace(
                &format!("from={host}/team/app2:1 "),
                &format!("from={host}/team/app2:1@{d2} ")
            )
            .replace(
                &format!("    {host}/team/app2:1\n"),
                &format!("    {host}/team/app2:1@{d2}\n")
            )
    );
    assert_eq!(
        std::fs::read_to_string(ctx.project().join("single.Dockerfile")).unwrap(),
        format!("FROM {host}/team/app1:1@{d1}\nUSER 65532\n")
    );
    let after = findings(&ctx);
    let codes = |json: &str| -> Vec<String> {
        let v: serde_json::Value =
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{}:{}", f["line"], f["code"]))
            .collect()
    };
    let new = |after: &str, before: &str| -> Vec<String> {
        let before = codes(before);
        codes(after)
            .into_iter()
            .filter(|c| !before.contains(c))
            .collect()
    };
    assert_eq!(new(&after.0, &before.0), Vec::<String>::new(), "bosun lint");
    assert_eq!(new(&after.1, &before.1), Vec::<String>::new(), "hadolint");
    // bosun's unpinned-base rule is satisfied now.
    assert!(
        codes(&before.0).iter().any(|c| c.contains("BL1004")),
        "{}",
        before.0
    );
    assert!(
        !codes(&after.0).iter().any(|c| c.contains("BL1004")),
        "{}",
        after.0
    );
    assert_eq!(check(&ctx).code, 0);
    // The tag moves: --check says so, --update follows it.
    ctx.bosun(&[
        "copy",
        "--tls-verify=false",
        "app2",
        &format!("docker://{host}/team/app1:1"),
    ])
    .ok();
    let moved = check(&ctx);
    assert_eq!(moved.code, 1, "{}", moved.stdout);
    assert!(moved.stdout.contains("moved"), "{}", moved.stdout);
    let json = ctx.bosun(
        &[
            &["pin", "--tls-verify=false", "--check", "--format", "json"][..],
            &files[..],
        ]
        .concat(),
    );
    let statuses: Vec<String> = serde_json::from_str::<serde_json::Value>(&json.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        statuses,
        ["moved", "current", "skipped", "current", "moved"]
    );
    ctx.bosun(&[&["pin", "--tls-verify=false", "--update"][..], &files[..]].concat())
        .ok();
    assert_eq!(check(&ctx).code, 0);
    assert!(
        std::fs::read_to_string(ctx.project().join("single.Dockerfile"))
            .unwrap()
            .contains(d2.as_str())
    );
    // Short names mean what Docker makes of them (`docker.io/library/NAME`), with no search
    // list configured; registries.conf maps that registry to the loopback one.
    let etc = ctx.dir.path().join("containers-root/etc/containers");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::write(
        etc.join("registries.conf"),
        format!("[[registry]]\nprefix = \"docker.io\"\nlocation = \"{host}\"\ninsecure = true\n"),
    )
    .unwrap();
    for (image, target) in [
        ("app1", "library/python:3.12-slim"),
        ("app2", "team/tool:1"),
    ] {
        ctx.bosun(&["copy", image, &format!("docker://{host}/{target}")])
            .ok();
    }
    ctx.write(
        "short.Dockerfile",
        "FROM python:3.12-slim\nCOPY --from=team/tool:1 /app/name /name\nUSER 65532\n",
    );
    ctx.bosun(&["pin", "short.Dockerfile"]).ok();
    assert_eq!(
        std::fs::read_to_string(ctx.project().join("short.Dockerfile")).unwrap(),
        format!(
            "FROM python:3.12-slim@{d1}\nCOPY --from=team/tool:1@{d2} /app/name /name\nUSER 65532\n"
        )
    );
}

/// Images as inputs of a build: `from` a base in the loopback registry (its dpkg database
/// says what it has, so a package it already holds is not added again) and a file copied out
/// of another image; the lock pins both by digest, the image runs under podman, a moved tag
/// shows in `lock --check`, and a locked rebuild works with the registry gone.
#[test]
fn images_as_build_inputs() {
    let (Some(_), Some(busybox)) = (peer("podman"), bosun_test::static_busybox()) else {
        return;
    };
    let Some(reg) = Registry::start(None, Auth::None) else {
        return;
    };
    let host = reg.host.clone();
    let mut ctx = Context::new();
    let layout = make_layout(
        &ctx.dir.path().join("layout"),
        &std::fs::read(busybox).unwrap(),
    );
    let digests = push_apps(&ctx, &layout, &host);
    // A Debian repository with a package that needs what the base already has.
    let repo = bosun_test::FixtureRepo::new();
    repo.publish(
        "bosuntest",
        &[
            bosun_test::Pkg::new("corelib", "1.0").file("usr/lib/corelib.so", 0o644, "core"),
            bosun_test::Pkg::new("greeter", "2.0")
                .depends("corelib (>= 1.0)")
                .file("usr/share/greeter/hello", 0o644, "hello from greeter\n"),
        ],
    );
    repo.publish("bosuntest-updates", &[]);
    repo.publish("bosuntest-security", &[]);
    let server = bosun_test::Server::start(repo.root());
    ctx.set("BOSUN_DEBIAN_MIRROR", &server.url());
    ctx.set("BOSUN_DEBIAN_SECURITY_MIRROR", &server.url());
    ctx.set("BOSUN_KEYRING", repo.keyring.to_str().unwrap());
    ctx.write(
        "bosun.toml",
        &format!(
            r#"[debian]
suite = "bosuntest"

[image.layered]
from = "docker://{host}/team/app1:1"
packages = ["greeter"]
copy = [{{ image = "docker://{host}/team/app2:1", src = "/app/name", dst = "/etc/copied-name" }}]
entrypoint = ["/bin/busybox", "cat", "/etc/copied-name", "/usr/share/greeter/hello"]
"#
        ),
    );
    let flags = ["--tls-verify=false"];
    ctx.bosun(&[&["lock"][..], &flags[..]].concat()).ok();
    let lock = std::fs::read_to_string(ctx.project().join("bosun.lock")).unwrap();
    let parsed: toml::Table = lock.parse().unwrap();
    let inputs = parsed["input"].as_array().unwrap();
    assert_eq!(inputs.len(), 2, "{lock}");
    for (app, input) in ["app1", "app2"].iter().zip(inputs) {
        assert_eq!(
            input["digest"].as_str(),
            Some(digests[app].as_str()),
            "{lock}"
        );
    }
    let group = parsed["group"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"].as_str() == Some("image.layered"))
        .unwrap();
    assert_eq!(
        group["packages"].as_array().unwrap().len(),
        1,
        "corelib comes from the base: {lock}"
    );
    let built = ctx.bosun(&["build", "--locked", "--format", "json"]).ok();
    let built: serde_json::Value = built.json();
    let digest = built[0]["digest"].as_str().unwrap().to_string();
    // The base's layers are the bottom, by digest; the base is named in the annotations.
    let out = ctx.bosun(&["inspect", "--format", "json", "layered"]).ok();
    let report: serde_json::Value = out.json();
    assert_eq!(
        report["layer_count"], 4,
        "two base layers, packages, copy: {report}"
    );
    assert_eq!(report["config"]["user"], "65532", "{report}");
    // podman runs it: the copied file and the package's file are there.
    let archive = ctx.dir.path().join("layered.tar");
    ctx.bosun(&[
        "copy",
        "layered",
        &format!("docker-archive:{}", archive.display()),
    ])
    .ok();
    let loaded = podman(&["load", "-q", "-i", archive.to_str().unwrap()]);
    let id = loaded.trim().rsplit(' ').next().unwrap().to_string();
    assert_eq!(podman(&["run", "--rm", &id]), "app2hello from greeter\n");
    podman(&["rmi", "-f", &id]);
    // The tag moves: lock --check says so; the locked build still uses the pinned digest.
    ctx.bosun(&[
        "copy",
        "--tls-verify=false",
        "app2",
        &format!("docker://{host}/team/app1:1"),
    ])
    .ok();
    let check = ctx.bosun(&[&["lock", "--check"][..], &flags[..]].concat());
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("app1:1: moved from"),
        "{}",
        check.stdout
    );
    // With the registry gone, a rebuild from the lock works from the store.
    drop(reg);
    ctx.bosun(&["rm", "layered:latest"]).ok();
    ctx.bosun(&["gc"]).ok();
    let again = ctx.bosun(&["build", "--locked", "--format", "json"]).ok();
    let again: serde_json::Value = again.json();
    assert_eq!(
        again[0]["digest"].as_str(),
        Some(digest.as_str()),
        "same lock, same digest"
    );
}

/// A layer cache in the registry: a build with `--cache-to` records its layers there; a
/// build on another machine (a fresh store and download cache) with `--cache-from` takes
/// them, fetches no .deb (the Debian mirror sees no request at all) and compresses nothing,
/// and makes the same digest.
#[test]
fn layer_cache_in_a_registry() {
    let Some(reg) = Registry::start(None, Auth::None) else {
        return;
    };
    let (repo, server) = greeter_repo();
    let machine = || {
        let mut ctx = Context::new();
        ctx.set("BOSUN_DEBIAN_MIRROR", &server.url());
        ctx.set("BOSUN_DEBIAN_SECURITY_MIRROR", &server.url());
        ctx.set("BOSUN_KEYRING", repo.keyring.to_str().unwrap());
        ctx.write(
            "bosun.toml",
            "[debian]\nsuite = \"bosuntest\"\n[base.core]\npackages = [\"base-files\"]\n[image.app]\nbases = [\"core\"]\npackages = [\"greeter\"]\ncopy = [{ src = \"app/\", dst = \"/app\" }]\n",
        );
        ctx.write("app/main.txt", "app\n");
        ctx
    };
    let cache = format!("docker://{}/cache/layers:main", reg.host);
    let first = machine();
    first.bosun(&["lock"]).ok();
    let built = first
        .bosun(&[
            "build",
            "--locked",
            "--tls-verify=false",
            "--cache-to",
            &cache,
            "--format",
            "json",
        ])
        .ok();
    assert!(
        built.stderr.contains("3 layer(s) recorded, 3 uploaded"),
        "{}",
        built.stderr
    );
    let digest = |run: &Run| -> String {
        let v: serde_json::Value = run.json();
        v[0]["digest"].as_str().unwrap().to_string()
    };
    let second = machine();
    std::fs::copy(
        first.project().join("bosun.lock"),
        second.project().join("bosun.lock"),
    )
    .unwrap();
    let before = server.hits.load(Ordering::SeqCst);
    let again = second
        .bosun(&[
            "build",
            "--locked",
            "--tls-verify=false",
            "--cache-from",
            &cache,
            "--format",
            "json",
        ])
        .ok();
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        before,
        "no request reached the Debian mirror"
    );
    assert_eq!(digest(&again), digest(&built), "the same image");
    let layers: serde_json::Value = again.json();
    let layers = layers[0]["layers"]["amd64"].as_array().unwrap();
    assert_eq!(layers.len(), 3);
    assert!(layers.iter().all(|l| l["remote"] == true), "{layers:?}");
    let debs = std::fs::read_dir(second.dir.path().join("cache/debs-v1"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(debs, 0, "no .deb was downloaded");
    // The SBOMs the build wrote go up beside the image: Distribution 2.8 has no referrers
    // API, so they are listed in the fallback index tagged sha256-<hex of the manifest>.
    let pushed = first.dir.path().join("pushed.digest");
    let copied = first
        .bosun(&[
            "copy",
            "--tls-verify=false",
            "app",
            &format!("docker://{}/sb/app:1", reg.host),
            "--digestfile",
            pushed.to_str().unwrap(),
        ])
        .ok();
    assert!(
        copied.stderr.contains("2 artifact(s) beside it"),
        "{}",
        copied.stderr
    );
    let manifest = std::fs::read_to_string(&pushed).unwrap();
    if let Some(skopeo) = peer("skopeo") {
        let raw = |reference: &str| -> serde_json::Value {
            serde_json::from_str(&run(Command::new(&skopeo).args([
                "inspect",
                "--raw",
                "--tls-verify=false",
                &format!("docker://{}/sb/app{reference}", reg.host),
            ])))
            .unwrap()
        };
        let listed = raw(&format!(":{}", manifest.replace(':', "-")));
        let kinds: Vec<&str> = listed["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["artifactType"].as_str().unwrap())
            .collect();
        assert_eq!(kinds.len(), 2, "{listed}");
        assert!(
            kinds.contains(&"application/spdx+json")
                && kinds.contains(&"application/vnd.cyclonedx+json"),
            "{listed}"
        );
        for m in listed["manifests"].as_array().unwrap() {
            let artifact = raw(&format!("@{}", m["digest"].as_str().unwrap()));
            assert_eq!(
                artifact["subject"]["digest"].as_str(),
                Some(manifest.as_str()),
                "{artifact}"
            );
        }
    }
    // A pull brings them back: the SBOM the build wrote (it lists the app file, which a
    // catalogue of the image would not) is what `bosun sbom` of the pulled image prints.
    second
        .bosun(&[
            "copy",
            "--tls-verify=false",
            &format!("docker://{}/sb/app:1", reg.host),
            "store:pulled",
        ])
        .ok();
    let pulled = second.bosun(&["sbom", "-o", "spdx-json", "pulled"]).ok();
    assert!(
        pulled.stdout.contains("./app/main.txt"),
        "{}",
        pulled.stdout
    );
    // And `bosun sbom` of the image in the registry prints it too, without a pull.
    let remote = second
        .bosun(&[
            "sbom",
            "--tls-verify=false",
            "-o",
            "spdx-json",
            &format!("docker://{}/sb/app:1", reg.host),
        ])
        .ok();
    assert_eq!(remote.stdout, pulled.stdout);
    // A tag that is not a bosun cache is refused, not misread.
    second
        .bosun(&[
            "copy",
            "--tls-verify=false",
            "app",
            &format!("docker://{}/cache/layers:image", reg.host),
        ])
        .ok();
    second
        .bosun(&[
            "build",
            "--locked",
            "--tls-verify=false",
            "--cache-from",
            &format!("docker://{}/cache/layers:image", reg.host),
        ])
        .fails(2, "not a bosun layer cache");
}

/// A registry (or a proxy in front of it) that refuses large single-request uploads: the
/// push falls back to a chunked upload (PATCH with Content-Range, then an empty PUT) and the
/// image arrives whole.
#[test]
fn chunked_upload_when_monolithic_is_refused() {
    let Some(busybox) = bosun_test::static_busybox() else {
        return;
    };
    let Some(reg) = Registry::start(None, Auth::None) else {
        return;
    };
    let ctx = Context::new();
    let layout = make_layout(
        &ctx.dir.path().join("layout"),
        &std::fs::read(busybox).unwrap(),
    );
    ctx.bosun(&[
        "copy",
        &format!("oci:{}:app1", layout.dir.display()),
        "store:app1",
    ])
    .ok();
    let patches = Arc::new(AtomicUsize::new(0));
    let upstream = reg.host.clone();
    let proxy = {
        let patches = patches.clone();
        ScriptServer::start(move |req: &Request| {
            if req.method == "PUT" && req.path.contains("/blobs/uploads/") && !req.body.is_empty() {
                return Reply::new(413);
            }
            if req.method == "PATCH" {
                patches.fetch_add(1, Ordering::SeqCst);
            }
            bosun_test::script::forward(&upstream, req)
        })
    };
    let target = format!("docker://{}/chunked/app1:1", proxy.host());
    ctx.bosun(&["copy", "--tls-verify=false", "app1", &target])
        .ok();
    assert!(
        patches.load(Ordering::SeqCst) >= 3,
        "config and two layers went up in chunks"
    );
    ctx.bosun(&[
        "copy",
        "--tls-verify=false",
        &format!("docker://{}/chunked/app1:1", reg.host),
        "store:back",
    ])
    .ok();
    ctx.bosun(&["diff", "app1", "back"]).ok();
}

/// Signatures in a registry as cosign keeps them: `bosun sign docker://...` writes the
/// `sha256-<hex>.sig` tag (skopeo sees cosign's media types and the signature annotation);
/// a second signature is appended; another store verifies; a signature tag copied onto
/// another image's digest, the wrong key and an unsigned image each fail with their reason.
#[test]
fn signatures_in_a_registry() {
    let (Some(skopeo), Some(busybox)) = (peer("skopeo"), bosun_test::static_busybox()) else {
        return;
    };
    let Some(reg) = Registry::start(None, Auth::None) else {
        return;
    };
    let mut ctx = Context::new();
    ctx.set("BOSUN_PASSWORD", "pw");
    let layout = make_layout(
        &ctx.dir.path().join("layout"),
        &std::fs::read(busybox).unwrap(),
    );
    let digests = push_apps(&ctx, &layout, &reg.host);
    ctx.bosun(&["keygen"]).ok();
    ctx.bosun(&["keygen", "--output-key-prefix", "second"]).ok();
    let app1 = format!("docker://{}/team/app1:1", reg.host);
    let app2 = format!("docker://{}/team/app2:1", reg.host);
    let signed = ctx
        .bosun(&["sign", "--tls-verify=false", &app1, "--key", "cosign.key"])
        .ok();
    assert_eq!(
        signed.stdout.trim(),
        format!("{}/team/app1@{}", reg.host, digests["app1"])
    );
    ctx.bosun(&["sign", "--tls-verify=false", &app1, "--key", "second.key"])
        .ok();
    let tag = digests["app1"].replacen(':', "-", 1) + ".sig";
    let raw = run(Command::new(&skopeo).args([
        "inspect",
        "--raw",
        "--tls-verify=false",
        &format!("docker://{}/team/app1:{tag}", reg.host),
    ]));
    let manifest: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2, "the second signature is appended: {raw}");
    for l in layers {
        assert_eq!(
            l["mediaType"],
            "application/vnd.dev.cosign.simplesigning.v1+json"
        );
        assert!(
            l["annotations"]["dev.cosignproject.cosign/signature"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
    }
    // Another store (a fresh context) verifies with either key.
    let other = Context::new();
    for key in ["cosign.pub", "second.pub"] {
        let key = ctx.project().join(key);
        let out = other
            .bosun(&[
                "verify",
                "--tls-verify=false",
                &app1,
                "--key",
                key.to_str().unwrap(),
                "--format",
                "json",
            ])
            .ok();
        let payloads: serde_json::Value = out.json();
        assert_eq!(payloads.as_array().unwrap().len(), 1, "{}", out.stderr);
        assert_eq!(
            payloads[0]["critical"]["identity"]["docker-reference"],
            format!("{}/team/app1", reg.host)
        );
    }
    let verify =
        |image: &str, key: &str| ctx.bosun(&["verify", "--tls-verify=false", image, "--key", key]);
    let unsigned = verify(&app2, "cosign.pub");
    assert_eq!(unsigned.code, 1);
    assert!(
        unsigned.stderr.contains("no signatures found"),
        "{}",
        unsigned.stderr
    );
    // app1's signatures put where app2's would be: they sign another image.
    let tag2 = digests["app2"].replacen(':', "-", 1) + ".sig";
    run(Command::new(&skopeo).args([
        "copy",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        &format!("docker://{}/team/app1:{tag}", reg.host),
        &format!("docker://{}/team/app2:{tag2}", reg.host),
    ]));
    let moved = verify(&app2, "cosign.pub");
    assert_eq!(moved.code, 1);
    assert!(
        moved
            .stderr
            .contains(&format!("it signs another image ({})", digests["app1"])),
        "{}",
        moved.stderr
    );
    // A signature made in the store travels with copy: under the .sig tag at the
    // destination, and back into another store on a pull.
    ctx.bosun(&["sign", "app2", "--key", "second.key"]).ok();
    let signed_copy = format!("docker://{}/team/signed:1", reg.host);
    ctx.bosun(&["copy", "--tls-verify=false", "app2", &signed_copy])
        .ok();
    let second = ctx.project().join("second.pub");
    let second = second.to_str().unwrap();
    other
        .bosun(&[
            "verify",
            "--tls-verify=false",
            &signed_copy,
            "--key",
            second,
        ])
        .ok();
    other
        .bosun(&["copy", "--tls-verify=false", &signed_copy, "store:pulled"])
        .ok();
    other.bosun(&["verify", "pulled", "--key", second]).ok();
    // A signature and an attestation made by an independent implementation of cosign's
    // formats (Python's `cryptography`), pushed under app2's .sig and .att tags: bosun
    // verifies both with that key.
    let python = bosun_test::peers_venv().join("bin/python");
    let foreign = Command::new(&python)
        .arg("-c")
        .arg(
            r#"
import base64, hashlib, json, sys, urllib.request
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
host, repo, digest, pub = sys.argv[1:5]
key = ec.generate_private_key(ec.SECP256R1())
open(pub, "wb").write(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
def blob(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    r = urllib.request.urlopen(urllib.request.Request(f"http://{host}/v2/{repo}/blobs/uploads/", method="POST"))
    loc = r.headers["Location"]
    loc = loc if loc.startswith("http") else f"http://{host}{loc}"
    sep = "&" if "?" in loc else "?"
    urllib.request.urlopen(urllib.request.Request(f"{loc}{sep}digest={d}", data=data, method="PUT",
        headers={"Content-Type": "application/octet-stream"}))
    return d
def push(tag, layers):
    config = json.dumps({"architecture": "", "os": "", "config": {}, "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}}).encode()
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": blob(config), "size": len(config)}, "layers": layers}
    urllib.request.urlopen(urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{tag}", data=json.dumps(manifest).encode(),
        method="PUT", headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"}))
payload = json.dumps({"critical": {"identity": {"docker-reference": f"{host}/{repo}"}, "image": {"docker-manifest-digest": digest},
    "type": "cosign container image signature"}, "optional": None}).encode()
sig = base64.b64encode(key.sign(payload, ec.ECDSA(hashes.SHA256()))).decode()
tag = digest.replace(":", "-")
push(tag + ".sig", [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": blob(payload), "size": len(payload),
    "annotations": {"dev.cosignproject.cosign/signature": sig}}])
statement = json.dumps({"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": f"{host}/{repo}", "digest": {"sha256": digest[7:]}}],
    "predicateType": "https://slsa.dev/provenance/v1", "predicate": {"buildDefinition": {"buildType": "test"}, "runDetails": {"builder": {"id": "python"}}}}).encode()
ptype = b"application/vnd.in-toto+json"
pae = b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(statement), statement)
envelope = json.dumps({"payloadType": ptype.decode(), "payload": base64.b64encode(statement).decode(),
    "signatures": [{"keyid": "", "sig": base64.b64encode(key.sign(pae, ec.ECDSA(hashes.SHA256()))).decode()}]}).encode()
push(tag + ".att", [{"mediaType": "application/vnd.dsse.envelope.v1+json", "digest": blob(envelope), "size": len(envelope),
    "annotations": {"dev.cosignproject.cosign/signature": "", "predicateType": "https://slsa.dev/provenance/v1"}}])
"#,
        )
        .args([&reg.host, "team/app2", &digests["app2"]])
        .arg(ctx.project().join("python.pub"))
        .output();
    match foreign {
        Ok(out) if out.status.success() => {
            let out = verify(&app2, "python.pub");
            assert_eq!(out.code, 0, "{}", out.stderr);
            let att = ctx
                .bosun(&[
                    "verify-attestation",
                    "--tls-verify=false",
                    &app2,
                    "--key",
                    "python.pub",
                    "--format",
                    "json",
                ])
                .ok();
            let statements: serde_json::Value = att.json();
            assert_eq!(
                statements[0]["predicate"]["runDetails"]["builder"]["id"],
                "python"
            );
        }
        other => bosun_test::missing_peer(&format!("python with cryptography: {other:?}")),
    }
    // cosign 3's form: a Sigstore bundle as a referrer (Distribution 2.8 has no referrers
    // API, so the sha256-<hex> index lists it), verified beside the .sig tag's.
    ctx.bosun(&[
        "sign",
        "--tls-verify=false",
        "--bundle",
        &app1,
        "--key",
        "cosign.key",
    ])
    .ok();
    let listed = run(Command::new(&skopeo).args([
        "inspect",
        "--raw",
        "--tls-verify=false",
        &format!(
            "docker://{}/team/app1:{}",
            reg.host,
            digests["app1"].replacen(':', "-", 1)
        ),
    ]));
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let entry = listed["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["artifactType"] == "application/vnd.dev.sigstore.bundle.v0.3+json")
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(
        entry["annotations"]["dev.sigstore.bundle.content"],
        "dsse-envelope"
    );
    assert_eq!(
        entry["annotations"]["dev.sigstore.bundle.predicateType"],
        "https://sigstore.dev/cosign/sign/v1"
    );
    let key = ctx.project().join("cosign.pub");
    let out = other
        .bosun(&[
            "verify",
            "--tls-verify=false",
            &app1,
            "--key",
            key.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok();
    let payloads: serde_json::Value = out.json();
    let types: Vec<&str> = payloads
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["critical"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "cosign container image signature",
            "https://sigstore.dev/cosign/sign/v1"
        ]
    );
    assert_eq!(
        payloads[1]["critical"]["image"]["docker-manifest-digest"],
        digests["app1"].as_str()
    );
    ctx.bosun(&["keygen", "--output-key-prefix", "third"]).ok();
    let wrong = verify(&app1, "third.pub");
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains("none of its 3 signatures is valid"),
        "{}",
        wrong.stderr
    );
}

/// `build --shard I/N` splits a fleet between machines: three shards, each on its own store,
/// publish to one registry exactly what one unsharded build publishes to another (the same
/// files in its storage), each image built by one shard only; an image keeps its shard when
/// the spec grows.
#[test]
fn shards_publish_what_one_build_does() {
    let (Some(one), Some(sharded)) = (
        Registry::start(None, Auth::None),
        Registry::start(None, Auth::None),
    ) else {
        return;
    };
    let (repo, server) = greeter_repo();
    let apps = [
        "api", "web", "worker", "cron", "admin", "search", "mail", "auth",
    ];
    let spec = |apps: &[&str]| {
        let mut text =
            "[debian]\nsuite = \"bosuntest\"\n[base.core]\npackages = [\"base-files\"]\n"
                .to_string();
        for app in apps {
            text.push_str(&format!(
                "[image.{app}]\nbases = [\"core\"]\npackages = [\"greeter\"]\ncopy = [{{ src = \"{app}/\", dst = \"/app\" }}]\n"
            ));
        }
        text
    };
    let machine = |lock: Option<&Path>| {
        let mut ctx = Context::new();
        ctx.set("BOSUN_DEBIAN_MIRROR", &server.url());
        ctx.set("BOSUN_DEBIAN_SECURITY_MIRROR", &server.url());
        ctx.set("BOSUN_KEYRING", repo.keyring.to_str().unwrap());
        ctx.write("bosun.toml", &spec(&apps));
        for app in apps {
            ctx.write(&format!("{app}/main.txt"), &format!("{app}\n"));
        }
        if let Some(lock) = lock {
            std::fs::copy(lock, ctx.project().join("bosun.lock")).unwrap();
        }
        ctx
    };
    let first = machine(None);
    first.bosun(&["lock"]).ok();
    let lock = first.project().join("bosun.lock");
    let push = |ctx: &Context, host: &str, shard: Option<&str>| -> Vec<String> {
        let target = format!("docker://{host}/fleet");
        let mut args = vec!["build", "--locked", "--tls-verify=false", "--push", &target];
        args.extend(["--format", "json"]);
        if let Some(shard) = shard {
            args.extend(["--shard", shard]);
        }
        let built: Vec<serde_json::Value> = ctx.bosun(&args).ok().json();
        built
            .iter()
            .map(|b| b["image"].as_str().unwrap().to_string())
            .collect()
    };
    let all = push(&first, &one.host, None);
    assert_eq!(all.len(), apps.len());
    let mut shards = Vec::new();
    for i in 1..=3 {
        let ctx = machine(Some(&lock));
        shards.push(push(&ctx, &sharded.host, Some(&format!("{i}/3"))));
    }
    // Each image in exactly one shard; no shard idle at this size.
    let mut union: Vec<String> = shards.concat();
    union.sort();
    let mut expected = all.clone();
    expected.sort();
    assert_eq!(union, expected, "{shards:?}");
    assert!(shards.iter().all(|s| !s.is_empty()), "{shards:?}");
    let (a, b) = (one.storage(), sharded.storage());
    assert!(a.len() > 3 * apps.len(), "{} files", a.len());
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same repositories, tags, manifests and blobs"
    );
    assert!(a == b, "the same contents");
    // A bigger fleet: every image keeps its shard.
    let grown: Vec<String> = (0..40).map(|n| format!("app{n}")).collect();
    let names: Vec<&str> = apps
        .iter()
        .copied()
        .chain(grown.iter().map(String::as_str))
        .collect();
    let ctx = machine(None);
    ctx.write("bosun.toml", &spec(&names));
    for name in &grown {
        ctx.write(&format!("{name}/main.txt"), "x\n");
    }
    ctx.bosun(&["lock"]).ok();
    for (i, before) in shards.iter().enumerate() {
        let listed = ctx
            .bosun(&[
                "build",
                "--locked",
                "--shard",
                &format!("{}/3", i + 1),
                "--list",
            ])
            .ok()
            .stdout;
        let now: Vec<&str> = listed.lines().collect();
        assert!(
            before.iter().all(|b| now.contains(&b.as_str())),
            "{before:?} {now:?}"
        );
    }
    ctx.bosun(&["build", "--shard", "4/3"])
        .fails(2, "4/3: give I/N");
}

/// `bosun db push` publishes the advisory database as a signed OCI artifact; a machine that
/// cannot reach the sources reads it with `db update --from` or `--db docker://REF`, the
/// signature checked with `--db-key`, and finds what the original finds; a re-push writes
/// nothing; a copy signed by another key, or no database at all, is refused.
#[test]
fn vulnerability_database_through_a_registry() {
    let Some(reg) = Registry::start(None, Auth::None) else {
        return;
    };
    let host = reg.host.clone();
    let export = r#"{"greeter": {"CVE-2026-4242": {"description": "overflow", "releases": {
        "bosuntest": {"status": "resolved", "fixed_version": "2.1", "urgency": "high"}}}}}"#;
    let empty_zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()))
        .finish()
        .unwrap()
        .into_inner();
    let advisories = ScriptServer::start(move |req| match req.path.as_str() {
        "/json" => Reply::new(200).body(export),
        "/osv/PyPI/all.zip" => Reply::new(200).body(empty_zip.clone()),
        _ => Reply::new(404),
    });
    let (repo, server) = greeter_repo();
    let mut ctx = Context::new();
    ctx.set("BOSUN_DEBIAN_MIRROR", &server.url());
    ctx.set("BOSUN_DEBIAN_SECURITY_MIRROR", &server.url());
    ctx.set("BOSUN_KEYRING", repo.keyring.to_str().unwrap());
    ctx.set("BOSUN_PASSWORD", "pw");
    ctx.write(
        "bosun.toml",
        "[debian]\nsuite = \"bosuntest\"\n[image.app]\npackages = [\"base-files\", \"greeter\"]\ntags = [\"app:1\"]\n",
    );
    ctx.bosun(&["build"]).ok();
    let original = ctx.dir.path().join("db-original");
    let (a, b) = (original.to_str().unwrap(), ctx.dir.path().join("db-copy"));
    ctx.bosun(&[
        "db",
        "update",
        "--db",
        a,
        "--tracker-url",
        &format!("{}/json", advisories.url()),
        "--osv-url",
        &format!("{}/osv", advisories.url()),
        "--ecosystem",
        "pypi",
    ])
    .ok();
    ctx.bosun(&["keygen"]).ok();
    let target = format!("docker://{host}/security/vulndb:latest");
    let push = || {
        ctx.bosun(&[
            "db",
            "push",
            &target,
            "--db",
            a,
            "--key",
            "cosign.key",
            "--tls-verify=false",
        ])
        .ok()
    };
    let pushed = push().stdout.trim().to_string();
    assert!(
        pushed.starts_with(&format!("docker://{host}/security/vulndb@sha256:")),
        "{pushed}"
    );
    let writes = |reg: &Registry| {
        reg.requests()
            .iter()
            .filter(|r| !r.starts_with("GET") && !r.starts_with("HEAD"))
            .count()
    };
    let before = writes(&reg);
    assert_eq!(
        push().stdout.trim(),
        pushed,
        "the same database, the same digest"
    );
    assert_eq!(writes(&reg), before, "a re-push writes nothing");
    // A copy on a machine without the sources: the same files.
    ctx.bosun(&[
        "db",
        "update",
        "--from",
        &target,
        "--db",
        b.to_str().unwrap(),
        "--db-key",
        "cosign.pub",
        "--tls-verify=false",
    ])
    .ok();
    for file in ["meta.json", "debian/bosuntest.tsv", "osv/PyPI.tsv"] {
        assert_eq!(
            std::fs::read(original.join(file)).unwrap(),
            std::fs::read(b.join(file)).unwrap(),
            "{file}"
        );
    }
    // Scanning with the registry copy finds what the original finds.
    let scan = |db: &[&str]| -> serde_json::Value {
        let mut args = vec!["scan", "app:1", "--format", "json", "--tls-verify=false"];
        args.extend(db);
        let out = ctx.bosun(&args).ok();
        let report: serde_json::Value = out.json();
        report["vulnerabilities"].clone()
    };
    let found = scan(&["--db", a]);
    assert!(found.to_string().contains("CVE-2026-4242"), "{found}");
    assert_eq!(scan(&["--db", &target, "--db-key", "cosign.pub"]), found);
    // Another key's copy, and an image that is no database, are refused.
    ctx.bosun(&["keygen", "--output-key-prefix", "other"]).ok();
    ctx.bosun(&[
        "scan",
        "app:1",
        "--db",
        &target,
        "--db-key",
        "other.pub",
        "--tls-verify=false",
    ])
    .fails(2, "no valid signature by other.pub");
    ctx.bosun(&[
        "copy",
        "--tls-verify=false",
        "app:1",
        &format!("docker://{host}/team/app:1"),
    ])
    .ok();
    ctx.bosun(&[
        "db",
        "update",
        "--from",
        &format!("docker://{host}/team/app:1"),
        "--db",
        b.to_str().unwrap(),
        "--tls-verify=false",
    ])
    .fails(2, "is no vulnerability database");
}

/// With a pull mirror configured for a registry, `bosun sign` reads the image through the
/// mirror but writes the signature where the image is named (the registry's push endpoint),
/// never to the mirror, and in that registry's name.
#[test]
fn signatures_go_to_the_push_endpoint_not_a_mirror() {
    let Some(busybox) = bosun_test::static_busybox() else {
        return;
    };
    let (Some(primary), Some(mirror)) = (
        Registry::start(None, Auth::None),
        Registry::start(None, Auth::None),
    ) else {
        return;
    };
    let mut ctx = Context::new();
    ctx.set("BOSUN_PASSWORD", "pw");
    let layout = make_layout(
        &ctx.dir.path().join("layout"),
        &std::fs::read(busybox).unwrap(),
    );
    let digests = push_apps(&ctx, &layout, &primary.host);
    push_apps(&ctx, &layout, &mirror.host);
    let etc = ctx.dir.path().join("containers-root/etc/containers");
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::write(
        etc.join("registries.conf"),
        format!(
            "[[registry]]\nlocation = \"{}\"\ninsecure = true\n[[registry.mirror]]\nlocation = \"{}\"\ninsecure = true\n",
            primary.host, mirror.host
        ),
    )
    .unwrap();
    ctx.bosun(&["keygen"]).ok();
    let reads_before = mirror.requests().len();
    let signed = ctx
        .bosun(&[
            "sign",
            &format!("docker://{}/team/app1:1", primary.host),
            "--key",
            "cosign.key",
        ])
        .ok();
    assert_eq!(
        signed.stdout.trim(),
        format!("{}/team/app1@{}", primary.host, digests["app1"])
    );
    assert!(
        mirror.requests().len() > reads_before,
        "the image is read through the mirror"
    );
    let writes = |reg: &Registry| {
        reg.requests()
            .iter()
            .filter(|r| r.starts_with("PUT") || r.starts_with("POST") || r.starts_with("PATCH"))
            .filter(|r| r.contains(".sig") || r.contains("/blobs/uploads"))
            .count()
    };
    let tag = digests["app1"].replacen(':', "-", 1) + ".sig";
    assert!(
        primary
            .requests()
            .iter()
            .any(|r| r.starts_with("PUT") && r.contains(&tag)),
        "{:?}",
        primary.requests()
    );
    let mirror_writes: Vec<String> = mirror
        .requests()
        .into_iter()
        .skip(reads_before)
        .filter(|r| !r.starts_with("GET") && !r.starts_with("HEAD"))
        .collect();
    assert!(mirror_writes.is_empty(), "{mirror_writes:?}");
    assert!(writes(&primary) > 0);
}
