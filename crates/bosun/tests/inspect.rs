//! `bosun inspect` against dive on images podman builds here, every image source, planted
//! secrets, and hostile archives.
#![allow(clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use bosun_test::tmux::Screen;
use bosun_test::{Context, peer, run, static_busybox};
use serde_json::Value;

/// Test images, built once per test binary.
struct Images {
    dir: PathBuf,
    /// name -> docker-archive path.
    archives: BTreeMap<&'static str, PathBuf>,
    /// Planted secrets: path in the image -> rule expected.
    planted: Vec<(String, &'static str)>,
    /// Ordinary files copied into the secrets image.
    ordinary: usize,
}

fn images() -> Option<&'static Images> {
    static IMAGES: OnceLock<Option<Images>> = OnceLock::new();
    IMAGES
        .get_or_init(|| {
            let podman = peer("podman")?;
            let busybox = static_busybox()?;
            let dir = tempfile::tempdir().expect("tempdir").keep();
            let mut archives = BTreeMap::new();
            let (planted, ordinary) = secrets_context(&dir.join("secrets"));
            for (name, dockerfile) in DOCKERFILES {
                let ctx = dir.join(name);
                std::fs::create_dir_all(&ctx).unwrap();
                std::fs::copy(&busybox, ctx.join("busybox")).unwrap();
                std::fs::write(ctx.join("Dockerfile"), dockerfile).unwrap();
                let tag = format!("localhost/bosun-inspect-{name}:latest");
                run(Command::new(&podman)
                    .args(["build", "-q", "--format", "docker", "-t", &tag])
                    .arg(&ctx));
                let archive = dir.join(format!("{name}.tar"));
                let _ = std::fs::remove_file(&archive);
                run(Command::new(&podman)
                    .args(["save", "--format", "docker-archive", "-o"])
                    .arg(&archive)
                    .arg(&tag));
                if *name == "waste" {
                    for (format, file) in
                        [("oci-archive", "waste-oci.tar"), ("oci-dir", "waste-oci")]
                    {
                        let _ = std::fs::remove_dir_all(dir.join(file));
                        run(Command::new(&podman)
                            .args(["save", "--format", format, "-o"])
                            .arg(dir.join(file))
                            .arg(&tag));
                    }
                }
                let _ = Command::new(&podman).args(["rmi", "-f", &tag]).output();
                archives.insert(*name, archive);
            }
            Some(Images {
                dir,
                archives,
                planted,
                ordinary,
            })
        })
        .as_ref()
}

const DOCKERFILES: &[(&str, &str)] = &[
    (
        "waste",
        r#"FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "B=/bin/busybox; $B mkdir -p /data/sub /opq/old /tmp && $B dd if=/dev/zero of=/data/big bs=1024 count=2048 2>/dev/null && echo one > /data/sub/a && echo two > /data/sub/b && echo first > /keep && echo old > /opq/old/f && echo ghp_Zx81mQ2vL5nR7tY0wE3uI9oP4aS6dF1gH2jK > /data/token.txt && $B ln /keep /keep-hard && $B ln -s /keep /keep-sym && $B chmod 1777 /tmp"]
RUN ["/bin/busybox", "sh", "-c", "B=/bin/busybox; $B rm /data/big /data/token.txt && $B rm -r /data/sub && echo second-version > /keep && $B rm -rf /opq && $B mkdir -p /opq/new && echo new > /opq/new/g && $B chmod 0666 /keep"]
RUN ["/bin/busybox", "sh", "-c", "echo third > /keep && /bin/busybox chmod 4755 /bin/busybox"]
"#,
    ),
    (
        "clean",
        r#"FROM scratch
COPY busybox /bin/busybox
COPY Dockerfile /app/Dockerfile
USER 65532:65532
HEALTHCHECK CMD ["/bin/busybox", "true"]
ENTRYPOINT ["/bin/busybox", "true"]
"#,
    ),
    (
        "secrets",
        r#"FROM scratch
COPY s0/ /srv/s0/
COPY busybox /bin/busybox
COPY ordinary/ /opt/ordinary/
COPY s1/ /srv/s1/
RUN ["/bin/busybox", "rm", "-r", "/srv/s1"]
COPY s2/ /opt/s2/
ENV API_TOKEN=glpat-Q8x2Lm4Nv6Bc1Zr7Ty0W PATH=/bin
LABEL maintainer="ops@example.org"
COPY s3/ /home/app/
"#,
    ),
];

/// Writes the secrets image's build context: four sets of planted secrets (first layer,
/// deleted by a later layer, a middle layer, the last layer) and ordinary files from this
/// machine's Debian packages.
fn secrets_context(ctx: &Path) -> (Vec<(String, &'static str)>, usize) {
    let mut planted = Vec::new();
    let places = [
        ("s0", "/srv/s0"),
        ("s1", "/srv/s1"),
        ("s2", "/opt/s2"),
        ("s3", "/home/app"),
    ];
    for (n, (dir, dest)) in places.iter().enumerate() {
        for (file, text, rule) in planted_secrets(n) {
            let path = ctx.join(dir).join(&file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            planted.push((format!("{dest}/{file}"), rule));
        }
    }
    let mut ordinary = 0;
    let mut copy = |src: &Path| {
        let dst = ctx.join("ordinary").join(src.strip_prefix("/").unwrap());
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        if std::fs::copy(src, &dst).is_ok() {
            ordinary += 1;
        }
    };
    let mut sources: Vec<PathBuf> = Vec::new();
    for dir in ["/usr/lib/python3.11", "/usr/share/doc"] {
        let mut found: Vec<PathBuf> = walk(Path::new(dir));
        found.sort();
        sources.extend(found.into_iter().take(150));
    }
    sources.extend(
        [
            "/etc/ssl/certs/ca-certificates.crt",
            "/usr/bin/gpg",
            "/usr/bin/tar",
            "/usr/bin/gzip",
            "/bin/busybox",
        ]
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists()),
    );
    for s in &sources {
        copy(s);
    }
    (planted, ordinary)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            match std::fs::symlink_metadata(&p) {
                Ok(m) if m.is_dir() => stack.push(p),
                Ok(m) if m.is_file() && m.len() < 1 << 20 => out.push(p),
                _ => {}
            }
        }
    }
    out
}

/// Twelve kinds of secret; `n` makes each set's values distinct.
fn planted_secrets(n: usize) -> Vec<(String, String, &'static str)> {
    let alnum = |len: usize, seed: usize| -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|i| A[(i * 7 + seed * 13 + i * i) % A.len()] as char)
            .collect()
    };
    let upper = |len: usize, seed: usize| -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        (0..len)
            .map(|i| A[(i * 5 + seed * 11 + i * i) % A.len()] as char)
            .collect()
    };
    let key_body: String = (0..6)
        .map(|i| format!("{}\n", alnum(64, n * 10 + i)))
        .collect();
    let auth = base64_encode(format!("deploy{n}:Pw{}", alnum(12, n)).as_bytes());
    vec![
        (
            "keys/server.pem".into(),
            format!("-----BEGIN RSA PRIVATE KEY-----\n{key_body}-----END RSA PRIVATE KEY-----\n"),
            "private-key",
        ),
        (
            "aws.txt".into(),
            format!("aws_access_key_id = AKIA{}\n", upper(16, n)),
            "aws-access-key-id",
        ),
        (
            "deploy.sh".into(),
            format!(
                "#!/bin/sh\ngit clone https://x:ghp_{}@github.invalid/org/repo\n",
                alnum(36, n + 1)
            ),
            "github-token",
        ),
        (
            "gitlab.yml".into(),
            format!("token: glpat-{}\n", alnum(20, n + 2)),
            "gitlab-token",
        ),
        (
            "slack.json".into(),
            format!(
                "{{\"bot\": \"xoxb-{}-{}\"}}\n",
                123456789012u64 + n as u64,
                alnum(24, n + 3)
            ),
            "slack-token",
        ),
        (
            "npm-token.txt".into(),
            format!("NPM token npm_{}\n", alnum(36, n + 4)),
            "npm-token",
        ),
        (
            "pypirc".into(),
            format!(
                "[pypi]\nusername = __token__\npassword = pypi-AgE{}\n",
                alnum(70, n + 5)
            ),
            "pypi-token",
        ),
        (
            ".docker/config.json".into(),
            format!("{{\"auths\": {{\"registry.invalid\": {{\"auth\": \"{auth}\"}}}}}}\n"),
            "docker-config-auth",
        ),
        (
            "db.conf".into(),
            format!(
                "url = postgres://app:{}@db.internal:5432/app\n",
                alnum(14, n + 6)
            ),
            "password-in-url",
        ),
        (
            "settings.py".into(),
            format!("DEBUG = False\nSECRET_KEY = \"{}9\"\n", alnum(30, n + 7)),
            "generic-secret",
        ),
        (
            ".env".into(),
            format!("APP_ENV=prod\nDB_PASSWORD={}\n", alnum(16, n + 8)),
            "dotenv-secret",
        ),
        (
            ".netrc".into(),
            format!(
                "machine api.internal login deploy password {}\n",
                alnum(18, n + 9)
            ),
            "netrc-password",
        ),
    ]
}

fn base64_encode(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn inspect_json(ctx: &Context, image: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["inspect", image, "--ci", "--format", "json"];
    args.extend_from_slice(extra);
    let run = ctx.bosun(&args);
    assert!(
        run.code == 0 || run.code == 1,
        "inspect {image}: {}",
        run.stderr
    );
    (
        run.code,
        serde_json::from_str(&run.stdout).expect("json report"),
    )
}

/// dive's figures for a docker-archive and its gate's exit code. With `--json` dive writes the
/// figures and skips the gate, so it runs twice.
fn dive(archive: &Path, extra: &[&str]) -> Option<(i32, Value)> {
    let dive = peer("dive")?;
    let json = archive.with_extension("dive.json");
    let out = Command::new(&dive)
        .args(["--source", "docker-archive"])
        .arg(archive)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("run dive");
    assert!(
        out.status.success(),
        "dive failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value =
        serde_json::from_slice(&std::fs::read(&json).expect("dive json")).expect("dive json");
    let gate = Command::new(&dive)
        .args(["--ci", "--source", "docker-archive"])
        .arg(archive)
        .args(extra)
        .env("CI", "true")
        .output()
        .expect("run dive");
    let code = gate.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "dive --ci failed: {}",
        String::from_utf8_lossy(&gate.stderr)
    );
    Some((code, value))
}

fn inefficient(list: &Value, path: &str, count: &str, size: &str) -> BTreeMap<String, (u64, i64)> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    (
                        r[path].as_str().unwrap().to_string(),
                        (r[count].as_u64().unwrap(), r[size].as_i64().unwrap()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn assert_matches_dive(name: &str, archive: &Path, extra: &[&str]) {
    let Some((dive_code, d)) = dive(archive, extra) else {
        return;
    };
    let ctx = Context::new();
    let image = format!("docker-archive:{}", archive.display());
    let (code, b) = inspect_json(&ctx, &image, extra);
    let ours = &b["dive"];
    let theirs = &d["image"];
    assert_eq!(
        ours["wasted_bytes"], theirs["inefficientBytes"],
        "{name}: wasted bytes"
    );
    assert_eq!(
        ours["size_bytes"], theirs["sizeBytes"],
        "{name}: size bytes"
    );
    let (e1, e2) = (
        ours["efficiency"].as_f64().unwrap(),
        theirs["efficiencyScore"].as_f64().unwrap(),
    );
    assert!(
        (e1 - e2).abs() < 1e-12,
        "{name}: efficiency {e1} vs dive {e2}"
    );
    assert_eq!(format!("{:.4}", e1 * 100.0), format!("{:.4}", e2 * 100.0));
    assert_eq!(
        inefficient(&ours["inefficient"], "path", "count", "cumulative_size"),
        inefficient(&theirs["fileReference"], "file", "count", "sizeBytes"),
        "{name}: inefficient files"
    );
    let layer_sizes: Vec<u64> = d["layer"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["sizeBytes"].as_u64().unwrap())
        .collect();
    let ours_sizes: Vec<u64> = ours["layer_sizes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(ours_sizes, layer_sizes, "{name}: layer sizes");
    // dive's JSON has no user-wasted figure; its definition from the same sizes:
    let user: u64 = layer_sizes.iter().skip(1).sum();
    let pct = theirs["inefficientBytes"].as_u64().unwrap() as f64 / user as f64;
    assert!(
        (ours["user_wasted_percent"].as_f64().unwrap() - pct).abs() < 1e-12,
        "{name}: user wasted"
    );
    assert_eq!(
        code, dive_code,
        "{name}: pass/fail differs from dive ({extra:?})"
    );
    assert_eq!(b["ci"]["pass"], Value::Bool(dive_code == 0));
}

#[test]
fn efficiency_and_ci_match_dive() {
    let Some(images) = images() else { return };
    for (name, archive) in &images.archives {
        assert_matches_dive(name, archive, &[]);
        // A lenient gate passes in both.
        assert_matches_dive(
            name,
            archive,
            &[
                "--lowestEfficiency",
                "0.1",
                "--highestUserWastedPercent",
                "1",
            ],
        );
        assert_matches_dive(
            name,
            archive,
            &[
                "--highestWastedBytes",
                "1KB",
                "--lowestEfficiency",
                "disabled",
            ],
        );
    }
}

#[test]
fn ci_listing_reads_like_dive() {
    let Some(images) = images() else { return };
    let ctx = Context::new();
    let image = format!("docker-archive:{}", images.archives["waste"].display());
    let run = ctx.bosun(&["inspect", &image, "--ci"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for needle in [
        "efficiency: ",
        "wastedBytes: ",
        "Inefficient Files:",
        "FAIL: lowestEfficiency",
        "Result:FAIL [Total:3]",
    ] {
        assert!(
            run.stdout.contains(needle),
            "missing {needle:?} in:\n{}",
            run.stdout
        );
    }
    // `.dive-ci` in the working directory is read like dive reads it.
    ctx.write(
        ".dive-ci",
        "rules:\n  lowestEfficiency: 0.01\n  highestUserWastedPercent: disabled\n",
    );
    let run = ctx.bosun(&["inspect", &image, "--ci"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("Result:PASS [Total:3] [Passed:1] [Failed:0] [Warn:0] [Skipped:2]"),
        "{}",
        run.stdout
    );
}

#[test]
fn findings_of_a_wasteful_root_image() {
    let Some(images) = images() else { return };
    let ctx = Context::new();
    let image = format!("docker-archive:{}", images.archives["waste"].display());
    let (_, r) = inspect_json(&ctx, &image, &[]);
    let findings = r["findings"].as_array().unwrap();
    let has = |code: &str, path: Option<&str>| {
        findings
            .iter()
            .any(|f| f["code"] == code && path.is_none_or(|p| f["path"] == p))
    };
    assert!(has("BI010", None), "runs as root");
    assert!(has("BI011", None), "no healthcheck");
    assert!(
        !has("BI012", None),
        "nothing runs, so nothing ignores signals"
    );
    assert!(has("BI040", Some("/data/big")), "2 MiB deleted later");
    assert!(
        has("BI040", Some("/bin/busybox")),
        "busybox replaced by chmod"
    );
    assert!(has("BI020", Some("/bin/busybox")), "setuid");
    assert!(
        has("BI021", Some("/keep")) || has("BI021", None),
        "world-writable"
    );
    assert!(
        !findings
            .iter()
            .any(|f| f["code"] == "BI021" && f["path"] == "/tmp"),
        "sticky /tmp is fine"
    );
    let secret = findings
        .iter()
        .find(|f| f["code"] == "BI001")
        .expect("deleted token found");
    assert_eq!(secret["path"], "/data/token.txt");
    assert!(
        secret["message"].as_str().unwrap().contains("deleted"),
        "{secret}"
    );
    assert!(
        !r.to_string()
            .contains("Zx81mQ2vL5nR7tY0wE3uI9oP4aS6dF1gH2jK"),
        "secret printed"
    );
    // Layer changes: layer 2 removes the big file, the token, the dir and its two files.
    let layers = r["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 4);
    assert!(
        layers[2]["changes"]["removed"].as_u64().unwrap() >= 5,
        "{}",
        layers[2]
    );
    assert!(r["corrected"]["hidden_bytes"].as_u64().unwrap() >= 2 * 1024 * 1024);

    let clean = format!("docker-archive:{}", images.archives["clean"].display());
    let (_, r) = inspect_json(&ctx, &clean, &[]);
    let codes: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        !codes.contains(&"BI010") && !codes.contains(&"BI011"),
        "{codes:?}"
    );
    // busybox is PID 1 there, and no init: SIGTERM would be ignored.
    assert!(codes.contains(&"BI012"), "{codes:?}");
    assert_eq!(r["config"]["user"], "65532:65532");
    assert!(r["config"]["healthcheck"].is_array());
    // SARIF for code-scanning tools.
    let run = ctx.bosun(&["inspect", &image, "--format", "sarif"]).ok();
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "BI001" && r["level"] == "error")
    );
    // --fail-on turns findings into exit 1.
    assert_eq!(
        ctx.bosun(&["inspect", &image, "--fail-on", "error"]).code,
        1
    );
    assert_eq!(
        ctx.bosun(&["inspect", &clean, "--fail-on", "error"]).code,
        0
    );
}

#[test]
fn planted_secrets_precision_and_recall() {
    let Some(images) = images() else { return };
    assert!(
        images.planted.len() >= 40 && images.ordinary >= 200,
        "{} planted, {} ordinary",
        images.planted.len(),
        images.ordinary
    );
    let ctx = Context::new();
    let image = format!("docker-archive:{}", images.archives["secrets"].display());
    let (_, r) = inspect_json(&ctx, &image, &[]);
    let found: Vec<(String, String)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "BI001" || f["code"] == "BI002")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let true_positives = images
        .planted
        .iter()
        .filter(|(p, rule)| found.iter().any(|(fp, fr)| fp == p && fr == rule))
        .count();
    let false_positives: Vec<&(String, String)> = found
        .iter()
        .filter(|(fp, _)| !images.planted.iter().any(|(p, _)| p == fp))
        .collect();
    let missed: Vec<&(String, &str)> = images
        .planted
        .iter()
        .filter(|(p, rule)| !found.iter().any(|(fp, fr)| fp == p && fr == rule))
        .collect();
    let precision = true_positives as f64 / found.len() as f64;
    let recall = true_positives as f64 / images.planted.len() as f64;
    eprintln!(
        "secrets: {} planted, {} ordinary files, {} found; precision {precision:.3}, recall {recall:.3}",
        images.planted.len(),
        images.ordinary,
        found.len()
    );
    assert!(missed.is_empty(), "missed: {missed:?}");
    assert!(
        false_positives.is_empty(),
        "false positives: {false_positives:?}"
    );
    // Deleted ones are called out, and config secrets are found too.
    let findings = r["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .filter(|f| f["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/srv/s1/")))
            .all(|f| f["message"].as_str().unwrap().contains("deleted"))
    );
    assert!(
        findings.iter().any(|f| f["code"] == "BI003"
            && f["field"]
                .as_str()
                .is_some_and(|x| x.starts_with("config.Env["))),
        "env secret"
    );
    let env = r["config"]["env"].to_string();
    assert!(
        !env.contains("Q8x2Lm4Nv6Bc1Zr7Ty0W"),
        "env secret shown: {env}"
    );
}

#[test]
fn every_source_reads_the_same_image() {
    let Some(images) = images() else { return };
    let Some(skopeo) = peer("skopeo") else { return };
    let ctx = Context::new();
    let archive = &images.archives["waste"];
    // A legacy layout: manifest.json names `<id>/layer.tar`, as docker save did before v25.
    let legacy = images.dir.join("waste-legacy.tar");
    legacy_archive(archive, &legacy);
    // The store is an OCI layout with full names as ref annotations.
    run(Command::new(&skopeo)
        .arg("copy")
        .arg(format!("docker-archive:{}", archive.display()))
        .arg(format!("oci:{}:waste:1", ctx.store().display())));
    let sources = [
        format!("docker-archive:{}", archive.display()),
        format!(
            "docker-archive:{}:localhost/bosun-inspect-waste:latest",
            archive.display()
        ),
        format!("docker-archive:{}", legacy.display()),
        format!("oci-archive:{}", images.dir.join("waste-oci.tar").display()),
        format!("oci:{}", images.dir.join("waste-oci").display()),
        "waste:1".to_string(),
    ];
    let mut seen = Vec::new();
    for source in &sources {
        let (_, r) = inspect_json(&ctx, source, &[]);
        seen.push((
            source.clone(),
            // podman writes the config anew for OCI formats, so compare what it describes.
            r["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["diff_id"].clone())
                .collect::<Vec<_>>(),
            r["dive"]["wasted_bytes"].clone(),
            r["dive"]["efficiency"].clone(),
            r["findings"].as_array().unwrap().len(),
        ));
    }
    for s in &seen[1..] {
        assert_eq!(
            (&s.1, &s.2, &s.3, s.4),
            (&seen[0].1, &seen[0].2, &seen[0].3, seen[0].4),
            "{} vs {}",
            s.0,
            seen[0].0
        );
    }
    ctx.bosun(&["inspect", "nope:1"])
        .fails(2, "no image named `nope:1`");
    // A registry that does not resolve is one error naming it (retries are bounded).
    ctx.bosun(&["inspect", "docker://example.invalid/x"])
        .fails(2, "example.invalid/x: cannot reach example.invalid");
}

fn legacy_archive(src: &Path, dst: &Path) {
    let mut archive = tar::Archive::new(std::fs::File::open(src).unwrap());
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        if e.header().entry_type().is_file() {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut v).unwrap();
            files.insert(e.path().unwrap().to_string_lossy().into_owned(), v);
        }
    }
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let mut out = tar::Builder::new(std::fs::File::create(dst).unwrap());
    let mut layers = Vec::new();
    for (i, l) in manifest[0]["Layers"].as_array().unwrap().iter().enumerate() {
        let name = format!("{i:064x}/layer.tar");
        add(&mut out, &name, &files[l.as_str().unwrap()]);
        layers.push(name);
    }
    let config = manifest[0]["Config"].as_str().unwrap();
    add(&mut out, config, &files[config]);
    let m =
        serde_json::json!([{ "Config": config, "RepoTags": ["legacy:latest"], "Layers": layers }]);
    add(&mut out, "manifest.json", m.to_string().as_bytes());
    out.finish().unwrap();
}

fn add<W: std::io::Write>(out: &mut tar::Builder<W>, name: &str, bytes: &[u8]) {
    let mut h = tar::Header::new_ustar();
    h.set_size(bytes.len() as u64);
    h.set_mode(0o644);
    out.append_data(&mut h, name, bytes).unwrap();
}

/// Copies `from` (a file or a directory tree, symlinks as links) to `to`.
fn copy_tree(from: &Path, to: &Path) {
    let meta = std::fs::symlink_metadata(from).unwrap();
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from).unwrap();
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        let _ = std::os::unix::fs::symlink(target, to);
    } else if meta.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap().flatten() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

/// The real things an SBOM must find, taken from this machine: the dpkg database and the
/// copyright files of its Debian packages, Python distributions (the peers' virtualenv),
/// npm's own installation (a project with its node_modules), a Go program (skopeo), a Rust
/// binary carrying a cargo-auditable dependency list, and Java archives from Debian packages;
/// then a second layer deletes one Python distribution. bosun and syft must find the same
/// (type, name, version) set, but for the differences named below, each with its reason.
#[test]
fn sbom_matches_syft_and_validates() {
    let (Some(podman), Some(syft), Some(busybox)) =
        (peer("podman"), peer("syft"), static_busybox())
    else {
        return;
    };
    let venv = bosun_test::peers_venv();
    let site = std::fs::read_dir(venv.join("lib"))
        .ok()
        .and_then(|mut d| d.next())
        .map(|e| e.unwrap().path().join("site-packages"));
    let npm = ["/usr/lib/node_modules/npm", "/usr/share/nodejs/npm"]
        .map(PathBuf::from)
        .into_iter()
        .find(|p| p.join("package.json").is_file());
    let jars: Vec<PathBuf> = std::fs::read_dir("/usr/share/java")
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "jar") && !p.is_symlink())
                .collect()
        })
        .unwrap_or_default();
    let inputs_present = site.as_ref().is_some_and(|s| s.is_dir())
        && npm.is_some()
        && !jars.is_empty()
        && Path::new("/usr/bin/skopeo").is_file()
        && peer("objcopy").is_some();
    if !inputs_present {
        bosun_test::missing_peer(
            "the SBOM inputs (peers venv, npm, /usr/share/java jars, skopeo, objcopy)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ctx/rootfs");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::copy(&busybox, root.join("bin/busybox")).unwrap();
    copy_tree(Path::new("/etc/os-release"), &root.join("etc/os-release"));
    copy_tree(
        Path::new("/var/lib/dpkg/status"),
        &root.join("var/lib/dpkg/status"),
    );
    let mut copyrights = 0;
    for e in std::fs::read_dir("/usr/share/doc").unwrap().flatten() {
        let c = e.path().join("copyright");
        if c.is_file() && !c.is_symlink() {
            copy_tree(
                &c,
                &root
                    .join("usr/share/doc")
                    .join(e.file_name())
                    .join("copyright"),
            );
            copyrights += 1;
        }
    }
    let site = site.unwrap();
    let mut dists = 0;
    for e in std::fs::read_dir(&site).unwrap().flatten() {
        if e.file_name().to_string_lossy().ends_with(".dist-info") {
            copy_tree(
                &e.path(),
                &root
                    .join("usr/lib/python3/site-packages")
                    .join(e.file_name()),
            );
            dists += 1;
        }
    }
    copy_tree(
        npm.as_ref().unwrap(),
        &root.join("usr/lib/node_modules/npm"),
    );
    copy_tree(Path::new("/usr/bin/skopeo"), &root.join("usr/bin/skopeo"));
    // A Go program without an execute bit, as wheels ship helper binaries (dive, a peer).
    let Some(dive) = peer("dive") else { return };
    let helper = root.join("usr/lib/python3/site-packages/helper/bin/dive");
    copy_tree(&dive, &helper);
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    for jar in &jars {
        copy_tree(
            jar,
            &root.join("usr/share/java").join(jar.file_name().unwrap()),
        );
    }
    // A Rust program as cargo-auditable leaves it: its dependency tree, zlib-compressed JSON,
    // in a `.dep-v0` section.
    let audit = br#"{"packages":[{"name":"tool","version":"0.3.1","source":"local","root":true,"dependencies":[1,2]},{"name":"serde","version":"1.0.219","source":"crates.io"},{"name":"itoa","version":"1.0.15","source":"crates.io"}]}"#;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut z, audit).unwrap();
    std::fs::write(dir.path().join("dep-v0"), z.finish().unwrap()).unwrap();
    std::fs::create_dir_all(root.join("usr/local/bin")).unwrap();
    run(Command::new("objcopy")
        .arg("--add-section")
        .arg(format!(".dep-v0={}", dir.path().join("dep-v0").display()))
        .arg(&busybox)
        .arg(root.join("usr/local/bin/tool")));
    assert!(
        dists >= 20 && copyrights >= 100 && jars.len() >= 3,
        "{dists} {copyrights} {}",
        jars.len()
    );
    let gone = std::fs::read_dir(root.join("usr/lib/python3/site-packages"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("attrs-"))
        .expect("attrs is a peer's dependency");
    std::fs::write(
        dir.path().join("ctx/Dockerfile"),
        format!("FROM scratch\nCOPY rootfs/ /\nRUN [\"/bin/busybox\", \"rm\", \"-rf\", \"/usr/lib/python3/site-packages/{gone}\"]\n"),
    )
    .unwrap();
    let tag = "localhost/bosun-sbom-test:latest";
    run(Command::new(&podman)
        .args(["build", "-q", "--format", "docker", "-t", tag])
        .arg(dir.path().join("ctx")));
    let archive = dir.path().join("sbom.tar");
    run(Command::new(&podman)
        .args(["save", "--format", "docker-archive", "-o"])
        .arg(&archive)
        .arg(tag));
    let _ = Command::new(&podman).args(["rmi", "-f", tag]).output();
    let image = format!("docker-archive:{}", archive.display());

    let ctx = Context::new();
    let ours = ctx.bosun(&["sbom", "-o", "json", &image]).ok();
    let ours: Value = serde_json::from_str(&ours.stdout).unwrap();
    let syft_out = run(Command::new(&syft)
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .args(["-q", "-o", "json", &image]));
    let theirs: Value = serde_json::from_str(&syft_out).unwrap();
    type Key = (String, String, String);
    let set = |items: &Value, kind: &str| -> std::collections::BTreeSet<Key> {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[kind].as_str().unwrap().to_string(),
                    p["name"].as_str().unwrap().to_string(),
                    p["version"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let ours_set = set(&ours["packages"], "kind");
    let theirs_set = set(&theirs["artifacts"], "type");
    // Every ecosystem is there.
    for kind in [
        "deb",
        "python",
        "npm",
        "go-module",
        "rust-crate",
        "java-archive",
    ] {
        assert!(
            ours_set.iter().any(|(k, _, _)| k == kind),
            "no {kind} found"
        );
    }
    assert!(
        !ours_set
            .iter()
            .any(|(k, n, _)| k == "python" && gone.starts_with(&format!("{n}-"))),
        "a deleted distribution is not reported"
    );
    // Allowed differences, each with its reason.
    let allowed = |(kind, _, _): &Key| -> bool {
        // syft's binary classifiers recognise programs by byte patterns (busybox, the Go
        // toolchain's version string); bosun reports what package metadata states.
        kind == "binary"
    };
    let only_theirs: Vec<&Key> = theirs_set
        .difference(&ours_set)
        .filter(|k| !allowed(k))
        .collect();
    let only_ours: Vec<&Key> = ours_set.difference(&theirs_set).collect();
    assert!(
        only_theirs.is_empty() && only_ours.is_empty(),
        "syft only: {only_theirs:#?}\nbosun only: {only_ours:#?}"
    );
    assert!(ours_set.len() >= 200, "{} packages", ours_set.len());
    // The 0644 Go program's modules are there (dive's own module among them).
    let in_helper = ours["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["location"]
                .as_str()
                .is_some_and(|l| l.ends_with("helper/bin/dive"))
        })
        .count();
    assert!(
        in_helper >= 10,
        "{in_helper} modules in the 0644 Go program"
    );

    // Both documents validate, with the tools their users have, and are byte-identical across runs.
    for (format, file) in [
        ("spdx-json", "sbom.spdx.json"),
        ("cyclonedx-json", "sbom.cdx.json"),
    ] {
        let path = dir.path().join(file);
        ctx.bosun(&[
            "sbom",
            "-o",
            format,
            "--file",
            path.to_str().unwrap(),
            &image,
        ])
        .ok();
        let again = ctx.bosun(&["sbom", "-o", format, &image]).ok();
        assert!(
            std::fs::read_to_string(&path).unwrap() == again.stdout,
            "{format} is deterministic"
        );
    }
    bosun_test::validate_sboms(
        &dir.path().join("sbom.spdx.json"),
        &dir.path().join("sbom.cdx.json"),
    );
}

/// The archive roots of this machine's apt sources, as `deb` lines for mmdebstrap.
fn apt_sources(suite: &str) -> Vec<String> {
    let mut roots = Vec::new();
    for e in std::fs::read_dir("/etc/apt/sources.list.d")
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        roots.extend(
            text.lines()
                .filter_map(|l| l.strip_prefix("URIs:"))
                .map(|u| u.trim().to_string()),
        );
    }
    let mut lines = Vec::new();
    // Debian's own archives only (a machine may list third-party ones too).
    for root in roots.into_iter().filter(|r| r.contains("debian")) {
        match root.contains("security") {
            true => lines.push(format!("deb {root} {suite}-security main")),
            false => lines.push(format!("deb {root} {suite} main")),
        }
    }
    lines
}

/// Sums the sizes of regular files at `paths` below `root` (parents resolved by the kernel, so
/// merged-/usr links are followed), each inode once.
fn sizes(root: &Path, paths: &[String], seen: &mut std::collections::BTreeSet<(u64, u64)>) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0;
    for path in paths {
        let rel = path.trim_start_matches('/');
        let full = root.join(rel);
        let (Some(parent), Some(name)) = (full.parent(), full.file_name()) else {
            continue;
        };
        let Ok(parent) = parent.canonicalize() else {
            continue;
        };
        let Ok(meta) = std::fs::symlink_metadata(parent.join(name)) else {
            continue;
        };
        if meta.is_file() && seen.insert((meta.dev(), meta.ino())) {
            total += meta.len();
        }
    }
    total
}

#[test]
fn bytes_by_owner_add_up_on_a_debian_image_with_pip_files() {
    let (Some(podman), Some(mmdebstrap)) = (peer("podman"), peer("mmdebstrap")) else {
        return;
    };
    let sources = apt_sources("trixie");
    assert!(!sources.is_empty(), "no apt sources on this machine");
    let dir = tempfile::tempdir().unwrap();
    let rootfs = dir.path().join("rootfs.tar");
    let mut cmd = Command::new(mmdebstrap);
    cmd.args([
        "--quiet",
        "--variant=minbase",
        "--include=zlib1g,libzstd1",
        "trixie",
    ])
    .arg(&rootfs)
    .args(&sources);
    run(&mut cmd);
    run(Command::new(&podman)
        .args(["import", "-q"])
        .arg(&rootfs)
        .arg("localhost/bosun-owners-base"));
    // A real pip install's files: a distribution of the peers' venv.
    let site = std::fs::read_dir(bosun_test::peers_venv().join("lib"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.join("attrs-26.1.0.dist-info").is_dir())
        .or_else(|| {
            std::fs::read_dir(bosun_test::peers_venv().join("lib"))
                .ok()?
                .flatten()
                .map(|e| e.path().join("site-packages"))
                .next()
        })
        .expect("the peers venv has a site-packages");
    let dist = std::fs::read_dir(&site)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("attrs-") && n.ends_with(".dist-info"))
        .expect("attrs is installed in the peers venv");
    let ctx_dir = dir.path().join("ctx");
    let copy = ctx_dir.join("site");
    std::fs::create_dir_all(&copy).unwrap();
    let record = std::fs::read_to_string(site.join(&dist).join("RECORD")).unwrap();
    let listed: Vec<String> = record
        .lines()
        .filter_map(|l| l.split(',').next())
        .filter(|p| !p.is_empty() && !p.starts_with(".."))
        .map(str::to_string)
        .collect();
    assert!(listed.len() >= 10, "{dist} lists {} files", listed.len());
    for p in &listed {
        let from = site.join(p);
        if from.is_file() {
            std::fs::create_dir_all(copy.join(p).parent().unwrap()).unwrap();
            std::fs::copy(&from, copy.join(p)).unwrap();
        }
    }
    std::fs::write(
        ctx_dir.join("Dockerfile"),
        "FROM localhost/bosun-owners-base\nCOPY site/ /usr/local/lib/python3.13/dist-packages/\n",
    )
    .unwrap();
    run(Command::new(&podman)
        .args(["build", "-q", "-t", "localhost/bosun-owners:1"])
        .arg(&ctx_dir));
    let archive = dir.path().join("owners.tar");
    run(Command::new(&podman)
        .args(["save", "--format", "docker-archive", "-o"])
        .arg(&archive)
        .arg("localhost/bosun-owners:1"));
    let _ = Command::new(&podman)
        .args([
            "rmi",
            "-f",
            "localhost/bosun-owners:1",
            "localhost/bosun-owners-base",
        ])
        .output();
    let ctx = Context::new();
    let out = ctx
        .bosun(&[
            "inspect",
            &format!("docker-archive:{}", archive.display()),
            "--by",
            "owner",
            "--format",
            "json",
        ])
        .ok();
    let report: Value = out.json();
    let owners = &report["owners"];

    // The same figures, computed from the unpacked root filesystem.
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    run(Command::new("tar")
        .args(["-x", "--no-same-owner", "-f"])
        .arg(&rootfs)
        .arg("-C")
        .arg(&root)
        .args(["--exclude=./dev/*"]));
    let info = root.join("var/lib/dpkg/info");
    let mut lists: Vec<(String, PathBuf)> = std::fs::read_dir(&info)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "list"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem.split(':').next().unwrap().to_string(), p)
        })
        .collect();
    lists.sort();
    assert!(lists.len() >= 50, "{} packages", lists.len());
    let mut seen = std::collections::BTreeSet::new();
    let mut checked = 0;
    for (name, list) in &lists {
        let paths: Vec<String> = std::fs::read_to_string(list)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        let want = sizes(&root, &paths, &mut seen);
        let got = owners["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == "deb" && p["name"] == name.as_str())
            .unwrap_or_else(|| panic!("{name} is not in the report"))["bytes"]
            .as_u64()
            .unwrap();
        assert_eq!(got, want, "{name}");
        checked += 1;
    }
    assert!(checked >= 50);
    let python = owners["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "python" && p["name"] == "attrs")
        .expect("the pip-installed distribution");
    let want = sizes(&copy, &listed, &mut Default::default());
    assert_eq!(python["bytes"].as_u64().unwrap(), want);
    let total = owners["total_bytes"].as_u64().unwrap();
    assert_eq!(
        owners["owned_bytes"].as_u64().unwrap() + owners["unowned_bytes"].as_u64().unwrap(),
        total
    );
    assert_eq!(
        total,
        report["corrected"]["visible_bytes"].as_u64().unwrap()
    );
    html_report_shows_the_same_numbers(&ctx, &archive, &report, dir.path());
    // What depends on a package comes from the dpkg database: dpkg needs zlib1g.
    let zlib = owners["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "zlib1g")
        .unwrap();
    assert!(
        zlib["required_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "dpkg"),
        "{zlib}"
    );
}

/// The HTML report of `archive`: self-contained, rendered by headless Chromium with the network
/// off, a treemap in its DOM and on screen, and the JSON report's numbers.
fn html_report_shows_the_same_numbers(ctx: &Context, archive: &Path, json: &Value, dir: &Path) {
    let Some(chromium) = peer("chromium") else {
        return;
    };
    let out = ctx
        .bosun(&[
            "inspect",
            &format!("docker-archive:{}", archive.display()),
            "--format",
            "html",
        ])
        .ok();
    let page = dir.join("report.html");
    std::fs::write(&page, &out.stdout).unwrap();
    for external in ["src=\"http", "href=\"http", "<link", "@import", "url("] {
        assert!(
            !out.stdout.contains(external),
            "the page fetches something: {external}"
        );
    }
    let headless = |extra: &[&str]| {
        let mut cmd = Command::new(&chromium);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--window-size=1200,900",
        ])
        .args(extra)
        .arg(format!("file://{}", page.display()));
        run(&mut cmd)
    };
    let dom = headless(&["--dump-dom"]);
    let attr = |tag: &str, name: &str| -> Vec<String> {
        tag.split(&format!("{name}=\""))
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap_or("").to_string())
            .collect()
    };
    // The script drew the treemap: its top level adds up to every byte in files.
    let nodes: Vec<&str> = dom.split("<div class=\"tm-node").skip(1).collect();
    assert!(nodes.len() >= 20, "{} treemap nodes", nodes.len());
    let top: u64 = nodes
        .iter()
        .map(|n| n.split('>').next().unwrap())
        .filter(|n| n.contains("data-level=\"0\""))
        .map(|n| attr(n, "data-bytes")[0].parse::<u64>().unwrap())
        .sum();
    let owners = &json["owners"];
    assert_eq!(top, owners["total_bytes"].as_u64().unwrap());
    // The table holds the JSON's bytes for every package.
    for p in owners["packages"].as_array().unwrap() {
        let row = format!(
            "data-owner=\"{}\" data-bytes=\"{}\"",
            p["name"].as_str().unwrap(),
            p["bytes"]
        );
        assert!(dom.contains(&row), "no row {row}");
    }
    // And it is on screen: the treemap's rectangles come in many colours.
    let shot = dir.join("report.png");
    headless(&[&format!("--screenshot={}", shot.display())]);
    let colours = run(Command::new("python3")
        .arg("-c")
        .arg(PNG_COLOURS)
        .arg(&shot));
    let colours: usize = colours.trim().parse().unwrap();
    // Page white, the treemap's ground, and at least six of its colours.
    assert!(
        colours >= 8,
        "{colours} colours fill areas of the screenshot"
    );
}

/// Counts the colours that fill areas of a PNG (8-bit RGB or RGBA, not interlaced), with
/// nothing but Python's standard library.
const PNG_COLOURS: &str = r#"
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6) and interlace == 0
bpp = 3 if ctype == 2 else 4
raw, stride, prev, colours, i = zlib.decompress(idat), w * bpp, bytearray(w * bpp), {}, 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        key = bytes(line[x:x + 3])
        colours[key] = colours.get(key, 0) + 1
    prev = line
# Colours that fill areas (2,000 pixels or more), not the shades of anti-aliased text.
print(sum(1 for n in colours.values() if n >= 2000))
"#;

/// `inspect -i` as a person uses it, in tmux: the figures agree with `inspect --format json`;
/// a layer's own changes show what it removed; filter, collapse, owners and findings work;
/// the terminal is restored after `q`, after Ctrl-C, and when the image cannot be read.
#[test]
fn explorer_in_a_terminal() {
    let Some(imgs) = images() else { return };
    let ctx = Context::new();
    let image = format!("docker-archive:{}", imgs.archives["waste"].display());
    let (_, json) = inspect_json(&ctx, &image, &[]);
    let Some(screen) = Screen::start(ctx.command(&[]), &["inspect", "-i", &image], "q") else {
        return;
    };
    let first = screen.wait_for("Image Details");
    let layers = json["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 4);
    let dive = &json["dive"];
    for line in [
        format!(
            "Image efficiency score: {:.0} %",
            dive["efficiency"].as_f64().unwrap() * 100.0
        ),
        format!(
            "Potential wasted space: {}",
            bosun_explore::human(dive["wasted_bytes"].as_u64().unwrap())
        ),
        format!(
            "Total Image size: {}",
            bosun_explore::human(dive["size_bytes"].as_u64().unwrap())
        ),
        "Contents up to layer 3".to_string(),
    ] {
        assert!(first.contains(&line), "{line:?} not on screen:\n{first}");
    }
    // Each layer's size as inspect has it.
    for (i, l) in layers.iter().enumerate() {
        let size = bosun_explore::human(l["content_size"].as_u64().unwrap());
        assert!(
            first.contains(&format!("{i:>3} {size:>9}")),
            "layer {i} ({size}) not listed:\n{first}"
        );
    }
    // Wasted space: /data/big is in two layers.
    assert!(first.contains("/data/big"), "{first}");

    // Layer 2, its own changes: what it deleted is marked.
    screen.keys(&["Up", "C-l"]);
    let changes = screen.wait_for("Layer 2 changes");
    let tree = Screen::right(&changes);
    insta::assert_snapshot!("explorer_layer_2_changes", tree);
    assert!(tree.contains("-│   ├── big"), "{tree}");

    // Filter, then collapse everything, then owners and findings.
    screen.keys(&["/", "k", "e", "e", "p", "Enter"]);
    let filtered = Screen::right(&screen.wait_for("[filter: keep]"));
    assert!(
        filtered.contains("keep") && !filtered.contains("busybox"),
        "{filtered}"
    );
    screen.keys(&["Escape", "Tab", "C-a", "C-Space"]);
    let collapsed = Screen::right(&screen.wait_for("Contents up to layer 2"));
    assert!(collapsed.contains("bin/ …"), "{collapsed}");
    screen.keys(&["o"]);
    let owners = screen.wait_for("Bytes by owner");
    assert!(
        owners.contains("KIND") && owners.contains("/bin"),
        "{owners}"
    );
    screen.keys(&["o", "f"]);
    let findings = screen.wait_for(" Findings ");
    assert!(findings.contains("BI001"), "the planted token:\n{findings}");
    screen.keys(&["?"]);
    screen.wait_for("Any key closes this help.");
    screen.keys(&["Escape", "q"]);
    let (state, code) = screen.after();
    bosun_test::tmux::restored(&state);
    assert_eq!(code.trim(), "exit=0");

    // Ctrl-C quits as well, and restores the terminal.
    let Some(screen) = Screen::start(ctx.command(&[]), &["inspect", "-i", &image], "c") else {
        return;
    };
    screen.wait_for("Image Details");
    screen.keys(&["C-c"]);
    let (state, code) = screen.after();
    bosun_test::tmux::restored(&state);
    assert_eq!(code.trim(), "exit=0");

    // An image that cannot be read: an error, no screen, a terminal as it was.
    let missing = format!(
        "docker-archive:{}",
        ctx.dir.path().join("nope.tar").display()
    );
    let Some(screen) = Screen::start(ctx.command(&[]), &["inspect", "-i", &missing], "bad") else {
        return;
    };
    let (state, code) = screen.after();
    bosun_test::tmux::restored(&state);
    assert_eq!(code.trim(), "exit=2");
    assert!(screen.text().contains("error: "), "{}", screen.text());
}
