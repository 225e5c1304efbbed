//! `bosun lint`: hadolint's command line over bosun's linter. Files are linted in parallel
//! and reported in argument order.

use std::io::Read as _;
use std::path::Path;

use anyhow::{Context as _, Result};
use bosun_lint::config::{self, Env};
use bosun_lint::format::{self, FileReport, HADOLINT, Tool};
use bosun_lint::{Report, Severity};

use crate::cli::LintArgs;
use crate::{ExitStatus, Printer};

/// bosun's own name in reports, outside `--hadolint-only`.
const BOSUN: Tool<'static> = Tool {
    name: "bosun",
    version: env!("CARGO_PKG_VERSION"),
    full_name: "bosun lint",
    description: "Dockerfile linter, hadolint-compatible",
    uri: "",
};

pub(crate) fn run(store_dir: &Path, args: &LintArgs, printer: &Printer) -> Result<ExitStatus> {
    let get = |name: &str| std::env::var(name).ok();
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => config::discover(&std::env::current_dir()?, &get),
    };
    let file = match &path {
        Some(path) => config::load(path)?,
        None => config::File::default(),
    };
    if let Some(path) = &path {
        for key in file.unknown.keys() {
            printer.warn(&format!(
                "{}: unknown key `{key}` ignored (as hadolint ignores it)",
                path.display()
            ));
        }
    }
    let env = Env::read(&get);
    let flags = config::Flags {
        format: args.format.clone(),
        failure_threshold: args.failure_threshold.clone(),
        no_fail: args.no_fail,
        no_color: args.no_color || std::env::var_os("NO_COLOR").is_some(),
        overrides: [
            (&args.style, Severity::Style),
            (&args.info, Severity::Info),
            (&args.warning, Severity::Warning),
            (&args.error, Severity::Error),
        ]
        .into_iter()
        .flat_map(|(codes, severity)| codes.iter().map(move |c| (c.clone(), severity)))
        .collect(),
        ignore: args.ignore.clone(),
        trusted_registries: args.trusted_registry.clone(),
        disable_ignore_pragma: args.disable_ignore_pragma,
        strict_labels: args.strict_labels,
        require_labels: args.require_label.clone(),
    };
    let config::Settings {
        format,
        threshold,
        no_fail,
        no_color,
        mut options,
    } = config::settings(&flags, &env, &file)?;
    options.hadolint_only = args.hadolint_only;
    if !(args.shellcheck_timeout.is_finite() && args.shellcheck_timeout > 0.0) {
        anyhow::bail!(
            "--shellcheck-timeout {}: give a number of seconds above 0",
            args.shellcheck_timeout
        );
    }
    options.shellcheck_timeout = Some(std::time::Duration::from_secs_f64(args.shellcheck_timeout));
    options.shellcheck = bosun_lint::shellcheck::find();
    options.cache_dir = Some(crate::settings::cache_dir().join("shellcheck"));
    if !args.hadolint_only {
        options.pins = store_pins(store_dir);
    }
    if options.shellcheck.is_none() {
        printer.warn("shellcheck is not installed: the SC rules are skipped");
    }

    let mut stdin = None;
    if args.files.iter().any(|f| f == "-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read the Dockerfile from standard input")?;
        stdin = Some(String::from_utf8_lossy(&bytes).into_owned());
    }
    let texts: Vec<String> = args
        .files
        .iter()
        .map(|name| -> Result<String> {
            match (name.as_str(), &stdin) {
                ("-", Some(text)) => Ok(text.clone()),
                // Bytes that are not UTF-8 are linted as U+FFFD, as hadolint does.
                _ => std::fs::read(name)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .with_context(|| format!("cannot read {name}")),
            }
        })
        .collect::<Result<_>>()?;
    let dirs: Vec<Option<&Path>> = args
        .files
        .iter()
        .map(|name| match Path::new(name).parent() {
            _ if name == "-" => None,
            Some(p) if !p.as_os_str().is_empty() => Some(p),
            _ => Some(Path::new(".")),
        })
        .collect();
    let sources: Vec<(&str, Option<&Path>)> = texts.iter().map(String::as_str).zip(dirs).collect();
    let reports: Vec<Report> = bosun_lint::lint_many(&sources, &options);

    let report_name = args.file_path_in_report.as_deref();
    let files: Vec<FileReport<'_>> = args
        .files
        .iter()
        .zip(&reports)
        .map(|(name, report)| FileReport {
            name,
            report_name: report_name.unwrap_or(name),
            report,
        })
        .collect();
    let tool = if args.hadolint_only { HADOLINT } else { BOSUN };
    let now = jiff::Timestamp::now().as_second();
    let bytes = format::render(format, &files, !no_color, tool, now);
    match &args.output {
        Some(path) => write_report(path, &bytes)?,
        None => printer.bytes(&bytes)?,
    }

    let failed = reports
        .iter()
        .flat_map(|r| &r.failures)
        .any(|f| f.severity <= threshold);
    Ok(if failed && !no_fail && format.can_fail() {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn write_report(path: &Path, bytes: &[u8]) -> Result<()> {
    bosun_fs::write_atomic(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// What the local store holds, name -> digest, for BL1004 to print pinned references. A
/// store that cannot be read only means no pinned references are offered.
fn store_pins(store_dir: &Path) -> std::collections::BTreeMap<String, String> {
    bosun_oci::Store::open_existing(store_dir)
        .and_then(|store| store.map_or_else(|| Ok(Vec::new()), |s| s.list()))
        .map(|images| {
            images
                .into_iter()
                .map(|i| (i.name, i.descriptor.digest.to_string()))
                .collect()
        })
        .unwrap_or_default()
}
