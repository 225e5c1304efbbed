//! `bosun inspect`: one report on an image: summary, layers, efficiency, findings.

use std::collections::BTreeMap;

use bosun_oci::source::Image;
use rayon::prelude::*;
use serde::Serialize;

use crate::Error;
use crate::efficiency::{self, Corrected, DiveFigures};
use crate::layer::{self, Entry, Kind, LayerScan, ScanOptions};
use crate::owners::{self, Node, Owners};
use crate::secrets;
use crate::view::{Changes, View};

/// How to inspect.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// What the layer pass does with contents.
    pub scan: ScanOptions,
    /// Files at least this big that a later layer hides are reported.
    pub waste_threshold: u64,
    /// How many of each layer's biggest entries to list.
    pub biggest: usize,
    /// Attribute the bytes to packages and directories ([`Report::owners`]).
    pub owners: bool,
    /// Also build the size tree for the treemap ([`Report::tree`]; implies `owners`).
    pub tree: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            scan: ScanOptions::default(),
            waste_threshold: 1 << 20,
            biggest: 5,
            owners: false,
            tree: false,
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Should be fixed.
    Warning,
    /// Must be fixed: a secret, for instance.
    Error,
}

impl Severity {
    /// The lowercase name reports print: `error`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }

    /// SARIF's level name.
    pub fn sarif_level(self) -> &'static str {
        match self {
            Self::Info => "note",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// Codes, titles and severities of every finding inspect reports.
pub const CODES: &[(&str, Severity, &str)] = &[
    ("BI001", Severity::Error, "secret in a file"),
    ("BI002", Severity::Error, "credential file"),
    ("BI003", Severity::Error, "secret in the image config"),
    ("BI010", Severity::Warning, "runs as root"),
    ("BI011", Severity::Info, "no healthcheck"),
    ("BI012", Severity::Info, "no init as PID 1"),
    ("BI020", Severity::Warning, "setuid or setgid file"),
    (
        "BI021",
        Severity::Warning,
        "world-writable path outside /tmp",
    ),
    (
        "BI030",
        Severity::Warning,
        "package manager cache left in the image",
    ),
    ("BI031", Severity::Info, "shell present"),
    ("BI032", Severity::Info, "package manager present"),
    (
        "BI040",
        Severity::Warning,
        "large file hidden by a later layer",
    ),
];

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `BI001`...
    pub code: &'static str,
    /// How bad.
    pub severity: Severity,
    /// The code's title.
    pub title: &'static str,
    /// What exactly, for people (secrets masked).
    pub message: String,
    /// The layer (0 = base), when it is about a layer's content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// The path, `/`-rooted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The config field (`config.User`, `config.Env[2]`, `history[3]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The rule that matched, for secrets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
}

impl Finding {
    /// Where it is, for people: `layer 2`, or the config field.
    pub fn place(&self) -> Option<String> {
        match (self.layer, &self.field) {
            (Some(l), _) => Some(format!("layer {l}")),
            (None, Some(field)) => Some(field.clone()),
            _ => None,
        }
    }
}

fn finding(code: &'static str, message: String) -> Finding {
    let (_, severity, title) = CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .copied()
        .expect("known code");
    Finding {
        code,
        severity,
        title,
        message,
        layer: None,
        path: None,
        field: None,
        rule: None,
    }
}

/// The image's run config, secrets masked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfigSummary {
    /// User (empty: root).
    pub user: String,
    /// Entrypoint.
    pub entrypoint: Vec<String>,
    /// Cmd.
    pub cmd: Vec<String>,
    /// `KEY=value`, secret-looking values masked.
    pub env: Vec<String>,
    /// Working directory.
    pub workdir: String,
    /// Exposed ports.
    pub exposed_ports: Vec<String>,
    /// Volumes.
    pub volumes: Vec<String>,
    /// Healthcheck test, if any.
    pub healthcheck: Option<Vec<String>>,
    /// Labels, secret-looking values masked.
    pub labels: BTreeMap<String, String>,
    /// Stop signal.
    pub stop_signal: Option<String>,
}

/// A big entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Big {
    /// `/`-rooted path.
    pub path: String,
    /// Bytes.
    pub size: u64,
}

/// One layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerSummary {
    /// 0 = base.
    pub index: usize,
    /// Blob digest, when the source records one.
    pub digest: Option<String>,
    /// Uncompressed digest.
    pub diff_id: String,
    /// Media type.
    pub media_type: String,
    /// Blob bytes.
    pub compressed_size: u64,
    /// Tar bytes.
    pub uncompressed_size: u64,
    /// Whether the tar was checked against the diff id.
    pub verified: bool,
    /// Sum of entry sizes (dive's layer size).
    pub content_size: u64,
    /// Entries in the tar.
    pub entries: usize,
    /// The history step that made it.
    pub created_by: Option<String>,
    /// Against the layers below.
    pub changes: Changes,
    /// The biggest files.
    pub biggest: Vec<Big>,
}

/// Everything inspect says about an image.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// As given.
    pub reference: String,
    /// Manifest digest (none for Docker archives).
    pub digest: Option<String>,
    /// Config digest (Docker's image id).
    pub config_digest: String,
    /// Index digest, when the image came from one.
    pub index_digest: Option<String>,
    /// `os/arch[/variant]`.
    pub platform: String,
    /// All platforms of the index.
    pub platforms: Vec<String>,
    /// Config `created`.
    pub created: Option<String>,
    /// Sum of blob sizes.
    pub compressed_size: u64,
    /// Sum of tar sizes.
    pub uncompressed_size: u64,
    /// Layers.
    pub layer_count: usize,
    /// `org.opencontainers.image.base.*` annotations and labels.
    pub base: BTreeMap<String, String>,
    /// Run config.
    pub config: ConfigSummary,
    /// Per layer.
    pub layers: Vec<LayerSummary>,
    /// dive's figures, to the byte.
    pub dive: DiveFigures,
    /// bosun's corrected figures.
    pub corrected: Corrected,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Bytes by package and by unowned directory (when asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owners: Option<Owners>,
    /// Bytes under each directory down to three levels, biggest first (with `owners`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directories: Option<Vec<DirSize>>,
    /// The size tree of the visible files, for the treemap (with `owners`).
    #[serde(skip)]
    pub tree: Option<Node>,
}

/// The visible files under one directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirSize {
    /// `/usr/lib`.
    pub path: String,
    /// Regular files below it.
    pub files: u64,
    /// Their bytes.
    pub bytes: u64,
}

/// Reads every layer once (in parallel) and builds the report.
pub fn inspect(image: &Image, options: &Options) -> Result<Report, Error> {
    inspect_with_scans(image, options).map(|(report, _)| report)
}

/// [`inspect`], and each layer's scan (its entries), for a caller that shows the filesystem
/// itself (the explorer).
pub fn inspect_with_scans(
    image: &Image,
    options: &Options,
) -> Result<(Report, Vec<LayerScan>), Error> {
    let mut scan = options.scan;
    let with_owners = options.owners || options.tree;
    if with_owners {
        scan.capture = Some(owners::owner_file);
    }
    let scans: Vec<LayerScan> = (0..image.layers.len())
        .into_par_iter()
        .map(|i| layer::scan(image, i, scan))
        .collect::<Result<_, _>>()?;
    let mut report = report(image, &scans, options);
    if with_owners {
        let entries: Vec<&[Entry]> = scans.iter().map(|s| s.entries.as_slice()).collect();
        let captured: Vec<&[(String, Vec<u8>)]> =
            scans.iter().map(|s| s.captured.as_slice()).collect();
        let view = View::stack(&entries);
        let owners = owners::owners(&entries, &view, &captured);
        if options.tree {
            report.tree = Some(owners::tree(&image.reference, &entries, &view, &owners));
        }
        report.owners = Some(owners);
        report.directories = Some(
            owners::by_dir(&entries, &view, 3)
                .into_iter()
                .map(|(path, files, bytes)| DirSize { path, files, bytes })
                .collect(),
        );
    }
    Ok((report, scans))
}

fn report(image: &Image, scans: &[LayerScan], options: &Options) -> Report {
    let entries: Vec<&[Entry]> = scans.iter().map(|s| s.entries.as_slice()).collect();
    let dive = efficiency::dive(&entries);
    let view = View::stack(&entries);
    let stored: u64 = entries
        .iter()
        .flat_map(|l| l.iter())
        .filter(|e| e.kind == Kind::File)
        .map(|e| e.size)
        .sum();
    let visible: u64 = view
        .visible
        .values()
        .map(|&(l, i)| &entries[l][i])
        .filter(|e| e.kind == Kind::File)
        .map(|e| e.size)
        .sum();
    let corrected = Corrected {
        stored_bytes: stored,
        visible_bytes: visible,
        hidden_bytes: stored - visible,
        efficiency: if stored == 0 {
            1.0
        } else {
            visible as f64 / stored as f64
        },
    };
    let c = &image.config;
    let history: Vec<Option<String>> = c
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| h.created_by.as_deref().map(redact_step))
        .collect();
    let layers = image
        .layers
        .iter()
        .enumerate()
        .map(|(i, info)| {
            let mut files: Vec<&Entry> =
                entries[i].iter().filter(|e| e.kind == Kind::File).collect();
            files.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
            LayerSummary {
                index: i,
                digest: info.digest.as_ref().map(ToString::to_string),
                diff_id: info.diff_id.to_string(),
                media_type: info.media_type.clone(),
                compressed_size: info.size,
                uncompressed_size: scans[i].uncompressed_size,
                verified: scans[i].verified,
                content_size: dive.layer_sizes[i],
                entries: entries[i].len(),
                created_by: history.get(i).cloned().flatten(),
                changes: view.changes[i],
                biggest: files
                    .iter()
                    .take(options.biggest)
                    .map(|e| Big {
                        path: format!("/{}", e.path),
                        size: e.size,
                    })
                    .collect(),
            }
        })
        .collect();
    let mut base = BTreeMap::new();
    if let Some(m) = &image.manifest {
        for (k, v) in &m.annotations {
            if k.starts_with("org.opencontainers.image.base.") {
                base.insert(k.clone(), v.clone());
            }
        }
    }
    for (k, v) in &c.config.labels {
        if k.starts_with("org.opencontainers.image.base.") {
            base.insert(k.clone(), v.clone());
        }
    }
    let mut findings = Vec::new();
    content_findings(scans, &entries, &view, options, &mut findings);
    config_findings(image, &mut findings);
    // A debug twin's shell is its purpose: say so where the shell is reported.
    if let Some(of) = c.config.labels.get(bosun_oci::model::DEBUG_TWIN_LABEL) {
        for f in findings.iter_mut().filter(|f| f.code == "BI031") {
            f.message = format!(
                "{}; this is the debug twin of {of}, made to have one: run {of} in production",
                f.message
            );
        }
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code.cmp(b.code))
            .then_with(|| a.layer.cmp(&b.layer))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.field.cmp(&b.field))
    });
    let platform = |os: &str, arch: &str, variant: Option<&String>| match variant {
        Some(v) => format!("{os}/{arch}/{v}"),
        None => format!("{os}/{arch}"),
    };
    Report {
        reference: image.reference.clone(),
        digest: image.manifest_digest.as_ref().map(ToString::to_string),
        config_digest: image.config_digest.to_string(),
        index_digest: image.index_digest.as_ref().map(ToString::to_string),
        platform: platform(&c.os, &c.architecture, c.variant.as_ref()),
        platforms: image
            .platforms
            .iter()
            .map(|p| platform(&p.os, &p.architecture, p.variant.as_ref()))
            .collect(),
        created: c.created.clone(),
        compressed_size: image.layers.iter().map(|l| l.size).sum(),
        uncompressed_size: scans.iter().map(|s| s.uncompressed_size).sum(),
        layer_count: image.layers.len(),
        base,
        config: summarize_config(image),
        layers,
        dive,
        corrected,
        findings,
        owners: None,
        directories: None,
        tree: None,
    }
}

fn summarize_config(image: &Image) -> ConfigSummary {
    let rc = &image.config.config;
    ConfigSummary {
        user: rc.user.clone().unwrap_or_default(),
        entrypoint: rc.entrypoint.clone().unwrap_or_default(),
        cmd: rc.cmd.clone().unwrap_or_default(),
        env: rc
            .env
            .iter()
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) if masked_value(k, v) => format!("{k}={}", secrets::mask(v)),
                _ => kv.clone(),
            })
            .collect(),
        workdir: rc.working_dir.clone().unwrap_or_default(),
        exposed_ports: rc.exposed_ports.keys().cloned().collect(),
        volumes: rc.volumes.keys().cloned().collect(),
        healthcheck: rc.healthcheck.as_ref().map(|h| h.test.clone()),
        labels: rc
            .labels
            .iter()
            .map(|(k, v)| {
                let v = if masked_value(k, v) {
                    secrets::mask(v)
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect(),
        stop_signal: rc.stop_signal.clone(),
    }
}

/// Programs made to be PID 1: they reap children and pass signals on.
const INITS: &[&str] = &[
    "tini",
    "tini-static",
    "dumb-init",
    "catatonit",
    "docker-init",
    "init",
    "s6-svscan",
    "runsvdir",
    "runit",
    "supervisord",
    "systemd",
];

/// The program a container runs as PID 1 when it is no init, and the image does not choose
/// a stop signal other than SIGTERM (one the program handles, as Python does SIGINT). The
/// kernel gives PID 1 no default signal actions, so a program without a SIGTERM handler
/// ignores `docker stop` / `podman stop` until the kill.
pub fn pid1_without_init(rc: &bosun_oci::model::RunConfig) -> Option<String> {
    let argv = rc
        .entrypoint
        .as_ref()
        .filter(|e| !e.is_empty())
        .or(rc.cmd.as_ref())?;
    let program = argv.first()?;
    let stop = rc
        .stop_signal
        .as_deref()
        .map(|s| s.trim_start_matches("SIG").to_ascii_uppercase());
    let chosen = matches!(stop.as_deref(), Some(s) if s != "TERM" && s != "15");
    (!is_init(program) && !chosen).then(|| program.clone())
}

/// Whether `program` (a path or a name) is one made to run as PID 1.
pub fn is_init(program: &str) -> bool {
    INITS.contains(&program.rsplit('/').next().unwrap_or(program))
}

/// A build step with secrets masked: rule matches, and `NAME=value` build arguments whose name
/// says secret.
pub(crate) fn redact_step(line: &str) -> String {
    let line = secrets::redact(line);
    line.split(' ')
        .map(|word| match word.split_once('=') {
            Some((k, v)) if masked_value(k, v) => format!("{k}={}", secrets::mask(v)),
            _ => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value shown masked: its name says secret and it is a real value, or a rule matches it.
pub(crate) fn masked_value(name: &str, value: &str) -> bool {
    (secrets::secret_name(name) && secrets::real_value(value))
        || !secrets::scan_text(value).is_empty()
}

fn config_findings(image: &Image, out: &mut Vec<Finding>) {
    let rc = &image.config.config;
    let user = rc.user.as_deref().unwrap_or("");
    let name = user.split(':').next().unwrap_or("");
    if name.is_empty() || name == "root" || name == "0" {
        out.push(Finding {
            field: Some("config.User".into()),
            ..finding(
                "BI010",
                if user.is_empty() {
                    "no USER is set, so the container runs as root".into()
                } else {
                    format!("USER is {user:?}, so the container runs as root")
                },
            )
        });
    }
    if rc
        .healthcheck
        .as_ref()
        .is_none_or(|h| h.test.first().is_some_and(|t| t == "NONE"))
    {
        out.push(Finding {
            field: Some("config.Healthcheck".into()),
            ..finding("BI011", "no HEALTHCHECK is defined".into())
        });
    }
    if let Some(pid1) = pid1_without_init(rc) {
        out.push(Finding {
            field: Some("config.Entrypoint".into()),
            ..finding(
                "BI012",
                format!(
                    "{pid1} runs as PID 1 without an init: unless it handles SIGTERM itself, stopping the container waits out the timeout and kills it (bosun: init = true; docker and podman: --init)"
                ),
            )
        })
    }
    for (i, kv) in rc.env.iter().enumerate() {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        out.extend(config_secret(
            format!("config.Env[{i}]"),
            &format!("env {k}"),
            v,
            Some(k),
        ));
    }
    for (k, v) in &rc.labels {
        out.extend(config_secret(
            format!("config.Labels.{k}"),
            &format!("label {k}"),
            v,
            Some(k),
        ));
    }
    for (i, h) in image.config.history.iter().enumerate() {
        let Some(line) = &h.created_by else { continue };
        if let Some(f) = config_secret(format!("history[{i}]"), "a build step", line, None) {
            out.push(f);
            continue;
        }
        // Build arguments show up as `|2 TOKEN=value OTHER=value /bin/sh -c ...`.
        let from_args = line.split_whitespace().find_map(|word| {
            let (k, v) = word.split_once('=')?;
            let name_like =
                !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            name_like.then(|| config_secret(format!("history[{i}]"), "a build step", v, Some(k)))?
        });
        out.extend(from_args);
    }
}

/// A secret in a config string: a rule matches it, or its name says secret and its value is
/// real.
fn config_secret(field: String, what: &str, text: &str, name: Option<&str>) -> Option<Finding> {
    if let Some(m) = secrets::scan_text(text).first() {
        return Some(Finding {
            field: Some(field),
            rule: Some(m.rule),
            ..finding("BI003", format!("{} in {what}: {}", m.title, m.masked))
        });
    }
    let name = name?;
    (secrets::secret_name(name) && secrets::real_value(text) && secrets::entropy(text) >= 2.5).then(
        || Finding {
            field: Some(field),
            rule: Some("secret-name"),
            ..finding(
                "BI003",
                format!(
                    "{name} looks like a secret in {what}: {}",
                    secrets::mask(text)
                ),
            )
        },
    )
}

fn content_findings(
    scans: &[LayerScan],
    entries: &[&[Entry]],
    view: &View,
    options: &Options,
    out: &mut Vec<Finding>,
) {
    // Which layer hides each hidden file, by (layer, path).
    let hidden_by: BTreeMap<(usize, &str), usize> = view
        .hidden
        .iter()
        .map(|&((l, i), by)| ((l, entries[l][i].path.as_str()), by))
        .collect();
    for (l, scan) in scans.iter().enumerate() {
        for s in &scan.secrets {
            let gone = hidden_by
                .get(&(l, s.path.as_str()))
                .map(|by| {
                    format!("; deleted or replaced by layer {by}, but still shipped in layer {l}")
                })
                .unwrap_or_default();
            let (code, message) = if s.found.line == 0 {
                ("BI002", format!("{} /{}{gone}", s.found.title, s.path))
            } else {
                (
                    "BI001",
                    format!(
                        "{} in /{} line {}: {}{gone}",
                        s.found.title, s.path, s.found.line, s.found.masked
                    ),
                )
            };
            out.push(Finding {
                layer: Some(l),
                path: Some(format!("/{}", s.path)),
                rule: Some(s.found.rule),
                ..finding(code, message)
            });
        }
    }
    // Large hidden files.
    for &((l, i), by) in &view.hidden {
        let e = &entries[l][i];
        if e.size >= options.waste_threshold {
            out.push(Finding {
                layer: Some(l),
                path: Some(format!("/{}", e.path)),
                ..finding(
                    "BI040",
                    format!(
                        "/{} ({} bytes) from layer {l} is deleted or replaced by layer {by} but still shipped",
                        e.path, e.size
                    ),
                )
            });
        }
    }
    // The final filesystem.
    let mut caches: BTreeMap<&'static str, (u64, u64, usize)> = BTreeMap::new();
    let mut shells = Vec::new();
    let mut managers = Vec::new();
    for (path, &(l, i)) in &view.visible {
        let e = &entries[l][i];
        let at = || (Some(l), Some(format!("/{path}")));
        if e.kind != Kind::Symlink
            && e.kind != Kind::Hardlink
            && e.mode & 0o6000 != 0
            && e.kind == Kind::File
        {
            let (layer, p) = at();
            let bits = match (e.mode & 0o4000 != 0, e.mode & 0o2000 != 0) {
                (true, true) => "setuid and setgid",
                (true, false) => "setuid",
                _ => "setgid",
            };
            out.push(Finding {
                layer,
                path: p,
                ..finding(
                    "BI020",
                    format!("/{path} is {bits} (mode {:o})", e.mode & 0o7777),
                )
            });
        }
        let sticky_dir = e.kind == Kind::Dir && e.mode & 0o1000 != 0;
        if matches!(e.kind, Kind::File | Kind::Dir)
            && e.mode & 0o002 != 0
            && !sticky_dir
            && !in_tmp(path)
        {
            let (layer, p) = at();
            out.push(Finding {
                layer,
                path: p,
                ..finding(
                    "BI021",
                    format!("/{path} is world-writable (mode {:o})", e.mode & 0o7777),
                )
            });
        }
        if e.kind == Kind::File
            && let Some(kind) = cache_kind(path)
        {
            let c = caches.entry(kind).or_insert((0, 0, l));
            c.0 += 1;
            c.1 += e.size;
            c.2 = c.2.max(l);
        }
        if e.kind != Kind::Dir {
            if let Some(name) = shell(path) {
                shells.push((name, l, path.clone()));
            }
            if let Some(name) = package_manager(path) {
                managers.push((name, l, path.clone()));
            }
        }
    }
    for (kind, (files, bytes, layer)) in caches {
        out.push(Finding {
            layer: Some(layer),
            path: Some(cache_root(kind).to_string()),
            ..finding(
                "BI030",
                format!("{kind}: {files} files, {bytes} bytes left in the image"),
            )
        });
    }
    for (code, found) in [("BI031", shells), ("BI032", managers)] {
        if let Some((_, layer, path)) = found.first() {
            let names: Vec<&str> = found.iter().map(|(n, _, _)| *n).collect();
            let mut names = names;
            names.dedup();
            out.push(Finding {
                layer: Some(*layer),
                path: Some(format!("/{path}")),
                ..finding(
                    code,
                    format!(
                        "{} present; a runtime image rarely needs {}",
                        names.join(", "),
                        if code == "BI031" {
                            "a shell"
                        } else {
                            "a package manager"
                        }
                    ),
                )
            });
        }
    }
}

fn in_tmp(path: &str) -> bool {
    ["tmp", "var/tmp", "dev/shm", "run/lock", "var/lock"]
        .iter()
        .any(|t| path == *t || path.starts_with(&format!("{t}/")))
}

const CACHES: &[(&str, &str)] = &[
    ("apt package lists", "var/lib/apt/lists/"),
    ("apt package cache", "var/cache/apt/"),
    ("apk cache", "var/cache/apk/"),
    ("yum/dnf cache", "var/cache/dnf/"),
    ("yum/dnf cache", "var/cache/yum/"),
    ("pip cache", ".cache/pip/"),
    ("npm cache", ".npm/_cacache/"),
    ("yarn cache", ".cache/yarn/"),
    ("go build cache", ".cache/go-build/"),
];

fn cache_kind(path: &str) -> Option<&'static str> {
    for &(kind, root) in CACHES {
        let hit = if root.starts_with('.') {
            // In any home: root/.cache/pip, home/app/.cache/pip.
            path.starts_with(&format!("root/{root}"))
                || (path.starts_with("home/") && path.contains(&format!("/{root}")))
        } else {
            path.starts_with(root)
        };
        // apt keeps `lock` and an empty `partial/` around; they are not a cache.
        let name = path.rsplit('/').next().unwrap_or(path);
        if hit && name != "lock" && !path.ends_with("/partial") {
            return Some(kind);
        }
    }
    None
}

fn cache_root(kind: &str) -> &'static str {
    match CACHES.iter().find(|(k, _)| *k == kind) {
        Some((_, root)) if root.starts_with('.') => "~",
        Some((_, "var/lib/apt/lists/")) => "/var/lib/apt/lists",
        Some((_, "var/cache/apt/")) => "/var/cache/apt",
        Some((_, "var/cache/apk/")) => "/var/cache/apk",
        _ => "/var/cache",
    }
}

fn shell(path: &str) -> Option<&'static str> {
    let dirs = ["bin/", "usr/bin/", "usr/local/bin/", "busybox/"];
    let name = dirs.iter().find_map(|d| path.strip_prefix(d))?;
    ["sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"]
        .into_iter()
        .find(|s| *s == name)
}

fn package_manager(path: &str) -> Option<&'static str> {
    let dirs = ["bin/", "sbin/", "usr/bin/", "usr/sbin/", "usr/local/bin/"];
    let name = dirs.iter().find_map(|d| path.strip_prefix(d))?;
    [
        "apt", "apt-get", "dpkg", "apk", "yum", "dnf", "microdnf", "rpm", "zypper", "pip", "pip3",
        "npm",
    ]
    .into_iter()
    .find(|s| *s == name)
}

impl Report {
    /// The report as SARIF 2.1.0, one result per finding.
    pub fn to_sarif(&self) -> serde_json::Value {
        let rules: Vec<serde_json::Value> = CODES
            .iter()
            .map(|(code, severity, title)| {
                serde_json::json!({
                    "id": code,
                    "name": title,
                    "shortDescription": { "text": title },
                    "defaultConfiguration": { "level": severity.sarif_level() },
                })
            })
            .collect();
        let results: Vec<serde_json::Value> = self
            .findings
            .iter()
            .map(|f| {
                let uri = match (&f.path, f.layer) {
                    (Some(p), _) => p.trim_start_matches('/').to_string(),
                    (None, _) => "config".to_string(),
                };
                let mut result = serde_json::json!({
                    "ruleId": f.code,
                    "level": f.severity.sarif_level(),
                    "message": { "text": f.message },
                    "locations": [{
                        "physicalLocation": { "artifactLocation": { "uri": uri } },
                        "logicalLocations": [{
                            "name": self.reference,
                            "fullyQualifiedName": match (f.layer, &f.field) {
                                (Some(l), _) => format!("{}/layer/{l}", self.reference),
                                (None, Some(field)) => format!("{}/{field}", self.reference),
                                (None, None) => self.reference.clone(),
                            },
                        }],
                    }],
                });
                if let Some(rule) = f.rule {
                    result["properties"] = serde_json::json!({ "secretRule": rule });
                }
                result
            })
            .collect();
        crate::sarif::log(rules, results)
    }
}
