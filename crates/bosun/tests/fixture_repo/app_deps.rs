//! App dependencies against loopback peers: a Debian fixture with a `python3` and a
//! `nodejs`, and a package index and npm registry the test serves (wheels and tarballs made
//! here, lockfiles written as uv and npm write them). What ships, what the lock records,
//! what the SBOM, `lock --why`, `inspect --by owner` and `scan` see, and every way a wheel,
//! a lock or an index can be bad.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bosun_test::script::{Reply, ScriptServer};
use bosun_test::{Context, FixtureRepo, Pkg, Server};
use sha2::{Digest, Sha256};

use super::{SUITE, advisory_server, packages};

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A wheel of `name` `version` holding `files` (path, contents), with METADATA, WHEEL,
/// entry points and a RECORD that lists every file by hash.
fn wheel(name: &str, version: &str, files: &[(&str, &[u8])], entry_points: &str) -> Vec<u8> {
    let info = format!("{name}-{version}.dist-info");
    let mut all: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(p, d)| (p.to_string(), d.to_vec()))
        .collect();
    all.push((
        format!("{info}/METADATA"),
        format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nLicense: MIT\n")
            .into_bytes(),
    ));
    all.push((
        format!("{info}/WHEEL"),
        b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n".to_vec(),
    ));
    if !entry_points.is_empty() {
        all.push((
            format!("{info}/entry_points.txt"),
            entry_points.as_bytes().to_vec(),
        ));
    }
    let mut record: String = all
        .iter()
        .map(|(p, d)| {
            format!(
                "{p},sha256={},{}\n",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(d)),
                d.len()
            )
        })
        .collect();
    record.push_str(&format!("{info}/RECORD,,\n"));
    all.push((format!("{info}/RECORD"), record.into_bytes()));
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        for (path, data) in &all {
            let options = zip::write::SimpleFileOptions::default()
                .last_modified_time(zip::DateTime::default())
                .unix_permissions(0o644);
            zip.start_file(path.as_str(), options).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }
    buf.into_inner()
}

/// An npm tarball: `package/` and the files.
fn tarball(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    {
        let mut tar = tar::Builder::new(&mut gz);
        for (path, data) in files {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_mtime(0);
            tar.append_data(&mut h, format!("package/{path}"), *data)
                .unwrap();
        }
        tar.finish().unwrap();
    }
    gz.finish().unwrap()
}

/// What the index and registry serve, by path; changeable while the server runs.
type Files = Arc<Mutex<BTreeMap<String, Vec<u8>>>>;

fn serve(files: &Files) -> ScriptServer {
    let files = files.clone();
    ScriptServer::start(move |req| {
        if req.path.starts_with("/down/") {
            return Reply::new(503);
        }
        match files.lock().unwrap().get(&req.path) {
            Some(body) => Reply::new(200).body(body.clone()),
            None => Reply::new(404),
        }
    })
}

const SPEC: &str = r#"
[debian]
suite = "bosuntest"

[base.core]
packages = ["base-files", "ca-certificates"]

[image.api]
bases = ["core"]
python = { lock = "uv.lock" }
copy = [{ src = "app/", dst = "/app" }]
entrypoint = ["/usr/bin/python3", "/app/main.py"]

[image.web]
bases = ["core"]
node = { lock = "web/package-lock.json", dst = "/srv/web" }
copy = [{ src = "web/server.js", dst = "/srv/web/server.js" }]
entrypoint = ["/usr/bin/node", "/srv/web/server.js"]
"#;

/// A `uv.lock` as uv writes it for a project needing `greet` and `requests`; `extra` is
/// appended (more packages).
fn uv_lock(url: &str, wheels: &BTreeMap<&str, Vec<u8>>, requires: &str, extra: &str) -> String {
    let entry = |name: &str, version: &str| {
        let file = format!("{name}-{version}-py3-none-any.whl");
        let bytes = &wheels[name];
        format!(
            "[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = {{ registry = \"{url}/simple\" }}\nwheels = [\n    {{ url = \"{url}/files/{file}\", hash = \"sha256:{}\", size = {} }},\n]\n\n",
            sha256(bytes),
            bytes.len()
        )
    };
    format!(
        "version = 1\nrevision = 3\nrequires-python = \"{requires}\"\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = {{ virtual = \".\" }}\ndependencies = [\n    {{ name = \"greet\" }},\n    {{ name = \"requests\" }},\n    {{ name = \"winonly\", marker = \"sys_platform == 'win32'\" }},\n]\n\n{}{}{extra}",
        entry("greet", "1.0"),
        entry("requests", "2.0.0"),
    )
}

fn package_lock(tgz: &[u8]) -> String {
    let integrity = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha512::digest(tgz))
    );
    format!(
        r#"{{"name":"web","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{{
  "":{{"name":"web","version":"1.0.0","dependencies":{{"lodash":"4.17.20"}},"devDependencies":{{"left-pad":"1.3.0"}}}},
  "node_modules/lodash":{{"version":"4.17.20","integrity":"{integrity}","license":"MIT","bin":{{"lodash-cli":"cli.js"}}}},
  "node_modules/left-pad":{{"version":"1.3.0","integrity":"{integrity}","dev":true}}
}}}}"#
    )
}

/// The layer of a built image whose history says `what`: its paths, and the contents of
/// its regular files.
fn layer_files(
    ctx: &Context,
    built: &serde_json::Value,
    what: &str,
) -> (String, BTreeMap<String, Vec<u8>>) {
    let layers = built["layers"]["amd64"].as_array().unwrap();
    let layer = layers
        .iter()
        .find(|l| l["created_by"].as_str().unwrap().contains(what))
        .unwrap_or_else(|| panic!("no layer {what}: {built}"));
    let digest = layer["digest"].as_str().unwrap().to_string();
    let blob = super::store_blob(ctx, &digest);
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&blob[..]));
    let mut out = BTreeMap::new();
    for e in tar.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().display().to_string();
        let mut data = Vec::new();
        match e.header().entry_type() {
            tar::EntryType::Symlink => {
                data = format!("-> {}", e.link_name().unwrap().unwrap().display()).into_bytes()
            }
            _ => {
                e.read_to_end(&mut data).unwrap();
            }
        }
        out.insert(path, data);
    }
    (digest, out)
}

fn image<'a>(built: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    built
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["image"] == name)
        .unwrap()
}

/// Python and npm dependencies from their own lockfiles, on loopback: locked per file with
/// its hash, fetched and checked, laid out by the wheel and npm rules as layers of their own
/// that an app edit leaves alone, reproducible, listed in the SBOM with their hashes,
/// explained by `lock --why`, attributed by `inspect --by owner`, scanned against OSV; a
/// changed app lockfile stops `--locked`, naming it; and each bad input fails in one line
/// naming the package, with nothing new tagged in the store.
#[test]
fn app_dependencies_from_their_own_lockfiles() {
    let repo = FixtureRepo::new();
    let mut pkgs = packages();
    pkgs.extend([
        Pkg::new("libc6", "2.41-12").file("usr/lib/x86_64-linux-gnu/libc.so.6", 0o755, "libc"),
        Pkg::new("python3.13", "3.13.5-2").depends("libc6").file(
            "usr/bin/python3.13",
            0o755,
            "python",
        ),
        Pkg::new("python3", "3.13.5-1")
            .depends("python3.13 (>= 3.13.5)")
            .symlink("usr/bin/python3", "python3.13"),
        Pkg::new("nodejs", "20.19.2+dfsg-1")
            .depends("libc6")
            .file("usr/bin/node", 0o755, "node"),
    ]);
    repo.publish_with(SUITE, &pkgs, &[], 7 * 86_400);
    repo.publish(&format!("{SUITE}-updates"), &[]);
    repo.publish(&format!("{SUITE}-security"), &[]);
    let debian = Server::start(repo.root());

    let greet = wheel(
        "greet",
        "1.0",
        &[("greet/__init__.py", b"def main():\n    print('hi')\n")],
        "[console_scripts]\ngreet = greet:main\n",
    );
    let requests = wheel(
        "requests",
        "2.0.0",
        &[("requests/__init__.py", b"VERSION = '2.0.0'\n")],
        "",
    );
    let lodash = tarball(&[
        (
            "package.json",
            br#"{"name":"lodash","version":"4.17.20","license":"MIT"}"#,
        ),
        ("cli.js", b"console.log('lodash')\n"),
        ("lodash.js", b"module.exports = {}\n"),
    ]);
    let files: Files = Default::default();
    let index = serve(&files);
    let url = index.url();
    {
        let mut f = files.lock().unwrap();
        f.insert("/files/greet-1.0-py3-none-any.whl".into(), greet.clone());
        f.insert(
            "/files/requests-2.0.0-py3-none-any.whl".into(),
            requests.clone(),
        );
        f.insert("/npm/lodash/-/lodash-4.17.20.tgz".into(), lodash.clone());
        f.insert(
            "/simple/greet/".into(),
            format!("<html><body><a href=\"../../files/greet-1.0-py3-none-any.whl#sha256={}\">greet-1.0-py3-none-any.whl</a></body></html>", sha256(&greet)).into_bytes(),
        );
    }
    let wheels = BTreeMap::from([("greet", greet.clone()), ("requests", requests.clone())]);

    let mut ctx = Context::new();
    ctx.set("BOSUN_DEBIAN_MIRROR", &debian.url());
    ctx.set("BOSUN_DEBIAN_SECURITY_MIRROR", &debian.url());
    ctx.set("BOSUN_KEYRING", repo.keyring.to_str().unwrap());
    ctx.set("NPM_CONFIG_REGISTRY", &format!("{url}/npm/"));
    ctx.set("UV_DEFAULT_INDEX", &format!("{url}/simple"));
    ctx.write("bosun.toml", SPEC);
    ctx.write("app/main.py", "import greet\ngreet.main()\n");
    ctx.write("uv.lock", &uv_lock(&url, &wheels, ">=3.11", ""));
    ctx.write("web/package-lock.json", &package_lock(&lodash));
    ctx.write("web/server.js", "require('lodash')\n");

    // The lock: each app lockfile by sha256, each chosen file by URL and hash.
    ctx.bosun(&["lock"]).ok();
    let lock: toml::Value = toml::from_str(&super::lock_toml(&ctx)).unwrap();
    let apps = lock["app"].as_array().unwrap();
    assert_eq!(apps.len(), 2, "{apps:?}");
    let uv_sha = sha256(&std::fs::read(ctx.project().join("uv.lock")).unwrap());
    assert!(
        apps.iter()
            .any(|a| a["lockfile"].as_str() == Some("uv.lock")
                && a["sha256"].as_str() == Some(uv_sha.as_str()))
    );
    let chosen: Vec<(String, String, String)> = lock["app-package"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().into(),
                p["version"].as_str().unwrap().into(),
                p["hash"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        chosen,
        [
            (
                "greet".to_string(),
                "1.0".to_string(),
                format!("sha256:{}", sha256(&greet))
            ),
            (
                "requests".into(),
                "2.0.0".into(),
                format!("sha256:{}", sha256(&requests))
            ),
            (
                "lodash".into(),
                "4.17.20".into(),
                format!("sha512:{}", hex::encode(sha2::Sha512::digest(&lodash)))
            ),
        ],
        "winonly is for Windows, left-pad is a dev dependency"
    );
    let lock_text = super::lock_toml(&ctx);
    assert!(
        lock_text.contains("name = \"python3\""),
        "python3 joins the image's packages"
    );
    assert!(
        lock_text.contains("name = \"nodejs\""),
        "nodejs joins the image's packages"
    );

    // The build: one layer per ecosystem, laid out as pip and npm would.
    let built = ctx
        .bosun(&["build", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    let api = image(&built, "api");
    let (deps_digest, py) = layer_files(&ctx, api, "python dependencies from uv.lock (2 packages)");
    let site = "usr/local/lib/python3.13/dist-packages";
    assert_eq!(
        py[&format!("{site}/greet/__init__.py")],
        b"def main():\n    print('hi')\n"
    );
    let script = String::from_utf8_lossy(&py["usr/local/bin/greet"]).into_owned();
    assert!(
        script.starts_with("#!/usr/bin/python3.13\n") && script.contains("from greet import main"),
        "{script}"
    );
    assert_eq!(
        py[&format!("{site}/greet-1.0.dist-info/INSTALLER")],
        b"bosun\n"
    );
    let record =
        String::from_utf8_lossy(&py[&format!("{site}/greet-1.0.dist-info/RECORD")]).into_owned();
    assert!(record.contains("../../../bin/greet,sha256="), "{record}");
    let web = image(&built, "web");
    let (_, node) = layer_files(
        &ctx,
        web,
        "npm dependencies from web/package-lock.json (1 packages)",
    );
    assert!(
        node.contains_key("srv/web/node_modules/lodash/lodash.js"),
        "{:?}",
        node.keys()
    );
    assert_eq!(
        node["srv/web/node_modules/.bin/lodash-cli"],
        b"-> ../lodash/cli.js"
    );
    assert!(!node.keys().any(|k| k.contains("left-pad")));

    // Reproducible: another store and cache, the same lock, the same digest.
    let mut other = Context::new();
    for (k, v) in &ctx.env {
        if !["BOSUN_STORE", "BOSUN_CACHE_DIR"].contains(&k.as_str()) {
            other.set(k, v);
        }
    }
    for f in [
        "bosun.toml",
        "bosun.lock",
        "uv.lock",
        "app/main.py",
        "web/package-lock.json",
        "web/server.js",
    ] {
        other.write(f, &std::fs::read_to_string(ctx.project().join(f)).unwrap());
    }
    let again = other
        .bosun(&["build", "--locked", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    assert_eq!(
        image(&again, "api")["digest"],
        api["digest"],
        "same lock, same digest"
    );

    // An edit to the app rebuilds its own layer only.
    ctx.write(
        "app/main.py",
        "import greet\ngreet.main()\nprint('edited')\n",
    );
    let edited = ctx
        .bosun(&["build", "--format", "json"])
        .ok()
        .json::<serde_json::Value>();
    let layers = image(&edited, "api")["layers"]["amd64"]
        .as_array()
        .unwrap()
        .clone();
    let rebuilt: Vec<&str> = layers
        .iter()
        .filter(|l| l["cached"] == false)
        .map(|l| l["created_by"].as_str().unwrap())
        .collect();
    assert_eq!(rebuilt, ["bosun: copy app/ -> /app"]);
    assert!(layers.iter().any(|l| l["digest"] == deps_digest.as_str()));

    // What sees them: lock --why, the SBOM (with the wheel's hash), inspect --by owner.
    let why = ctx.bosun(&["lock", "--why", "Requests"]).ok();
    assert_eq!(why.stdout, "pypi: requests\n");
    assert!(
        why.stderr
            .contains("uv.lock: [image.api] takes its pypi dependencies from it"),
        "{}",
        why.stderr
    );
    let spdx = ctx.dir.path().join("api.spdx.json");
    ctx.bosun(&[
        "sbom",
        "api",
        "-o",
        "spdx-json",
        "--file",
        spdx.to_str().unwrap(),
    ])
    .ok();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&spdx).unwrap()).unwrap();
    let greet_pkg = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "greet")
        .expect("greet in the SBOM");
    assert_eq!(
        greet_pkg["externalRefs"][0]["referenceLocator"],
        "pkg:pypi/greet@1.0"
    );
    assert_eq!(
        greet_pkg["checksums"][0]["checksumValue"],
        sha256(&greet).as_str()
    );
    let owners = ctx
        .bosun(&["inspect", "api", "--by", "owner", "--format", "json"])
        .ok()
        .stdout;
    assert!(owners.contains("\"greet\""), "{owners}");

    // OSV knows the locked requests and lodash versions.
    let advisories = advisory_server();
    let (tracker, osv) = (
        format!("{}/tracker/json", advisories.url()),
        format!("{}/osv", advisories.url()),
    );
    ctx.bosun(&["db", "update", "--tracker-url", &tracker, "--osv-url", &osv])
        .ok();
    for (image, advisory, package) in [
        ("api", "GHSA-1111", "requests"),
        ("web", "GHSA-2222", "lodash"),
    ] {
        let scan: serde_json::Value = ctx
            .bosun(&["scan", "--suite", SUITE, "--format", "json", image])
            .ok()
            .json();
        let found = scan["vulnerabilities"].as_array().unwrap();
        assert!(
            found
                .iter()
                .any(|v| v["id"] == advisory && v["package"] == package),
            "{scan}"
        );
    }

    // A changed app lockfile stops a locked build, naming the file; a relock takes it.
    ctx.write(
        "uv.lock",
        &format!("{}\n", uv_lock(&url, &wheels, ">=3.11", "")),
    );
    let check = ctx.bosun(&["lock", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check.stderr.contains("was made with uv.lock at sha256:"),
        "{}",
        check.stderr
    );
    ctx.bosun(&["build", "--locked"])
        .fails(2, "was made with uv.lock at sha256:");
    let relocked = ctx.bosun(&["build"]).ok();
    assert!(
        relocked.stderr.contains("uv.lock at sha256:") && relocked.stderr.contains("; locking"),
        "{}",
        relocked.stderr
    );
    ctx.bosun(&["build", "--locked"]).ok();

    let tagged = |ctx: &Context| super::images(ctx).len();
    let before = tagged(&ctx);
    let fresh_cache = |ctx: &mut Context, name: &str| {
        let dir = ctx.dir.path().join(name);
        ctx.set("BOSUN_CACHE_DIR", dir.to_str().unwrap());
    };
    // A wheel whose bytes are not what the lock pins.
    files.lock().unwrap().insert(
        "/files/requests-2.0.0-py3-none-any.whl".into(),
        wheel(
            "requests",
            "2.0.0",
            &[("requests/__init__.py", b"EVIL = 1\n")],
            "",
        ),
    );
    fresh_cache(&mut ctx, "cache-2");
    ctx.bosun(&["build", "--no-cache", "api"])
        .fails(2, "requests: ");
    let err = ctx.bosun(&["build", "--no-cache", "api"]).stderr;
    assert!(
        err.contains("does not match the lockfile's sha256"),
        "{err}"
    );
    files.lock().unwrap().insert(
        "/files/requests-2.0.0-py3-none-any.whl".into(),
        requests.clone(),
    );
    // A wheel with a path leaving it, pinned by its true hash.
    let evil = wheel(
        "requests",
        "2.0.0",
        &[("../../../etc/cron.d/evil", b"* * * * * root sh\n")],
        "",
    );
    files.lock().unwrap().insert(
        "/files/requests-2.0.0-py3-none-any.whl".into(),
        evil.clone(),
    );
    let evil_wheels = BTreeMap::from([("greet", greet.clone()), ("requests", evil)]);
    ctx.write("uv.lock", &uv_lock(&url, &evil_wheels, ">=3.11", ""));
    ctx.bosun(&["lock"]).ok();
    fresh_cache(&mut ctx, "cache-3");
    ctx.bosun(&["build", "--no-cache", "api"]).fails(2, "requests: requests-2.0.0-py3-none-any.whl: entry \"../../../etc/cron.d/evil\" leaves the wheel");
    files.lock().unwrap().insert(
        "/files/requests-2.0.0-py3-none-any.whl".into(),
        requests.clone(),
    );
    assert_eq!(tagged(&ctx), before, "nothing new in the store");
    // A package with only a source distribution.
    let sdist_only = format!(
        "[[package]]\nname = \"native\"\nversion = \"1.0\"\nsource = {{ registry = \"{url}/simple\" }}\nsdist = {{ url = \"{url}/files/native-1.0.tar.gz\", hash = \"sha256:{}\", size = 1 }}\n",
        "0".repeat(64)
    );
    let with_native = uv_lock(&url, &wheels, ">=3.11", &sdist_only).replace(
        "    { name = \"requests\" },\n",
        "    { name = \"requests\" },\n    { name = \"native\" },\n",
    );
    ctx.write("uv.lock", &with_native);
    ctx.bosun(&["lock"]).fails(2, "native 1.0 has no wheel for CPython 3.13 on linux/amd64 (glibc 2.41) (it is published only as a source distribution");
    // A lock whose Python range leaves the image out.
    ctx.write("uv.lock", &uv_lock(&url, &wheels, ">=3.14", ""));
    ctx.bosun(&["lock"]).fails(
        2,
        "uv.lock: the project requires Python >=3.14, and the image has 3.13",
    );
    // Hashed requirements read their files from the index; an index that is down is named.
    let spec = SPEC.replace(
        "python = { lock = \"uv.lock\" }",
        "python = { lock = \"requirements.txt\" }",
    );
    ctx.write("bosun.toml", &spec);
    ctx.write(
        "requirements.txt",
        &format!("greet==1.0 \\\n    --hash=sha256:{}\n", sha256(&greet)),
    );
    ctx.bosun(&["lock"]).ok();
    assert!(
        super::lock_toml(&ctx)
            .contains(&format!("url = \"{url}/files/greet-1.0-py3-none-any.whl\""))
    );
    ctx.write(
        "requirements.txt",
        &format!(
            "--index-url {url}/down/simple\ngreet==1.0 --hash=sha256:{}\n",
            sha256(&greet)
        ),
    );
    ctx.bosun(&["lock"])
        .fails(2, &format!("package index {url}/down/simple/greet/"));
    ctx.write("requirements.txt", "greet>=1.0\n");
    ctx.bosun(&["lock"])
        .fails(2, "requirements.txt: line 1: greet is not pinned with `==`");
    assert_eq!(tagged(&ctx), before);
}
