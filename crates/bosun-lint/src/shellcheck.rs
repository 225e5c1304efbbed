//! ShellCheck on RUN scripts, as hadolint runs it: each script gets a shebang for the stage's
//! shell (`/bin/sh` unless SHELL says otherwise; PowerShell is skipped) and an `export` line
//! for every ARG and ENV name so far (and the proxy variables Docker passes), checks 2187 and
//! 1090 are off, and every severity counts. hadolint keeps one finding per RUN, the last one
//! ShellCheck reports (its findings go through a set ordered by line, where later ones
//! replace earlier ones), reported at the RUN's line. bosun runs the `shellcheck` program
//! once per Dockerfile for all its RUNs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use bosun_dockerfile::Keyword;
use serde::Deserialize;

use crate::rules::{Rule, failure, pairs};
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

pub(crate) struct Shellcheck {
    program: PathBuf,
    escape: char,
    shell: String,
    vars: BTreeSet<String>,
    /// (RUN line, script with its shebang and exports).
    scripts: Vec<(usize, String)>,
}

impl Shellcheck {
    pub(crate) fn new(program: &Path, escape: char) -> Self {
        let mut rule = Self {
            program: program.to_path_buf(),
            escape,
            shell: String::new(),
            vars: BTreeSet::new(),
            scripts: Vec::new(),
        };
        rule.reset();
        rule
    }

    fn reset(&mut self) {
        self.shell = "/bin/sh -c".into();
        self.vars = PROXY_VARS.iter().map(|v| v.to_string()).collect();
    }
}

#[derive(Deserialize)]
struct Output {
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
struct Comment {
    file: String,
    code: u32,
    level: String,
    message: String,
}

impl Rule for Shellcheck {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        let context = crate::rules::Context {
            escape: self.escape,
            hadolint_only: true,
        };
        match i.keyword {
            Keyword::From => self.reset(),
            Keyword::Arg => {
                let text = i.args.text();
                let name = text.split('=').next().unwrap_or("").trim();
                if !name.is_empty() {
                    self.vars.insert(name.to_string());
                }
            }
            Keyword::Env => self
                .vars
                .extend(pairs(i, &context).into_iter().map(|(k, _)| k)),
            Keyword::Shell => self.shell = i.args.text(),
            Keyword::Run if script.is_some() && !self.shell.starts_with("pwsh") => {
                let shell = self.shell.split_whitespace().next().unwrap_or("");
                let mut text = format!("#!{shell}\n");
                for var in &self.vars {
                    text.push_str(&format!("export {var}=1\n"));
                }
                text.push_str(&crate::run_script(i));
                self.scripts.push((i.line, text));
            }
            _ => {}
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        if self.scripts.is_empty() {
            return;
        }
        let Ok(dir) = tempfile::tempdir() else { return };
        let mut files = Vec::new();
        for (n, (_, text)) in self.scripts.iter().enumerate() {
            let path = dir.path().join(format!("{n}.sh"));
            if std::fs::write(&path, text).is_err() {
                return;
            }
            files.push(path);
        }
        let Ok(run) = Command::new(&self.program)
            .args([
                "--format=json1",
                "--norc",
                "--severity=style",
                "--exclude=2187,1090",
            ])
            .args(&files)
            .output()
        else {
            return;
        };
        let Ok(found) = serde_json::from_slice::<Output>(&run.stdout) else {
            return;
        };
        for (n, (line, _)) in self.scripts.iter().enumerate() {
            let file = files[n].display().to_string();
            let Some(last) = found.comments.iter().rev().find(|c| c.file == file) else {
                continue;
            };
            let severity = match last.level.as_str() {
                "warning" => Severity::Warning,
                "info" => Severity::Info,
                "style" => Severity::Style,
                _ => Severity::Error,
            };
            out.push(failure(
                &format!("SC{}", last.code),
                severity,
                &last.message,
                *line,
            ));
        }
    }
}
