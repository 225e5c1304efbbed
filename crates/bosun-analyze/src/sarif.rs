//! SARIF 2.1.0, the log code-scanning dashboards read.

/// A SARIF log of one bosun run with these rules and results.
pub fn log(rules: Vec<serde_json::Value>, results: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "bosun",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
