//! The label-schema rules (DL3049-DL3056, DL3058): labels a configuration requires, in the
//! formats it names. hadolint runs one instance of each rule per required label, in label
//! order; so does bosun.

use bosun_dockerfile::Keyword;

use super::{BaseImage, Context, Rule, Stages, failure, pairs};
use crate::{Failure, LabelType, Severity, Step};

/// DL3049: a stage without the label (stages built on one that has it inherit it), reported
/// at the stage's FROM.
pub(crate) struct Missing {
    context: Context,
    label: String,
    stages: Stages,
}

impl Missing {
    pub(crate) fn new(context: Context, label: String) -> Self {
        Self {
            context,
            label,
            stages: Stages::default(),
        }
    }
}

impl Rule for Missing {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if let Some(base) = BaseImage::of(i, &self.context) {
            self.stages.enter(&base, i.line, true);
        } else if i.keyword == Keyword::Label
            && pairs(i, &self.context)
                .iter()
                .any(|(k, _)| *k == self.label)
        {
            // As in hadolint, the label also vouches for stages aliased like this stage's
            // name (`FROM base` names its stage `base`).
            if let Some(name) = self.stages.current_name() {
                self.stages.silence(&name);
            }
            self.stages.satisfied();
        } else if matches!(i.keyword, Keyword::Copy)
            && let Some(from) = i.flag("from")
        {
            self.stages.silence(from);
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        let message = format!("Label `{}` is missing.", self.label);
        for line in self.stages.lacking() {
            out.push(failure("DL3049", Severity::Info, &message, line));
        }
    }
}

/// DL3050 (with strict labels): labels the schema does not name.
pub(crate) struct Superfluous {
    context: Context,
    known: Vec<String>,
}

impl Superfluous {
    pub(crate) fn new(context: Context, known: Vec<String>) -> Self {
        Self { context, known }
    }
}

impl Rule for Superfluous {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if i.keyword == Keyword::Label
            && pairs(i, &self.context)
                .iter()
                .any(|(k, _)| !self.known.contains(k))
        {
            out.push(failure(
                "DL3050",
                Severity::Info,
                "Superfluous label(s) present.",
                i.line,
            ));
        }
    }
}

/// A label value check: DL3051 (empty) and the format rules.
pub(crate) struct Value {
    context: Context,
    label: String,
    code: &'static str,
    message: String,
    bad: fn(&str) -> bool,
}

impl Value {
    /// The rule that checks `label` against its format, if its format has one.
    pub(crate) fn format(context: Context, label: &str, kind: LabelType) -> Option<Self> {
        let (code, message, bad): (&str, String, fn(&str) -> bool) = match kind {
            LabelType::Text => return None,
            LabelType::Url => (
                "DL3052",
                format!("Label `{label}` is not a valid URL."),
                |v| !is_url(v),
            ),
            LabelType::Rfc3339 => (
                "DL3053",
                format!("Label `{label}` is not a valid time format - must conform to RFC3339."),
                |v| v.parse::<jiff::Timestamp>().is_err(),
            ),
            LabelType::Spdx => (
                "DL3054",
                format!("Label `{label}` is not a valid SPDX identifier."),
                |v| spdx::license_id(v).is_none(),
            ),
            LabelType::Hash => (
                "DL3055",
                format!("Label `{label}` is not a valid git hash."),
                |v| {
                    !((v.len() == 40 || v.len() == 7)
                        && v.bytes()
                            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
                },
            ),
            LabelType::Semver => (
                "DL3056",
                format!("Label `{label}` does not conform to semantic versioning."),
                |v| semver::Version::parse(v).is_err(),
            ),
            LabelType::Email => (
                "DL3058",
                format!("Label `{label}` is not a valid email format - must conform to RFC5322."),
                |v| !is_email(v),
            ),
        };
        Some(Self {
            context,
            label: label.to_string(),
            code,
            message,
            bad,
        })
    }

    /// DL3051: the label must not be empty.
    pub(crate) fn not_empty(context: Context, label: &str) -> Self {
        Self {
            context,
            label: label.to_string(),
            code: "DL3051",
            message: format!("label `{label}` is empty."),
            bad: str::is_empty,
        }
    }
}

impl Rule for Value {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if i.keyword == Keyword::Label
            && pairs(i, &self.context)
                .iter()
                .any(|(k, v)| *k == self.label && (self.bad)(v))
        {
            // DL3051 and the format rules are all warnings.
            out.push(failure(self.code, Severity::Warning, &self.message, i.line));
        }
    }
}

/// An absolute URI as RFC 3986 writes it: a scheme, `:`, then only URI characters.
fn is_url(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let mut chars = rest.chars();
    let mut rest_ok = true;
    while let Some(c) = chars.next() {
        if c == '%' {
            let hex = |c: Option<char>| c.is_some_and(|c| c.is_ascii_hexdigit());
            rest_ok &= hex(chars.next()) && hex(chars.next());
        } else if !(c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=".contains(c)) {
            rest_ok = false;
        }
    }
    scheme_ok && rest_ok
}

/// `local@domain` with RFC 5322 dot-atoms on both sides (or a bracketed domain literal).
fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_atom = |s: &str, ok: &dyn Fn(char) -> bool| {
        !s.is_empty()
            && s.split('.')
                .all(|part| !part.is_empty() && part.chars().all(ok))
    };
    let domain_ok = (domain.starts_with('[') && domain.ends_with(']'))
        || dot_atom(domain, &|c: char| c.is_ascii_alphanumeric() || c == '-');
    dot_atom(local, &atext) && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, lint};

    fn codes(text: &str, schema: &[(&str, LabelType)], strict: bool) -> Vec<(String, usize)> {
        let options = Options {
            label_schema: schema.iter().map(|(k, t)| (k.to_string(), *t)).collect(),
            strict_labels: strict,
            ..Options::default()
        };
        lint(text, &options)
            .failures
            .into_iter()
            .filter(|f| ("DL3049".."DL3059").contains(&f.code.as_str()))
            .map(|f| (f.code, f.line))
            .collect()
    }

    #[test]
    fn required_labels_and_formats() {
        let text = "FROM a:1\nLABEL url=\"https://example.org/x\" ver=1.2.3 lic=MIT when=2024-01-02T03:04:05Z hash=abcdef1 mail=a@example.org\n";
        let schema = [
            ("url", LabelType::Url),
            ("ver", LabelType::Semver),
            ("lic", LabelType::Spdx),
            ("when", LabelType::Rfc3339),
            ("hash", LabelType::Hash),
            ("mail", LabelType::Email),
        ];
        assert!(codes(text, &schema, true).is_empty());
        let bad = "FROM a:1\nLABEL url=\"no url\" ver=1.0 lic=Nope when=today hash=xyz mail=nope other=1\n";
        let mut found: Vec<String> = codes(bad, &schema, true)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                "DL3050", "DL3052", "DL3053", "DL3054", "DL3055", "DL3056", "DL3058"
            ]
        );
        assert_eq!(
            codes("FROM a:1\n", &[("team", LabelType::Text)], false),
            [("DL3049".to_string(), 1)]
        );
        assert_eq!(
            codes(
                "FROM a:1\nLABEL team=\"\"\n",
                &[("team", LabelType::Text)],
                false
            ),
            [("DL3051".to_string(), 2)]
        );
    }
}
