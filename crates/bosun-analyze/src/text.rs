//! Reports as text tables, the way `bosun inspect` prints them.

use std::fmt::Write as _;

use crate::diff::{DiffReport, FieldChange, FileState};
use crate::human;
use crate::inspect::Report;
use crate::layer::Kind;
use crate::owners::{Owner, OwnerKind};

/// What `sizes` groups bytes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeBy {
    /// Debian packages, Python distributions, npm packages, and unowned files by directory.
    Owner,
    /// Directories, down to three levels.
    Dir,
    /// Each layer, and the packages in it.
    Layer,
}

/// The report as `inspect` prints it: the image, its size and efficiency, layers, findings.
pub fn summary(r: &Report) -> String {
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

/// What takes the space, by owner, directory or layer (the `top` biggest of each list).
pub fn sizes(r: &Report, by: SizeBy, top: usize) -> String {
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

/// A diff as `bosun diff` prints it: both sides, the manifest and config changes, layers,
/// files, packages and sizes by owner.
pub fn diff(r: &DiffReport) -> String {
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
