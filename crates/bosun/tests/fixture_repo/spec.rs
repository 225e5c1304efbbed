//! Specs: the schema, variables, includes and matrices, registry includes.

use super::*;

#[test]
fn schema_is_current_and_validates_every_spec() {
    let python = bosun_test::peers_venv().join("bin/python");
    if !python.is_file() {
        bosun_test::missing_peer("the peers' Python (jsonschema)");
        return;
    }
    let f = fixture();
    let ctx = context(&f);
    let out = ctx.bosun(&["spec", "schema"]).ok();
    let checked_in =
        std::fs::read_to_string(bosun_test::workspace_root().join("schema/bosun.schema.json"))
            .unwrap();
    assert!(
        out.stdout == checked_in,
        "schema/bosun.schema.json is stale: run `bosun spec schema > schema/bosun.schema.json`"
    );
    let schema = ctx.dir.path().join("bosun.schema.json");
    std::fs::write(&schema, &out.stdout).unwrap();
    // Every spec the project holds or writes: the examples, what `init` writes, the tests'.
    let mut good: Vec<std::path::PathBuf> =
        std::fs::read_dir(bosun_test::workspace_root().join("examples"))
            .unwrap()
            .map(|e| e.unwrap().path().join("bosun.toml"))
            .filter(|p| p.is_file())
            .collect();
    assert!(good.len() >= 3, "{good:?}");
    for kind in ["python", "static"] {
        let dir = ctx.dir.path().join(format!("init-{kind}"));
        ctx.bosun(&["init", kind, "--dir", dir.to_str().unwrap()])
            .ok();
        good.push(dir.join("bosun.toml"));
    }
    good.push(ctx.project().join("bosun.toml"));
    // A spec made of files: an include, an override and a matrix.
    ctx.write(
        "composed/core.toml",
        "[vars]\nchannel = \"stable\"\n[debian]\nsuite = \"bosuntest\"\n[base.core]\npackages = [\"base-files\"]\n",
    );
    ctx.write(
        "composed/bosun.toml",
        "include = [\"core.toml\"]\n[vars]\noverride = true\nchannel = \"edge\"\n[base.core]\noverride = true\npackages = [\"base-files\", \"ca-certificates\"]\n[image.app]\nmatrix = { pager = [\"less\", \"most\"] }\nname = \"app-${pager}\"\nbases = [\"core\"]\npackages = [\"${pager}\"]\nlabels = { channel = \"${channel}\" }\n",
    );
    for file in ["core.toml", "bosun.toml"] {
        good.push(ctx.project().join("composed").join(file));
    }
    let shown = ctx
        .bosun(&[
            "spec",
            "show",
            "--file",
            "composed/bosun.toml",
            "--format",
            "json",
        ])
        .ok()
        .json::<serde_json::Value>();
    assert_eq!(
        shown["image"]["app-most"]["labels"]["channel"], "edge",
        "{shown}"
    );
    // Shape errors: the schema refuses each, and so does bosun.
    let bad = [
        (
            "unknown-field",
            "[debian]\nsuite = \"trixie\"\nsuit = \"x\"\n[image.a]\npackages = [\"x\"]\n",
        ),
        (
            "string-for-list",
            "[debian]\nsuite = \"trixie\"\n[image.a]\npackages = \"python3\"\n",
        ),
        (
            "compression",
            "[debian]\nsuite = \"trixie\"\n[image.a]\npackages = [\"x\"]\ncompression = \"lz4\"\n",
        ),
        (
            "architecture",
            "[debian]\nsuite = \"trixie\"\narchitectures = [\"vax\"]\n[image.a]\npackages = [\"x\"]\n",
        ),
        (
            "copy-mode",
            "[debian]\nsuite = \"trixie\"\n[image.a]\ncopy = [{ src = \"a\", dst = \"/a\", mode = \"rwx\" }]\n",
        ),
        (
            "no-suite",
            "[debian]\ncomponents = [\"main\"]\n[image.a]\npackages = [\"x\"]\n",
        ),
        (
            "variable-in-key",
            "[debian]\nsuite = \"trixie\"\n[image.\"${x}\"]\npackages = [\"x\"]\n",
        ),
        (
            "override-not-bool",
            "[debian]\nsuite = \"trixie\"\n[image.a]\noverride = \"yes\"\npackages = [\"x\"]\n",
        ),
        (
            "empty-matrix-axis",
            "[debian]\nsuite = \"trixie\"\n[image.a]\nmatrix = { v = [] }\npackages = [\"x\"]\n",
        ),
        (
            "include-not-a-list",
            "include = \"core.toml\"\n[debian]\nsuite = \"trixie\"\n[image.a]\npackages = [\"x\"]\n",
        ),
    ];
    let mut files: Vec<String> = good.iter().map(|p| p.display().to_string()).collect();
    for (name, text) in bad {
        let path = ctx.dir.path().join(format!("bad-{name}.toml"));
        std::fs::write(&path, text).unwrap();
        files.push(path.display().to_string());
        let dir = ctx.dir.path().join(format!("bad-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("bosun.toml"), text).unwrap();
        let refused = ctx.bosun(&["lock", "--file", dir.join("bosun.toml").to_str().unwrap()]);
        assert_eq!(
            refused.code, 2,
            "bosun takes bad-{name}: {}",
            refused.stderr
        );
    }
    let report = bosun_test::run(
        Command::new(python)
            .arg("-c")
            .arg(VALIDATE)
            .arg(&schema)
            .args(&files),
    );
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), files.len(), "{report}");
    for line in lines {
        let bad = line.contains("/bad-");
        assert_eq!(line.ends_with(" ok"), !bad, "{line}");
    }
}

#[test]
fn variables_expand_before_locking() {
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "bosun.toml",
        r#"[vars]
pager = "less"

[debian]
suite = "bosuntest"

[image.app]
packages = ["${pager}"]
tags = ["app-${pager}:${suite}"]
labels = { "org.opencontainers.image.title" = "${image}" }
"#,
    );
    let shown = ctx.bosun(&["spec", "show"]).ok();
    assert!(
        shown.stdout.contains("packages = [\"less\"]"),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains("tags = [\"app-less:bosuntest\"]"),
        "{}",
        shown.stdout
    );
    ctx.bosun(&["lock"]).ok();
    assert!(lock_toml(&ctx).contains("name = \"less\""));
    let why = ctx.bosun(&["lock", "--why", "less"]).ok();
    assert!(
        why.stderr
            .contains("bosun.toml:8:13: [image.app] packages names `less` (written \"${pager}\")"),
        "{why:?}"
    );
    // --set changes what it names, the lock follows the expanded spec, and --locked knows.
    ctx.bosun(&["lock", "--set", "pager=most"]).ok();
    let lock = lock_toml(&ctx);
    assert!(
        lock.contains("name = \"most\"") && !lock.contains("name = \"less\""),
        "{lock}"
    );
    ctx.bosun(&["build", "--locked"])
        .fails(2, "bosun.lock is out of date with bosun.toml");
    let built: serde_json::Value = ctx
        .bosun(&[
            "build",
            "--locked",
            "--set",
            "pager=most",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(
        built[0]["tags"],
        serde_json::json!(["app-most:bosuntest"]),
        "{built}"
    );
    // BOSUN_VAR_<NAME> sits between the spec and --set.
    let mut env = context(&f);
    env.write(
        "bosun.toml",
        &std::fs::read_to_string(ctx.project().join("bosun.toml")).unwrap(),
    );
    env.set("BOSUN_VAR_PAGER", "most");
    let shown = env.bosun(&["spec", "show", "--format", "json"]).ok();
    let spec: serde_json::Value = shown.json();
    assert_eq!(
        spec["image"]["app"]["packages"],
        serde_json::json!(["most"])
    );
    // Errors point at the reference.
    ctx.write(
        "bosun.toml",
        "[debian]\nsuite = \"bosuntest\"\n[image.app]\npackages = [\"${pagr}\"]\n",
    );
    ctx.bosun(&["lock"])
        .fails(2, "bosun.toml:4:14: undefined variable `pagr`");
}

#[test]
fn specs_compose_from_includes_and_matrices() {
    let f = fixture();
    let mut ctx = context(&f);
    // The project is a work tree: includes may come from anywhere in it.
    ctx.write(".git/HEAD", "ref: refs/heads/main\n");
    ctx.write(
        "platform/core.toml",
        "[debian]\nsuite = \"bosuntest\"\n\n[base.core]\npackages = [\"base-files\", \"ca-certificates\"]\n",
    );
    let apps = [("a", "less"), ("b", "most"), ("c", "libfoo1")];
    for (app, package) in apps {
        ctx.write(
            &format!("apps/{app}/bosun.toml"),
            &format!(
                "include = [\"../../platform/core.toml\"]\n\n[image.{app}]\nbases = [\"core\"]\npackages = [\"{package}\"]\n"
            ),
        );
    }
    // Three apps in three directories: one core layer, byte for byte.
    let mut cores = BTreeSet::new();
    for (app, _) in apps {
        let file = format!("apps/{app}/bosun.toml");
        let built = ctx
            .bosun(&["build", "--file", &file, "--format", "json"])
            .ok()
            .json::<serde_json::Value>();
        let layers = &built_layers(&built)[app];
        let core: Vec<&String> = layers
            .iter()
            .filter(|(by, _)| by.contains("base core"))
            .map(|(_, d)| d)
            .collect();
        assert_eq!(core.len(), 1, "{layers:?}");
        cores.insert(core[0].clone());
        let lock = lock_of(&ctx, &format!("apps/{app}/bosun.toml"));
        assert!(
            lock.contains("[[include]]\npath = \"../../platform/core.toml\"\nsha256 = \""),
            "{lock}"
        );
        ctx.bosun(&["build", "--locked", "--file", &file]).ok();
    }
    assert_eq!(cores.len(), 1, "{cores:?}");
    // lock --why points into the included file.
    let why = ctx
        .bosun(&[
            "lock",
            "--why",
            "ca-certificates",
            "--file",
            "apps/a/bosun.toml",
        ])
        .ok();
    assert_eq!(why.stdout.trim(), "ca-certificates", "{why:?}");
    assert!(
        why.stderr
            .contains("platform/core.toml:5:27: [base.core] packages names `ca-certificates`"),
        "{why:?}"
    );
    // A change to the shared core stops every --locked build, naming the file, until relocked.
    let core = ctx.project().join("platform/core.toml");
    let text = std::fs::read_to_string(&core).unwrap();
    std::fs::write(&core, format!("# reviewed by the platform team\n{text}")).unwrap();
    for (app, _) in apps {
        let file = format!("apps/{app}/bosun.toml");
        ctx.bosun(&["build", "--locked", "--file", &file]).fails(
            2,
            &format!("apps/{app}/bosun.lock was made with ../../platform/core.toml at sha256:"),
        );
        let check = ctx.bosun(&["lock", "--check", "--file", &file]);
        assert!(
            check.code == 1 && check.stderr.contains("that file has changed since"),
            "{check:?}"
        );
        let before = lock_of(&ctx, &format!("apps/{app}/bosun.toml"));
        ctx.bosun(&["lock", "--file", &file]).ok();
        let after = lock_of(&ctx, &format!("apps/{app}/bosun.toml"));
        assert_ne!(before, after);
        // Only the include's line moved: the pins stand.
        let changed: Vec<(&str, &str)> = before
            .lines()
            .zip(after.lines())
            .filter(|(b, a)| b != a)
            .collect();
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert!(changed[0].0.starts_with("sha256 = "), "{changed:?}");
        ctx.bosun(&["build", "--locked", "--file", &file]).ok();
    }
    // An include outside the work tree needs the caller's leave, by flag or environment.
    let elsewhere = ctx.dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(
        elsewhere.join("debian.toml"),
        "[debian]\nsuite = \"bosuntest\"\n",
    )
    .unwrap();
    ctx.write(
        "outside/bosun.toml",
        &format!(
            "include = [{:?}]\n[image.x]\npackages = [\"less\"]\n",
            elsewhere.join("debian.toml").display().to_string()
        ),
    );
    ctx.bosun(&["spec", "show", "--file", "outside/bosun.toml"])
        .fails(2, "outside/bosun.toml:1:12: include");
    let shown = ctx
        .bosun(&[
            "spec",
            "show",
            "--file",
            "outside/bosun.toml",
            "--include-root",
            elsewhere.to_str().unwrap(),
        ])
        .ok();
    assert!(
        shown.stdout.starts_with(&format!(
            "# included: {}/debian.toml (sha256:",
            elsewhere.display()
        )),
        "{}",
        shown.stdout
    );
    ctx.set("BOSUN_INCLUDE_ROOTS", elsewhere.to_str().unwrap());
    ctx.bosun(&["spec", "show", "--file", "outside/bosun.toml"])
        .ok();

    // A 2 x 2 matrix: four images; each layer the combinations share is stored once.
    ctx.write(
        "matrix/bosun.toml",
        r#"include = ["../platform/core.toml"]

[vars]
other = "most"

[image.pager]
matrix = { pager = ["less", "${other}"], channel = ["stable", "edge"] }
name = "pager-${pager}-${channel}"
bases = ["core"]
packages = ["${pager}"]
labels = { channel = "${channel}" }
"#,
    );
    let built = ctx
        .bosun(&[
            "build",
            "--file",
            "matrix/bosun.toml",
            "pager",
            "--format",
            "json",
        ])
        .ok()
        .json::<serde_json::Value>();
    let images = built_layers(&built);
    assert_eq!(
        images.keys().collect::<Vec<_>>(),
        [
            "pager-less-edge",
            "pager-less-stable",
            "pager-most-edge",
            "pager-most-stable"
        ]
    );
    let all: Vec<&String> = images.values().flatten().map(|(_, d)| d).collect();
    let distinct: BTreeSet<&String> = all.iter().copied().collect();
    let per_image = images["pager-less-edge"].len();
    assert_eq!(all.len(), 4 * per_image);
    // Everything below the own layer is shared by all four; the own layer by each pager's two.
    assert_eq!(distinct.len(), per_image - 1 + 2, "{images:?}");
    let digests =
        |name: &str| -> Vec<String> { images[name].iter().map(|(_, d)| d.clone()).collect() };
    assert_eq!(digests("pager-less-edge"), digests("pager-less-stable"));
    assert!(
        cores.contains(
            &images["pager-most-edge"]
                .iter()
                .find(|(by, _)| by.contains("base core"))
                .unwrap()
                .1
        )
    );
    let digest_of = |built: &serde_json::Value, name: &str| {
        built
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["image"] == name)
            .map(|i| i["digest"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_ne!(
        digest_of(&built, "pager-less-edge"),
        digest_of(&built, "pager-less-stable"),
        "the channel label differs"
    );
    // --set moves only what uses the variable.
    let moved = ctx
        .bosun(&[
            "build",
            "--file",
            "matrix/bosun.toml",
            "--set",
            "other=gawk",
            "--format",
            "json",
        ])
        .ok()
        .json::<serde_json::Value>();
    for name in ["pager-less-edge", "pager-less-stable"] {
        assert_eq!(digest_of(&moved, name), digest_of(&built, name));
    }
    let names: Vec<String> = built_layers(&moved).into_keys().collect();
    assert!(names.contains(&"pager-gawk-edge".to_string()), "{names:?}");
    assert!(!names.contains(&"pager-most-edge".to_string()), "{names:?}");
    // One combination by its own name.
    let one = ctx
        .bosun(&[
            "build",
            "--file",
            "matrix/bosun.toml",
            "pager-most-edge",
            "--format",
            "json",
        ])
        .ok()
        .json::<serde_json::Value>();
    assert_eq!(one.as_array().unwrap().len(), 1);
}

/// Spec files shared through a registry: pushed as an OCI artifact, included by reference,
/// pinned by manifest digest in the lock, read from the cache once pinned.
#[test]
fn registry_includes_are_pinned_by_digest() {
    let Some(reg) = bosun_test::registry::Registry::start(None, bosun_test::registry::Auth::None)
    else {
        return;
    };
    let f = fixture();
    let ctx = context(&f);
    ctx.write(
        "platform/core.toml",
        "include = [\"debian.toml\"]\n\n[base.core]\npackages = [\"base-files\", \"ca-certificates\"]\n",
    );
    ctx.write("platform/debian.toml", "[debian]\nsuite = \"bosuntest\"\n");
    let target = format!("docker://{}/platform/core:1", reg.host);
    let push = || {
        ctx.bosun(&[
            "spec",
            "push",
            "--tls-verify=false",
            &target,
            "platform/core.toml",
            "platform/debian.toml",
        ])
        .ok()
        .stdout
        .trim()
        .to_string()
    };
    let first = push();
    assert!(
        first.starts_with(&format!("docker://{}/platform/core@sha256:", reg.host)),
        "{first}"
    );
    assert_eq!(push(), first, "the same files make the same artifact");
    let first_digest = first.rsplit('@').next().unwrap().to_string();
    // skopeo reads it as an OCI artifact with one titled layer per file.
    match peer("skopeo") {
        Some(skopeo) => {
            let raw = bosun_test::run(
                Command::new(skopeo)
                    .args(["inspect", "--raw", "--tls-verify=false"])
                    .arg(&target),
            );
            let manifest: serde_json::Value = serde_json::from_str(&raw).unwrap();
            assert_eq!(
                manifest["artifactType"], "application/vnd.bosun.spec.v1+toml",
                "{manifest}"
            );
            let titles: Vec<&str> = manifest["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    l["annotations"]["org.opencontainers.image.title"]
                        .as_str()
                        .unwrap()
                })
                .collect();
            assert_eq!(titles, ["core.toml", "debian.toml"]);
        }
        None => bosun_test::missing_peer("skopeo"),
    }
    let include = format!("docker://{}/platform/core:1#core.toml", reg.host);
    ctx.write(
        "svc/bosun.toml",
        &format!(
            "include = [{include:?}]\n\n[image.svc]\nbases = [\"core\"]\npackages = [\"less\"]\n"
        ),
    );
    let build = |extra: &[&str]| {
        let mut args = vec![
            "build",
            "--tls-verify=false",
            "--file",
            "svc/bosun.toml",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        ctx.bosun(&args).ok().json::<serde_json::Value>()[0]["digest"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let built = build(&[]);
    let lock = lock_of(&ctx, "svc/bosun.toml");
    for file in ["core.toml", "debian.toml"] {
        let entry = format!(
            "[[include]]\npath = \"docker://{}/platform/core:1#{file}\"\nsha256 = \"",
            reg.host
        );
        assert!(lock.contains(&entry), "{lock}");
    }
    assert_eq!(
        lock.matches(&format!("digest = \"{first_digest}\""))
            .count(),
        2,
        "{lock}"
    );
    // A file of an image's filesystem: the platform ships its spec files in an image.
    ctx.write(
        "files/bosun.toml",
        "[debian]\nsuite = \"bosuntest\"\n[image.platform-files]\ncopy = [{ src = \"conf/\", dst = \"/etc/bosun\" }]\n",
    );
    ctx.write(
        "files/conf/core.toml",
        "include = [\"debian.toml\"]\n[base.core]\npackages = [\"base-files\"]\n",
    );
    ctx.write(
        "files/conf/debian.toml",
        "[debian]\nsuite = \"bosuntest\"\n",
    );
    ctx.bosun(&["build", "--file", "files/bosun.toml"]).ok();
    let files_image = format!("docker://{}/platform/files:1", reg.host);
    ctx.bosun(&["copy", "--tls-verify=false", "platform-files", &files_image])
        .ok();
    ctx.write(
        "svc2/bosun.toml",
        &format!(
            "include = [\"{files_image}#/etc/bosun/core.toml\"]\n[image.svc2]\nbases = [\"core\"]\npackages = [\"less\"]\n"
        ),
    );
    ctx.bosun(&["build", "--tls-verify=false", "--file", "svc2/bosun.toml"])
        .ok();
    let lock = lock_of(&ctx, "svc2/bosun.toml");
    for file in ["core.toml", "debian.toml"] {
        let entry = format!("path = \"{files_image}#/etc/bosun/{file}\"");
        assert!(lock.contains(&entry), "{lock}");
    }
    ctx.write(
        "bad/bosun.toml",
        &format!(
            "include = [\"{files_image}#/etc/bosun/nope.toml\"]\n[image.x]\npackages = [\"less\"]\n"
        ),
    );
    ctx.bosun(&[
        "spec",
        "show",
        "--tls-verify=false",
        "--file",
        "bad/bosun.toml",
    ])
    .fails(2, "the image has no /etc/bosun/nope.toml");
    // Errors name the include: a file the artifact lacks, a reference without a file.
    ctx.write(
        "bad/bosun.toml",
        &format!(
            "include = [\"docker://{}/platform/core:1#nope.toml\"]\n[image.x]\npackages = [\"less\"]\n",
            reg.host
        ),
    );
    ctx.bosun(&[
        "spec",
        "show",
        "--tls-verify=false",
        "--file",
        "bad/bosun.toml",
    ])
    .fails(2, "bad/bosun.toml:1:12: include \"docker://")
    .fails(
        2,
        "the artifact has no file nope.toml (it has: core.toml, debian.toml)",
    );
    ctx.write(
        "bad/bosun.toml",
        &format!(
            "include = [\"docker://{}/platform/core:1\"]\n[image.x]\npackages = [\"less\"]\n",
            reg.host
        ),
    );
    ctx.bosun(&[
        "spec",
        "show",
        "--tls-verify=false",
        "--file",
        "bad/bosun.toml",
    ])
    .fails(2, "name the file of the artifact");
    // The tag moves: builds keep the pinned artifact until `bosun lock` follows the tag.
    ctx.write(
        "platform/core.toml",
        "include = [\"debian.toml\"]\n\n[base.core]\npackages = [\"base-files\"]\n",
    );
    let second = push();
    assert_ne!(second, first);
    assert_eq!(build(&["--locked"]), built);
    let check = ctx.bosun(&[
        "lock",
        "--check",
        "--tls-verify=false",
        "--file",
        "svc/bosun.toml",
    ]);
    assert!(check.code == 1, "{check:?}");
    ctx.bosun(&["lock", "--tls-verify=false", "--file", "svc/bosun.toml"])
        .ok();
    let lock = lock_of(&ctx, "svc/bosun.toml");
    let second_digest = second.rsplit('@').next().unwrap();
    assert!(lock.contains(second_digest), "{lock}");
    let moved = build(&["--locked"]);
    assert_ne!(moved, built);
    // Pinned, the spec reads without the registry: the cache has the artifact.
    drop(reg);
    assert_eq!(build(&["--locked"]), moved);
    ctx.bosun(&["build", "--locked", "--file", "svc2/bosun.toml"])
        .ok();
    let why = ctx
        .bosun(&["lock", "--why", "base-files", "--file", "svc/bosun.toml"])
        .ok();
    assert!(
        why.stderr
            .contains("/platform/core:1#core.toml:4:13: [base.core] packages names `base-files`"),
        "{why:?}"
    );
    // Unpinned, an unreachable registry is one clear error naming the include.
    ctx.bosun(&["lock", "--tls-verify=false", "--file", "svc/bosun.toml"])
        .fails(2, &format!("svc/bosun.toml:1:12: include {include:?}"));
}
