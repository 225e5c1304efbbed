//! Archives written by hand: hostile ones are refused with one clear error and no output;
//! layer shapes podman rarely writes (opaque whiteouts, whiteouts of missing paths, hard
//! links) still match dive.

use std::path::Path;
use std::process::Command;

use bosun_test::{Context, peer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

enum Item<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
}

/// A layer tar; names are written raw so that hostile ones survive.
fn layer(items: &[Item<'_>]) -> Vec<u8> {
    let mut out = tar::Builder::new(Vec::new());
    for item in items {
        let mut h = tar::Header::new_gnu();
        let (name, kind, data, link): (&str, tar::EntryType, &[u8], Option<&str>) = match item {
            Item::File(n, d) => (n, tar::EntryType::Regular, d, None),
            Item::Dir(n) => (n, tar::EntryType::Directory, b"", None),
            Item::Symlink(n, t) => (n, tar::EntryType::Symlink, b"", Some(t)),
            Item::Hardlink(n, t) => (n, tar::EntryType::Link, b"", Some(t)),
        };
        let gnu = h.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        if let Some(t) = link {
            gnu.linkname[..t.len()].copy_from_slice(t.as_bytes());
        }
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(if kind == tar::EntryType::Directory {
            0o755
        } else {
            0o644
        });
        h.set_cksum();
        out.append(&h, data).unwrap();
    }
    out.into_inner().unwrap()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn add(out: &mut tar::Builder<std::fs::File>, name: &str, bytes: &[u8]) {
    let mut h = tar::Header::new_ustar();
    h.set_size(bytes.len() as u64);
    h.set_mode(0o644);
    out.append_data(&mut h, name, bytes).unwrap();
}

fn config(layers: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = layers
        .iter()
        .map(|l| format!("sha256:{}", sha(l)))
        .collect();
    json!({
        "architecture": "amd64", "os": "linux",
        "config": { "Env": null, "Labels": null },
        "rootfs": { "type": "layers", "diff_ids": diff_ids },
    })
    .to_string()
    .into_bytes()
}

fn docker_archive(path: &Path, layers: &[Vec<u8>]) {
    docker_archive_of_blobs(path, &config(layers), layers);
}

/// A Docker archive whose layer blobs may differ from the tars the config describes.
fn docker_archive_of_blobs(path: &Path, config: &[u8], blobs: &[Vec<u8>]) {
    let mut out = tar::Builder::new(std::fs::File::create(path).unwrap());
    let config_name = format!("{}.json", sha(config));
    let mut names = Vec::new();
    for blob in blobs {
        let name = format!("{}.tar", sha(blob));
        add(&mut out, &name, blob);
        names.push(name);
    }
    add(&mut out, &config_name, config);
    let m = json!([{ "Config": config_name, "RepoTags": ["t:latest"], "Layers": names }]);
    add(&mut out, "manifest.json", m.to_string().as_bytes());
    out.finish().unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// An OCI layout directory; returns the manifest's blob path.
fn oci_dir(dir: &Path, layers: &[Vec<u8>]) -> (std::path::PathBuf, Vec<std::path::PathBuf>) {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let put = |bytes: &[u8]| -> (String, usize) {
        let hex = sha(bytes);
        std::fs::write(blobs.join(&hex), bytes).unwrap();
        (format!("sha256:{hex}"), bytes.len())
    };
    let config = config(layers);
    let (cd, cs) = put(&config);
    let mut descs = Vec::new();
    let mut paths = Vec::new();
    for l in layers {
        let (d, s) = put(l);
        paths.push(blobs.join(d.trim_start_matches("sha256:")));
        descs.push(json!({ "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s }));
    }
    let manifest = json!({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs },
        "layers": descs,
    })
    .to_string();
    let (md, ms) = put(manifest.as_bytes());
    let index = json!({ "schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
        "annotations": { "org.opencontainers.image.ref.name": "t" } }] });
    std::fs::write(dir.join("index.json"), index.to_string()).unwrap();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    (blobs.join(md.trim_start_matches("sha256:")), paths)
}

#[track_caller]
fn refused(ctx: &Context, image: &str, needle: &str) {
    let run = ctx
        .bosun(&["inspect", image, "--format", "json"])
        .fails(2, needle);
    assert!(run.stdout.is_empty(), "partial output: {}", run.stdout);
}

#[test]
fn hostile_archives_are_refused() {
    let ctx = Context::new();
    let dir = ctx.dir.path();
    let base = layer(&[
        Item::Dir("etc/"),
        Item::File("etc/hosts", b"127.0.0.1 localhost\n"),
    ]);

    let traversal = dir.join("traversal.tar");
    docker_archive(
        &traversal,
        &[base.clone(), layer(&[Item::File("../../etc/passwd", b"x")])],
    );
    refused(
        &ctx,
        &format!("docker-archive:{}", traversal.display()),
        "climbs out of the root",
    );

    let symlink = dir.join("symlink.tar");
    docker_archive(
        &symlink,
        &[layer(&[
            Item::Dir("a/"),
            Item::Symlink("a/b", "../../../etc"),
        ])],
    );
    refused(
        &ctx,
        &format!("docker-archive:{}", symlink.display()),
        "points out of the root",
    );

    let hardlink = dir.join("hardlink.tar");
    docker_archive(
        &hardlink,
        &[layer(&[Item::Hardlink("x", "../../etc/shadow")])],
    );
    refused(
        &ctx,
        &format!("docker-archive:{}", hardlink.display()),
        "points out of the root",
    );

    // A plain layer whose bytes differ from its diff id: walked header to header by default
    // (and said to be unverified), refused with --verify.
    let tampered = dir.join("tampered.tar");
    let mut forged = base.clone();
    let at = forged.windows(9).position(|w| w == b"127.0.0.1").unwrap();
    forged[at] = b'9';
    docker_archive_of_blobs(
        &tampered,
        &config(std::slice::from_ref(&base)),
        std::slice::from_ref(&forged),
    );
    let image = format!("docker-archive:{}", tampered.display());
    let run = ctx.bosun(&["inspect", &image, "--format", "json"]).ok();
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["layers"][0]["verified"], false);
    let run = ctx.bosun(&["inspect", &image]).ok();
    assert!(
        run.stdout.contains("Verified   0 of 1 layers"),
        "{}",
        run.stdout
    );
    let run = ctx
        .bosun(&["inspect", &image, "--verify", "--format", "json"])
        .fails(2, "does not match its digest");
    assert!(run.stdout.is_empty(), "partial output: {}", run.stdout);

    // A compressed layer is always checked: inflating it costs more than hashing it.
    let tampered_gz = dir.join("tampered-gz.tar");
    docker_archive_of_blobs(
        &tampered_gz,
        &config(std::slice::from_ref(&base)),
        &[gzip(&forged)],
    );
    refused(
        &ctx,
        &format!("docker-archive:{}", tampered_gz.display()),
        "does not match its digest",
    );
    let honest_gz = dir.join("honest-gz.tar");
    docker_archive_of_blobs(
        &honest_gz,
        &config(std::slice::from_ref(&base)),
        &[gzip(&base)],
    );
    let run = ctx
        .bosun(&[
            "inspect",
            &format!("docker-archive:{}", honest_gz.display()),
            "--format",
            "json",
        ])
        .ok();
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["layers"][0]["verified"], true);

    // A truncated archive.
    let truncated = dir.join("truncated.tar");
    docker_archive(
        &truncated,
        &[base.clone(), layer(&[Item::File("big", &[7u8; 100_000])])],
    );
    let bytes = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    refused(
        &ctx,
        &format!("docker-archive:{}", truncated.display()),
        "truncated",
    );

    // A manifest whose bytes do not match the digest the index gives.
    let layout = dir.join("layout");
    let (manifest, layers) = oci_dir(&layout, std::slice::from_ref(&base));
    let good = std::fs::read(&manifest).unwrap();
    let mut bad = good.clone();
    bad.push(b' ');
    std::fs::write(&manifest, &bad).unwrap();
    refused(
        &ctx,
        &format!("oci:{}", layout.display()),
        "does not match its digest",
    );
    std::fs::write(&manifest, &good).unwrap();
    ctx.bosun(&["inspect", &format!("oci:{}:t", layout.display())])
        .ok();

    // A truncated layer blob.
    let blob = std::fs::read(&layers[0]).unwrap();
    std::fs::write(&layers[0], &blob[..blob.len() - 700]).unwrap();
    refused(
        &ctx,
        &format!("oci:{}", layout.display()),
        "the manifest says",
    );

    // Not an archive at all.
    let junk = dir.join("junk.tar");
    std::fs::write(&junk, b"not a tar").unwrap();
    refused(
        &ctx,
        &format!("docker-archive:{}", junk.display()),
        "junk.tar",
    );
}

#[test]
fn unusual_layers_match_dive() {
    let ctx = Context::new();
    let archive = ctx.dir.path().join("unusual.tar");
    let big = vec![1u8; 50_000];
    docker_archive(
        &archive,
        &[
            layer(&[
                Item::Dir("d/"),
                Item::File("d/a", &big),
                Item::File("d/b", b"bbbb"),
                Item::Dir("d/sub/"),
                Item::File("d/sub/c", b"cc"),
                Item::File("f", b"12345"),
                Item::Hardlink("f-link", "f"),
            ]),
            layer(&[
                Item::Dir("d/"),
                Item::File("d/.wh..wh..opq", b""),
                Item::File("d/new", b"new"),
                Item::File(".wh.f", b""),
                Item::File(".wh.never-existed", b""),
                Item::File("g/h/i", b"implied parents"),
            ]),
            layer(&[
                Item::File(".wh.d", b""),
                Item::File("f", b"again"),
                Item::Symlink("s", "/f"),
            ]),
            layer(&[Item::File(".wh.g", b""), Item::File("z", b"")]),
        ],
    );
    let image = format!("docker-archive:{}", archive.display());
    let run = ctx.bosun(&["inspect", &image, "--ci", "--format", "json"]);
    let ours: Value = serde_json::from_str(&run.stdout).expect(&run.stderr);
    let Some(dive) = peer("dive") else { return };
    let json = ctx.dir.path().join("dive.json");
    // With --json dive writes the figures and skips the gate, so it runs twice.
    let out = Command::new(&dive)
        .args(["--source", "docker-archive"])
        .arg(&archive)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gate = Command::new(&dive)
        .args(["--ci", "--source", "docker-archive"])
        .arg(&archive)
        .env("CI", "true")
        .output()
        .unwrap();
    let theirs: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let d = &theirs["image"];
    assert_eq!(ours["dive"]["wasted_bytes"], d["inefficientBytes"]);
    assert_eq!(ours["dive"]["size_bytes"], d["sizeBytes"]);
    let (a, b) = (
        ours["dive"]["efficiency"].as_f64().unwrap(),
        d["efficiencyScore"].as_f64().unwrap(),
    );
    assert!((a - b).abs() < 1e-12, "efficiency {a} vs dive {b}");
    assert_eq!(run.code, gate.status.code().unwrap(), "pass/fail");
}
