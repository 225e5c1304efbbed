//! Secret detection: content rules for files that can hold text, name rules for files that
//! are secrets by what they are called, and checks for config strings (env, labels, history).
//!
//! Rules are tuned for a low false-positive rate on ordinary image content (distribution
//! packages, certificate bundles, test fixtures): keys must have their real shape, private keys
//! must carry a key body, and the generic rule wants a quoted, high-entropy, non-placeholder
//! value assigned to a secret-sounding name. A match is never shown whole: see [`mask`].

use std::sync::LazyLock;

use base64::Engine as _;
use regex::{Regex, RegexSet};

/// One secret found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SecretMatch {
    /// Rule id, e.g. `github-token`.
    pub rule: &'static str,
    /// What it is, for people.
    pub title: &'static str,
    /// 1-based line (0 for name rules and config strings).
    pub line: usize,
    /// The secret, masked.
    pub masked: String,
}

struct Rule {
    id: &'static str,
    title: &'static str,
    pattern: &'static str,
    /// Which capture group holds the secret (0 = whole match).
    group: usize,
    check: fn(&str, &[u8], usize) -> bool,
    /// The secret has a shape of its own (a prefix, a fixed length) that documentation and
    /// library code do not produce by accident; shapeless rules skip [`reference_path`]s.
    shaped: bool,
}

fn always(_: &str, _: &[u8], _: usize) -> bool {
    true
}

const RULES: &[Rule] = &[
    Rule {
        id: "private-key",
        title: "private key",
        pattern: r"-----BEGIN[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----",
        group: 0,
        shaped: false,
        check: private_key_body,
    },
    Rule {
        id: "aws-access-key-id",
        title: "AWS access key id",
        pattern: r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
        group: 1,
        shaped: true,
        check: not_aws_example,
    },
    Rule {
        id: "aws-secret-access-key",
        title: "AWS secret access key",
        pattern: r#"(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)"#,
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "gcp-api-key",
        title: "Google Cloud API key",
        pattern: r"\b(AIza[0-9A-Za-z_\-]{35})(?:[^0-9A-Za-z_\-]|$)",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "azure-storage-key",
        title: "Azure storage account key",
        pattern: r"AccountKey=([A-Za-z0-9+/]{86}==)",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "github-token",
        title: "GitHub token",
        pattern: r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "gitlab-token",
        title: "GitLab token",
        pattern: r"\b(gl(?:pat|dt|rt|cbt|ptt)-[A-Za-z0-9_\-]{20,})",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "slack-token",
        title: "Slack token",
        pattern: r"\b(xox[baprs]-[0-9]{8,}-[A-Za-z0-9-]{8,})",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "slack-webhook",
        title: "Slack webhook URL",
        pattern: r"https://hooks\.slack\.com/services/(T[A-Za-z0-9_]{6,}/B[A-Za-z0-9_]{6,}/[A-Za-z0-9_]{20,})",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "npm-token",
        title: "npm access token",
        pattern: r"\b(npm_[A-Za-z0-9]{36})\b",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "npmrc-auth",
        title: "npm registry credential",
        pattern: r#"(?m)^\s*(?://\S+:)?(?:_authToken|_auth|_password)\s*=\s*"?([A-Za-z0-9+/=_.:\-]{10,})"?\s*$"#,
        group: 1,
        shaped: false,
        check: not_placeholder,
    },
    Rule {
        id: "pypi-token",
        title: "PyPI API token",
        pattern: r"\b(pypi-AgE[A-Za-z0-9_\-]{50,})",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "docker-config-auth",
        title: "registry credential (Docker config.json auths)",
        pattern: r#""auth"\s*:\s*"([A-Za-z0-9+/]{6,}={0,2})""#,
        group: 1,
        shaped: false,
        check: basic_auth_pair,
    },
    Rule {
        id: "password-in-url",
        title: "password in a URL",
        pattern: r#"\b[a-zA-Z][a-zA-Z0-9+.\-]{1,15}://[^\s:/@'"<>()\[\]{}]{1,64}:([^\s:/@'"<>()\[\]{}]{3,128})@[A-Za-z0-9][A-Za-z0-9.\-]*"#,
        group: 1,
        shaped: false,
        check: not_placeholder,
    },
    Rule {
        id: "netrc-password",
        title: "password in a netrc",
        pattern: r"(?m)^\s*machine\s+\S+\s+login\s+\S+\s+password\s+(\S{3,})",
        group: 1,
        shaped: false,
        check: not_placeholder,
    },
    Rule {
        id: "generic-secret",
        title: "secret assigned to a variable",
        pattern: r#"(?i)\b[a-z0-9_.\-]*(?:secret|token|passwd|password|api_?key|access_?key|private_?key|auth_?key|client_?secret|credentials?)[a-z0-9_\-]*["']?\s*(?::|=|:=|=>)\s*["']([^"'\s]{16,128})["']"#,
        group: 1,
        shaped: false,
        check: high_entropy,
    },
    Rule {
        id: "dotenv-secret",
        title: "secret in a .env file",
        pattern: r"(?mi)^\s*(?:export\s+)?[a-z0-9_]*(?:secret|token|passwd|password|api_?key|access_?key|private_?key|credentials?)[a-z0-9_]*\s*=\s*([^\s#'\x22]{6,})",
        group: 1,
        shaped: false,
        check: dotenv_only,
    },
];

static SET: LazyLock<RegexSet> =
    LazyLock::new(|| RegexSet::new(RULES.iter().map(|r| r.pattern)).expect("rules compile"));
static REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|r| Regex::new(r.pattern).expect("rule compiles"))
        .collect()
});

/// True when the bytes look like text: no NUL in the first 8 KiB.
pub fn can_hold_text(bytes: &[u8]) -> bool {
    !bytes[..bytes.len().min(8192)].contains(&0)
}

/// Secrets in a file's content. `path` has no leading `/`.
pub fn scan_file(path: &str, bytes: &[u8]) -> Vec<SecretMatch> {
    let text = String::from_utf8_lossy(bytes);
    scan(path, &text)
}

/// Secrets in a config string (an env value, a label, a history line).
pub fn scan_text(text: &str) -> Vec<SecretMatch> {
    let mut found = scan("", text);
    for m in &mut found {
        m.line = 0;
    }
    found
}

/// `text` with every secret the rules find replaced by its [`mask`].
pub fn redact(text: &str) -> String {
    let mut found = spans("", text);
    if found.is_empty() {
        return text.to_string();
    }
    found.sort_by_key(|(s, _, _)| *s);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, m) in found {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&m.masked);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

fn scan(path: &str, text: &str) -> Vec<SecretMatch> {
    spans(path, text).into_iter().map(|(_, _, m)| m).collect()
}

fn spans(path: &str, text: &str) -> Vec<(usize, usize, SecretMatch)> {
    let hits = SET.matches(text);
    if !hits.matched_any() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for i in hits.iter() {
        let rule = &RULES[i];
        for caps in REGEXES[i].captures_iter(text) {
            let (Some(whole), Some(secret)) = (caps.get(0), caps.get(rule.group)) else {
                continue;
            };
            if !(rule.check)(secret.as_str(), text.as_bytes(), whole.end()) {
                continue;
            }
            if rule.id == "dotenv-secret" && !is_dotenv(path) {
                continue;
            }
            if rule.id == "npmrc-auth" && !path.is_empty() && !path.ends_with("npmrc") {
                continue;
            }
            if !rule.shaped && reference_path(path) {
                continue;
            }
            // One finding per place: a token inside a generic assignment is reported once.
            let start = secret.start();
            if out
                .iter()
                .any(|(s, _, _): &(usize, usize, SecretMatch)| *s == start)
            {
                continue;
            }
            out.push((
                start,
                secret.end(),
                SecretMatch {
                    rule: rule.id,
                    title: rule.title,
                    line: 1 + text[..start].bytes().filter(|&b| b == b'\n').count(),
                    masked: mask(secret.as_str()),
                },
            ));
        }
    }
    out.sort_by_key(|(s, _, _)| *s);
    out
}

/// Files that are secrets by name: SSH private keys, `.env`, `.netrc`, git and cloud
/// credential files, keystores. Empty files are not.
pub fn scan_name(path: &str, size: u64) -> Option<SecretMatch> {
    if size == 0 {
        return None;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let (rule, title) = match name {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            ("ssh-private-key-file", "SSH private key file")
        }
        ".netrc" | "_netrc" => ("netrc-file", "netrc credentials file"),
        ".git-credentials" => ("git-credentials-file", "git credentials file"),
        ".pgpass" => ("pgpass-file", "PostgreSQL password file"),
        "credentials" if path.ends_with(".aws/credentials") => {
            ("aws-credentials-file", "AWS credentials file")
        }
        _ if is_dotenv(path) && name.starts_with(".env") => ("dotenv-file", ".env file"),
        _ if [".p12", ".pfx", ".jks", ".keystore"]
            .iter()
            .any(|s| name.ends_with(s)) =>
        {
            ("keystore-file", "key store")
        }
        _ => return None,
    };
    Some(SecretMatch {
        rule,
        title,
        line: 0,
        masked: String::new(),
    })
}

/// Documentation, examples, test fixtures and installed libraries: places where sample keys
/// and passwords are text, not credentials. Only shaped rules look there.
fn reference_path(path: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "usr/share/doc/",
        "usr/share/man/",
        "usr/share/info/",
        "usr/share/perl",
        "usr/lib/python",
        "usr/local/lib/python",
        "usr/lib/ruby/",
        "usr/share/ruby",
        "usr/lib/node_modules/",
        "usr/share/javascript/",
        "usr/share/gocode/",
    ];
    PREFIXES.iter().any(|p| path.starts_with(p))
        || [
            "/node_modules/",
            "/site-packages/",
            "/dist-packages/",
            "/examples/",
            "/testdata/",
        ]
        .iter()
        .any(|p| path.contains(p))
}

/// `.env`, `.env.production`, `app.env`; not the committed templates.
fn is_dotenv(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let dotenv = name == ".env" || name.starts_with(".env.") || name.ends_with(".env");
    dotenv
        && ![".example", ".sample", ".template", ".dist", ".defaults"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// True when a variable name says its value is a secret.
pub fn secret_name(name: &str) -> bool {
    static NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(secret|token|passw|pwd|api_?key|access_?key|private_?key|credential|auth)",
        )
        .expect("compiles")
    });
    NAME.is_match(name)
}

/// A value assigned to a secret-sounding name that is a real value, not a placeholder or a
/// reference to one (`$VAR`, `${VAR}`, `<password>`, a file path).
pub fn real_value(value: &str) -> bool {
    value.len() >= 6 && !value.starts_with('/') && not_placeholder(value, b"", 0)
}

/// Shows a secret's first four characters and its length, never more.
pub fn mask(secret: &str) -> String {
    let head: String = secret.chars().take(4).collect();
    format!("{head}… ({} chars)", secret.chars().count())
}

fn private_key_body(_: &str, text: &[u8], end: usize) -> bool {
    // The header must be followed by a key body, not be a string in some code that parses PEM.
    let mut run = 0usize;
    let mut i = end;
    let stop = (end + 400).min(text.len());
    while i < stop {
        let b = text[i];
        if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=' {
            run += 1;
            if run >= 40 {
                return true;
            }
        } else if b == b'\\' && text.get(i + 1) == Some(&b'n') {
            i += 1; // a JSON-escaped newline
        } else if b == b'\n' || b == b'\r' {
            // lines of a body continue the run
        } else if b == b':' || b == b' ' || b == b'-' || b == b',' {
            // headers such as `Proc-Type: 4,ENCRYPTED`
            run = 0;
        } else {
            run = 0;
        }
        i += 1;
    }
    false
}

fn not_aws_example(key: &str, _: &[u8], _: usize) -> bool {
    !key.ends_with("EXAMPLE")
}

fn basic_auth_pair(value: &str, _: &[u8], _: usize) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(value)
        .ok()
        .and_then(|d| String::from_utf8(d).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(u, p)| !u.is_empty() && !p.is_empty())
        })
        .unwrap_or(false)
}

fn not_placeholder(value: &str, _: &[u8], _: usize) -> bool {
    let v = value.trim_matches(|c| c == '"' || c == '\'');
    let lower = v.to_ascii_lowercase();
    if v.starts_with('$')
        || v.starts_with('%')
        || v.starts_with('<')
        || v.starts_with('{')
        || v.contains("${")
        || v.chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
    {
        return false;
    }
    const PLACEHOLDERS: &[&str] = &[
        "password",
        "passwd",
        "pass",
        "secret",
        "changeme",
        "change_me",
        "example",
        "dummy",
        "placeholder",
        "redacted",
        "your",
        "xxx",
        "***",
        "none",
        "null",
        "undefined",
        "test",
        "fake",
        "sample",
        "pwd",
        "token",
        "user",
        "username",
        "foo",
        "bar",
        "mypassword",
        "yourpassword",
        "hunter2",
    ];
    !PLACEHOLDERS
        .iter()
        .any(|p| lower == *p || (p.len() >= 4 && lower.starts_with(p)))
}

fn high_entropy(value: &str, text: &[u8], end: usize) -> bool {
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    let letters = value.bytes().filter(u8::is_ascii_alphabetic).count();
    // Dotted identifiers and paths are code, not secrets.
    let code_like = value.contains("::")
        || value.starts_with('/')
        || value.contains("://")
        || (value.contains('.')
            && value.split('.').all(|p| {
                p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && !p.is_empty()
                    && !p.as_bytes()[0].is_ascii_digit()
            }));
    value.len() >= 16
        && digits >= 2
        && letters >= 4
        && !code_like
        && entropy(value) >= 3.5
        && not_placeholder(value, text, end)
}

fn dotenv_only(value: &str, text: &[u8], end: usize) -> bool {
    not_placeholder(value, text, end)
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(path: &str, text: &str) -> Vec<&'static str> {
        scan_file(path, text.as_bytes())
            .iter()
            .map(|m| m.rule)
            .collect()
    }

    #[test]
    fn finds_shaped_tokens() {
        assert_eq!(
            rules("x", "t=ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            ["github-token"]
        );
        assert_eq!(
            rules("x", "id AKIAQWERTYUIOPASDF23 here"),
            ["aws-access-key-id"]
        );
        assert!(rules("x", "id AKIAIOSFODNN7EXAMPLE here").is_empty());
        assert_eq!(
            rules("x", "postgres://app:S3cr3tPw@db.internal/app"),
            ["password-in-url"]
        );
        assert!(rules("x", "postgres://user:${DB_PASSWORD}@db/app").is_empty());
        assert!(rules("x", "see https://user:password@host/").is_empty());
    }

    #[test]
    fn private_keys_need_a_body() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(rules("k.pem", key), ["private-key"]);
        assert!(
            rules(
                "ssl.py",
                "if line == '-----BEGIN PRIVATE KEY-----':\n    pass\n"
            )
            .is_empty()
        );
        let json = r#"{"private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"}"#;
        assert_eq!(rules("sa.json", json), ["private-key"]);
    }

    #[test]
    fn generic_assignments_want_entropy() {
        assert_eq!(
            rules("settings.py", "SECRET_KEY = 'k8Jd93nfQ2mZp0x7Lq4R'"),
            ["generic-secret"]
        );
        assert!(rules("settings.py", "token = 'tokenize.generate_tokens'").is_empty());
        assert!(rules("a.py", "password = 'aaaaaaaaaaaaaaaaaaaa'").is_empty());
        assert!(rules("a.py", "api_key = os.environ['API_KEY']").is_empty());
    }

    #[test]
    fn dotenv_and_names() {
        assert_eq!(
            rules("app/.env", "DB_PASSWORD=Zq8vT3kLm\n"),
            ["dotenv-secret"]
        );
        assert!(rules("app/config.txt", "DB_PASSWORD=Zq8vT3kLm\n").is_empty());
        assert_eq!(
            scan_name("root/.ssh/id_rsa", 10).map(|m| m.rule),
            Some("ssh-private-key-file")
        );
        assert_eq!(scan_name("root/.ssh/id_rsa.pub", 10), None);
        assert_eq!(scan_name("app/.env.example", 10), None);
    }

    #[test]
    fn docker_auths() {
        let auth = base64::engine::general_purpose::STANDARD.encode("bob:pa55word");
        let text = format!(r#"{{"auths":{{"reg.example":{{"auth":"{auth}"}}}}}}"#);
        assert_eq!(
            rules("root/.docker/config.json", &text),
            ["docker-config-auth"]
        );
    }

    #[test]
    fn masks() {
        assert_eq!(mask("ghp_abcdef"), "ghp_… (10 chars)");
    }
}
