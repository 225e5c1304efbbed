//! Secret detection: content rules for files that can hold text, name rules for files that
//! are secrets by what they are called, and checks for config strings (env, labels, history).
//!
//! Rules are tuned for a low false-positive rate on ordinary image content (distribution
//! packages, certificate bundles, test fixtures): keys must have their real shape, private keys
//! must carry a key body, and the generic rule wants a quoted, high-entropy, non-placeholder
//! value assigned to a secret-sounding name. A match is never shown whole: see [`mask`].

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use base64::Engine as _;
use regex::bytes::Regex;

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
    /// One of these (ASCII case ignored) is in every match: files without any are not
    /// searched with the rule's regex.
    keywords: &'static [&'static str],
    /// The secret has a shape of its own (a prefix, a fixed length) that documentation and
    /// library code do not produce by accident; shapeless rules skip [`reference_path`]s.
    shaped: bool,
}

fn always(_: &str, _: &[u8], _: usize) -> bool {
    true
}

/// The words that make a name sound secret, as the generic rules spell them.
const SECRET_WORDS: &[&str] = &[
    "secret",
    "token",
    "passwd",
    "password",
    "api_key",
    "apikey",
    "access_key",
    "accesskey",
    "private_key",
    "privatekey",
    "auth_key",
    "authkey",
    "credential",
];

const RULES: &[Rule] = &[
    Rule {
        id: "private-key",
        keywords: &["private key"],
        title: "private key",
        pattern: r"-----BEGIN[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----",
        group: 0,
        shaped: false,
        check: private_key_body,
    },
    Rule {
        id: "aws-access-key-id",
        keywords: &["akia", "asia", "abia", "acca"],
        title: "AWS access key id",
        pattern: r"(?-u:\b)((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?-u:\b)",
        group: 1,
        shaped: true,
        check: not_aws_example,
    },
    Rule {
        id: "aws-secret-access-key",
        keywords: &["aws"],
        title: "AWS secret access key",
        pattern: r#"(?i)aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)"#,
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "gcp-api-key",
        keywords: &["aiza"],
        title: "Google Cloud API key",
        pattern: r"(?-u:\b)(AIza[0-9A-Za-z_\-]{35})(?:[^0-9A-Za-z_\-]|$)",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "azure-storage-key",
        keywords: &["accountkey="],
        title: "Azure storage account key",
        pattern: r"AccountKey=([A-Za-z0-9+/]{86}==)",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "github-token",
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        title: "GitHub token",
        pattern: r"(?-u:\b)((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})(?-u:\b)",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "gitlab-token",
        keywords: &["glpat-", "gldt-", "glrt-", "glcbt-", "glptt-"],
        title: "GitLab token",
        pattern: r"(?-u:\b)(gl(?:pat|dt|rt|cbt|ptt)-[A-Za-z0-9_\-]{20,})",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "slack-token",
        keywords: &["xox"],
        title: "Slack token",
        pattern: r"(?-u:\b)(xox[baprs]-[0-9]{8,}-[A-Za-z0-9-]{8,})",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "slack-webhook",
        keywords: &["hooks.slack.com"],
        title: "Slack webhook URL",
        pattern: r"https://hooks\.slack\.com/services/(T[A-Za-z0-9_]{6,}/B[A-Za-z0-9_]{6,}/[A-Za-z0-9_]{20,})",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "npm-token",
        keywords: &["npm_"],
        title: "npm access token",
        pattern: r"(?-u:\b)(npm_[A-Za-z0-9]{36})(?-u:\b)",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "npmrc-auth",
        keywords: &["_auth", "_password"],
        title: "npm registry credential",
        pattern: r#"(?m)^\s*(?://\S+:)?(?:_authToken|_auth|_password)\s*=\s*"?([A-Za-z0-9+/=_.:\-]{10,})"?\s*$"#,
        group: 1,
        shaped: false,
        check: not_placeholder,
    },
    Rule {
        id: "pypi-token",
        keywords: &["pypi-age"],
        title: "PyPI API token",
        pattern: r"(?-u:\b)(pypi-AgE[A-Za-z0-9_\-]{50,})",
        group: 1,
        shaped: true,
        check: always,
    },
    Rule {
        id: "docker-config-auth",
        keywords: &["\"auth\""],
        title: "registry credential (Docker config.json auths)",
        pattern: r#""auth"\s*:\s*"([A-Za-z0-9+/]{6,}={0,2})""#,
        group: 1,
        shaped: false,
        check: basic_auth_pair,
    },
    Rule {
        id: "password-in-url",
        keywords: &["://"],
        title: "password in a URL",
        pattern: r#"(?-u:\b)[a-zA-Z][a-zA-Z0-9+.\-]{1,15}://[^\s:/@'"<>()\[\]{}]{1,64}:([^\s:/@'"<>()\[\]{}]{3,128})@[A-Za-z0-9][A-Za-z0-9.\-]*"#,
        group: 1,
        shaped: false,
        check: not_placeholder,
    },
    Rule {
        id: "netrc-password",
        keywords: &["password"],
        title: "password in a netrc",
        pattern: r"(?m)^\s*machine\s+\S+\s+login\s+\S+\s+password\s+(\S{3,})",
        group: 1,
        shaped: false,
        check: not_placeholder,
    },
    Rule {
        id: "generic-secret",
        keywords: SECRET_WORDS,
        title: "secret assigned to a variable",
        pattern: r#"(?i)(?-u:\b)[a-z0-9_.\-]*(?:secret|token|passwd|password|api_?key|access_?key|private_?key|auth_?key|client_?secret|credentials?)[a-z0-9_\-]*["']?\s*(?::|=|:=|=>)\s*["']([^"'\s]{16,128})["']"#,
        group: 1,
        shaped: false,
        check: high_entropy,
    },
    Rule {
        id: "dotenv-secret",
        keywords: SECRET_WORDS,
        title: "secret in a .env file",
        pattern: r"(?mi)^\s*(?:export\s+)?[a-z0-9_]*(?:secret|token|passwd|password|api_?key|access_?key|private_?key|credentials?)[a-z0-9_]*\s*=\s*([^\s#'\x22]{6,})",
        group: 1,
        shaped: false,
        check: dotenv_only,
    },
];

/// Every rule's keywords in one automaton, and for each keyword the rules it stands for.
struct Keywords {
    automaton: AhoCorasick,
    rules: Vec<u32>,
}

static KEYWORDS: LazyLock<Keywords> = LazyLock::new(|| {
    let mut words: Vec<&str> = Vec::new();
    let mut rules: Vec<u32> = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        for word in rule.keywords {
            match words.iter().position(|w| w == word) {
                Some(at) => rules[at] |= 1 << i,
                None => {
                    words.push(word);
                    rules.push(1 << i);
                }
            }
        }
    }
    let automaton = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&words)
        .expect("keywords build");
    Keywords { automaton, rules }
});

/// Word boundaries are ASCII (`(?-u:\b)`): a Unicode one makes the lazy DFA give up on
/// non-ASCII text and fall back to the PikeVM (10x slower on real layers).
static REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|r| Regex::new(r.pattern).expect("rule compiles"))
        .collect()
});

/// The rules (a bit per rule) that apply to a file, by where it lives and what it is called:
/// reference files (documentation, library code) get only the shaped rules, `.env` files the
/// dotenv rule, npm configs (and config strings, `path` empty) the npmrc rule.
fn applicable(path: &str) -> u32 {
    let reference = reference_path(path);
    let dotenv = is_dotenv(path);
    let npmrc = path.is_empty() || path.ends_with("npmrc");
    RULES
        .iter()
        .enumerate()
        .filter(|(_, rule)| {
            (rule.shaped || !reference)
                && (rule.id != "dotenv-secret" || dotenv)
                && (rule.id != "npmrc-auth" || npmrc)
        })
        .fold(0, |bits, (i, _)| bits | 1 << i)
}

/// The applicable rules whose keywords occur in `text`: one pass, stopping early once every
/// applicable rule is a candidate.
fn candidates(path: &str, text: &[u8]) -> u32 {
    let wanted = applicable(path);
    let keywords = &*KEYWORDS;
    let mut found = 0;
    for hit in keywords.automaton.find_overlapping_iter(text) {
        found |= keywords.rules[hit.pattern().as_usize()] & wanted;
        if found == wanted {
            break;
        }
    }
    found
}

/// True when the bytes look like text: no NUL in the first 8 KiB.
pub fn can_hold_text(bytes: &[u8]) -> bool {
    !bytes[..bytes.len().min(8192)].contains(&0)
}

/// Secrets in a file's content. `path` has no leading `/`.
pub fn scan_file(path: &str, bytes: &[u8]) -> Vec<SecretMatch> {
    scan(path, bytes)
}

/// Secrets in a config string (an env value, a label, a history line).
pub fn scan_text(text: &str) -> Vec<SecretMatch> {
    let mut found = scan("", text.as_bytes());
    for m in &mut found {
        m.line = 0;
    }
    found
}

/// `text` with every secret the rules find replaced by its [`mask`].
pub fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let found = spans("", bytes);
    if found.is_empty() {
        return text.to_string();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for (start, end, m) in found {
        if start < at {
            continue;
        }
        out.extend_from_slice(&bytes[at..start]);
        out.extend_from_slice(m.masked.as_bytes());
        at = end;
    }
    out.extend_from_slice(&bytes[at..]);
    String::from_utf8_lossy(&out).into_owned()
}

fn scan(path: &str, text: &[u8]) -> Vec<SecretMatch> {
    spans(path, text).into_iter().map(|(_, _, m)| m).collect()
}

/// Matches as (start, end, what), in text order.
fn spans(path: &str, text: &[u8]) -> Vec<(usize, usize, SecretMatch)> {
    let candidates = candidates(path, text);
    let mut out: Vec<(usize, usize, SecretMatch)> = Vec::new();
    for (i, rule) in RULES.iter().enumerate() {
        if candidates & 1 << i == 0 {
            continue;
        }
        for caps in REGEXES[i].captures_iter(text) {
            let (Some(whole), Some(secret)) = (caps.get(0), caps.get(rule.group)) else {
                continue;
            };
            let value = String::from_utf8_lossy(secret.as_bytes());
            if !(rule.check)(&value, text, whole.end()) {
                continue;
            }
            // One finding per place: a token inside a generic assignment is reported once.
            let start = secret.start();
            if out.iter().any(|(s, _, _)| *s == start) {
                continue;
            }
            out.push((
                start,
                secret.end(),
                SecretMatch {
                    rule: rule.id,
                    title: rule.title,
                    line: 1 + text[..start].iter().filter(|&&b| b == b'\n').count(),
                    masked: mask(&value),
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
    NAME.is_match(name.as_bytes())
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

    /// Every rule fires on a sample of its own (keywords in mixed case), so no rule lacks the
    /// keyword that lets its regex run.
    #[test]
    fn every_rule_has_a_keyword_its_matches_contain() {
        let body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw";
        let azure = format!(
            "AccountKey={}==",
            &"Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF".repeat(3)[..86]
        );
        let samples: Vec<(&str, String)> = vec![
            (
                "private-key",
                format!("-----BEGIN EC PRIVATE KEY-----\n{body}\n"),
            ),
            ("aws-access-key-id", "AKIAQWERTYUIOPASDF23".into()),
            (
                "aws-secret-access-key",
                format!(
                    "AWS_SECRET_ACCESS_KEY={}",
                    "wJalrXUtnFEMIK7MDENGbPxRfiCYzq8LmN3vT5sQ"
                ),
            ),
            (
                "gcp-api-key",
                format!("key: AIza{}", "Sy9Xk2mQp4Lr7Tn0Vb3Wc6Ze8Hd1Jf5Gh2K"),
            ),
            ("azure-storage-key", azure),
            (
                "github-token",
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789".into(),
            ),
            ("gitlab-token", "glpat-Zx8Kq2Lm9Np4Rt7Vw3Yb".into()),
            ("slack-token", "xoxb-12345678901-AbCdEfGhIjKl".into()),
            (
                "slack-webhook",
                "https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/Zx8Kq2Lm9Np4Rt7Vw3Yb5Cd"
                    .into(),
            ),
            (
                "npm-token",
                "npm_abcdefghijklmnopqrstuvwxyz0123456789".into(),
            ),
            (
                "pypi-token",
                format!("pypi-AgE{}", "Ib3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eFxY".repeat(2)),
            ),
            (
                "password-in-url",
                "amqp://svc:Hq7vT3kPz@mq.internal:5672/".into(),
            ),
            (
                "netrc-password",
                "machine git.internal login ci password Hq7vT3kPz".into(),
            ),
            (
                "generic-secret",
                "Client_Secret: 'k8Jd93nfQ2mZp0x7Lq4R'".into(),
            ),
        ];
        for (rule, text) in samples {
            assert_eq!(rules("srv/app.conf", &text), [rule], "{text}");
        }
        assert_eq!(
            rules(
                "srv/.npmrc",
                "//registry.internal/:_authToken=Zq8vT3kLm0pX\n"
            ),
            ["npmrc-auth"]
        );
        assert_eq!(
            rules("srv/.env", "export Api_Key=Zq8vT3kLm\n"),
            ["dotenv-secret"]
        );
    }

    #[test]
    fn masks() {
        assert_eq!(mask("ghp_abcdef"), "ghp_… (10 chars)");
    }
}
