//! ShellCheck on RUN scripts, as hadolint runs it: each script gets a shebang for the stage's
//! shell (`/bin/sh` unless SHELL says otherwise; PowerShell is skipped) and an `export` for
//! the ARG and ENV names so far (and the proxy variables Docker passes) that can change a
//! finding (see [`could_name`]), checks 2187 and 1090 are off (and 1091: hadolint's
//! ShellCheck never reads sourced files, and never says so), and every severity counts. A
//! stage `FROM` an earlier stage inherits its shell and names. hadolint keeps one finding per
//! RUN, the last one ShellCheck reports (its findings go through a set ordered by line, where
//! later ones replace earlier ones), reported at the RUN's line.
//!
//! ShellCheck also says how far its parser read each script, which hadolint's shell rules
//! depend on (hadolint reads every RUN with that parser): see [`Parse`].
//!
//! ShellCheck's analysis is the cost (about 2.6 ms per script here, 8 ms with a process of
//! its own), so bosun checks each distinct script once, all of them in a few processes.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use bosun_dockerfile::Keyword;
use serde::Deserialize;

use crate::rules::{BaseImage, Context, arg_name, pairs};
use crate::{Failure, Severity, Step};

/// The `shellcheck` program on `PATH`.
pub fn find() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("shellcheck"))
        .find(|p| p.is_file())
}

const PROXY_VARS: &[&str] = &[
    "FTP_PROXY",
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "ftp_proxy",
    "https_proxy",
    "http_proxy",
    "no_proxy",
];

/// How ShellCheck is run; part of the cache key, so a change here is a cache miss.
const ARGS: &[&str] = &[
    "--format=json1",
    "--norc",
    "--severity=style",
    "--exclude=2187,1090,1091",
];

/// A RUN's script as ShellCheck gets it.
#[derive(Debug, Clone)]
pub(crate) struct RunScript {
    /// The RUN's line (an ONBUILD's, for what it wraps).
    pub(crate) line: usize,
    /// The shell text the RUN runs.
    pub(crate) body: String,
    /// What ShellCheck reads: a shebang, exports, the body.
    pub(crate) text: String,
    /// Whether its findings are reported. A probe (`false`) only asks whether ShellCheck's
    /// parser reads the body as hadolint parses every RUN, as bash: for shells ShellCheck
    /// is not run on (PowerShell, cmd) or cannot parse as written.
    pub(crate) lint: bool,
}

/// Builds each RUN's script the way hadolint hands it to ShellCheck.
pub(crate) struct Scripts {
    context: Context,
    shell: String,
    vars: BTreeSet<String>,
    /// The current stage's name, and the (shell, vars) each named stage ended with: a stage
    /// built `FROM` an earlier one starts where that one ended (names match exactly).
    stage: Option<String>,
    stages: HashMap<String, (String, BTreeSet<String>)>,
    /// What ShellCheck gets of each RUN.
    pub(crate) scripts: Vec<RunScript>,
}

impl Scripts {
    pub(crate) fn new(escape: char) -> Self {
        let mut s = Self {
            context: Context {
                escape,
                hadolint_only: true,
            },
            shell: String::new(),
            vars: BTreeSet::new(),
            stage: None,
            stages: HashMap::new(),
            scripts: Vec::new(),
        };
        s.reset();
        s
    }

    fn reset(&mut self) {
        self.shell = "/bin/sh -c".into();
        self.vars = PROXY_VARS.iter().map(|v| v.to_string()).collect();
    }

    pub(crate) fn check(&mut self, step: &Step<'_>) {
        let i = match step {
            Step::Comment { text, .. } => {
                // `# hadolint shell=NAME` sets the shell as written (hadolint puts `#!NAME`,
                // relative or not, on the script).
                if let Some(shell) = crate::pragma::shell(text) {
                    self.shell = shell;
                }
                return;
            }
            Step::Instruction(i, _) => i,
        };
        match i.keyword {
            Keyword::From => {
                if let Some(name) = self.stage.take() {
                    let ended = (self.shell.clone(), self.vars.clone());
                    self.stages.insert(name, ended);
                }
                let base = BaseImage::of(i, &self.context);
                let parent = base.as_ref().and_then(|b| {
                    let plain = b.registry.is_none() && b.tag.is_none() && b.digest.is_none();
                    plain.then(|| self.stages.get(&b.name)).flatten()
                });
                match parent {
                    Some((shell, vars)) => (self.shell, self.vars) = (shell.clone(), vars.clone()),
                    None => self.reset(),
                }
                self.stage = base.and_then(|b| b.alias);
            }
            // hadolint 2.15 puts the shell back to `/bin/sh` whenever it records ARG or ENV
            // names (SHELL and the shell pragma are forgotten); its findings follow that.
            Keyword::Arg => {
                self.shell = "/bin/sh -c".into();
                let name = arg_name(i);
                if !name.is_empty() {
                    self.vars.insert(name);
                }
            }
            Keyword::Env => {
                self.shell = "/bin/sh -c".into();
                let names = pairs(i, &self.context).into_iter().map(|(k, _)| k);
                self.vars.extend(names);
            }
            Keyword::Shell => self.shell = i.args.text(),
            // hadolint leaves exec-form RUN alone.
            Keyword::Run if !matches!(i.args, bosun_dockerfile::Args::Exec(_)) => {
                let body = crate::run_script(i);
                let probe = || RunScript {
                    line: i.line,
                    body: body.clone(),
                    text: format!("#!/bin/bash\n{body}"),
                    lint: false,
                };
                // ShellCheck is not run for shells whose text names PowerShell or cmd.
                if ["pwsh", "powershell", "cmd"]
                    .iter()
                    .any(|s| self.shell.contains(s))
                {
                    self.scripts.push(probe());
                    return;
                }
                let shell = self.shell.split_whitespace().next().unwrap_or("");
                let words = words(&body);
                let mut text = format!("#!{shell}\n");
                for var in &self.vars {
                    if !is_name(var) || words.iter().any(|w| could_name(w, var)) {
                        text.push_str(&format!("export {var}=1\n"));
                    }
                }
                text.push_str(&body);
                let parsed_as_shell = ["sh", "bash", "dash", "ksh"]
                    .contains(&shell.rsplit('/').next().unwrap_or(shell));
                if !parsed_as_shell {
                    self.scripts.push(probe());
                }
                self.scripts.push(RunScript {
                    line: i.line,
                    body,
                    text,
                    lint: true,
                });
            }
            _ => {}
        }
    }
}

/// The words of a script that could name a variable (where it reads or writes one, the name
/// is written out: `$NAME`, `${NAME}`, `(( NAME ))`, `NAME=`).
fn words(body: &str) -> BTreeSet<&str> {
    body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| is_name(w))
        .collect()
}

/// Whether an export of `name` can change what ShellCheck says of a script with `word` in
/// it: `word` is `name`, or close enough that ShellCheck would suggest `name` for it ("did you
/// mean", SC2153 and SC2154: case apart, or one edit, two for names over 7 characters; see
/// `getBestMatch` in ShellCheck's Analytics.hs).
///
/// Each `export` costs ShellCheck about half a millisecond of analysis (a script of one
/// `apt-get` line and hadolint's eight proxy exports takes 11 ms, 6.5 ms without them), and
/// an exported name a script neither writes nor reads nor nearly spells changes no finding:
/// only the names it writes (an assignment to an exported name is no unused variable, SC2034),
/// reads (no SC2154) or misspells (the suggestion) matter.
fn could_name(word: &str, name: &str) -> bool {
    if word == name {
        return true;
    }
    // ShellCheck's `goodMatch`: one edit for names over 3 characters, two over 7.
    let most = match name.len() {
        0..=3 => return false,
        4..=7 => 1,
        _ => 2,
    };
    word.len().abs_diff(name.len()) <= most
        && (word.eq_ignore_ascii_case(name) || strsim::levenshtein(word, name) <= most)
}

/// A shell variable name (anything else is exported as hadolint writes it, and ShellCheck
/// may say so).
fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What ShellCheck made of one script.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// The finding hadolint keeps for it (line to be filled in), if any.
    pub(crate) finding: Option<Failure>,
    /// How far ShellCheck's parser read it. hadolint reads every RUN with that parser, and
    /// its shell rules see only the commands the parser found.
    pub(crate) parse: Parse,
}

/// How far ShellCheck's parser read a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
pub(crate) enum Parse {
    /// To the end.
    Whole,
    /// Up to this byte of the script, where it stopped at text it could not place ("Parsing
    /// stopped here": SC1070, SC1088, SC1089); what came before stands.
    Stopped(usize),
    /// Not at all: it gave up ("Fix any mentioned problems and try again": SC1072).
    Failed,
}

impl Checked {
    fn timed_out(timeout: Duration) -> Self {
        Checked {
            finding: Some(timed_out(timeout)),
            parse: Parse::Whole,
        }
    }
}

/// Script -> what ShellCheck made of it.
pub(crate) type Findings = HashMap<String, Checked>;

#[derive(Deserialize)]
struct Output {
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
struct Comment {
    file: String,
    line: usize,
    column: usize,
    code: u32,
    level: String,
    message: String,
}

/// How far ShellCheck's parser read `text`, from what it said of it.
fn parse_of<'c>(text: &str, comments: impl Iterator<Item = &'c Comment>) -> Parse {
    let mut stop: Option<usize> = None;
    for c in comments {
        match c.code {
            1072 => return Parse::Failed,
            1070 | 1088 | 1089 => {
                let at = byte_at(text, c.line, c.column);
                stop = Some(stop.map_or(at, |s| s.min(at)));
            }
            _ => {}
        }
    }
    stop.map_or(Parse::Whole, Parse::Stopped)
}

/// The byte of `text` at a 1-based line and column (json1 counts a tab as one column).
fn byte_at(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// How long one ShellCheck run may take by default: ShellCheck can take minutes on one
/// generated RUN (10,000 `&&` continuations), and a lint must not stall a CI job on it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The finding a script gets when ShellCheck did not finish on it in time.
fn timed_out(timeout: Duration) -> Failure {
    Failure {
        code: "BL1010".into(),
        severity: Severity::Warning,
        message: format!(
            "ShellCheck did not finish in {} s; shell checks skipped (--shellcheck-timeout)",
            timeout.as_secs_f64()
        ),
        line: 0,
        column: 1,
    }
}

/// Runs ShellCheck over every distinct script, answering from `cache` (a directory of
/// results keyed by the ShellCheck version and the script) what it already knows. A run
/// that takes longer than `timeout` is killed; its scripts are tried one by one, and the one
/// that is still too slow gets a BL1010 finding (not cached: a faster machine may finish).
pub(crate) fn check(
    program: &Path,
    scripts: &[&str],
    cache: Option<&Path>,
    timeout: Duration,
) -> Findings {
    let mut distinct: Vec<&str> = scripts.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.is_empty() {
        return Findings::new();
    }
    let cache = cache.and_then(|dir| Cache::open(dir, program));
    let mut findings = Findings::new();
    let mut todo = Vec::new();
    for script in distinct {
        match cache.as_ref().and_then(|c| c.get(script)) {
            Some(known) => {
                findings.insert(script.to_string(), known);
            }
            None => todo.push(script),
        }
    }
    if todo.is_empty() {
        return findings;
    }
    let chunks = chunks(&todo, cores());
    let fresh: Vec<(String, Checked, bool)> = each(&chunks, |chunk| {
        match check_chunk(program, chunk, timeout) {
            Some(done) => done,
            // One slow script must not cost the others of its chunk their checks.
            None if chunk.len() > 1 => {
                let ones: Vec<Vec<&str>> = chunk.iter().map(|one| vec![*one]).collect();
                each(&ones, |one| {
                    check_chunk(program, one, timeout).unwrap_or_else(|| {
                        vec![(one[0].to_string(), Checked::timed_out(timeout), false)]
                    })
                })
            }
            None => vec![(chunk[0].to_string(), Checked::timed_out(timeout), false)],
        }
    });
    for (script, outcome, checked) in fresh {
        if checked && let Some(c) = &cache {
            c.put(&script, &outcome);
        }
        findings.insert(script, outcome);
    }
    findings
}

/// The cores ShellCheck runs are spread over: `RAYON_NUM_THREADS` as the rest of bosun
/// reads it, else this machine's. Asked without starting a thread pool: a one-file lint (a
/// CI job's) has no other use for one, and its idle workers would spin beside ShellCheck.
fn cores() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `run` over every chunk, as many at a time as there are cores (each mostly waits on its
/// ShellCheck, whose deadline assumes a core of its own), the results in chunk order.
fn each<T: Sync, R: Send>(chunks: &[T], run: impl Fn(&T) -> Vec<R> + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    if let [one] = chunks {
        return run(one);
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores().min(chunks.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(chunk) = chunks.get(i) else {
                            return mine;
                        };
                        mine.push((i, run(chunk)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().flat_map(|(_, r)| r).collect()
}

/// The scripts split into ShellCheck runs. A few (one file, one process: how CI runs lint)
/// go to one run per core, longest first into the least loaded run, so that one long script
/// does not share a core with the rest: analysing them costs far more than ShellCheck's
/// start (7 ms). Many go a few runs per core, so that a run of long scripts does not leave a
/// core idle.
fn chunks<'s>(todo: &[&'s str], cores: usize) -> Vec<Vec<&'s str>> {
    let cores = cores.max(1);
    if todo.len() > 16 * cores {
        let per_process = todo.len().div_ceil(4 * cores).max(16);
        return todo.chunks(per_process).map(<[_]>::to_vec).collect();
    }
    let mut by_length = todo.to_vec();
    by_length.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut runs: Vec<(usize, Vec<&str>)> = vec![(0, Vec::new()); cores.min(todo.len())];
    for script in by_length {
        let lightest = runs
            .iter_mut()
            .min_by_key(|(load, _)| *load)
            .expect("at least one run");
        lightest.0 += script.len();
        lightest.1.push(script);
    }
    runs.into_iter().map(|(_, run)| run).collect()
}

/// Results by sha256 of (ShellCheck binary, script): a file per script, written atomically,
/// so that concurrent runs share it safely. A damaged entry is a miss.
struct Cache {
    dir: PathBuf,
    /// What names the ShellCheck binary in keys.
    version: String,
}

#[derive(serde::Serialize, Deserialize)]
struct Cached {
    finding: Option<CachedFinding>,
    parse: Parse,
}

#[derive(serde::Serialize, Deserialize)]
struct CachedFinding {
    code: String,
    severity: Severity,
    message: String,
}

impl Cache {
    fn open(dir: &Path, program: &Path) -> Option<Cache> {
        // Keyed by the binary (its path, size and mtime) rather than its `--version`: asking
        // costs a ShellCheck start on every run, the cold path of one-file CI jobs.
        let meta = std::fs::metadata(program).ok()?;
        let mtime = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some(Cache {
            dir: dir.to_path_buf(),
            version: format!("{}\0{}\0{mtime}", program.display(), meta.len()),
        })
    }

    fn path(&self, script: &str) -> PathBuf {
        use sha2::Digest as _;
        let mut h = sha2::Sha256::new();
        h.update(self.version.as_bytes());
        h.update([0]);
        h.update(ARGS.join(" ").as_bytes());
        h.update([0]);
        // What an entry holds (v2: how far the script parsed).
        h.update(b"v2\0");
        h.update(script.as_bytes());
        let hex = hex::encode(h.finalize());
        self.dir.join(&hex[..2]).join(format!("{hex}.json"))
    }

    fn get(&self, script: &str) -> Option<Checked> {
        let bytes = std::fs::read(self.path(script)).ok()?;
        let cached: Cached = serde_json::from_slice(&bytes).ok()?;
        Some(Checked {
            finding: cached.finding.map(|c| Failure {
                code: c.code,
                severity: c.severity,
                message: c.message,
                line: 0,
                column: 1,
            }),
            parse: cached.parse,
        })
    }

    fn put(&self, script: &str, outcome: &Checked) {
        let value = Cached {
            finding: outcome.finding.as_ref().map(|f| CachedFinding {
                code: f.code.clone(),
                severity: f.severity,
                message: f.message.clone(),
            }),
            parse: outcome.parse,
        };
        let path = self.path(script);
        if let (Some(parent), Ok(bytes)) = (path.parent(), serde_json::to_vec(&value)) {
            // A cache that cannot be written only makes the next run slower.
            let _ = std::fs::create_dir_all(parent);
            let _ = bosun_fs::write_cache(&path, &bytes);
        }
    }
}

/// (script, outcome, whether ShellCheck really ran on it); `None` when ShellCheck did not
/// finish within `timeout` (it is killed).
fn check_chunk(
    program: &Path,
    chunk: &[&str],
    timeout: Duration,
) -> Option<Vec<(String, Checked, bool)>> {
    let unchecked = || {
        let nothing = Checked {
            finding: None,
            parse: Parse::Whole,
        };
        Some(
            chunk
                .iter()
                .map(|s| (s.to_string(), nothing.clone(), false))
                .collect(),
        )
    };
    let Ok(dir) = tempfile::tempdir() else {
        return unchecked();
    };
    let mut files = Vec::with_capacity(chunk.len());
    for (n, text) in chunk.iter().enumerate() {
        let path = dir.path().join(format!("{n}.sh"));
        if std::fs::write(&path, text).is_err() {
            return unchecked();
        }
        files.push(path.display().to_string());
    }
    let mut command = Command::new(program);
    command.args(ARGS).args(&files);
    let stdout = match run_with_deadline(command, timeout) {
        Ok(Some(stdout)) => stdout,
        Ok(None) => return None,
        Err(_) => return unchecked(),
    };
    let Ok(found) = serde_json::from_slice::<Output>(&stdout) else {
        return unchecked();
    };
    // Each file's comments, in ShellCheck's order, grouped once.
    let mut by_file: HashMap<&str, Vec<&Comment>> = HashMap::new();
    for comment in &found.comments {
        by_file
            .entry(comment.file.as_str())
            .or_default()
            .push(comment);
    }
    chunk
        .iter()
        .zip(&files)
        .map(|(text, file)| {
            let comments = by_file.get(file.as_str()).map_or(&[][..], Vec::as_slice);
            let finding = comments.last().map(|c| Failure {
                code: format!("SC{}", c.code),
                severity: match c.level.as_str() {
                    "warning" => Severity::Warning,
                    "info" => Severity::Info,
                    "style" => Severity::Style,
                    _ => Severity::Error,
                },
                message: c.message.clone(),
                line: 0,
                column: 1,
            });
            let parse = parse_of(text, comments.iter().copied());
            (text.to_string(), Checked { finding, parse }, true)
        })
        .collect::<Vec<_>>()
        .into()
}

/// Runs `command` and returns its standard output, or `None` when it has not finished after
/// `timeout` (it is then killed and reaped). The output is awaited, not polled for: a
/// one-file lint waits on ShellCheck alone, never on a sleep.
fn run_with_deadline(mut command: Command, timeout: Duration) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    // Read while it runs: a full pipe would stop it. The pipe ends when ShellCheck exits.
    let mut pipe = child.stdout.take().expect("piped");
    let (done, output) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = done.send(pipe.read_to_end(&mut out).map(|_| out));
    });
    match output.recv_timeout(timeout) {
        Ok(out) => {
            child.wait()?;
            out.map(Some)
        }
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Scripts;
    use crate::Step;

    /// The scripts hadolint would hand ShellCheck for `text`.
    fn scripts(text: &str) -> Vec<String> {
        let file = bosun_dockerfile::Dockerfile::parse(text).unwrap();
        let mut collector = Scripts::new(file.escape);
        for item in &file.items {
            let step = match item {
                bosun_dockerfile::Item::Comment { line, text } => {
                    Step::Comment { line: *line, text }
                }
                bosun_dockerfile::Item::Instruction(i) => Step::Instruction(i, None),
            };
            collector.check(&step);
        }
        collector
            .scripts
            .into_iter()
            .filter(|s| s.lint)
            .map(|s| s.text)
            .collect()
    }

    /// One long script gets a run of its own; the short ones share the other.
    #[test]
    fn long_scripts_get_a_core_of_their_own() {
        let long = "x".repeat(1000);
        let todo = ["a", long.as_str(), "bb", "ccc"];
        let runs = super::chunks(&todo, 2);
        assert_eq!(runs, [vec![long.as_str()], vec!["ccc", "bb", "a"]]);
        let many: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let runs = super::chunks(&many, 2);
        assert_eq!(runs.iter().map(Vec::len).sum::<usize>(), 100);
        assert!(runs.len() >= 4, "a few runs per core");
    }

    #[test]
    fn shells_and_names_as_hadolint_tracks_them() {
        let found = scripts(
            "FROM a:1 AS base\nSHELL [\"/bin/bash\", \"-c\"]\nRUN one\nARG V=1\nRUN two $V\n\
             FROM base\nRUN three $V\nFROM other:1\n# hadolint shell=zsh\nRUN four $V\nRUN [\"exec\"]\n",
        );
        assert_eq!(found.len(), 4, "exec form is not checked: {found:?}");
        assert!(found[0].starts_with("#!/bin/bash\n"));
        // ARG and ENV put the shell back to /bin/sh (hadolint 2.15 does), and add the name.
        assert!(found[1].starts_with("#!/bin/sh\n") && found[1].contains("export V=1\n"));
        // A stage built on another starts where that one ended.
        assert!(found[2].starts_with("#!/bin/sh\n") && found[2].contains("export V=1\n"));
        // Another image starts over; the pragma names the shell as written.
        assert!(found[3].starts_with("#!zsh\n") && !found[3].contains("export V=1"));
    }

    /// Where ShellCheck's parser gave up or stopped, as its json1 output says.
    #[test]
    fn how_far_the_parser_read() {
        use super::{Comment, Parse, parse_of};
        let comment = |code, line, column| Comment {
            file: "0.sh".into(),
            line,
            column,
            code,
            level: "error".into(),
            message: String::new(),
        };
        let text = "#!/bin/sh\nexport A=1\nfoo\tbar x (a)\n";
        let stop = parse_of(text, [comment(1036, 3, 11), comment(1088, 3, 11)].iter());
        assert_eq!(stop, Parse::Stopped(text.find('(').unwrap()));
        assert_eq!(parse_of(text, [comment(1072, 3, 1)].iter()), Parse::Failed);
        assert_eq!(parse_of(text, [comment(2086, 3, 1)].iter()), Parse::Whole);
        // A position past the end is the end.
        assert_eq!(
            parse_of(text, [comment(1089, 9, 1)].iter()),
            Parse::Stopped(text.len())
        );
    }

    /// A script is given the exports of the names it writes, reads or nearly spells (what
    /// ShellCheck would suggest for a misspelling), and of names ShellCheck may call invalid.
    #[test]
    fn exports_a_script_cannot_see_are_left_out() {
        let found = scripts(
            "FROM a:1\nENV V=1 W=2 bad-name=3\nRUN apt-get update\nRUN V=2 && echo hi\n\
             RUN echo $W\nRUN (( V ))\nRUN echo $HTTP_PROXI $https_prox\nRUN echo $NO_PROXYY\n",
        );
        fn exports(s: &str) -> Vec<&str> {
            s.lines()
                .filter_map(|l| l.strip_prefix("export "))
                .map(|l| l.trim_end_matches("=1"))
                .collect()
        }
        assert_eq!(found[0], "#!/bin/sh\nexport bad-name=1\napt-get update");
        assert_eq!(exports(&found[1]), ["V", "bad-name"]);
        assert_eq!(exports(&found[2]), ["W", "bad-name"]);
        assert_eq!(exports(&found[3]), ["V", "bad-name"]);
        // Within ShellCheck's edits of what the script reads.
        assert_eq!(
            exports(&found[4]),
            [
                "HTTPS_PROXY",
                "HTTP_PROXY",
                "bad-name",
                "http_proxy",
                "https_proxy"
            ]
        );
        assert_eq!(exports(&found[5]), ["NO_PROXY", "bad-name"]);
    }

    #[test]
    fn suggestions_as_shellcheck_makes_them() {
        use super::could_name;
        assert!(could_name("FOO", "FOO"));
        // Names of 3 characters or fewer are never suggested.
        assert!(!could_name("FO", "FOO"));
        assert!(could_name("http_proxi", "http_proxy") && could_name("HTTP_PROXY", "http_proxy"));
        assert!(could_name("MYVALUE", "MY_VALUE"));
        assert!(!could_name("OTHER", "MY_VALUE"));
        assert!(could_name("ABCDEFGHXX", "ABCDEFGH") && !could_name("ABCDEFGX", "ABCD"));
    }
}
