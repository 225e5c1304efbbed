//! `bosun inspect IMAGE`: sizes, layers, dive-compatible efficiency, findings.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use bosun_analyze::ci::{self, Rules};
use bosun_analyze::inspect::{self, Options, Report, Severity};
use bosun_analyze::layer::ScanOptions;
use bosun_analyze::owners::{Owner, OwnerKind};

use crate::cli::{FailOn, InspectArgs, InspectFormat, SizeBy};
use bosun_analyze::human;

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
                Some(by) => printer.data(&size_table(&report, by, args.top))?,
                None => printer.data(&table(&report))?,
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

fn table(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Image      {}", r.reference);
    if let Some(d) = &r.digest {
        let _ = writeln!(s, "Digest     {d}");
    }
    if let Some(d) = &r.index_digest {
        let _ = writeln!(s, "Index      {d} ({})", r.platforms.join(", "));
    }
    let _ = writeln!(s, "Config     {}", r.config_digest);
    let _ = writeln!(s, "Platform   {}", r.platform);
    if let Some(c) = &r.created {
        let _ = writeln!(s, "Created    {c}");
    }
    let _ = writeln!(
        s,
        "Size       {} uncompressed, {} compressed, {} layers",
        human(r.uncompressed_size),
        human(r.compressed_size),
        r.layer_count
    );
    for (k, v) in &r.base {
        let _ = writeln!(s, "Base       {k}={v}");
    }
    let unverified = r.layers.iter().filter(|l| !l.verified).count();
    if unverified > 0 {
        let _ = writeln!(
            s,
            "Verified   {} of {} layers against their diff ids (plain tars are not hashed without --verify)",
            r.layers.len() - unverified,
            r.layers.len()
        );
    }
    let c = &r.config;
    let _ = writeln!(s, "\nConfig");
    let field = |s: &mut String, name: &str, value: String| {
        if !value.is_empty() {
            let _ = writeln!(s, "  {name:<12}{value}");
        }
    };
    field(
        &mut s,
        "User",
        if c.user.is_empty() {
            "(root)".into()
        } else {
            c.user.clone()
        },
    );
    field(&mut s, "Entrypoint", json_list(&c.entrypoint));
    field(&mut s, "Cmd", json_list(&c.cmd));
    field(&mut s, "Workdir", c.workdir.clone());
    for e in &c.env {
        field(&mut s, "Env", e.clone());
    }
    field(&mut s, "Ports", c.exposed_ports.join(" "));
    field(&mut s, "Volumes", c.volumes.join(" "));
    if let Some(h) = &c.healthcheck {
        field(&mut s, "Healthcheck", json_list(h));
    }
    for (k, v) in &c.labels {
        field(&mut s, "Label", format!("{k}={v}"));
    }
    let _ = writeln!(s, "\nLayers");
    let _ = writeln!(
        s,
        "  {:>3}  {:>10}  {:>10}  {:>7} {:>7} {:>7}  CREATED BY",
        "#", "SIZE", "COMPRESSED", "ADDED", "CHANGED", "REMOVED"
    );
    for l in &r.layers {
        let by = l.created_by.as_deref().unwrap_or("").replace('\n', " ");
        let by: String = by.chars().take(70).collect();
        let _ = writeln!(
            s,
            "  {:>3}  {:>10}  {:>10}  {:>7} {:>7} {:>7}  {by}",
            l.index,
            human(l.content_size),
            human(l.compressed_size),
            l.changes.added,
            l.changes.modified,
            l.changes.removed
        );
        for b in l.biggest.iter().take(3) {
            let _ = writeln!(s, "  {:>3}  {:>10}  {}", "", human(b.size), b.path);
        }
    }
    let d = &r.dive;
    let _ = writeln!(s, "\nEfficiency");
    let _ = writeln!(
        s,
        "  dive:      efficiency {:.4} %, wasted {} bytes, user wasted {:.4} %",
        d.efficiency * 100.0,
        d.wasted_bytes,
        d.user_wasted_percent * 100.0
    );
    let k = &r.corrected;
    let _ = writeln!(
        s,
        "  corrected: {} of {} stored file bytes are visible ({:.4} %); {} hidden by later layers",
        human(k.visible_bytes),
        human(k.stored_bytes),
        k.efficiency * 100.0,
        human(k.hidden_bytes)
    );
    let _ = writeln!(s, "\nFindings");
    if r.findings.is_empty() {
        let _ = writeln!(s, "  none");
    }
    for f in &r.findings {
        let severity = f.severity.as_str();
        let at = f.place().map(|p| format!(" [{p}]")).unwrap_or_default();
        let _ = writeln!(s, "  {} {severity:<7} {}{at}", f.code, f.message);
    }
    s.pop();
    s
}

/// What takes the space, `--by` owner, directory or layer.
fn size_table(r: &Report, by: SizeBy, top: usize) -> String {
    let mut s = String::new();
    let (Some(o), Some(dirs)) = (&r.owners, &r.directories) else {
        return s;
    };
    let _ = writeln!(
        s,
        "{} in files: {} owned by {} packages, {} unowned; {} more stored but hidden by later layers",
        human(o.total_bytes),
        human(o.owned_bytes),
        o.packages.len(),
        human(o.unowned_bytes),
        human(o.hidden_bytes)
    );
    let kind = |k: OwnerKind| match k {
        OwnerKind::Deb => "deb",
        OwnerKind::Python => "python",
        OwnerKind::Npm => "npm",
        OwnerKind::Step => "step",
        OwnerKind::Unowned => "-",
    };
    let leaf = |p: &Owner| match &p.required_by {
        None => String::new(),
        Some(r) if r.is_empty() => "yes".into(),
        Some(r) => format!("no ({})", r.len()),
    };
    match by {
        SizeBy::Owner => {
            let _ = writeln!(
                s,
                "\n{:<7} {:<32} {:<24} {:>6} {:>10} {:>5}  LEAF",
                "KIND", "PACKAGE", "VERSION", "FILES", "SIZE", "LAYER"
            );
            for p in o.packages.iter().take(top) {
                let _ = writeln!(
                    s,
                    "{:<7} {:<32} {:<24} {:>6} {:>10} {:>5}  {}",
                    kind(p.kind),
                    p.name,
                    p.version.as_deref().unwrap_or(""),
                    p.files,
                    human(p.bytes),
                    p.layer.map(|l| l.to_string()).unwrap_or_default(),
                    leaf(p)
                );
            }
            let _ = writeln!(
                s,
                "\n{:<57} {:>6} {:>10} {:>5}",
                "UNOWNED", "FILES", "SIZE", "LAYER"
            );
            for d in o.unowned.iter().take(top) {
                let _ = writeln!(
                    s,
                    "{:<57} {:>6} {:>10} {:>5}",
                    d.name,
                    d.files,
                    human(d.bytes),
                    d.layer.map(|l| l.to_string()).unwrap_or_default()
                );
            }
            if !o.hidden.is_empty() {
                let _ = writeln!(s, "\n{:<57} {:>10}  LAYER  HIDDEN BY", "HIDDEN", "SIZE");
                for h in o.hidden.iter().take(top) {
                    let _ = writeln!(
                        s,
                        "{:<57} {:>10}  {:>5}  {}",
                        h.path,
                        human(h.bytes),
                        h.layer,
                        h.hidden_by
                    );
                }
            }
        }
        SizeBy::Dir => {
            let _ = writeln!(s, "\n{:<57} {:>6} {:>10}", "DIRECTORY", "FILES", "SIZE");
            for d in dirs.iter().take(top) {
                let _ = writeln!(s, "{:<57} {:>6} {:>10}", d.path, d.files, human(d.bytes));
            }
        }
        SizeBy::Layer => {
            for l in &r.layers {
                let by = l.created_by.as_deref().unwrap_or("").replace('\n', " ");
                let by: String = by.chars().take(70).collect();
                let _ = writeln!(s, "\nlayer {}  {}  {by}", l.index, human(l.content_size));
                let mut here: Vec<(&Owner, u64)> = o
                    .packages
                    .iter()
                    .chain(&o.unowned)
                    .filter_map(|p| p.layers.get(&l.index).map(|&b| (p, b)))
                    .collect();
                here.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
                for (p, bytes) in here.iter().take(top) {
                    let _ = writeln!(
                        s,
                        "  {:<7} {:<47} {:>10}",
                        kind(p.kind),
                        p.name,
                        human(*bytes)
                    );
                }
            }
        }
    }
    s.pop();
    s
}

fn json_list(items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        serde_json::to_string(items).unwrap_or_default()
    }
}
