//! dive's CI gate: the same three rules, defaults, `.dive-ci` keys and result listing.

use std::path::Path;

use crate::Error;
use crate::efficiency::DiveFigures;

/// Rule values as dive reads them: text, or `disabled`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rules {
    /// `rules.lowestEfficiency` (default `0.9`).
    pub lowest_efficiency: String,
    /// `rules.highestWastedBytes` (default `disabled`).
    pub highest_wasted_bytes: String,
    /// `rules.highestUserWastedPercent` (default `0.1`).
    pub highest_user_wasted_percent: String,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            lowest_efficiency: "0.9".into(),
            highest_wasted_bytes: "disabled".into(),
            highest_user_wasted_percent: "0.1".into(),
        }
    }
}

impl Rules {
    /// Reads a `.dive-ci` YAML file's `rules:` over the defaults.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(path.display().to_string(), e.to_string()))?;
        Self::parse(&text).map_err(|e| Error::Config(path.display().to_string(), e))
    }

    /// Parses `.dive-ci` text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rules = Self::default();
        if text.trim().is_empty() {
            return Ok(rules);
        }
        let doc: serde_norway::Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        let Some(map) = doc.get("rules") else {
            return Ok(rules);
        };
        let value = |key: &str| -> Option<String> {
            match map.get(key)? {
                serde_norway::Value::String(s) => Some(s.clone()),
                serde_norway::Value::Number(n) => Some(n.to_string()),
                serde_norway::Value::Bool(b) => Some(b.to_string()),
                _ => None,
            }
        };
        if let Some(v) = value("lowestEfficiency") {
            rules.lowest_efficiency = v;
        }
        if let Some(v) = value("highestWastedBytes") {
            rules.highest_wasted_bytes = v;
        }
        if let Some(v) = value("highestUserWastedPercent") {
            rules.highest_user_wasted_percent = v;
        }
        Ok(rules)
    }
}

/// A rule's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Within the threshold.
    Pass,
    /// Beyond it.
    Fail,
    /// Disabled.
    Skip,
    /// The configured value is not valid.
    Misconfigured,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Skip => "SKIP",
            Self::Misconfigured => "MISCONFIGURED",
        }
    }
}

/// One rule's outcome.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RuleResult {
    /// dive's key, e.g. `lowestEfficiency`.
    pub rule: &'static str,
    /// The outcome.
    pub status: Status,
    /// dive's message (empty on a pass).
    pub message: String,
}

/// The gate's outcome.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Outcome {
    /// True when no rule failed and none is misconfigured.
    pub pass: bool,
    /// Results, by rule name.
    pub results: Vec<RuleResult>,
}

/// Evaluates the rules against dive's figures.
pub fn evaluate(rules: &Rules, figures: &DiveFigures) -> Outcome {
    let mut results = vec![
        lowest_efficiency(&rules.lowest_efficiency, figures),
        highest_user_wasted_percent(&rules.highest_user_wasted_percent, figures),
        highest_wasted_bytes(&rules.highest_wasted_bytes, figures),
    ];
    results.sort_by_key(|r| r.rule);
    let pass = !results
        .iter()
        .any(|r| matches!(r.status, Status::Fail | Status::Misconfigured));
    Outcome { pass, results }
}

fn result(rule: &'static str, status: Status, message: String) -> RuleResult {
    RuleResult {
        rule,
        status,
        message,
    }
}

fn ratio(rule: &'static str, value: &str) -> Result<f64, RuleResult> {
    match value.trim().parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        Ok(_) => Err(result(
            rule,
            Status::Misconfigured,
            format!("{rule} config value is outside allowed range (0-1), given '{value}'"),
        )),
        Err(e) => Err(result(
            rule,
            Status::Misconfigured,
            format!("invalid config value ('{value}'): {e}"),
        )),
    }
}

fn lowest_efficiency(value: &str, f: &DiveFigures) -> RuleResult {
    const RULE: &str = "lowestEfficiency";
    if value == "disabled" {
        return result(RULE, Status::Skip, "rule disabled".into());
    }
    match ratio(RULE, value) {
        Err(r) => r,
        Ok(threshold) if threshold > f.efficiency => result(
            RULE,
            Status::Fail,
            format!(
                "image efficiency is too low (efficiency={} < threshold={})",
                go_float(f.efficiency),
                go_float(threshold)
            ),
        ),
        Ok(_) => result(RULE, Status::Pass, String::new()),
    }
}

fn highest_user_wasted_percent(value: &str, f: &DiveFigures) -> RuleResult {
    const RULE: &str = "highestUserWastedPercent";
    if value == "disabled" {
        return result(RULE, Status::Skip, "rule disabled".into());
    }
    match ratio(RULE, value) {
        Err(r) => r,
        // NaN (nothing added over the base) compares false, as in dive.
        Ok(threshold) if threshold < f.user_wasted_percent => result(
            RULE,
            Status::Fail,
            format!(
                "too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes={} > threshold={})",
                go_float(f.user_wasted_percent),
                go_float(threshold)
            ),
        ),
        Ok(_) => result(RULE, Status::Pass, String::new()),
    }
}

fn highest_wasted_bytes(value: &str, f: &DiveFigures) -> RuleResult {
    const RULE: &str = "highestWastedBytes";
    if value == "disabled" {
        return result(RULE, Status::Skip, "rule disabled".into());
    }
    match parse_bytes(value) {
        Err(e) => result(
            RULE,
            Status::Misconfigured,
            format!("invalid config value ('{value}'): {e}"),
        ),
        Ok(threshold) if f.wasted_bytes > threshold => result(
            RULE,
            Status::Fail,
            format!(
                "too many bytes wasted (wasted-bytes={} > threshold={threshold})",
                f.wasted_bytes
            ),
        ),
        Ok(_) => result(RULE, Status::Pass, String::new()),
    }
}

/// Parses sizes as go-humanize's `ParseBytes` does: `20MB` and `20 mb` are 20,000,000 and
/// `20MiB` is 20,971,520; a bare number is bytes.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let s = text.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(s.len());
    let number: f64 = s[..split].replace(',', "").parse().map_err(|_| {
        format!(
            "strconv.ParseFloat: parsing {:?}: invalid syntax",
            &s[..split]
        )
    })?;
    let unit = s[split..].trim().to_ascii_lowercase();
    let scale: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024f64.powi(3),
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024f64.powi(4),
        "p" | "pb" => 1e15,
        "pi" | "pib" => 1024f64.powi(5),
        "e" | "eb" => 1e18,
        "ei" | "eib" => 1024f64.powi(6),
        other => return Err(format!("unhandled size name: {other}")),
    };
    let bytes = number * scale;
    if bytes >= 18_446_744_073_709_551_616.0 {
        return Err(format!("too large: {text}"));
    }
    Ok(bytes as u64)
}

/// Formats a float as Go's `%v` does: shortest form, exponent outside [1e-4, 1e21).
pub fn go_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let abs = v.abs();
    if v != 0.0 && !(1e-4..1e21).contains(&abs) {
        // Rust's `{:e}` is shortest too; Go pads the exponent to two digits with a sign.
        let s = format!("{v:e}");
        let (mantissa, exp) = s.split_once('e').expect("exponent form");
        let exp: i32 = exp.parse().expect("exponent");
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{v}")
}

/// Sizes as go-humanize's `Bytes` prints them (SI): `307 kB`, `1.2 MB`, `13 B`.
pub fn humanize_bytes(n: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    if n < 10 {
        return format!("{n} B");
    }
    let e = ((n as f64).ln() / 1000f64.ln()).floor() as usize;
    let value = ((n as f64 / 1000f64.powi(e as i32)) * 10.0 + 0.5).floor() / 10.0;
    if value < 10.0 {
        format!("{value:.1} {}", UNITS[e])
    } else {
        format!("{value:.0} {}", UNITS[e])
    }
}

/// dive's `--ci` listing, without colour.
pub fn report(figures: &DiveFigures, outcome: &Outcome) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "  efficiency: {:2.4} %", figures.efficiency * 100.0);
    let _ = writeln!(
        s,
        "  wastedBytes: {} bytes ({})",
        figures.wasted_bytes,
        humanize_bytes(figures.wasted_bytes)
    );
    let _ = writeln!(
        s,
        "  userWastedPercent: {:2.4} %",
        figures.user_wasted_percent * 100.0
    );
    let _ = writeln!(s, "Inefficient Files:");
    let _ = writeln!(s, "{:>5}  {:>12}  File Path", "Count", "Wasted Space");
    if figures.inefficient.is_empty() {
        let _ = writeln!(s, "None");
    }
    for r in &figures.inefficient {
        let _ = writeln!(
            s,
            "{:>5}  {:>12}  {}",
            r.count,
            humanize_bytes(r.cumulative_size.max(0) as u64),
            r.path
        );
    }
    let _ = writeln!(s, "Results:");
    for r in &outcome.results {
        if r.message.is_empty() {
            let _ = writeln!(s, "  {}: {}", r.status.label(), r.rule);
        } else {
            let _ = writeln!(s, "  {}: {}: {}", r.status.label(), r.rule, r.message);
        }
    }
    if outcome
        .results
        .iter()
        .any(|r| r.status == Status::Misconfigured)
    {
        let _ = writeln!(s, "CI Misconfigured");
    } else {
        let count = |st: Status| outcome.results.iter().filter(|r| r.status == st).count();
        let _ = writeln!(
            s,
            "Result:{} [Total:{}] [Passed:{}] [Failed:{}] [Warn:0] [Skipped:{}]",
            if outcome.pass { "PASS" } else { "FAIL" },
            outcome.results.len(),
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Skip)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_humanize() {
        assert_eq!(parse_bytes("20MB"), Ok(20_000_000));
        assert_eq!(parse_bytes("20 mb"), Ok(20_000_000));
        assert_eq!(parse_bytes("1.5KiB"), Ok(1536));
        assert_eq!(parse_bytes("300"), Ok(300));
        assert!(parse_bytes("lots").is_err());
        assert_eq!(humanize_bytes(307_213), "307 kB");
        assert_eq!(humanize_bytes(13), "13 B");
        assert_eq!(humanize_bytes(0), "0 B");
        assert_eq!(humanize_bytes(1_982_256), "2.0 MB");
    }

    #[test]
    fn floats_like_go() {
        assert_eq!(go_float(0.86581797581729), "0.86581797581729");
        assert_eq!(go_float(0.9), "0.9");
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(f64::NAN), "NaN");
    }

    #[test]
    fn dive_ci_file() {
        let r =
            Rules::parse("rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n").unwrap();
        assert_eq!(r.lowest_efficiency, "0.95");
        assert_eq!(r.highest_wasted_bytes, "20MB");
        assert_eq!(r.highest_user_wasted_percent, "0.1");
    }
}
