//! SBOMs written by builds, and scanning against the advisory database.

use super::*;

/// The build writes SBOMs beside the image: SPDX and CycloneDX artifacts whose subject is the
/// manifest, found as referrers in the store's index. They hold the lock's facts (each .deb's
/// sha256), agree with a catalogue of the built image on every Debian package, list the app
/// files, validate with the peers' validators, are not written twice, travel with
/// `copy --artifacts`, and go when their image does.
#[test]
fn build_writes_sboms_beside_the_image() {
    let f = fixture();
    let ctx = context(&f);
    ctx.bosun(&["build"]).ok();
    let index = || -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(ctx.store().join("index.json")).unwrap())
            .unwrap()
    };
    let unnamed = |index: &serde_json::Value| -> usize {
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["annotations"]["org.opencontainers.image.ref.name"].is_null())
            .count()
    };
    assert_eq!(
        unnamed(&index()),
        2,
        "an SPDX and a CycloneDX artifact: {}",
        index()
    );
    let spdx: serde_json::Value = serde_json::from_str(
        &ctx.bosun(&["sbom", "-o", "spdx-json", "hello:1"])
            .ok()
            .stdout,
    )
    .unwrap();
    let catalogued: serde_json::Value = serde_json::from_str(
        &ctx.bosun(&["sbom", "-o", "json", "--catalog", "hello:1"])
            .ok()
            .stdout,
    )
    .unwrap();
    let lock: toml::Table = lock_toml(&ctx).parse().unwrap();
    let locked: std::collections::BTreeMap<String, String> = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let debs: std::collections::BTreeSet<(String, String)> = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["externalRefs"][0]["referenceLocator"]
                .as_str()
                .is_some_and(|l| l.starts_with("pkg:deb/"))
        })
        .map(|p| {
            let name = p["name"].as_str().unwrap().to_string();
            assert_eq!(
                p["checksums"][0]["checksumValue"].as_str(),
                locked.get(&name).map(String::as_str),
                "{name}: the .deb's sha256"
            );
            (name, p["versionInfo"].as_str().unwrap().to_string())
        })
        .collect();
    let found: std::collections::BTreeSet<(String, String)> = catalogued["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "deb")
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        debs, found,
        "the build's SBOM and a catalogue of the image agree"
    );
    assert_eq!(debs.len(), locked.len());
    assert!(
        spdx["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["fileName"] == "./app/msg.txt"),
        "{spdx}"
    );
    // The peers' validators accept what the build stored.
    let (file, cdx) = (
        ctx.dir.path().join("build.spdx.json"),
        ctx.dir.path().join("build.cdx.json"),
    );
    for (format, path) in [("spdx-json", &file), ("cyclonedx-json", &cdx)] {
        ctx.bosun(&[
            "sbom",
            "-o",
            format,
            "--file",
            path.to_str().unwrap(),
            "hello:1",
        ])
        .ok();
    }
    bosun_test::validate_sboms(&file, &cdx);
    // A rebuild that changes nothing writes nothing new.
    ctx.bosun(&["build", "--locked"]).ok();
    assert_eq!(unnamed(&index()), 2);
    // copy --artifacts takes them along to an OCI layout; bosun still reads the image by name.
    let layout = ctx.dir.path().join("with-sboms");
    ctx.bosun(&[
        "copy",
        "--artifacts",
        "hello:1",
        &format!("oci:{}:hello", layout.display()),
    ])
    .ok();
    let copied: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(layout.join("index.json")).unwrap()).unwrap();
    assert_eq!(copied["manifests"].as_array().unwrap().len(), 3, "{copied}");
    ctx.bosun(&["inspect", &format!("oci:{}", layout.display())])
        .ok();
    // They go with their image.
    ctx.bosun(&["rm", "hello:1", "hello:latest"]).ok();
    ctx.bosun(&["gc"]).ok();
    assert_eq!(unnamed(&index()), 0, "{}", index());
}

/// An image built without the security suite is scanned against the mirror: the security
/// update is found, with the CVE its changelog names since the installed version (and not the
/// older one), `--fail-on fixable` fails, and the JSON says how fresh the mirror's data is.
#[test]
fn scan_finds_security_updates_and_their_cves() {
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "bosun.toml",
        &SPEC.replace(
            "suite = \"bosuntest\"",
            "suite = \"bosuntest\"\nsecurity = false",
        ),
    );
    ctx.bosun(&["build"]).ok();
    let lock = lock_toml(&ctx);
    assert!(lock.contains("version = \"1.0-1\""), "{lock}");
    let out = ctx
        .bosun(&[
            "scan",
            "--suite",
            "bosuntest",
            "--format",
            "json",
            "hello:1",
        ])
        .ok();
    let report: serde_json::Value = out.json();
    let updates = report["updates"].as_array().unwrap();
    assert_eq!(updates.len(), 1, "{report}");
    assert_eq!(updates[0]["package"], "libfoo1");
    assert_eq!(updates[0]["installed"], "1.0-1");
    assert_eq!(updates[0]["available"], "1.0-1+sec1");
    assert_eq!(updates[0]["suite"], "bosuntest-security");
    assert_eq!(updates[0]["security"], true);
    assert_eq!(updates[0]["cves"], serde_json::json!(["CVE-2026-31337"]));
    assert!(report["mirror_date"].as_str().unwrap().ends_with('Z'));
    // No advisory database here: the JSON says so, and a severity gate fails closed, naming
    // why, unless told to pass unchecked.
    assert_eq!(report["advisory_data"], "missing");
    ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--fail-on",
        "high",
        "hello:1",
    ])
    .fails(
        1,
        "--fail-on checks nothing: no vulnerability database was read",
    );
    ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--fail-on",
        "high",
        "--allow-missing-db",
        "hello:1",
    ])
    .ok();
    let table = ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--fail-on",
        "fixable",
        "hello:1",
    ]);
    assert_eq!(table.code, 1, "{}{}", table.stdout, table.stderr);
    assert!(table.stdout.contains("CVE-2026-31337"), "{}", table.stdout);
    // An SBOM file scans as its image does, in either format.
    for format in ["spdx-json", "cyclonedx-json"] {
        let file = ctx.dir.path().join(format!("hello.{format}"));
        ctx.bosun(&[
            "sbom",
            "-o",
            format,
            "--file",
            file.to_str().unwrap(),
            "hello:1",
        ])
        .ok();
        let out = ctx
            .bosun(&[
                "scan",
                "--suite",
                "bosuntest",
                "--format",
                "json",
                file.to_str().unwrap(),
            ])
            .ok();
        let from_file: serde_json::Value = out.json();
        assert_eq!(from_file["updates"], report["updates"], "{format}");
    }
    // The image bosun built from the full lock has nothing to fix.
    ctx.write("bosun.toml", SPEC);
    ctx.bosun(&["build"]).ok();
    ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--fail-on",
        "fixable",
        "hello:1",
    ])
    .ok();
    // Without a release to look in, it says what to pass.
    ctx.bosun(&["scan", "hello:1"]).fails(2, "pass --suite");
}

/// `bosun db update` from a tracker export and OSV zips on loopback, then `bosun scan`: an
/// image built from a lock without the security suite gets each entry's verdict as the
/// tracker states it (vulnerable with the fixed version and where the mirror has it now,
/// unfixed, undetermined, minor with the no-DSA reason, end-of-life; unimportant and not
/// affected ones only with --all), OSV's verdicts on its Python and npm packages by their
/// version rules; ignore rules, VEX statements, --fail-on levels and SARIF; after a
/// security-only relock the Debian part is clean.
#[test]
fn scan_gives_each_advisory_the_trackers_verdict() {
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "bosun.toml",
        &SPEC.replace(
            "suite = \"bosuntest\"",
            "suite = \"bosuntest\"\nsecurity = false",
        ),
    );
    ctx.write(
        "app/site-packages/requests-2.0.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: Requests\nVersion: 2.0.0\n",
    );
    ctx.write(
        "app/node_modules/lodash/package.json",
        r#"{"name": "lodash", "version": "4.17.20"}"#,
    );
    ctx.bosun(&["build"]).ok();
    let server = advisory_server();
    let db = ctx.dir.path().join("db");
    let db = db.to_str().unwrap();
    let tracker = format!("{}/tracker/json", server.url());
    let osv = format!("{}/osv", server.url());
    let update = ctx
        .bosun(&[
            "db",
            "update",
            "--db",
            db,
            "--tracker-url",
            &tracker,
            "--osv-url",
            &osv,
        ])
        .ok();
    assert!(update.stderr.contains("updated"), "{}", update.stderr);
    let status = ctx
        .bosun(&["db", "status", "--db", db, "--format", "json"])
        .ok();
    let sources: serde_json::Value = status.json();
    let names: Vec<&str> = sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["debian", "pypi", "npm", "go", "crates.io"]);
    assert_eq!(
        sources[0]["releases"],
        serde_json::json!(["bosuntest", "trixie"])
    );

    let scan = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "scan",
            "--suite",
            "bosuntest",
            "--db",
            db,
            "--format",
            "json",
        ];
        args.extend(extra);
        args.push("hello:1");
        serde_json::from_str(&ctx.bosun(&args).ok().stdout).unwrap()
    };
    let all = scan(&["--all"]);
    let verdicts: BTreeMap<(String, String), &serde_json::Value> = all["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let key = (
                v["package"].as_str().unwrap().to_string(),
                v["id"].as_str().unwrap().to_string(),
            );
            (key, v)
        })
        .collect();
    let verdict = |package: &str, id: &str| -> &serde_json::Value {
        verdicts
            .get(&(package.to_string(), id.to_string()))
            .unwrap_or_else(|| panic!("no {id} for {package}: {all}"))
    };
    let sec = verdict("libfoo1", "CVE-2026-31337");
    assert_eq!(sec["status"], "vulnerable");
    assert_eq!(sec["source"], "foo");
    assert_eq!(sec["severity"], "high");
    assert_eq!(sec["fixed_version"], "1.0-1+sec1");
    assert_eq!(sec["fix_now"]["suite"], "bosuntest-security");
    assert_eq!(
        verdict("libfoo1", "CVE-2025-0001")["status"],
        "not-affected"
    );
    assert_eq!(
        verdict("libfoo1", "CVE-2026-0002")["status"],
        "not-affected"
    );
    assert_eq!(verdict("hello", "CVE-2026-1000")["status"], "unfixed");
    assert_eq!(verdict("hello", "CVE-2026-1000")["severity"], "medium");
    assert_eq!(verdict("hello", "CVE-2026-1001")["status"], "undetermined");
    let postponed = verdict("hello", "CVE-2026-1002");
    assert_eq!(postponed["status"], "minor");
    assert_eq!(postponed["reason"], "postponed: Minor issue");
    assert_eq!(
        verdict("hello-data", "CVE-2026-1003")["reason"],
        "ignored: the affected code is not built"
    );
    assert_eq!(verdict("less", "CVE-2026-1004")["urgency"], "unimportant");
    assert_eq!(
        verdict("ca-certificates", "CVE-2026-1005")["status"],
        "end-of-life"
    );
    let requests = verdict("requests", "GHSA-1111");
    assert_eq!(
        (&requests["status"], &requests["fixed_version"]),
        (&"vulnerable".into(), &"2.3.1".into())
    );
    assert_eq!(requests["aliases"], serde_json::json!(["CVE-2026-2000"]));
    assert_eq!(
        verdict("lodash", "GHSA-2222")["severity"],
        "critical",
        "rated from its CVSS vector"
    );
    assert_eq!(
        verdicts.len(),
        11,
        "nothing else, not another release's, not PYSEC-2: {all}"
    );
    assert_eq!(all["database"]["age_days"], 0);
    assert!(all["database"]["fetched"].as_str().unwrap().ends_with('Z'));

    // By default: what affects the image, unimportant ones left out.
    let default = scan(&[]);
    let ids: BTreeSet<&str> = default["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        BTreeSet::from([
            "CVE-2026-31337",
            "CVE-2026-1000",
            "CVE-2026-1001",
            "CVE-2026-1002",
            "CVE-2026-1003",
            "CVE-2026-1005",
            "GHSA-1111",
            "GHSA-2222"
        ])
    );
    assert_eq!(
        default["vulnerabilities"][0]["id"], "GHSA-2222",
        "worst first"
    );
    let fixed_only = scan(&["--ignore-unfixed"]);
    assert_eq!(
        fixed_only["vulnerabilities"].as_array().unwrap().len(),
        3,
        "{fixed_only}"
    );

    // Gates, ignore rules (one expired), VEX.
    let gate = |extra: &[&str]| {
        let mut args = vec!["scan", "--suite", "bosuntest", "--db", db];
        args.extend(extra);
        args.push("hello:1");
        ctx.bosun(&args)
    };
    assert_eq!(gate(&["--fail-on", "critical"]).code, 1);
    let table = gate(&[]).ok();
    assert!(
        table
            .stdout
            .contains("1.0-1+sec1 (now in bosuntest-security)"),
        "{}",
        table.stdout
    );
    assert!(
        table.stderr.contains("advisories of") && table.stderr.contains("0 days old"),
        "{}",
        table.stderr
    );
    ctx.write(
        "ignore.toml",
        "[[ignore]]\nid = \"GHSA-2222\"\nreason = \"lodash is only in the test tooling\"\nexpires = 2099-01-01\n\n\
         [[ignore]]\npackage = \"hello\"\nid = \"CVE-2026-1000\"\nreason = \"was accepted\"\nexpires = 2020-01-01\n",
    );
    let vex = r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
            {"vulnerability": {"name": "CVE-2026-31337"}, "status": "not_affected",
              "justification": "vulnerable_code_not_in_execute_path",
              "products": [{"@id": "hello:1", "subcomponents": [{"@id": "pkg:deb/debian/libfoo1"}]}]}]}"#;
    ctx.write("app.vex.json", vex);
    let ignore = ctx.project().join("ignore.toml");
    let vex = ctx.project().join("app.vex.json");
    let judged = [
        "--ignore-file",
        ignore.to_str().unwrap(),
        "--vex",
        vex.to_str().unwrap(),
    ];
    let out = gate(&[&judged[..], &["--fail-on", "critical"]].concat()).ok();
    assert!(
        out.stderr.contains("expired on 2020-01-01"),
        "{}",
        out.stderr
    );
    assert_eq!(
        gate(&[&judged[..], &["--fail-on", "high"]].concat()).code,
        1,
        "requests is high"
    );
    let report = scan(&judged);
    let ignored: BTreeMap<&str, &str> = report["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap(),
                i["ignored_because"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(ignored.len(), 2, "{report}");
    assert!(ignored["GHSA-2222"].contains("only in the test tooling"));
    assert!(
        ignored["CVE-2026-31337"].contains("VEX not_affected: vulnerable_code_not_in_execute_path")
    );
    assert!(
        report["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["id"] == "CVE-2026-1000"),
        "the expired rule ignores nothing"
    );

    // SARIF: one result per reported finding, each under a rule.
    let sarif: serde_json::Value =
        serde_json::from_str(&gate(&["--format", "sarif"]).ok().stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 8);
    let rules: BTreeSet<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        results
            .iter()
            .all(|r| rules.contains(r["ruleId"].as_str().unwrap()))
    );
    assert_eq!(results[0]["level"], "error");

    // Offline: the database alone.
    let offline = scan(&["--offline"]);
    assert!(offline.get("mirror_date").is_none(), "{offline}");
    assert_eq!(offline["vulnerabilities"], {
        let mut v = default["vulnerabilities"].clone();
        for f in v.as_array_mut().unwrap() {
            f.as_object_mut().unwrap().remove("fix_now");
        }
        v
    });

    // The fix taken: the Debian part of the scan has nothing with a fix left.
    ctx.write("bosun.toml", SPEC);
    ctx.bosun(&["lock", "--update", "--security-only"]).ok();
    ctx.bosun(&["build"]).ok();
    let after = scan(&[]);
    assert!(
        after["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["ecosystem"] != "debian" || v["status"] != "vulnerable"),
        "{after}"
    );

    // Clear errors.
    ctx.bosun(&[
        "scan",
        "--suite",
        "bosuntest",
        "--db",
        "/nonexistent/db",
        "hello:1",
    ])
    .fails(
        2,
        "no vulnerability database in /nonexistent/db: run `bosun db update`",
    );
    let bad = format!("{}/bad/json", server.url());
    ctx.bosun(&[
        "db",
        "update",
        "--db",
        db,
        "--tracker-url",
        &bad,
        "--osv-url",
        &osv,
    ])
    .fails(2, "not the tracker's JSON export");
    let missing = format!("{}/missing", server.url());
    ctx.bosun(&[
        "db",
        "update",
        "--db",
        db,
        "--tracker-url",
        &tracker,
        "--osv-url",
        &missing,
    ])
    .fails(2, "/missing/PyPI/all.zip: HTTP status 404");
    // A failed update leaves the database as it was.
    assert_eq!(scan(&[])["vulnerabilities"], after["vulnerabilities"]);
}
