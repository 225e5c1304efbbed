//! `bosun inspect IMAGE`: sizes, layers, dive-compatible efficiency, findings.

use std::path::Path;

use anyhow::{Context, Result};
use bosun_analyze::ci::{self, Rules};
use bosun_analyze::inspect::{self, Options, Severity};
use bosun_analyze::layer::ScanOptions;
use bosun_analyze::text;

use crate::cli::{FailOn, InspectArgs, InspectFormat, SizeBy};
use crate::images::open_image;
use crate::{ExitStatus, Printer};

pub(crate) fn run(store_dir: &Path, args: &InspectArgs, printer: &Printer) -> Result<ExitStatus> {
    let rules = ci_rules(args)?;
    let waste_threshold = ci::parse_bytes(&args.waste_threshold)
        .map_err(|e| anyhow::anyhow!("--waste-threshold {:?}: {e}", args.waste_threshold))?;
    let platform = args.platform.clone();
    let opened = open_image(store_dir, &args.image, platform.as_ref(), &args.registry)?;
    let image = &opened.image;
    let options = Options {
        scan: ScanOptions {
            secrets: !args.no_secrets,
            verify: args.verify,
            ..ScanOptions::default()
        },
        waste_threshold,
        owners: args.by.is_some(),
        tree: args.format == InspectFormat::Html,
        ..Options::default()
    };
    if args.interactive {
        // Owners for the owner view; the rest as `inspect` computes it.
        let options = Options {
            owners: true,
            ..options
        };
        let (report, scans) = inspect::inspect_with_scans(image, &options)
            .with_context(|| format!("cannot inspect {}", args.image))?;
        if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            anyhow::bail!("inspect -i needs a terminal on stdout");
        }
        bosun_explore::run(&report, &scans).context("the terminal failed")?;
        return Ok(ExitStatus::Success);
    }
    let report = inspect::inspect(image, &options)
        .with_context(|| format!("cannot inspect {}", args.image))?;
    let outcome = ci::evaluate(&rules, &report.dive);
    match args.format {
        InspectFormat::Html => {
            let tree = report
                .tree
                .as_ref()
                .context("the size tree was not built")?;
            printer.data(&bosun_analyze::html::page(&report, tree))?;
        }
        InspectFormat::Json => {
            let mut value = serde_json::to_value(&report)?;
            value["ci"] = serde_json::to_value(&outcome)?;
            value["ci"]["rules"] = serde_json::to_value(&rules)?;
            printer.data(&serde_json::to_string_pretty(&value)?)?;
        }
        InspectFormat::Sarif => printer.data(&serde_json::to_string_pretty(&report.to_sarif())?)?,
        InspectFormat::Table => {
            match args.by {
                Some(by) => printer.data(&text::sizes(&report, size_by(by), args.top))?,
                None => printer.data(&text::summary(&report))?,
            }
            if args.ci {
                printer.data(&ci::report(&report.dive, &outcome))?;
            }
        }
    }
    let failed_findings = args.fail_on.is_some_and(|level| {
        let min = match level {
            FailOn::Info => Severity::Info,
            FailOn::Warning => Severity::Warning,
            FailOn::Error => Severity::Error,
        };
        report.findings.iter().any(|f| f.severity >= min)
    });
    Ok(if (args.ci && !outcome.pass) || failed_findings {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// `.dive-ci` (or `--ci-config`), then flags.
fn ci_rules(args: &InspectArgs) -> Result<Rules> {
    let mut rules = match &args.ci_config {
        Some(path) => Rules::load(path)?,
        None if Path::new(".dive-ci").is_file() => Rules::load(Path::new(".dive-ci"))?,
        None => Rules::default(),
    };
    if let Some(v) = &args.lowest_efficiency {
        rules.lowest_efficiency = v.clone();
    }
    if let Some(v) = &args.highest_wasted_bytes {
        rules.highest_wasted_bytes = v.clone();
    }
    if let Some(v) = &args.highest_user_wasted_percent {
        rules.highest_user_wasted_percent = v.clone();
    }
    Ok(rules)
}

fn size_by(by: SizeBy) -> text::SizeBy {
    match by {
        SizeBy::Owner => text::SizeBy::Owner,
        SizeBy::Dir => text::SizeBy::Dir,
        SizeBy::Layer => text::SizeBy::Layer,
    }
}
