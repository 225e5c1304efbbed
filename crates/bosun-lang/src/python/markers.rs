//! PEP 508 environment markers, evaluated for the image's interpreter and platform rather
//! than the machine bosun runs on.
//!
//! ```text
//! marker_or   = marker_and ('or' marker_and)*
//! marker_and  = marker_expr ('and' marker_expr)*
//! marker_expr = marker_var marker_op marker_var | '(' marker_or ')'
//! marker_op   = '<' | '<=' | '!=' | '==' | '>=' | '>' | '~=' | '===' | 'in' | 'not in'
//! ```
//!
//! As `packaging` does: a comparison is a PEP 440 version comparison when the right side
//! parses as a version specifier, else a string comparison; `extra` values are compared
//! normalised. PEP 751's `extras` and `dependency_groups` are sets, tested with `in`.

use std::collections::BTreeSet;
use std::str::FromStr;

/// The values markers are evaluated against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// `python_full_version`, such as `3.13.5`.
    pub python_full_version: String,
    /// `platform_machine`, such as `x86_64` or `aarch64`.
    pub platform_machine: String,
    /// Extras in force (`extra == "x"`, and `"x" in extras`).
    pub extras: BTreeSet<String>,
    /// Dependency groups in force (`"dev" in dependency_groups`).
    pub dependency_groups: BTreeSet<String>,
}

impl Environment {
    /// The value of an environment marker variable.
    fn value(&self, name: &str) -> Option<String> {
        let python_version = || {
            let mut parts = self.python_full_version.split('.');
            format!(
                "{}.{}",
                parts.next().unwrap_or("3"),
                parts.next().unwrap_or("0")
            )
        };
        Some(match name {
            "python_version" => python_version(),
            "python_full_version" | "implementation_version" => self.python_full_version.clone(),
            "os_name" | "os.name" => "posix".into(),
            "sys_platform" | "sys.platform" => "linux".into(),
            "platform_system" => "Linux".into(),
            "platform_machine" | "platform.machine" => self.platform_machine.clone(),
            "platform_python_implementation" | "python_implementation" => "CPython".into(),
            "implementation_name" => "cpython".into(),
            // Not knowable for an image that is not running; empty, as for an unknown kernel.
            "platform_release" | "platform_version" | "platform.version" => String::new(),
            _ => return None,
        })
    }
}

/// A parsed marker expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// Both sides hold.
    And(Box<Marker>, Box<Marker>),
    /// Either side holds.
    Or(Box<Marker>, Box<Marker>),
    /// One comparison.
    Compare(Operand, String, Operand),
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    /// An environment variable such as `python_version`.
    Variable(String),
    /// A quoted string.
    Literal(String),
}

impl FromStr for Marker {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let tokens = tokenize(text)?;
        let mut parser = Parser { tokens, at: 0 };
        let marker = parser.or()?;
        match parser.tokens.get(parser.at) {
            None => Ok(marker),
            Some(t) => Err(format!("unexpected {t:?} in marker {text:?}")),
        }
    }
}

/// Evaluates marker text; a marker that does not parse is an error naming it.
pub fn evaluate(text: &str, env: &Environment) -> Result<bool, String> {
    Ok(text.parse::<Marker>()?.evaluate(env))
}

impl Marker {
    /// Whether the marker holds in `env`.
    pub fn evaluate(&self, env: &Environment) -> bool {
        match self {
            Marker::And(a, b) => a.evaluate(env) && b.evaluate(env),
            Marker::Or(a, b) => a.evaluate(env) || b.evaluate(env),
            Marker::Compare(lhs, op, rhs) => compare(lhs, op, rhs, env),
        }
    }
}

fn compare(lhs: &Operand, op: &str, rhs: &Operand, env: &Environment) -> bool {
    // Sets (PEP 751): `"name" in extras`.
    if let Operand::Variable(set) = rhs
        && (set == "extras" || set == "dependency_groups")
    {
        let items = match set.as_str() {
            "extras" => &env.extras,
            _ => &env.dependency_groups,
        };
        let Operand::Literal(item) = lhs else {
            return false;
        };
        let found = items.contains(&normalize(item));
        return match op {
            "in" => found,
            "not in" => !found,
            _ => false,
        };
    }
    // `extra == "name"`: names compare normalised; with no extra in force nothing matches.
    let is_extra = |o: &Operand| matches!(o, Operand::Variable(v) if v == "extra");
    if is_extra(lhs) || is_extra(rhs) {
        let other = match (lhs, rhs) {
            (Operand::Literal(s), _) | (_, Operand::Literal(s)) => normalize(s),
            _ => return false,
        };
        let found = env.extras.contains(&other);
        return match op {
            "==" | "===" => found,
            "!=" => !found,
            _ => false,
        };
    }
    let value = |o: &Operand| match o {
        Operand::Literal(s) => Some(s.clone()),
        Operand::Variable(v) => env.value(v),
    };
    let (Some(l), Some(r)) = (value(lhs), value(rhs)) else {
        return false;
    };
    match op {
        "in" => r.contains(&l),
        "not in" => !r.contains(&l),
        _ => {
            // A version comparison when both sides are versions, else a string one.
            if let (Ok(spec), Ok(version)) = (
                pep440_rs::VersionSpecifier::from_str(&format!("{op}{r}")),
                pep440_rs::Version::from_str(&l),
            ) {
                return spec.contains(&version);
            }
            match op {
                "==" | "===" => l == r,
                "!=" => l != r,
                "<" => l < r,
                "<=" => l <= r,
                ">" => l > r,
                ">=" => l >= r,
                _ => false,
            }
        }
    }
}

/// A name as PEP 503 normalises it (extras and groups compare this way, PEP 685).
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        match c {
            '-' | '_' | '.' if out.ends_with('-') => {}
            '-' | '_' | '.' => out.push('-'),
            c => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Op(String),
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            '\'' | '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&d| d == c)
                    .ok_or_else(|| format!("unterminated string in marker {text:?}"))?;
                tokens.push(Token::Quoted(chars[i + 1..i + 1 + end].iter().collect()));
                i += end + 2;
            }
            '<' | '>' | '=' | '!' | '~' => {
                let mut op = String::new();
                while i < chars.len() && "<>=!~".contains(chars[i]) {
                    op.push(chars[i]);
                    i += 1;
                }
                if !["<", "<=", "!=", "==", ">=", ">", "~=", "==="].contains(&op.as_str()) {
                    return Err(format!("unknown operator {op:?} in marker {text:?}"));
                }
                tokens.push(Token::Op(op));
            }
            c if c.is_ascii_alphanumeric() || c == '_' || c == '.' => {
                let mut word = String::new();
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
                {
                    word.push(chars[i]);
                    i += 1;
                }
                tokens.push(Token::Word(word));
            }
            other => return Err(format!("unexpected {other:?} in marker {text:?}")),
        }
    }
    Ok(tokens)
}

const VARIABLES: &[&str] = &[
    "python_version",
    "python_full_version",
    "os_name",
    "sys_platform",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform_machine",
    "platform_python_implementation",
    "implementation_name",
    "implementation_version",
    "extra",
    "extras",
    "dependency_groups",
    "os.name",
    "sys.platform",
    "platform.version",
    "platform.machine",
    "python_implementation",
];

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w == word)
    }

    fn or(&mut self) -> Result<Marker, String> {
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.at += 1;
            let right = self.and()?;
            left = Marker::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Marker, String> {
        let mut left = self.expr()?;
        while self.peek_word("and") {
            self.at += 1;
            let right = self.expr()?;
            left = Marker::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn expr(&mut self) -> Result<Marker, String> {
        if self.tokens.get(self.at) == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or()?;
            if self.tokens.get(self.at) != Some(&Token::Close) {
                return Err("missing `)` in marker".into());
            }
            self.at += 1;
            return Ok(inner);
        }
        let lhs = self.operand()?;
        let op = match self.tokens.get(self.at).cloned() {
            Some(Token::Op(op)) => {
                self.at += 1;
                op
            }
            Some(Token::Word(w)) if w == "in" => {
                self.at += 1;
                "in".into()
            }
            Some(Token::Word(w)) if w == "not" => {
                self.at += 1;
                if !self.peek_word("in") {
                    return Err("expected `in` after `not` in marker".into());
                }
                self.at += 1;
                "not in".into()
            }
            other => return Err(format!("expected an operator in marker, found {other:?}")),
        };
        let rhs = self.operand()?;
        Ok(Marker::Compare(lhs, op, rhs))
    }

    fn operand(&mut self) -> Result<Operand, String> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        match token {
            Some(Token::Quoted(s)) => Ok(Operand::Literal(s)),
            Some(Token::Word(w)) if VARIABLES.contains(&w.as_str()) => Ok(Operand::Variable(w)),
            Some(Token::Word(w)) => Err(format!("unknown marker variable `{w}`")),
            other => Err(format!("expected a marker value, found {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(version: &str, machine: &str) -> Environment {
        Environment {
            python_full_version: version.into(),
            platform_machine: machine.into(),
            extras: BTreeSet::new(),
            dependency_groups: BTreeSet::new(),
        }
    }

    /// Cases in the spirit of `packaging`'s tests/test_markers.py, for a Linux target.
    #[test]
    fn evaluates_for_the_target() {
        let e = env("3.13.5", "aarch64");
        for (marker, want) in [
            ("python_version >= '3.8'", true),
            ("python_version < \"3.10\"", false),
            ("python_full_version >= '3.13.1'", true),
            ("python_version == '3.13'", true),
            ("python_version ~= '3.12'", true),
            ("python_version != '3.13.*'", false),
            ("'3.9' <= python_version", true),
            ("sys_platform == 'win32'", false),
            (
                "sys_platform == 'linux' and platform_machine == 'aarch64'",
                true,
            ),
            (
                "sys_platform == 'darwin' or platform_machine == 'x86_64'",
                false,
            ),
            (
                "(os_name == 'nt' or os_name == 'posix') and python_version > '3'",
                true,
            ),
            ("platform_system != 'Windows'", true),
            ("implementation_name == 'pypy'", false),
            ("platform_python_implementation == 'CPython'", true),
            ("'linux' in sys_platform", true),
            ("'arm' not in platform_machine", true),
            ("extra == 'test'", false),
            ("os.name == 'posix'", true),
            ("platform_release >= '5'", false),
        ] {
            assert_eq!(evaluate(marker, &e), Ok(want), "{marker}");
        }
    }

    #[test]
    fn extras_and_groups() {
        let mut e = env("3.11.2", "x86_64");
        e.extras.insert("socks".into());
        e.dependency_groups.insert("dev".into());
        assert_eq!(evaluate("extra == 'SOCKS'", &e), Ok(true));
        assert_eq!(evaluate("extra != 'socks'", &e), Ok(false));
        assert_eq!(evaluate("'socks' in extras", &e), Ok(true));
        assert_eq!(evaluate("'Dev' in dependency_groups", &e), Ok(true));
        assert_eq!(evaluate("'docs' not in dependency_groups", &e), Ok(true));
    }

    #[test]
    fn refuses_malformed() {
        let e = env("3.13.0", "x86_64");
        for bad in [
            "python_version >=",
            "bogus == '1'",
            "python_version => '3'",
            "(python_version > '3'",
            "python_version > '3",
            "python_version > '3' xor x",
        ] {
            assert!(evaluate(bad, &e).is_err(), "{bad}");
        }
    }
}
