//! All output goes through the [`Printer`]: results on stdout, progress and messages on
//! stderr, silenced by `--quiet`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Write};

/// Decides what is shown where.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    quiet: bool,
    verbose: bool,
    progress: bool,
}

impl Printer {
    /// A printer for the given flags.
    pub fn new(quiet: bool, verbose: u8, no_progress: bool) -> Self {
        let progress = !quiet
            && verbose == 0
            && !no_progress
            && std::env::var_os(crate::env_vars::BOSUN_NO_PROGRESS).is_none()
            && std::io::stderr().is_terminal();
        Self {
            quiet,
            verbose: verbose > 0,
            progress,
        }
    }

    /// Whether progress bars may be drawn.
    pub fn progress(&self) -> bool {
        self.progress
    }

    /// Whether `-q` was given.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// Whether `-v` was given.
    pub fn verbose(&self) -> bool {
        self.verbose
    }

    /// Writes a line of data to stdout.
    pub fn data(&self, line: &str) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")
    }

    /// Bytes on stdout exactly as given (reports whose format fixes every byte).
    pub fn bytes(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        out.flush()
    }

    /// A status message on stderr (hidden by `--quiet`).
    pub fn status(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// A warning on stderr.
    pub fn warn(&self, line: &str) {
        if !self.quiet {
            eprintln!("warning: {line}");
        }
    }

    /// A `hint:` line on stderr: what the user can do next (hidden by `--quiet`).
    pub fn hint(&self, line: &str) {
        if !self.quiet {
            eprintln!("hint: {line}");
        }
    }

    /// An error on stderr (always shown).
    pub fn error(&self, line: &str) {
        eprintln!("error: {line}");
    }
}
