//! `bosun policy check IMAGE|MANIFEST... --policy policy.toml` and `bosun policy init`: the
//! rules are `bosun_policy`'s; this reads the policy, opens each image where its signatures
//! are kept, and prints.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bosun_policy::{Checker, ImageResult, Policy};

use crate::cli::{PolicyArgs, ReportFormat};
use crate::images::open_at;
use crate::{ExitStatus, Printer, settings};

/// `bosun policy init`: the baseline, written out to edit.
pub(crate) fn init(
    output: &Path,
    key: Option<&str>,
    force: bool,
    printer: &Printer,
) -> Result<ExitStatus> {
    if !force && output.exists() {
        bail!("{} exists: pass --force to replace it", output.display());
    }
    bosun_fs::write_atomic(output, bosun_policy::model::baseline_text(key).as_bytes())
        .with_context(|| format!("cannot write {}", output.display()))?;
    printer.status(&format!(
        "wrote {}: bosun's baseline policy; `bosun policy check` reads it from here",
        output.display()
    ));
    Ok(ExitStatus::Success)
}

/// The policy `check` applies and the directory its key files are relative to: the file
/// given, else `policy.toml` here, else the baseline (said on stderr).
fn load(args: &PolicyArgs, printer: &Printer) -> Result<(Policy, PathBuf)> {
    let default = Path::new("policy.toml");
    let file = match &args.policy {
        Some(file) => Some(file.as_path()),
        None => default.exists().then_some(default),
    };
    let Some(file) = file else {
        let policy = Policy::baseline(args.key.as_deref())?;
        printer.status(&format!(
            "no policy file: checking bosun's baseline (digest, non-root, no-shell, no-secrets, kubernetes{}); `bosun policy init` writes it out to edit",
            if args.key.is_some() { ", signed" } else { "" }
        ));
        return Ok((policy, PathBuf::from(".")));
    };
    if args.key.is_some() {
        bail!(
            "--key is for the baseline policy; {} names its own keys",
            file.display()
        );
    }
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the policy {}", file.display()))?;
    Ok((Policy::parse(file, &text)?, bosun_spec::project_dir(file)))
}

pub(crate) fn check(store_dir: &Path, args: &PolicyArgs, printer: &Printer) -> Result<ExitStatus> {
    let (policy, keys_dir) = load(args, printer)?;
    let db = match &policy.vulnerabilities {
        Some(_) => Some(crate::vulndb::resolve(&args.db, &args.registry, printer)?),
        None => None,
    };
    let checker = Checker {
        policy: &policy,
        file: args.policy.as_deref().unwrap_or(Path::new("policy.toml")),
        keys_dir: &keys_dir,
        db: db.as_deref(),
        now: settings::now(),
    };
    let image = |reference: &str| -> Result<ImageResult> {
        // One manifest read serves both the signatures and the contents.
        let place = crate::images::place(store_dir, reference, &args.registry)?;
        let opened = open_at(
            place.as_ref(),
            store_dir,
            reference,
            args.platform.as_ref(),
            &args.registry,
        )?;
        Ok(checker.image(reference, &opened.image, place.as_ref())?)
    };
    let mut results = Vec::new();
    for arg in &args.images {
        match bosun_policy::kubernetes::is_manifest(arg) {
            true => results.extend(
                checker.manifest(Path::new(arg), |r| image(r).map_err(|e| format!("{e:#}")))?,
            ),
            false => results.push(image(arg)?),
        }
    }
    for gap in results.iter().flat_map(|r| &r.gaps) {
        printer.warn(gap);
    }
    match args.format {
        ReportFormat::Json => printer.data(&serde_json::to_string_pretty(&results)?)?,
        ReportFormat::Sarif => printer.data(&serde_json::to_string_pretty(
            &bosun_policy::report::sarif(&results),
        )?)?,
        ReportFormat::Table => {
            for r in &results {
                for rule in &r.rules {
                    printer.data(&format!(
                        "{:<5} {:<16} {}  {}",
                        rule.label(),
                        rule.rule,
                        r.image,
                        rule.reason
                    ))?;
                }
            }
        }
    }
    let rules = || results.iter().flat_map(|r| &r.rules);
    let failed = rules().filter(|r| r.enforced_failure()).count();
    let warned = rules().filter(|r| r.warning()).count();
    printer.status(&format!(
        "{} image(s): {failed} enforced rule(s) failed, {warned} warning(s)",
        results.len()
    ));
    Ok(match failed {
        0 => ExitStatus::Success,
        _ => ExitStatus::Failure,
    })
}
