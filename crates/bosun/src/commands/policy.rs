//! `bosun policy check IMAGE|MANIFEST... --policy policy.toml`: one gate for CI and
//! admission. Kubernetes manifests (`*.yaml`) are checked container by container: the
//! image against the image rules when it can be read, the settings against the checks of
//! [`super::kubernetes`] (`[kubernetes]` sets their `mode` and which to `skip`).
//!
//! A policy is a TOML file of rules; a rule is on when its table is there, and enforced
//! unless it says `mode = "warn"`:
//!
//! ```toml
//! [digest]                        # the reference pins a digest
//! [base]                          # base images (from provenance or base annotations)
//! allow = ["registry.internal:5000/base/"]
//! [signed]                        # a valid signature by one of the keys
//! keys = ["cosign.pub"]
//! [provenance]                    # SLSA provenance attested by a key, from a builder
//! keys = ["cosign.pub"]
//! builders = ["urn:bosun:builder:v1"]
//! [sbom]                          # an SPDX or CycloneDX attestation by a key
//! keys = ["cosign.pub"]
//! [vulnerabilities]               # no vulnerability with a fix at or above a severity
//! severity = "high"               # (suite = "bookworm" when os-release does not say)
//! [non-root]                      # a numeric non-zero user (Kubernetes runAsNonRoot)
//! [healthcheck]
//! [init]                          # PID 1 is an init (or the image chose its stop signal)
//! [no-shell]                      # no shell or package manager, unless allowed
//! allow = ["/bin/sh"]
//! [no-secrets]
//! [size]
//! max = "200MB"
//! [labels]
//! required = ["org.opencontainers.image.source"]
//! [age]
//! max-days = 90
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use bosun_analyze::inspect::{self, Options};
use bosun_sign::dsse;
use bosun_vuln::db::Db;
use bosun_vuln::{Component, Severity};
use serde::{Deserialize, Serialize};

use crate::cli::{PolicyArgs, ReportFormat};
use crate::commands::sign::{Trust, public_key};
use crate::{ExitStatus, Printer, settings};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Policy {
    digest: Option<Plain>,
    base: Option<Base>,
    signed: Option<Keys>,
    provenance: Option<Provenance>,
    sbom: Option<Keys>,
    vulnerabilities: Option<Vulnerabilities>,
    non_root: Option<Plain>,
    healthcheck: Option<Plain>,
    init: Option<Plain>,
    no_shell: Option<Allow>,
    no_secrets: Option<Plain>,
    size: Option<Size>,
    labels: Option<Labels>,
    age: Option<Age>,
    kubernetes: Option<Kubernetes>,
}

/// Manifests' container settings: all checked unless skipped.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Kubernetes {
    #[serde(default)]
    mode: Mode,
    #[serde(default)]
    skip: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
enum Mode {
    #[default]
    Enforce,
    Warn,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Plain {
    #[serde(default)]
    mode: Mode,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Base {
    #[serde(default)]
    mode: Mode,
    allow: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    #[serde(default)]
    mode: Mode,
    keys: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Provenance {
    #[serde(default)]
    mode: Mode,
    keys: Vec<String>,
    #[serde(default)]
    builders: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Vulnerabilities {
    #[serde(default)]
    mode: Mode,
    severity: String,
    /// The Debian release, for images whose os-release does not name it.
    suite: Option<String>,
    /// Days after which the advisory database counts as missing (default 5, as `scan`).
    #[serde(default = "default_max_db_age")]
    max_db_age: u32,
}

fn default_max_db_age() -> u32 {
    5
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Allow {
    #[serde(default)]
    mode: Mode,
    #[serde(default)]
    allow: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Size {
    #[serde(default)]
    mode: Mode,
    max: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labels {
    #[serde(default)]
    mode: Mode,
    required: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Age {
    #[serde(default)]
    mode: Mode,
    max_days: u32,
}

/// A rule's result on one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Pass,
    Fail,
    Skip,
}

#[derive(Debug, Serialize)]
struct RuleResult {
    rule: &'static str,
    result: Outcome,
    mode: Mode,
    reason: String,
}

#[derive(Debug, Serialize)]
struct ImageResult {
    image: String,
    digest: Option<String>,
    rules: Vec<RuleResult>,
    /// The image's user, for the manifests that run it.
    #[serde(skip)]
    user: String,
}

/// Whether the policy has rules about images (not only about manifests).
fn has_image_rules(p: &Policy) -> bool {
    p.digest.is_some()
        || p.base.is_some()
        || p.signed.is_some()
        || p.provenance.is_some()
        || p.sbom.is_some()
        || p.vulnerabilities.is_some()
        || p.non_root.is_some()
        || p.healthcheck.is_some()
        || p.init.is_some()
        || p.no_shell.is_some()
        || p.no_secrets.is_some()
        || p.size.is_some()
        || p.labels.is_some()
        || p.age.is_some()
}

/// Each container of a manifest file: its image against the image rules (when the image can
/// be read), and its settings against the Kubernetes checks.
fn manifest(
    store_dir: &Path,
    policy: &Policy,
    dir: &Path,
    path: &str,
    args: &PolicyArgs,
    printer: &Printer,
) -> Result<Vec<ImageResult>> {
    let defaults = Kubernetes::default();
    let k8s = policy.kubernetes.as_ref().unwrap_or(&defaults);
    let mut out = Vec::new();
    for c in super::kubernetes::containers(Path::new(path))? {
        let reference = format!("docker://{}", c.image);
        let what = format!("{} {} container {}", c.place, c.workload, c.name);
        let mut user_numeric = None;
        if has_image_rules(policy) {
            match evaluate(store_dir, policy, dir, &reference, args, printer) {
                Ok(mut result) => {
                    let uid = result.user.split(':').next().unwrap_or_default();
                    user_numeric = Some(uid.parse::<u32>().is_ok_and(|u| u != 0));
                    result.image = format!("{reference} ({what})");
                    out.push(result);
                }
                Err(e) => out.push(ImageResult {
                    image: format!("{reference} ({what})"),
                    digest: None,
                    rules: vec![RuleResult {
                        rule: "image",
                        result: Outcome::Skip,
                        mode: Mode::Warn,
                        reason: format!(
                            "the image cannot be read, so its rules are not checked: {e:#}"
                        ),
                    }],
                    user: String::new(),
                }),
            }
        }
        let rules = c
            .checks(user_numeric)
            .into_iter()
            .filter(|(check, _, _)| !k8s.skip.iter().any(|s| s == check))
            .map(|(rule, ok, reason)| RuleResult {
                rule,
                result: if ok { Outcome::Pass } else { Outcome::Fail },
                mode: k8s.mode,
                reason,
            })
            .collect();
        out.push(ImageResult {
            image: what,
            digest: None,
            rules,
            user: String::new(),
        });
    }
    Ok(out)
}

/// Key files named relative to the policy's directory.
fn keys(dir: &Path, names: &[String]) -> Result<Vec<bosun_sign::key::PublicKey>> {
    if names.is_empty() {
        bail!("a rule that checks signatures needs `keys`");
    }
    names
        .iter()
        .map(|k| match k.starts_with("env://") {
            true => public_key(k),
            false => public_key(&dir.join(k).display().to_string()),
        })
        .collect()
}

/// bosun's baseline: what every image should pass, checked when there is no policy file.
const BASELINE: &str = include_str!("baseline-policy.toml");

/// The baseline's text, with a `[signed]` rule for `key` when one is given.
fn baseline(key: Option<&str>) -> String {
    match key {
        Some(key) => format!(
            "{BASELINE}\n[signed]                      # a valid signature by this key\nkeys = [{}]\n",
            toml::Value::String(key.to_string())
        ),
        None => BASELINE.to_string(),
    }
}

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
    bosun_fs::write_atomic(output, baseline(key).as_bytes())
        .with_context(|| format!("cannot write {}", output.display()))?;
    printer.status(&format!(
        "wrote {}: bosun's baseline policy; `bosun policy check` reads it from here",
        output.display()
    ));
    Ok(ExitStatus::Success)
}

/// How errors name the policy file (the baseline has no rule that needs it).
fn policy_name(args: &PolicyArgs) -> &Path {
    args.policy.as_deref().unwrap_or(Path::new("policy.toml"))
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
        let text = baseline(args.key.as_deref());
        let policy = bosun_spec::parse_toml(Path::new("baseline policy"), &text)?;
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
    // Errors name the file, line and column, as spec errors do.
    let policy: Policy = bosun_spec::parse_toml(file, &text)?;
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok((policy, dir))
}

pub(crate) fn check(store_dir: &Path, args: &PolicyArgs, printer: &Printer) -> Result<ExitStatus> {
    let (policy, dir) = load(args, printer)?;
    let mut results = Vec::new();
    for image in &args.images {
        match super::kubernetes::is_manifest(image) {
            true => results.extend(manifest(store_dir, &policy, &dir, image, args, printer)?),
            false => results.push(evaluate(store_dir, &policy, &dir, image, args, printer)?),
        }
    }
    match args.format {
        ReportFormat::Json => printer.data(&serde_json::to_string_pretty(&results)?)?,
        ReportFormat::Sarif => printer.data(&serde_json::to_string_pretty(&sarif(&results))?)?,
        ReportFormat::Table => {
            for r in &results {
                for rule in &r.rules {
                    let result = match (rule.result, rule.mode) {
                        (Outcome::Pass, _) => "pass",
                        (Outcome::Fail, Mode::Enforce) => "FAIL",
                        (Outcome::Fail, Mode::Warn) => "warn",
                        (Outcome::Skip, _) => "skip",
                    };
                    printer.data(&format!(
                        "{:<5} {:<16} {}  {}",
                        result, rule.rule, r.image, rule.reason
                    ))?;
                }
            }
        }
    }
    let failed = results
        .iter()
        .flat_map(|r| &r.rules)
        .filter(|r| r.result == Outcome::Fail && r.mode == Mode::Enforce)
        .count();
    let warned = results
        .iter()
        .flat_map(|r| &r.rules)
        .filter(|r| r.result == Outcome::Fail && r.mode == Mode::Warn)
        .count();
    printer.status(&format!(
        "{} image(s): {failed} enforced rule(s) failed, {warned} warning(s)",
        results.len()
    ));
    Ok(match failed {
        0 => ExitStatus::Success,
        _ => ExitStatus::Failure,
    })
}

fn evaluate(
    store_dir: &Path,
    policy: &Policy,
    dir: &Path,
    image: &str,
    args: &PolicyArgs,
    printer: &Printer,
) -> Result<ImageResult> {
    let platform = args
        .platform
        .as_deref()
        .map(str::parse::<bosun_oci::model::Platform>)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    // One manifest read serves both the contents and the signatures.
    let trust = Trust::open(store_dir, image, &args.registry)?;
    let opened = trust.open_image(store_dir, image, platform.as_ref(), &args.registry)?;
    let report = inspect::inspect(&opened.image, &Options::default())
        .with_context(|| format!("cannot inspect {image}"))?;
    let mut rules = Vec::new();
    let mut add = |rule: &'static str, mode: Mode, (result, reason): (Outcome, String)| {
        rules.push(RuleResult {
            rule,
            result,
            mode,
            reason,
        });
    };
    let pass = |reason: String| (Outcome::Pass, reason);
    let fail = |reason: String| (Outcome::Fail, reason);
    let skip = |reason: String| (Outcome::Skip, reason);
    let unsigned_place = || skip("signatures are kept only in the store or a registry".to_string());

    if let Some(r) = &policy.digest {
        add(
            "digest",
            r.mode,
            match image.contains("@sha256:") {
                true => pass("referenced by digest".into()),
                false => fail("not referenced by digest (NAME@sha256:...)".into()),
            },
        );
    }
    // Provenance statements serve two rules.
    let provenance = match (&policy.provenance, trust.available()) {
        (Some(p), true) => trust.statements(&keys(dir, &p.keys)?, &[dsse::SLSA_PROVENANCE_V1])?,
        _ => Vec::new(),
    };
    if let Some(r) = &policy.base {
        let mut bases: Vec<String> = report
            .base
            .iter()
            .filter(|(k, _)| k.ends_with("base.name"))
            .map(|(_, v)| v.clone())
            .collect();
        for statement in &provenance {
            for d in statement["predicate"]["buildDefinition"]["resolvedDependencies"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if let Some(uri) = d["uri"].as_str().filter(|u| !u.starts_with("pkg:")) {
                    bases.push(uri.to_string());
                }
            }
        }
        let outside: Vec<&String> = bases
            .iter()
            .filter(|b| !r.allow.iter().any(|a| b.starts_with(a.as_str())))
            .collect();
        add(
            "base",
            r.mode,
            match (bases.is_empty(), outside.is_empty()) {
                (true, _) if !provenance.is_empty() => {
                    pass("built from packages alone: no base image".into())
                }
                (true, _) => {
                    skip("no base image is recorded (base annotations or provenance)".into())
                }
                (false, true) => pass(format!("base images allowed: {}", bases.join(", "))),
                (false, false) => fail(format!(
                    "base image not in the allow-list: {}",
                    outside
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            },
        );
    }
    if let Some(r) = &policy.signed {
        add(
            "signed",
            r.mode,
            match trust.available() {
                false => unsigned_place(),
                true => match trust.signatures(&keys(dir, &r.keys)?)? {
                    (0, rejected) if rejected.is_empty() => fail("no signature".into()),
                    (0, rejected) => fail(format!("no valid signature: {}", rejected.join("; "))),
                    (n, _) => pass(format!("{n} valid signature(s)")),
                },
            },
        );
    }
    if let Some(r) = &policy.provenance {
        add(
            "provenance",
            r.mode,
            match trust.available() {
                false => unsigned_place(),
                true if provenance.is_empty() => fail("no provenance attested by the keys".into()),
                true => {
                    let builders: Vec<&str> = provenance
                        .iter()
                        .filter_map(|s| s["predicate"]["runDetails"]["builder"]["id"].as_str())
                        .collect();
                    match r.builders.is_empty()
                        || builders.iter().any(|b| r.builders.iter().any(|a| a == b))
                    {
                        true => pass(format!("provenance from {}", builders.join(", "))),
                        false => fail(format!(
                            "provenance from a builder not allowed: {}",
                            builders.join(", ")
                        )),
                    }
                }
            },
        );
    }
    if let Some(r) = &policy.sbom {
        add(
            "sbom",
            r.mode,
            match trust.available() {
                false => unsigned_place(),
                true => {
                    let found = trust
                        .statements(&keys(dir, &r.keys)?, &[dsse::SPDX, dsse::CYCLONEDX])?
                        .len();
                    match found {
                        0 => fail("no SBOM attested by the keys".into()),
                        n => pass(format!("{n} SBOM attestation(s)")),
                    }
                }
            },
        );
    }
    if let Some(r) = &policy.vulnerabilities {
        let threshold = Severity::from_label(&r.severity);
        if threshold == Severity::Unknown {
            bail!(
                "{}: vulnerabilities.severity {:?}: use critical, high, medium or low",
                policy_name(args).display(),
                r.severity
            );
        }
        let dir = super::db::resolve(&args.db, &args.registry, printer)?;
        add(
            "vulnerabilities",
            r.mode,
            // Fails closed: a rule that read no advisories (or only old ones) checked nothing,
            // and passing would call the image clean. `mode = "warn"` keeps it a warning.
            match Db::open(&dir) {
                Err(bosun_vuln::Error::NoDatabase(_)) => fail(format!(
                    "no vulnerability database in {}, so nothing was checked: run `bosun db update` (or bring one: --db DIR)",
                    dir.display()
                )),
                Err(e) => return Err(e.into()),
                Ok(db)
                    if (settings::now() - db.fetched().unwrap_or(0)).max(0) / 86_400
                        > i64::from(r.max_db_age) =>
                {
                    fail(format!(
                        "the vulnerability database in {} is older than {} days, so its verdicts are out of date: run `bosun db update`",
                        dir.display(),
                        r.max_db_age
                    ))
                }
                Ok(db) => {
                    let sbom = bosun_sbom::catalog(&opened.image)
                        .with_context(|| format!("cannot catalogue {image}"))?;
                    let components: Vec<Component> = sbom
                        .packages
                        .iter()
                        .filter_map(Component::from_package)
                        .collect();
                    let suite = r.suite.clone().or(sbom.distro.and_then(|d| d.codename));
                    let debian = components
                        .iter()
                        .any(|c| c.ecosystem == bosun_vuln::Ecosystem::Debian);
                    if debian && suite.is_none() {
                        bail!(
                            "{image}: its os-release names no Debian release; set vulnerabilities.suite in {}",
                            policy_name(args).display()
                        );
                    }
                    let found =
                        super::scan::advisories(&db, &components, suite.as_deref(), &[], printer)?;
                    let bad: Vec<String> = found
                        .iter()
                        .filter(|f| f.has_fix() && f.severity >= threshold && !f.unimportant())
                        .map(|f| {
                            format!(
                                "{} in {} {} (fixed in {})",
                                f.id,
                                f.package,
                                f.version,
                                f.fixed_version.as_deref().unwrap_or("?")
                            )
                        })
                        .collect();
                    match bad.is_empty() {
                        true => pass(format!(
                            "no fixable vulnerability rated {} or worse",
                            threshold.as_str()
                        )),
                        false => fail(format!(
                            "{} fixable vulnerabilit{} rated {} or worse: {}",
                            bad.len(),
                            if bad.len() == 1 { "y" } else { "ies" },
                            threshold.as_str(),
                            bad.join(", ")
                        )),
                    }
                }
            },
        );
    }
    let config = &report.config;
    if let Some(r) = &policy.non_root {
        let uid = config.user.split(':').next().unwrap_or_default();
        add(
            "non-root",
            r.mode,
            match uid.parse::<u32>() {
                Ok(0) => fail("runs as uid 0".into()),
                Ok(n) => pass(format!("runs as uid {n}")),
                Err(_) if uid.is_empty() || uid == "root" => fail("runs as root".into()),
                Err(_) => fail(format!(
                    "user {uid:?} is not numeric: Kubernetes runAsNonRoot cannot check it"
                )),
            },
        );
    }
    if let Some(r) = &policy.healthcheck {
        let test = config
            .healthcheck
            .as_ref()
            .filter(|t| t.first().map(String::as_str) != Some("NONE"));
        add(
            "healthcheck",
            r.mode,
            match test {
                Some(t) => pass(format!("healthcheck {}", t.join(" "))),
                None => fail("no healthcheck".into()),
            },
        );
    }
    if let Some(r) = &policy.init {
        let finding = report.findings.iter().find(|f| f.code == "BI012");
        add(
            "init",
            r.mode,
            match finding {
                Some(f) => fail(f.message.clone()),
                None => pass(
                    "PID 1 handles signals (an init, a chosen stop signal, or nothing runs)".into(),
                ),
            },
        );
    }
    let paths = |codes: &[&str]| -> Vec<String> {
        report
            .findings
            .iter()
            .filter(|f| codes.contains(&f.code))
            .map(|f| f.path.clone().unwrap_or_else(|| f.message.clone()))
            .collect()
    };
    if let Some(r) = &policy.no_shell {
        let found: Vec<String> = paths(&["BI031", "BI032"])
            .into_iter()
            .filter(|p| !r.allow.iter().any(|a| a == p))
            .collect();
        add(
            "no-shell",
            r.mode,
            match (
                found.is_empty(),
                report.config.labels.get(bosun_oci::model::DEBUG_TWIN_LABEL),
            ) {
                (true, _) => pass("no shell or package manager".into()),
                (false, None) => fail(format!("found {}", found.join(", "))),
                (false, Some(of)) => fail(format!(
                    "found {}: this is the debug twin of {of}; deploy {of}",
                    found.join(", ")
                )),
            },
        );
    }
    if let Some(r) = &policy.no_secrets {
        let found = paths(&["BI001", "BI002", "BI003"]);
        add(
            "no-secrets",
            r.mode,
            match found.is_empty() {
                true => pass("no secrets found".into()),
                false => fail(format!("secrets in {}", found.join(", "))),
            },
        );
    }
    if let Some(r) = &policy.size {
        let max = bosun_analyze::ci::parse_bytes(&r.max).map_err(|e| {
            anyhow::anyhow!("{}: size.max {:?}: {e}", policy_name(args).display(), r.max)
        })?;
        add(
            "size",
            r.mode,
            match report.uncompressed_size <= max {
                true => pass(format!("{} bytes, limit {max}", report.uncompressed_size)),
                false => fail(format!(
                    "{} bytes, over the limit of {max}",
                    report.uncompressed_size
                )),
            },
        );
    }
    if let Some(r) = &policy.labels {
        let missing: Vec<&String> = r
            .required
            .iter()
            .filter(|l| !config.labels.contains_key(*l))
            .collect();
        add(
            "labels",
            r.mode,
            match missing.is_empty() {
                true => pass("every required label is set".into()),
                false => fail(format!(
                    "missing {}",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            },
        );
    }
    if let Some(r) = &policy.age {
        let created = report
            .created
            .as_deref()
            .and_then(|c| c.parse::<jiff::Timestamp>().ok());
        add(
            "age",
            r.mode,
            match created {
                None => fail("no creation time".into()),
                Some(t) => {
                    let days = (settings::now() - t.as_second()).max(0) / 86_400;
                    match days <= i64::from(r.max_days) {
                        true => pass(format!("{days} days old")),
                        false => fail(format!("{days} days old, over {} days", r.max_days)),
                    }
                }
            },
        );
    }
    Ok(ImageResult {
        image: image.to_string(),
        digest: report.index_digest.or(report.digest),
        rules,
        user: report.config.user.clone(),
    })
}

fn sarif(results: &[ImageResult]) -> serde_json::Value {
    let failures: Vec<serde_json::Value> = results
        .iter()
        .flat_map(|r| r.rules.iter().map(move |rule| (r, rule)))
        .filter(|(_, rule)| rule.result == Outcome::Fail)
        .map(|(r, rule)| {
            serde_json::json!({
                "ruleId": rule.rule,
                "level": if rule.mode == Mode::Enforce { "error" } else { "warning" },
                "message": { "text": format!("{}: {}", r.image, rule.reason) },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": r.image } } }],
            })
        })
        .collect();
    let mut names: Vec<&str> = failures
        .iter()
        .filter_map(|f| f["ruleId"].as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let rules = names
        .into_iter()
        .map(|n| serde_json::json!({ "id": n, "name": n, "shortDescription": { "text": format!("policy rule {n}") } }))
        .collect();
    bosun_analyze::sarif::log(rules, failures)
}
