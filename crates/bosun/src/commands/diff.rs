//! `bosun diff A B`: config, layers, files and packages that differ; exit 1 when any do.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use bosun_analyze::diff::{self, DiffReport, FieldChange, FileState, Options};
use bosun_analyze::layer::Kind;

use crate::cli::{DiffArgs, Format};
use bosun_analyze::human;

use crate::images::open_image;
use crate::{ExitStatus, Printer};

pub(crate) fn run(store_dir: &Path, args: &DiffArgs, printer: &Printer) -> Result<ExitStatus> {
    let platform = args.platform.clone();
    let a = open_image(store_dir, &args.a, platform.as_ref(), &args.registry)?;
    let b = open_image(store_dir, &args.b, platform.as_ref(), &args.registry)?;
    let options = Options {
        times: args.times,
        skip_files: args.no_files,
        owners: args.by.is_some(),
    };
    let report = diff::diff(&a.image, &b.image, &options)
        .with_context(|| format!("cannot compare {} with {}", args.a, args.b))?;
    match args.format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&report)?)?,
        Format::Table => printer.data(&table(&report))?,
    }
    Ok(if report.identical {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

fn table(r: &DiffReport) -> String {
    let mut s = String::new();
    for (tag, side) in [("A", &r.a), ("B", &r.b)] {
        let digest = side.digest.as_deref().unwrap_or(&side.config_digest);
        let _ = writeln!(s, "{tag}  {}  {digest}  {}", side.reference, side.platform);
    }
    if r.identical {
        let _ = write!(s, "\nidentical");
        return s;
    }
    section(&mut s, "Manifest", &r.manifest);
    section(&mut s, "Config", &r.config);

    let l = &r.layers;
    let _ = writeln!(
        s,
        "\nLayers  {} shared ({} from the base up), {} only in A, {} only in B",
        l.shared.len(),
        l.common_base,
        l.only_a.len(),
        l.only_b.len()
    );
    for (sign, layers) in [("-", &l.only_a), ("+", &l.only_b)] {
        for layer in layers {
            let index = layer.index_a.or(layer.index_b).unwrap_or(0);
            let by: String = layer
                .created_by
                .as_deref()
                .unwrap_or("")
                .replace('\n', " ")
                .chars()
                .take(60)
                .collect();
            let _ = writeln!(
                s,
                "  {sign} {index:>3}  {}  {:>9}  {by}",
                short(&layer.diff_id),
                human(layer.size)
            );
        }
    }

    if let Some(f) = &r.files {
        let _ = writeln!(
            s,
            "\nFiles  {} added, {} removed, {} changed",
            f.added.len(),
            f.removed.len(),
            f.changed.len()
        );
        for (sign, files) in [("+", &f.added), ("-", &f.removed)] {
            for file in files {
                let _ = writeln!(s, "  {sign} {}  {}", file.path, describe(&file.state));
            }
        }
        for c in &f.changed {
            let details: Vec<String> = c.what.iter().map(|w| change(w, &c.a, &c.b)).collect();
            let _ = writeln!(s, "  ~ {}  {}", c.path, details.join(", "));
        }
    }
    if let Some(p) = &r.packages {
        let _ = writeln!(
            s,
            "\nPackages  {} added, {} removed, {} changed",
            p.added.len(),
            p.removed.len(),
            p.changed.len()
        );
        for (sign, packages) in [("+", &p.added), ("-", &p.removed)] {
            for pkg in packages {
                let _ = writeln!(
                    s,
                    "  {sign} {}:{} {}",
                    pkg.name, pkg.architecture, pkg.version
                );
            }
        }
        for c in &p.changed {
            let _ = writeln!(
                s,
                "  ~ {}:{} {} -> {} ({})",
                c.name, c.architecture, c.a, c.b, c.direction
            );
        }
    }
    if let Some(owners) = &r.owners {
        let grew: i64 = owners.iter().map(|o| o.delta).sum();
        let _ = writeln!(
            s,
            "\nSize by owner  {}{} in files",
            if grew < 0 { "-" } else { "+" },
            human(grew.unsigned_abs())
        );
        for o in owners {
            let size = |b: Option<u64>| b.map(human).unwrap_or_else(|| "-".into());
            let version = match (&o.a_version, &o.b_version) {
                (Some(x), Some(y)) if x != y => format!("  {x} -> {y}"),
                (None, Some(y)) => format!("  {y} (new)"),
                (Some(x), None) => format!("  {x} (gone)"),
                _ => String::new(),
            };
            let _ = writeln!(
                s,
                "  {}{:>10}  {:<40} {:>10} -> {:<10}{version}",
                if o.delta < 0 { "-" } else { "+" },
                human(o.delta.unsigned_abs()),
                o.name,
                size(o.a_bytes),
                size(o.b_bytes),
            );
        }
    }
    for note in &r.notes {
        let _ = writeln!(s, "\nnote: {note}");
    }
    s.pop();
    s
}

fn section(s: &mut String, title: &str, changes: &[FieldChange]) {
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{title}");
    // Long values (build steps, whole history entries) are cut here; JSON has them whole.
    let show = |v: &Option<serde_json::Value>| match v {
        None => "(absent)".to_string(),
        Some(v) => {
            let text = v.to_string();
            match text.char_indices().nth(100) {
                Some((at, _)) => format!("{}…", &text[..at]),
                None => text,
            }
        }
    };
    for c in changes {
        let _ = writeln!(s, "  {}: {} -> {}", c.field, show(&c.a), show(&c.b));
    }
}

fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::File => "file",
        Kind::Dir => "dir",
        Kind::Symlink => "symlink",
        Kind::Hardlink => "hard link",
        Kind::Special => "special",
    }
}

fn describe(f: &FileState) -> String {
    match (&f.link, f.kind) {
        (Some(link), _) => format!("{} -> {link}", kind_name(f.kind)),
        (None, Kind::File) => format!("file, {}", human(f.size)),
        (None, kind) => kind_name(kind).to_string(),
    }
}

fn change(what: &str, a: &FileState, b: &FileState) -> String {
    match what {
        "kind" => format!("{} -> {}", kind_name(a.kind), kind_name(b.kind)),
        "size" => format!("size {} -> {}", a.size, b.size),
        "mode" => format!("mode {} -> {}", a.mode, b.mode),
        "owner" => format!("owner {}:{} -> {}:{}", a.uid, a.gid, b.uid, b.gid),
        "link" => format!(
            "link {} -> {}",
            a.link.as_deref().unwrap_or("(none)"),
            b.link.as_deref().unwrap_or("(none)")
        ),
        "mtime" => format!("mtime {} -> {}", a.mtime, b.mtime),
        other => other.to_string(),
    }
}
