//! Dockerfile linting that a hadolint user can swap in without changing a line of
//! configuration: the same rule codes, severities, messages and line numbers, the same
//! pragmas, and reports in the same order and formats.
//!
//! Order matters for byte-identical reports: hadolint collects each rule's findings in rule
//! order, drops the ignored ones, and sorts them by line with `Data.Sequence.unstableSort`;
//! [`order`] reproduces that sort exactly.

pub mod config;
pub mod format;
pub mod order;
mod pragma;
mod rules;
mod shell;
pub mod shellcheck;

use bosun_dockerfile::{Args, Dockerfile, Instruction, Item, Keyword, ParseError};
use rayon::prelude::*;
use serde::Serialize;

pub use rules::{BL_CODES, CODES, LABEL_CODES};

/// How bad a finding is, ordered from worst to mildest as hadolint orders them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `error`
    Error,
    /// `warning`
    Warning,
    /// `info`
    Info,
    /// `style`
    Style,
    /// Not reported.
    Ignore,
}

impl Severity {
    /// The name hadolint prints.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Style => "style",
            Severity::Ignore => "ignore",
        }
    }

    /// Parses `error`, `warning`, `info`, `style`, `ignore` (or `none`).
    pub fn parse(text: &str) -> Option<Severity> {
        Some(match text {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            "style" => Severity::Style,
            "ignore" | "none" => Severity::Ignore,
            _ => return None,
        })
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `DL3006`, `SC2046`, `BL1001`; `DL1000` for a parse error.
    pub code: String,
    /// How bad.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// 1-based line of the instruction.
    pub line: usize,
    /// 1-based column (1 except for parse errors).
    pub column: usize,
}

/// The format a required label's value must have (`label-schema`, `--require-label`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelType {
    /// Any text (only presence and emptiness are checked).
    Text,
    /// An absolute URI.
    Url,
    /// A semantic version.
    Semver,
    /// A git commit hash (7 or 40 hex digits).
    Hash,
    /// An SPDX license expression.
    Spdx,
    /// An RFC 3339 time.
    Rfc3339,
    /// An RFC 5322 address.
    Email,
}

impl LabelType {
    /// Parses hadolint's names: text, url, semver, hash, spdx, rfc3339, email.
    pub fn parse(name: &str) -> Option<LabelType> {
        Some(match name {
            "text" => LabelType::Text,
            "url" => LabelType::Url,
            "semver" => LabelType::Semver,
            "hash" => LabelType::Hash,
            "spdx" => LabelType::Spdx,
            "rfc3339" => LabelType::Rfc3339,
            "email" => LabelType::Email,
            _ => return None,
        })
    }
}

/// What to lint with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Codes never reported.
    pub ignored: Vec<String>,
    /// Severity overrides by code.
    pub overrides: Vec<(String, Severity)>,
    /// Report everything even where a pragma says to ignore it.
    pub disable_ignore_pragma: bool,
    /// Behave exactly as hadolint: only hadolint's rules, only `# hadolint` pragmas.
    pub hadolint_only: bool,
    /// How long one ShellCheck run may take before it is killed and its scripts get a
    /// BL1010 finding instead of shell checks (none: [`shellcheck::DEFAULT_TIMEOUT`]).
    pub shellcheck_timeout: Option<std::time::Duration>,
    /// Registries FROM may name (none: any).
    pub trusted_registries: Vec<String>,
    /// Required labels and their formats.
    pub label_schema: Vec<(String, LabelType)>,
    /// No labels but the required ones.
    pub strict_labels: bool,
    /// The `shellcheck` program for the SC rules (none: they are skipped).
    pub shellcheck: Option<std::path::PathBuf>,
    /// Where ShellCheck results are kept between runs (none: not kept).
    pub cache_dir: Option<std::path::PathBuf>,
    /// Image references the local store holds -> their digests (BL1004 prints pinned ones).
    pub pins: std::collections::BTreeMap<String, String>,
    /// The directory the Dockerfile is in, for its `.dockerignore` (BL1007; [`lint`] only,
    /// [`lint_many`] takes one per file).
    pub context_dir: Option<std::path::PathBuf>,
}

/// What linting one file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Findings in hadolint's order.
    pub failures: Vec<Failure>,
    /// The parse error, when the file could not be read as a Dockerfile (then `failures`
    /// holds only it, as `DL1000`).
    pub parse_error: Option<ParseError>,
}

/// One step of the walk every rule sees: comments (for pragmas) and instructions.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step<'a> {
    Comment {
        line: usize,
        text: &'a str,
    },
    /// An instruction, with the script it runs when it is a RUN.
    Instruction(&'a Instruction, Option<&'a shell::Script>),
}

/// Lints Dockerfile text (`options.context_dir` says where its `.dockerignore` is).
pub fn lint(text: &str, options: &Options) -> Report {
    lint_many(&[(text, options.context_dir.as_deref())], options).remove(0)
}

/// Lints many Dockerfiles, in parallel; reports come back in the same order. ShellCheck runs
/// once over the RUN scripts of all of them (identical scripts checked once), in as many
/// processes as there are cores.
///
/// Each file comes with the directory it is in (for its `.dockerignore`), none for standard
/// input.
pub fn lint_many(files: &[(&str, Option<&std::path::Path>)], options: &Options) -> Vec<Report> {
    // One file (how CI jobs lint) starts no thread pool: it would cost more than the file.
    if let [(text, dir)] = files {
        let prepared = prepare(text, *dir, options);
        let findings = shellcheck_findings(std::slice::from_ref(&prepared), options);
        return vec![prepared.complete(&findings, options)];
    }
    let prepared: Vec<Prepared> = files
        .par_iter()
        .map(|(text, dir)| prepare(text, *dir, options))
        .collect();
    let findings = shellcheck_findings(&prepared, options);
    prepared
        .into_par_iter()
        .map(|p| p.complete(&findings, options))
        .collect()
}

/// ShellCheck over the scripts of every file, at once.
fn shellcheck_findings(prepared: &[Prepared], options: &Options) -> shellcheck::Findings {
    let Some(program) = &options.shellcheck else {
        return Default::default();
    };
    let scripts: Vec<&str> = prepared
        .iter()
        .flat_map(|p| p.scripts.iter().map(|s| s.text.as_str()))
        .collect();
    let timeout = options
        .shellcheck_timeout
        .unwrap_or(shellcheck::DEFAULT_TIMEOUT);
    shellcheck::check(program, &scripts, options.cache_dir.as_deref(), timeout)
}

/// A file read and its RUN scripts gathered for ShellCheck, before the rules run: they need
/// to know which scripts ShellCheck's parser could not read.
struct Prepared<'a> {
    file: Result<Dockerfile, ParseError>,
    dir: Option<&'a std::path::Path>,
    /// What ShellCheck gets of the file's RUNs, then of what ONBUILD wraps.
    scripts: Vec<shellcheck::RunScript>,
}

impl Prepared<'_> {
    fn complete(self, findings: &shellcheck::Findings, options: &Options) -> Report {
        let Prepared { file, dir, scripts } = self;
        let file = match file {
            Ok(file) => file,
            Err(e) => {
                return Report {
                    failures: vec![Failure {
                        code: "DL1000".into(),
                        severity: Severity::Error,
                        message: e.message.clone(),
                        line: e.line,
                        column: e.column,
                    }],
                    parse_error: Some(e),
                };
            }
        };
        // Where ShellCheck's parser gave up on a RUN, hadolint's shell rules (which read
        // scripts with that parser) see no commands in it.
        let unparsed: rules::Unparsed = std::sync::Arc::new(
            scripts
                .iter()
                .filter_map(|s| {
                    let read = match findings.get(&s.text)?.parse {
                        shellcheck::Parse::Whole => return None,
                        shellcheck::Parse::Failed => None,
                        // The body is the end of what ShellCheck read.
                        shellcheck::Parse::Stopped(at) => {
                            Some(at.checked_sub(s.text.len() - s.body.len())?)
                        }
                    };
                    Some((s.body.clone(), read))
                })
                .collect(),
        );
        // Each RUN's script is parsed once, for every rule.
        let parsed: Vec<Option<shell::Script>> = file
            .items
            .iter()
            .map(|item| match item {
                Item::Instruction(i) if i.keyword == Keyword::Run => {
                    Some(shell::Script::read(&run_script(i), &unparsed))
                }
                _ => None,
            })
            .collect();
        let steps: Vec<Step<'_>> = file
            .items
            .iter()
            .zip(&parsed)
            .map(|(item, script)| match item {
                Item::Comment { line, text } => Step::Comment { line: *line, text },
                Item::Instruction(i) => Step::Instruction(i, script.as_ref()),
            })
            .collect();
        let context = rules::Context {
            escape: file.escape,
            hadolint_only: options.hadolint_only,
        };
        // Each rule's findings in file order, rules in hadolint's order.
        let mut found = Vec::new();
        for mut rule in rules::all(&context, dir, options, &unparsed) {
            let mut out = Vec::new();
            for step in &steps {
                rule.check(step, &mut out);
            }
            rule.finish(&mut out);
            found.extend(out);
        }
        // ShellCheck is hadolint's last rule.
        for script in scripts.iter().filter(|s| s.lint) {
            if let Some(shellcheck::Checked {
                finding: Some(f), ..
            }) = findings.get(&script.text)
            {
                found.push(Failure {
                    line: script.line,
                    ..f.clone()
                });
            }
        }
        let pragmas = pragma::Pragmas::collect(&steps, options.hadolint_only);
        let kept: Vec<Failure> = found
            .into_iter()
            .filter(|f| options.disable_ignore_pragma || !pragmas.ignores(&f.code, f.line))
            .filter_map(|mut f| {
                if let Some((_, severity)) =
                    options.overrides.iter().rev().find(|(c, _)| *c == f.code)
                {
                    f.severity = *severity;
                }
                (!options.ignored.contains(&f.code) && f.severity != Severity::Ignore).then_some(f)
            })
            .collect();
        Report {
            failures: order::hadolint_order(kept),
            parse_error: None,
        }
    }
}

fn prepare<'a>(text: &str, dir: Option<&'a std::path::Path>, options: &Options) -> Prepared<'a> {
    let file = Dockerfile::parse(text);
    // ShellCheck runs twice, as hadolint's last rule does: over the file, then over what
    // ONBUILD wraps (with a state of its own).
    let mut collector = None;
    let mut onbuild = None;
    if let (Ok(file), Some(_)) = (&file, &options.shellcheck) {
        let (c, o) = (
            collector.insert(shellcheck::Scripts::new(file.escape)),
            onbuild.insert(shellcheck::Scripts::new(file.escape)),
        );
        for item in &file.items {
            let step = match item {
                Item::Comment { line, text } => Step::Comment { line: *line, text },
                Item::Instruction(i) => Step::Instruction(i, None),
            };
            c.check(&step);
            if let Step::Instruction(i, _) = step
                && let Some(inner) = rules::onbuild_inner(i)
            {
                o.check(&Step::Instruction(&inner, None));
            }
        }
    }
    let mut scripts = collector.map(|c| c.scripts).unwrap_or_default();
    scripts.extend(onbuild.map(|o| o.scripts).unwrap_or_default());
    Prepared { file, dir, scripts }
}

/// The shell text a RUN runs: its arguments, or the body of a `RUN <<EOF` heredoc.
fn run_script(i: &Instruction) -> String {
    match (&i.args, i.heredocs.first()) {
        (Args::Shell(text), Some(doc)) if text.trim_start().starts_with("<<") => doc.body.clone(),
        (args, _) => args.text(),
    }
}

/// Hostile and pathological files: linting each must end (with findings or a parse error),
/// never spin or exhaust the stack. Each runs on a thread with the 2 MiB stack the CLI's
/// workers have; a watchdog far above any real run turns a hang into a failure.
#[cfg(test)]
mod pathological {
    use super::*;
    use std::fmt::Write as _;

    fn inputs() -> Vec<(&'static str, String)> {
        let mb = 1 << 20;
        let mut many_runs = String::from("FROM debian:12\n");
        for i in 0..20_000 {
            writeln!(many_runs, "RUN apt-get install -y p{i} && pip install q{i}").unwrap();
        }
        let mut continued = String::from("FROM debian:12\nRUN true");
        for i in 0..10_000 {
            write!(continued, " \\\n  && echo {i}").unwrap();
            if i % 100 == 0 {
                continued.push_str(" \\\n# a comment between\n");
            }
        }
        let mut heredocs = String::from("FROM debian:12\nRUN cat");
        for i in 0..2_000 {
            write!(heredocs, " <<E{i}").unwrap();
        }
        heredocs.push('\n');
        for i in 0..2_000 {
            writeln!(heredocs, "line\nE{i}").unwrap();
        }
        vec![
            ("the case/subshell hang", "FROM debian:12\nRUN case \"$a\" in \\\n  *) ( cd /tmp && ls > out ); ;; \\\n  esac\n".into()),
            ("deep subshells", format!("FROM debian:12\nRUN {}ls{}\n", "( ".repeat(200_000), ")".repeat(200_000))),
            ("deep substitutions", format!("FROM debian:12\nRUN echo {}ls{}\n", "$(".repeat(200_000), ")".repeat(200_000))),
            ("deep braces", format!("FROM debian:12\nRUN {}ls{}\n", "{ ".repeat(100_000), "; }".repeat(100_000))),
            ("deep conditions", format!("FROM debian:12\nRUN {}\n", "[[ ( ".repeat(100_000))),
            ("deep case", format!("FROM debian:12\nRUN {}\n", "case x in a) ".repeat(100_000))),
            ("deep arithmetic", format!("FROM debian:12\nRUN (( {} ))\n", "(".repeat(mb))),
            ("deep onbuild", format!("FROM debian:12\n{}RUN ls\n", "ONBUILD ".repeat(100_000))),
            ("a 1 MB RUN line", format!("FROM debian:12\nRUN echo {}\n", "a".repeat(mb))),
            ("a 1 MB line of operators", format!("FROM debian:12\nRUN {}\n", "&|;<>()".repeat(mb / 7))),
            ("a 1 MB LABEL", format!("FROM debian:12\nLABEL a=\"{}\"\n", "b".repeat(mb))),
            ("a 1 MB ENV of pairs", format!("FROM debian:12\nENV {}\n", "a=b ".repeat(mb / 4))),
            ("a 1 MB exec form", format!("FROM debian:12\nCMD [{}\"x\"]\n", "\"a\", ".repeat(mb / 6))),
            ("a 1 MB comment", format!("# {}\nFROM debian:12\n", "c".repeat(mb))),
            ("a 1 MB FROM", format!("FROM {}\n", "d".repeat(mb))),
            ("10,000 continuation lines", continued),
            ("20,000 RUN instructions", many_runs),
            ("2,000 heredocs", heredocs),
            ("an unclosed heredoc", "FROM debian:12\nRUN <<EOF\necho hi\n".into()),
            ("unbalanced double quotes", format!("FROM debian:12\nRUN {}\n", "echo \" ".repeat(100_000))),
            ("unbalanced single quotes", format!("FROM debian:12\nRUN {}\n", "a ' b".repeat(100_000))),
            ("unbalanced parentheses", format!("FROM debian:12\nRUN {}\n", ") (".repeat(100_000))),
            ("unbalanced backticks", format!("FROM debian:12\nRUN {}\n", "echo `a ".repeat(100_000))),
            ("unbalanced exec form", format!("FROM debian:12\nCMD [\"{}\n", "[".repeat(100_000))),
            ("only escapes", format!("FROM debian:12\nRUN {}\n", "\\".repeat(mb))),
            ("only continuations", format!("FROM debian:12\nRUN a{}", " \\\n".repeat(100_000))),
            ("a lone escape directive", format!("# escape=`\nFROM debian:12\nRUN a{}", " `\n".repeat(100_000))),
            ("pragmas on every line", format!("FROM debian:12\n{}", "# hadolint ignore=DL3008,DL3009\nRUN apt-get install x\n".repeat(10_000))),
            ("many stages", "FROM debian:12 AS s\nCOPY --from=s a b\n".repeat(10_000)),
            ("NUL and control bytes", "FROM debian:12\nRUN \0\x01\x02 ( \0 ) case \0 in \0) ;; esac\n".repeat(1_000)),
        ]
    }

    #[test]
    fn every_pathological_file_ends() {
        let inputs = inputs();
        assert!(inputs.len() >= 25);
        for (name, text) in inputs {
            let (done, wait) = std::sync::mpsc::channel();
            std::thread::Builder::new()
                .name(name.into())
                .stack_size(2 << 20)
                .spawn(move || {
                    let report = lint(&text, &Options::default());
                    done.send(report.failures.len()).unwrap();
                })
                .unwrap();
            match wait.recv_timeout(std::time::Duration::from_secs(120)) {
                Ok(_) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{name}: panicked"),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{name}: did not end"),
            }
        }
    }
}
