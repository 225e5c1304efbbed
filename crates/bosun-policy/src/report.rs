//! What a check found: each rule's result on each image or container, and SARIF.

use serde::Serialize;

use crate::Mode;

/// A rule's result on one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It holds.
    Pass,
    /// It does not.
    Fail,
    /// It could not be checked here (and does not count either way).
    Skip,
}

/// One rule on one image.
#[derive(Debug, Serialize)]
pub struct RuleResult {
    /// The rule's table name.
    pub rule: &'static str,
    /// What it found.
    pub result: Outcome,
    /// Whether a failure fails the check.
    pub mode: Mode,
    /// Why, in words.
    pub reason: String,
}

impl RuleResult {
    /// A failure that fails the check.
    pub fn enforced_failure(&self) -> bool {
        self.result == Outcome::Fail && self.mode == Mode::Enforce
    }

    /// A failure that only warns.
    pub fn warning(&self) -> bool {
        self.result == Outcome::Fail && self.mode == Mode::Warn
    }

    /// `pass`, `FAIL`, `warn` or `skip`: the table's first column.
    pub fn label(&self) -> &'static str {
        match (self.result, self.mode) {
            (Outcome::Pass, _) => "pass",
            (Outcome::Fail, Mode::Enforce) => "FAIL",
            (Outcome::Fail, Mode::Warn) => "warn",
            (Outcome::Skip, _) => "skip",
        }
    }
}

/// The rules on one image, or on one container of a manifest.
#[derive(Debug, Serialize)]
pub struct ImageResult {
    /// The image as named (and, for a manifest's container, where it is).
    pub image: String,
    /// Its digest, when it was read.
    pub digest: Option<String>,
    /// Each rule's result.
    pub rules: Vec<RuleResult>,
    /// The image's user, for the manifests that run it.
    #[serde(skip)]
    pub user: String,
    /// What could not be checked fully and why (a database lacking a release's advisories).
    #[serde(skip)]
    pub gaps: Vec<String>,
}

/// SARIF 2.1.0: a result per failed rule, a rule entry per rule that failed somewhere.
pub fn sarif(results: &[ImageResult]) -> serde_json::Value {
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
