//! Reports in hadolint's ten formats, byte for byte: the same fields, key order (sorted, as
//! Aeson writes them), separators, escaping and trailing bytes (most have no final newline;
//! codeclimate ends every issue with a NUL byte).

use std::fmt::Write as _;

use serde_json::{Value, json};
use sha1::{Digest as _, Sha1};

use crate::{Failure, Report, Severity};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `file:line CODE severity: message`, colored unless asked not to.
    Tty,
    /// One JSON array of all findings.
    Json,
    /// Checkstyle XML.
    Checkstyle,
    /// Code Climate engine issues, NUL-terminated.
    Codeclimate,
    /// GitLab Code Quality (a JSON array with fingerprints).
    GitlabCodeclimate,
    /// `hadolint:file:line: CODE severity: message`.
    Gnu,
    /// Codacy issues, one JSON object after another.
    Codacy,
    /// SonarQube generic issues.
    Sonarqube,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
}

impl Format {
    /// Parses a format name as hadolint spells it.
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name {
            "tty" => Format::Tty,
            "json" => Format::Json,
            "checkstyle" => Format::Checkstyle,
            "codeclimate" => Format::Codeclimate,
            "gitlab_codeclimate" => Format::GitlabCodeclimate,
            "gnu" => Format::Gnu,
            "codacy" => Format::Codacy,
            "sonarqube" => Format::Sonarqube,
            "sarif" => Format::Sarif,
            "junit" => Format::Junit,
            _ => return None,
        })
    }

    /// Whether findings can make the run fail: hadolint's codeclimate and codacy runs always
    /// exit 0.
    pub fn can_fail(self) -> bool {
        !matches!(self, Format::Codeclimate | Format::Codacy)
    }
}

/// One linted file as the report names it.
#[derive(Debug, Clone, Copy)]
pub struct FileReport<'a> {
    /// The name printed (`--file-path-in-report` applies to some formats only).
    pub name: &'a str,
    /// The name for the formats `--file-path-in-report` changes.
    pub report_name: &'a str,
    /// What was found.
    pub report: &'a Report,
}

/// Who the report says made it (SARIF driver, JUnit suite, SonarQube engine).
#[derive(Debug, Clone, Copy)]
pub struct Tool<'a> {
    /// `Hadolint` in drop-in mode.
    pub name: &'a str,
    /// Version string.
    pub version: &'a str,
    /// Long name.
    pub full_name: &'a str,
    /// One-line description.
    pub description: &'a str,
    /// Where to get it (left out of reports when empty).
    pub uri: &'a str,
}

/// What hadolint 2.15.1 says of itself, for reports tools parse by tool name.
pub const HADOLINT: Tool<'static> = Tool {
    name: "Hadolint",
    version: "2.15.1",
    full_name: "Haskell Dockerfile Linter",
    description: "Dockerfile linter, validate inline bash, written in Haskell",
    uri: "https://github.com/hadolint/hadolint",
};

/// Renders the reports of `files`. `now` is the Unix time JUnit stamps its run with.
pub fn render(
    format: Format,
    files: &[FileReport<'_>],
    color: bool,
    tool: Tool<'_>,
    now: i64,
) -> Vec<u8> {
    let all = || {
        files
            .iter()
            .flat_map(|f| f.report.failures.iter().map(move |x| (f, x)))
    };
    let text = match format {
        Format::Tty => {
            let mut s = String::new();
            for (file, f) in all() {
                if f.code == "DL1000" {
                    let _ = writeln!(s, "{}:{}:{} {} ", file.name, f.line, f.column, f.message.replace('\n', " "));
                } else {
                    let _ = writeln!(s, "{}:{} {} {}: {}", file.name, f.line, f.code, tty_severity(f.severity, color), f.message);
                }
            }
            s
        }
        Format::Gnu => {
            let mut s = String::new();
            for (file, f) in all() {
                let _ = writeln!(s, "hadolint:{}:{}: {} {}: {}", file.name, f.line, f.code, f.severity.as_str(), f.message);
            }
            s
        }
        Format::Json => {
            let items: Vec<Value> = all()
                .map(|(file, f)| {
                    json!({"code": f.code, "column": f.column, "file": file.name, "level": f.severity.as_str(), "line": f.line, "message": f.message})
                })
                .collect();
            Value::Array(items).to_string()
        }
        Format::Checkstyle => {
            let mut s = String::from(r#"<?xml version="1.0" encoding="UTF-8"?><checkstyle version="4.3">"#);
            for file in files {
                if file.report.failures.is_empty() {
                    let _ = write!(s, r#"<file name="{}"/>"#, xml(file.report_name));
                    continue;
                }
                let _ = write!(s, r#"<file name="{}">"#, xml(file.report_name));
                for f in &file.report.failures {
                    let _ = write!(
                        s,
                        r#"<error column="{}" line="{}" message="{}" severity="{}" source="{}"/>"#,
                        f.column, f.line, xml(&f.message), f.severity.as_str(), xml(&f.code)
                    );
                }
                s.push_str("</file>");
            }
            s.push_str("</checkstyle>");
            s
        }
        Format::Codeclimate => {
            let mut out = Vec::new();
            for (file, f) in all() {
                out.extend_from_slice(codeclimate_issue(file.report_name, f).to_string().as_bytes());
                out.push(0);
            }
            return out;
        }
        Format::GitlabCodeclimate => {
            let items: Vec<Value> = all()
                .map(|(file, f)| {
                    let mut issue = codeclimate_issue(file.report_name, f);
                    let fingerprint = hex::encode(Sha1::digest(issue.to_string().as_bytes()));
                    issue["fingerprint"] = Value::String(fingerprint);
                    issue
                })
                .collect();
            Value::Array(items).to_string()
        }
        Format::Codacy => all()
            .map(|(file, f)| json!({"filename": file.name, "line": f.line, "message": f.message, "patternId": f.code}).to_string())
            .collect(),
        Format::Sonarqube => {
            let issues: Vec<Value> = all()
                .map(|(file, f)| {
                    let (severity, kind) = match f.severity {
                        Severity::Error => ("CRITICAL", "BUG"),
                        Severity::Warning => ("MAJOR", "CODE_SMELL"),
                        Severity::Info => ("MINOR", "CODE_SMELL"),
                        Severity::Style | Severity::Ignore => ("INFO", "CODE_SMELL"),
                    };
                    json!({
                        "engineId": tool.name,
                        "primaryLocation": {"filePath": file.report_name, "message": f.message,
                            "textRange": {"endColumn": 1, "endLine": f.line, "startColumn": 0, "startLine": f.line}},
                        "ruleId": f.code, "severity": severity, "type": kind,
                    })
                })
                .collect();
            json!({"issues": issues}).to_string()
        }
        Format::Sarif => {
            let results: Vec<Value> = all()
                .map(|(file, f)| {
                    let level = match f.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        _ => "note",
                    };
                    let language = if f.code.starts_with("SC") { "sh" } else { "dockerfile" };
                    json!({
                        "level": level,
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": file.name},
                            "region": {"endColumn": f.column, "endLine": f.line, "sourceLanguage": language, "startColumn": f.column, "startLine": f.line}}}],
                        "message": {"text": f.message},
                        "ruleId": f.code,
                    })
                })
                .collect();
            let mut sarif = json!({
                "$schema": "http://json.schemastore.org/sarif-2.1.0",
                "runs": [{"defaultSourceLanguage": "dockerfile", "results": results,
                    "tool": {"driver": {"downloadUri": tool.uri, "fullName": tool.full_name, "name": tool.name,
                        "shortDescription": {"text": tool.description}, "version": tool.version}}}],
                "version": "2.1.0",
            });
            if tool.uri.is_empty()
                && let Some(driver) = sarif.pointer_mut("/runs/0/tool/driver").and_then(Value::as_object_mut)
            {
                driver.remove("downloadUri");
            }
            sarif.to_string()
        }
        Format::Junit => junit(files, tool, now),
    };
    text.into_bytes()
}

fn tty_severity(severity: Severity, color: bool) -> String {
    let name = severity.as_str();
    if !color {
        return name.to_string();
    }
    let code = match severity {
        Severity::Error => "\x1b[1m\x1b[91m",
        Severity::Warning => "\x1b[1m\x1b[93m",
        Severity::Info => "\x1b[92m",
        Severity::Style | Severity::Ignore => "\x1b[96m",
    };
    format!("{code}{name}\x1b[0m")
}

fn codeclimate_issue(path: &str, f: &Failure) -> Value {
    let severity = match f.severity {
        Severity::Error => "blocker",
        Severity::Warning => "major",
        Severity::Info => "info",
        Severity::Style | Severity::Ignore => "minor",
    };
    json!({
        "categories": ["Bug Risk"], "check_name": f.code, "description": f.message,
        "location": {"lines": {"begin": f.line, "end": f.line}, "path": path},
        "severity": severity, "type": "issue",
    })
}

/// Escapes XML attribute text the way hadolint's reports do (`>` and `'` stay).
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

/// XML element text: `&`, `<` and `>` escaped (attributes keep `>`; hadolint does so).
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn junit(files: &[FileReport<'_>], tool: Tool<'_>, now: i64) -> String {
    let when = jiff::Timestamp::from_second(now).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let mut s = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><testsuites id="{}" name="{} run at {}" time="0.001">"#,
        when.strftime("%Y%m%d_%H%M%S"),
        tool.name,
        when.strftime("%Y-%m-%d %H:%M:%S")
    );
    for file in files {
        let failures = &file.report.failures;
        let errors = usize::from(file.report.parse_error.is_some());
        let _ = write!(
            s,
            r#"<testsuite errors="{errors}" failures="{}" id="hadolint" name="{} {}" time="0.001""#,
            failures.len(),
            tool.name,
            tool.version
        );
        // An empty suite is one self-closing element, as hadolint writes it.
        if failures.is_empty() {
            s.push_str("/>");
            continue;
        }
        s.push('>');
        for f in failures {
            if f.code == "DL1000" {
                let _ = write!(
                    s,
                    r#"<testcase id="hadolint.error" name="DL1000" time="0.001"><failure message="parse error at line {}, column {}" type="error">Parse Error in {}
Line: {}
Column: {}
Parse Error: {}
</failure></testcase>"#,
                    f.line,
                    f.column,
                    xml_text(file.report_name),
                    f.line,
                    f.column,
                    xml_text(&f.message)
                );
                continue;
            }
            let _ = write!(
                s,
                r#"<testcase id="hadolint.rule.{code}" time="0.001"><failure id="{code}" message="{message}" type="{severity}">File: {file}
Line: {line}
Category: Hadolint - Dockerfile Static Analysis
{severity}: {text}
</failure></testcase>"#,
                code = f.code,
                message = xml(&f.message),
                severity = f.severity.as_str(),
                file = xml_text(file.report_name),
                line = f.line,
                text = xml_text(&f.message),
            );
        }
        s.push_str("</testsuite>");
    }
    s.push_str("</testsuites>");
    s
}
