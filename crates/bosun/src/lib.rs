//! The `bosun` command line: argument parsing, settings, progress and rendering. All the work
//! happens in the library crates.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod commands;
pub mod env_vars;
mod images;
mod keys;
mod locking;
mod printer;
mod reporters;
mod settings;
mod specs;
mod vulndb;

use std::process::ExitCode;

use clap::Parser;

pub use printer::Printer;

/// What a command tells `main` to exit with, besides errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything fine.
    Success,
    /// A check found something (stale lockfile, differences, findings).
    Failure,
}

/// An error that is the user's input, not bosun's failure (exit code 2 either way; kept apart
/// so messages can add a hint).
pub fn main() -> ExitCode {
    // A build step's sandbox helper: before anything starts a thread (see bosun-sandbox).
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(bosun_sandbox::HELPER) {
        bosun_sandbox::helper_main(&args[2..]);
    }
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let printer = Printer::new(cli.global.quiet, cli.global.verbose, cli.global.no_progress);
    init_tracing(cli.global.verbose);
    match commands::run(cli, &printer) {
        Ok(ExitStatus::Success) => ExitCode::SUCCESS,
        Ok(ExitStatus::Failure) => ExitCode::from(1),
        Err(err) => {
            // A closed pipe on stdout (`bosun images | head`) is not a failure.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            printer.error(&format!("{err:#}"));
            ExitCode::from(2)
        }
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .try_init();
}
