//! Signatures, attestations and policy gates.

use super::*;

/// `bosun keygen`, `sign` and `verify` on the store, checked by independent implementations:
/// openssl verifies the signature over the payload with the public key; Python's scrypt and
/// PyNaCl open the encrypted private key and `cryptography` finds the same public key. A
/// tampered payload, the wrong key and an unsigned image each fail verification with their
/// reason.
#[test]
fn signs_and_verifies_as_cosign_does() {
    let f = fixture();
    let mut ctx = context(&f);
    ctx.set("BOSUN_PASSWORD", "correct horse");
    ctx.bosun(&["build"]).ok();
    let project = ctx.project();
    ctx.bosun(&["keygen"]).ok();
    let key = project.join("cosign.key");
    let public = project.join("cosign.pub");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let key_pem = std::fs::read_to_string(&key).unwrap();
    assert!(
        key_pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"),
        "{key_pem}"
    );
    ctx.bosun(&["keygen"])
        .fails(2, "cosign.key exists: pass --force");

    assert!(
        ctx.bosun(&["verify", "hello:1", "--key", "cosign.pub"])
            .stderr
            .contains("no signatures found")
    );
    let signed = ctx
        .bosun(&["sign", "hello:1", "--key", "cosign.key", "-a", "build=42"])
        .ok();
    let digest = signed
        .stdout
        .trim()
        .strip_prefix("hello@")
        .unwrap()
        .to_string();
    assert!(digest.starts_with("sha256:"), "{}", signed.stdout);
    let out = ctx
        .bosun(&[
            "verify",
            "hello:1",
            "--key",
            "cosign.pub",
            "--format",
            "json",
        ])
        .ok();
    let payloads: serde_json::Value = out.json();
    assert_eq!(
        payloads[0]["critical"]["image"]["docker-manifest-digest"],
        digest.as_str()
    );
    assert_eq!(
        payloads[0]["critical"]["identity"]["docker-reference"],
        "hello"
    );
    assert_eq!(
        payloads[0]["critical"]["type"],
        "cosign container image signature"
    );
    assert_eq!(payloads[0]["optional"]["build"], "42");
    // The key from the environment works as the file does.
    ctx.set("COSIGN_PUB", &std::fs::read_to_string(&public).unwrap());
    ctx.bosun(&["verify", "hello:1", "--key", "env://COSIGN_PUB"])
        .ok();

    // openssl verifies what bosun signed.
    let signatures = store_signatures(&ctx);
    assert_eq!(signatures.len(), 1);
    let (payload, signature) = &signatures[0];
    let sig_file = ctx.dir.path().join("sig.der");
    std::fs::write(&sig_file, signature).unwrap();
    if let Some(openssl) = peer("openssl") {
        let out = Command::new(openssl)
            .args(["dgst", "-sha256", "-verify"])
            .arg(&public)
            .arg("-signature")
            .arg(&sig_file)
            .arg(payload)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "Verified OK",
            "{out:?}"
        );
    }
    // Python opens the private key as cosign's format says, and finds the same public key.
    let python = bosun_test::peers_venv().join("bin/python");
    let opened = Command::new(&python)
        .arg("-c")
        .arg(
            r#"
import base64, hashlib, json, sys
from nacl.secret import SecretBox
from cryptography.hazmat.primitives import serialization
pem = open(sys.argv[1]).read().strip().splitlines()
sealed = json.loads(base64.b64decode("".join(pem[1:-1])))
kdf = sealed["kdf"]
assert kdf["name"] == "scrypt" and sealed["cipher"]["name"] == "nacl/secretbox", sealed
p = kdf["params"]
key = hashlib.scrypt(b"correct horse", salt=base64.b64decode(kdf["salt"]), n=p["N"], r=p["r"], p=p["p"], maxmem=1 << 26, dklen=32)
der = SecretBox(key).decrypt(base64.b64decode(sealed["ciphertext"]), base64.b64decode(sealed["cipher"]["nonce"]))
private = serialization.load_der_private_key(der, password=None)
sys.stdout.write(private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
"#,
        )
        .arg(&key)
        .output();
    match opened {
        Ok(out) if out.status.success() => assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(&public).unwrap()
        ),
        other => {
            bosun_test::missing_peer(&format!("python with pynacl and cryptography: {other:?}"))
        }
    }

    // The wrong key, and a tampered payload.
    ctx.bosun(&["keygen", "--output-key-prefix", "other"]).ok();
    let wrong = ctx.bosun(&["verify", "hello:1", "--key", "other.pub"]);
    assert_eq!(wrong.code, 1, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("does not match the payload and key"),
        "{}",
        wrong.stderr
    );
    let mut bytes = std::fs::read(payload).unwrap();
    bytes[10] ^= 1;
    let mut perms = std::fs::metadata(payload).unwrap().permissions();
    perms.set_mode(0o644);
    std::fs::set_permissions(payload, perms).unwrap();
    std::fs::write(payload, bytes).unwrap();
    let tampered = ctx.bosun(&["verify", "hello:1", "--key", "cosign.pub"]);
    assert_eq!(tampered.code, 1, "{}", tampered.stderr);
    assert!(
        tampered
            .stderr
            .contains("none of its 1 signatures is valid"),
        "{}",
        tampered.stderr
    );
    // A wrong password, and a missing one, are clear.
    ctx.set("BOSUN_PASSWORD", "wrong");
    ctx.bosun(&["sign", "hello:1", "--key", "cosign.key"])
        .fails(2, "the password does not decrypt the private key");
    ctx.set("BOSUN_PASSWORD", "correct horse");
    ctx.bosun(&[
        "sign",
        &format!("oci:{}", project.display()),
        "--key",
        "cosign.key",
    ])
    .fails(2, "sign and verify images in the store or in a registry");
    ctx.bosun(&["build", "--sign", "--key", "missing.key"])
        .fails(2, "cannot read the key missing.key");
    // build --sign: the rebuilt image (same digest) gets a valid signature beside the
    // tampered one.
    let built = ctx.bosun(&["build", "--sign", "--key", "cosign.key"]).ok();
    assert!(
        built.stderr.contains(&format!("signed hello@{digest}")),
        "{}",
        built.stderr
    );
    let out = ctx
        .bosun(&["verify", "hello:1", "--key", "cosign.pub"])
        .ok();
    assert!(
        out.stderr.contains("signature rejected") && out.stderr.contains("1 valid signature"),
        "{}",
        out.stderr
    );
    // Signing the unchanged image again writes nothing: the same signature, the same SBOM
    // attestations, and its provenance kept.
    let index = std::fs::read(ctx.store().join("index.json")).unwrap();
    let again = ctx.bosun(&["build", "--sign", "--key", "cosign.key"]).ok();
    assert!(
        again.stderr.contains("provenance (kept)"),
        "{}",
        again.stderr
    );
    assert_eq!(
        std::fs::read(ctx.store().join("index.json")).unwrap(),
        index
    );
    // ... and attested its provenance and its SBOMs.
    let attestation = |kind: &str, key: &str| {
        ctx.bosun(&[
            "verify-attestation",
            "hello:1",
            "--key",
            key,
            "--type",
            kind,
            "--format",
            "json",
        ])
    };
    let statements: serde_json::Value =
        serde_json::from_str(&attestation("slsaprovenance", "cosign.pub").ok().stdout).unwrap();
    let statement = &statements[0];
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], "https://slsa.dev/provenance/v1");
    assert_eq!(
        statement["subject"][0]["digest"]["sha256"],
        digest.trim_start_matches("sha256:")
    );
    let definition = &statement["predicate"]["buildDefinition"];
    let lock: toml::Table = lock_toml(&ctx).parse().unwrap();
    let libfoo = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str() == Some("libfoo1"))
        .unwrap();
    let deps = definition["resolvedDependencies"].as_array().unwrap();
    let dep = deps
        .iter()
        .find(|d| {
            d["uri"]
                .as_str()
                .is_some_and(|u| u.starts_with("pkg:deb/debian/libfoo1@"))
        })
        .unwrap_or_else(|| panic!("{definition}"));
    assert_eq!(dep["digest"]["sha256"], libfoo["sha256"].as_str().unwrap());
    assert_eq!(dep["name"], libfoo["filename"].as_str().unwrap());
    // The epoch the layers were clamped to (the lock's), and each layer's real media type.
    assert!(
        definition["internalParameters"]["sourceDateEpoch"]
            .as_i64()
            .is_some_and(|e| e > 0),
        "{definition}"
    );
    for byproduct in statement["predicate"]["runDetails"]["byproducts"]
        .as_array()
        .unwrap()
    {
        assert_eq!(
            byproduct["mediaType"],
            "application/vnd.oci.image.layer.v1.tar+gzip"
        );
    }
    let lock_sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        std::fs::read(project.join("bosun.lock")).unwrap(),
    ));
    assert!(
        deps.iter()
            .any(|d| d["name"] == "bosun.lock" && d["digest"]["sha256"] == lock_sha.as_str())
    );
    assert!(
        !deps
            .iter()
            .any(|d| d["uri"].as_str().is_some_and(|u| u.contains("/evil@"))),
        "only the image's packages"
    );
    let run = &statement["predicate"]["runDetails"];
    assert!(
        run["metadata"]["startedOn"].as_str().unwrap()
            <= run["metadata"]["finishedOn"].as_str().unwrap()
    );
    let spdx: serde_json::Value =
        serde_json::from_str(&attestation("spdxjson", "cosign.pub").ok().stdout).unwrap();
    assert_eq!(spdx[0]["predicate"]["spdxVersion"], "SPDX-2.3");
    let cdx: serde_json::Value =
        serde_json::from_str(&attestation("cyclonedx", "cosign.pub").ok().stdout).unwrap();
    assert_eq!(cdx[0]["predicate"]["bomFormat"], "CycloneDX");
    let wrong = attestation("slsaprovenance", "other.pub");
    assert_eq!(wrong.code, 1, "{}", wrong.stderr);
    assert!(
        wrong.stderr.contains("attestation rejected"),
        "{}",
        wrong.stderr
    );

    // Python checks the DSSE envelopes: the pre-authentication encoding, signed with the key.
    let store = ctx.store();
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("index.json")).unwrap()).unwrap();
    let blob = |digest: &str| {
        store
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    };
    let envelopes: Vec<std::path::PathBuf> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| {
            let manifest: serde_json::Value =
                serde_json::from_slice(&std::fs::read(blob(m["digest"].as_str()?)).ok()?).ok()?;
            (manifest["artifactType"] == "application/vnd.dev.cosign.artifact.att.v1+json")
                .then(|| blob(manifest["layers"][0]["digest"].as_str().unwrap()))
        })
        .collect();
    assert_eq!(envelopes.len(), 3, "provenance, SPDX, CycloneDX");
    let checked = Command::new(&python)
        .arg("-c")
        .arg(
            r#"
import base64, json, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = serialization.load_pem_public_key(open(sys.argv[1], "rb").read())
for path in sys.argv[2:]:
    env = json.load(open(path))
    payload = base64.b64decode(env["payload"])
    t = env["payloadType"].encode()
    pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)
    key.verify(base64.b64decode(env["signatures"][0]["sig"]), pae, ec.ECDSA(hashes.SHA256()))
    print(json.loads(payload)["predicateType"])
"#,
        )
        .arg(&public)
        .args(&envelopes)
        .output();
    match checked {
        Ok(out) if out.status.success() => {
            let mut types: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
            types.sort();
            assert_eq!(
                types,
                [
                    "https://cyclonedx.org/bom",
                    "https://slsa.dev/provenance/v1",
                    "https://spdx.dev/Document"
                ]
            );
        }
        other => bosun_test::missing_peer(&format!("python with cryptography: {other:?}")),
    }

    // Pushed, the signatures and attestations go under cosign's tags; another store
    // verifies them there. (The tampered payload is mended first: a registry refuses a blob
    // whose bytes do not match its digest, as the push said.)
    let mut bytes = std::fs::read(payload).unwrap();
    bytes[10] ^= 1;
    std::fs::write(payload, bytes).unwrap();
    if let Some(reg) = bosun_test::registry::Registry::start(None, bosun_test::registry::Auth::None)
    {
        let remote = format!("docker://{}/team/hello:1", reg.host);
        ctx.bosun(&["copy", "--tls-verify=false", "hello:1", &remote])
            .ok();
        let elsewhere = Context::new();
        let public = public.to_str().unwrap();
        let verified = elsewhere
            .bosun(&["verify", "--tls-verify=false", &remote, "--key", public])
            .ok();
        // Two signatures (one with `-a build=42`), each under cosign's tag and as a
        // referrer: counted once each.
        assert!(
            verified.stderr.contains(": 2 valid signatures for the key"),
            "{}",
            verified.stderr
        );
        let out = elsewhere
            .bosun(&[
                "verify-attestation",
                "--tls-verify=false",
                &remote,
                "--key",
                public,
                "--format",
                "json",
            ])
            .ok();
        let statements: serde_json::Value = out.json();
        assert_eq!(
            statements[0]["predicateType"],
            "https://slsa.dev/provenance/v1"
        );
        // A signed publish of the unchanged spec, again: the registry gets no write at all
        // (Distribution's access log lists every request).
        let publish = || {
            ctx.bosun(&[
                "build",
                "--tls-verify=false",
                "--sign",
                "--key",
                "cosign.key",
                "--push",
                &format!("docker://{}/team", reg.host),
            ])
            .ok()
        };
        publish();
        let seen = std::fs::read_to_string(&reg.log).unwrap().len();
        publish();
        let log = std::fs::read_to_string(&reg.log).unwrap();
        let writes: Vec<&str> = log[seen..]
            .lines()
            .filter(|l| {
                ["\"PUT ", "\"POST ", "\"PATCH ", "\"DELETE "]
                    .iter()
                    .any(|m| l.contains(m))
            })
            .collect();
        assert!(writes.is_empty(), "{writes:#?}");
    }
    // cosign 3's form in the store: a Sigstore bundle about the image counts as a signature,
    // and is not taken for an attestation.
    ctx.bosun(&["sign", "--bundle", "hello:1", "--key", "cosign.key"])
        .ok();
    let out = ctx
        .bosun(&[
            "verify",
            "hello:1",
            "--key",
            "cosign.pub",
            "--format",
            "json",
        ])
        .ok();
    assert!(
        out.stdout.contains("https://sigstore.dev/cosign/sign/v1"),
        "{}",
        out.stdout
    );
    let out = attestation("slsaprovenance", "cosign.pub").ok();
    assert!(!out.stderr.contains("rejected"), "{}", out.stderr);
}

/// `bosun policy check`: a table of images, each short of the policy in one way (run as root,
/// unsigned, a base outside the allow-list, a secret inside, signed without attestations, a
/// vulnerability with a fix) and one that meets it, gives exactly the expected result per
/// rule; `mode = "warn"` reports without failing; JSON and SARIF say the same.
#[test]
fn policy_gates_each_image_on_each_rule() {
    let f = fixture();
    let mut ctx = context(&f);
    ctx.set("BOSUN_PASSWORD", "pw");
    // Each image runs tini as PID 1 but nolabel, whose busybox would ignore SIGTERM.
    let image = |name: &str, extra: &str| {
        let init = if name == "nolabel" {
            ""
        } else {
            "init = true\n"
        };
        format!(
            "[image.{name}]\nbases = [\"core\"]\npackages = [\"hello\"]\nentrypoint = [\"/usr/bin/busybox\", \"true\"]\n\
             healthcheck = {{ cmd = [\"/usr/bin/busybox\", \"true\"] }}\ntags = [\"{name}:1\"]\n{init}{extra}\n"
        )
    };
    let source = "labels = { \"org.opencontainers.image.source\" = \"https://example.org/app\" }";
    let spec = [
        "[debian]\nsuite = \"bosuntest\"\n\n[base.core]\npackages = [\"base-files\", \"ca-certificates\"]\n".to_string(),
        image("good", &format!("user = \"65532\"\n{source}")),
        image("root", &format!("user = \"root\"\n{source}")),
        image("unsigned", &format!("user = \"65532\"\n{source}")),
        image(
            "unpinned",
            "user = \"65532\"\nlabels = { \"org.opencontainers.image.source\" = \"https://example.org/app\", \
             \"org.opencontainers.image.base.name\" = \"elsewhere.example/debian:12\" }",
        ),
        image("secret", &format!("user = \"65532\"\n{source}\ncopy = [{{ src = \"secret/\", dst = \"/etc/app\" }}]")),
        image("nosbom", &format!("user = \"65532\"\n{source}")),
        image("vulnerable", &format!("user = \"65532\"\n{source}"))
            .replace("packages = [\"hello\"]", "packages = [\"hello\", \"most\"]"),
        image("nolabel", "user = \"65532\""),
    ]
    .join("\n");
    ctx.write("bosun.toml", &spec);
    ctx.write("secret/config.yaml", "aws_access_key_id: AKIAIOSFODNN7EXAMPLE\naws_secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    ctx.bosun(&["keygen"]).ok();
    ctx.bosun(&[
        "build",
        "--sign",
        "--key",
        "cosign.key",
        "good",
        "root",
        "unpinned",
        "secret",
        "vulnerable",
        "nolabel",
    ])
    .ok();
    ctx.bosun(&["build", "unsigned", "nosbom"]).ok();
    ctx.bosun(&["sign", "nosbom:1", "--key", "cosign.key"]).ok();
    // The advisory database: `most` has a fix rated high.
    let export = r#"{"most": {"CVE-2026-7000": {"description": "overflow", "releases": {
        "bosuntest": {"status": "resolved", "fixed_version": "5.3", "urgency": "high"}}}}}"#;
    let server = bosun_test::script::ScriptServer::start(move |req| match req.path.as_str() {
        "/json" => bosun_test::script::Reply::new(200).body(export),
        _ => bosun_test::script::Reply::new(404),
    });
    let db = ctx.dir.path().join("db");
    ctx.bosun(&[
        "db",
        "update",
        "--db",
        db.to_str().unwrap(),
        "--tracker-url",
        &format!("{}/json", server.url()),
        "--ecosystem",
        "pypi",
        "--osv-url",
        &server.url(),
    ])
    .fails(2, "/PyPI/all.zip: HTTP status 404");
    ctx.write(
        "policy.toml",
        "[digest]\nmode = \"warn\"\n[base]\nallow = [\"registry.internal/\"]\n[signed]\nkeys = [\"cosign.pub\"]\n\
         [provenance]\nkeys = [\"cosign.pub\"]\nbuilders = [\"urn:bosun:builder:v1\"]\n[sbom]\nkeys = [\"cosign.pub\"]\n\
         [vulnerabilities]\nseverity = \"high\"\nsuite = \"bosuntest\"\n[non-root]\n[healthcheck]\n[init]\n[no-shell]\nallow = [\"/usr/bin/busybox\"]\n[no-secrets]\n\
         [size]\nmax = \"50MB\"\n[labels]\nrequired = [\"org.opencontainers.image.source\"]\n[age]\nmax-days = 3650\n",
    );
    let images = [
        "good:1",
        "root:1",
        "unsigned:1",
        "unpinned:1",
        "secret:1",
        "nosbom:1",
        "vulnerable:1",
        "nolabel:1",
    ];
    let mut args = vec![
        "policy",
        "check",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend(images);
    let run = ctx.bosun(&args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let results: serde_json::Value = run.json();
    let rules = [
        "digest",
        "base",
        "signed",
        "provenance",
        "sbom",
        "vulnerabilities",
        "non-root",
        "healthcheck",
        "init",
        "no-shell",
        "no-secrets",
        "size",
        "labels",
        "age",
    ];
    // What fails for each image (digest only warns, and fails for every store name); the
    // base rule is skipped where no provenance says what the image was built from.
    let expected: [(&str, &[&str]); 8] = [
        ("good:1", &[]),
        ("root:1", &["non-root"]),
        ("unsigned:1", &["signed", "provenance", "sbom"]),
        ("unpinned:1", &["base"]),
        ("secret:1", &["no-secrets"]),
        ("nosbom:1", &["provenance", "sbom"]),
        ("vulnerable:1", &["vulnerabilities"]),
        ("nolabel:1", &["init", "labels"]),
    ];
    for (i, (name, fails)) in expected.iter().enumerate() {
        let result = &results[i];
        assert_eq!(result["image"], *name);
        let got: Vec<(&str, &str)> = result["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["rule"].as_str().unwrap(), r["result"].as_str().unwrap()))
            .collect();
        let unattested = fails.contains(&"provenance");
        let want: Vec<(&str, &str)> = rules
            .iter()
            .map(|r| match *r {
                "digest" => (*r, "fail"),
                "base" if unattested => (*r, "skip"),
                r if fails.contains(&r) => (r, "fail"),
                r => (r, "pass"),
            })
            .collect();
        assert_eq!(got, want, "{name}: {result}");
    }
    assert!(
        results[6]["rules"][5]["reason"]
            .as_str()
            .unwrap()
            .contains("CVE-2026-7000 in most 5.2 (fixed in 5.3)"),
        "{}",
        results[6]
    );
    assert!(
        results[1]["rules"][6]["reason"]
            .as_str()
            .unwrap()
            .contains("runs as"),
        "{}",
        results[1]
    );
    assert!(
        results[7]["rules"][8]["reason"]
            .as_str()
            .unwrap()
            .contains("/usr/bin/busybox runs as PID 1 without an init"),
        "{}",
        results[7]
    );
    // With no advisory database the vulnerabilities rule checked nothing: it fails, saying so.
    let missing = ctx.dir.path().join("no-db");
    let run = ctx.bosun(&[
        "policy",
        "check",
        "--db",
        missing.to_str().unwrap(),
        "--format",
        "json",
        "good:1",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let results: serde_json::Value = run.json();
    let rule = &results[0]["rules"][5];
    assert_eq!(
        (&rule["rule"], &rule["result"]),
        (&"vulnerabilities".into(), &"fail".into()),
        "{rule}"
    );
    assert!(
        rule["reason"]
            .as_str()
            .unwrap()
            .contains("so nothing was checked"),
        "{rule}"
    );
    // The example policy (README, `policy check --help`) is one bosun reads: the fixture's
    // image ships busybox, which the example does not allow; `digest` only warns.
    let example =
        std::fs::read_to_string(bosun_test::workspace_root().join("examples/policy.toml")).unwrap();
    // (The fixture's os-release names no release: the example's commented suite says it.)
    ctx.write(
        "example-policy.toml",
        &example.replace("# suite = \"trixie\"", "suite = \"bosuntest\""),
    );
    let run = ctx.bosun(&[
        "policy",
        "check",
        "--policy",
        "example-policy.toml",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "json",
        "good:1",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let results: serde_json::Value = run.json();
    let failed: Vec<&str> = results[0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["result"] == "fail" && r["mode"] == "enforce")
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["no-shell"], "{results}");
    let help = ctx.bosun(&["policy", "check", "--help"]).ok().stdout;
    assert!(help.contains(&example), "{help}");
    // A policy missing a key says where, as spec errors do.
    ctx.write(
        "bad-policy.toml",
        "[non-root]\n\n[provenance]\nbuilders = [\"x\"]\n",
    );
    ctx.bosun(&["policy", "check", "--policy", "bad-policy.toml", "good:1"])
        .fails(2, "bad-policy.toml:3:1: missing field `keys`");
    // The image that meets the policy passes; a warning alone does not fail.
    let good = ctx
        .bosun(&["policy", "check", "--db", db.to_str().unwrap(), "good:1"])
        .ok();
    assert!(good.stdout.contains("warn  digest"), "{}", good.stdout);
    assert!(
        good.stderr
            .contains("0 enforced rule(s) failed, 1 warning(s)"),
        "{}",
        good.stderr
    );
    // Without a policy file: bosun's baseline, said on stderr; `policy init` writes it out.
    let elsewhere = ctx.dir.path().join("no-policy-here");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::copy(
        ctx.project().join("cosign.pub"),
        elsewhere.join("cosign.pub"),
    )
    .unwrap();
    let baseline = |extra: &[&str]| {
        let mut args = vec!["policy", "check", "--format", "json", "good:1", "root:1"];
        args.extend(extra);
        let out = ctx.command(&args).current_dir(&elsewhere).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let outcome = |i: usize| -> BTreeMap<String, String> {
            results[i]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["rule"].as_str().unwrap().to_string(),
                        r["result"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        (stderr, outcome(0), outcome(1))
    };
    let (stderr, good, root) = baseline(&[]);
    assert!(
        stderr.contains("no policy file: checking bosun's baseline"),
        "{stderr}"
    );
    let expect = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    // Store names are no digests; the fixture's images ship busybox.
    let base = [
        ("digest", "fail"),
        ("non-root", "pass"),
        ("no-shell", "fail"),
        ("no-secrets", "pass"),
    ];
    assert_eq!(good, expect(&base));
    assert_eq!(root["non-root"], "fail");
    let (_, good, _) = baseline(&["--key", "cosign.pub"]);
    let signed: Vec<(&str, &str)> = base.iter().copied().chain([("signed", "pass")]).collect();
    assert_eq!(good, expect(&signed));
    let init = |extra: &[&str]| {
        let mut args = vec!["policy", "init"];
        args.extend(extra);
        ctx.command(&args).current_dir(&elsewhere).output().unwrap()
    };
    assert!(init(&["--key", "cosign.pub"]).status.success());
    let (stderr, good, _) = baseline(&[]);
    assert!(
        !stderr.contains("baseline"),
        "policy.toml is read: {stderr}"
    );
    assert_eq!(good, expect(&signed));
    let again = init(&[]);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("policy.toml exists: pass --force"),
        "{again:?}"
    );
    // SARIF: one result per failed rule.
    let mut args = vec![
        "policy",
        "check",
        "--db",
        db.to_str().unwrap(),
        "--format",
        "sarif",
    ];
    args.extend(images);
    let sarif: serde_json::Value = serde_json::from_str(&ctx.bosun(&args).stdout).unwrap();
    let failed: usize = expected.iter().map(|(_, f)| f.len() + 1).sum();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        failed
    );
    // Kubernetes manifests: each container's settings, with file and line, and its image
    // against the image rules when it can be read (pushed with its signatures).
    if let Some(reg) = bosun_test::registry::Registry::start(None, bosun_test::registry::Auth::None)
    {
        let digest_file = ctx.dir.path().join("good.digest");
        ctx.bosun(&[
            "copy",
            "--tls-verify=false",
            "good:1",
            &format!("docker://{}/team/good:1", reg.host),
            "--digestfile",
            digest_file.to_str().unwrap(),
        ])
        .ok();
        let digest = std::fs::read_to_string(&digest_file).unwrap();
        let hardened = "securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities:\n              drop: [ALL]\n          livenessProbe: {exec: {command: [/usr/bin/busybox, \"true\"]}}\n          readinessProbe: {exec: {command: [/usr/bin/busybox, \"true\"]}}";
        ctx.write(
            "deploy.yaml",
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: good\nspec:\n  template:\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile: {{type: RuntimeDefault}}\n      containers:\n        - name: app\n          image: {host}/team/good@{digest}\n          {hardened}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: loose\nspec:\n  containers:\n  - name: app\n    image: {host}/team/good:1\n    securityContext: {{privileged: true}}\n  - name: gone\n    image: 127.0.0.1:9/nothing@sha256:{zeros}\n",
                host = reg.host,
                zeros = "0".repeat(64)
            ),
        );
        let out = ctx.bosun(&[
            "policy",
            "check",
            "--tls-verify=false",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
            "deploy.yaml",
        ]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        let results: serde_json::Value = out.json();
        let entries = results.as_array().unwrap();
        let failed = |i: usize| -> Vec<&str> {
            entries[i]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["result"] == "fail")
                .map(|r| r["rule"].as_str().unwrap())
                .collect()
        };
        assert!(
            entries[0]["image"]
                .as_str()
                .unwrap()
                .starts_with(&format!("docker://{}/team/good@sha256:", reg.host)),
            "{results}"
        );
        assert_eq!(
            failed(0),
            Vec::<&str>::new(),
            "the pinned, signed image passes every image rule: {}",
            entries[0]
        );
        assert_eq!(
            entries[1]["image"],
            "deploy.yaml:12 Deployment/good container app"
        );
        assert_eq!(
            failed(1),
            Vec::<&str>::new(),
            "the hardened container: {}",
            entries[1]
        );
        assert_eq!(
            failed(2),
            ["digest"],
            "the tag reference only warns on the image rules: {}",
            entries[2]
        );
        assert_eq!(
            entries[3]["image"],
            "deploy.yaml:28 Pod/loose container app"
        );
        assert_eq!(
            failed(3),
            [
                "pinned",
                "run-as-non-root",
                "no-privilege-escalation",
                "read-only-root",
                "drop-capabilities",
                "not-privileged",
                "seccomp",
                "probes"
            ]
        );
        assert_eq!(
            entries[4]["rules"][0]["result"], "skip",
            "an unreachable image: {}",
            entries[4]
        );
        assert_eq!(
            entries[5]["image"],
            "deploy.yaml:31 Pod/loose container gone"
        );
    }
    // A policy with a mistake is refused with its file named.
    ctx.write("bad.toml", "[signed]\nkey = [\"cosign.pub\"]\n");
    ctx.bosun(&["policy", "check", "--policy", "bad.toml", "good:1"])
        .fails(2, "bad.toml:2:1: unknown field `key`");
}
