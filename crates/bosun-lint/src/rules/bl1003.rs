//! BL1003: remote content taken without a checksum: `ADD <url>` without `--checksum`, or a
//! download piped straight into an interpreter.

use bosun_dockerfile::Keyword;

use super::{Context, Rule, copy_parts, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Bl1003 {
    context: Context,
}

impl Bl1003 {
    pub(crate) fn new(context: Context) -> Self {
        Self { context }
    }
}

const INTERPRETERS: &[&str] = &[
    "sh", "bash", "ash", "dash", "zsh", "ksh", "python", "python3", "perl", "ruby", "node",
];

impl Rule for Bl1003 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        let message = match i.keyword {
            Keyword::Add if i.flag("checksum").is_none() => copy_parts(i, &self.context).and_then(|(sources, _)| {
                sources
                    .iter()
                    .any(|s| s.starts_with("https://") || s.starts_with("http://"))
                    .then_some("`ADD` of a URL without `--checksum=sha256:...`: the download is not verified")
            }),
            Keyword::Run => script.and_then(|s| {
                let fetches = s.names().any(|n| n == "curl" || n == "wget");
                let runs = s.names().any(|n| INTERPRETERS.contains(&n.rsplit('/').next().unwrap_or(n)));
                (s.has_pipes && fetches && runs).then_some(
                    "a download is piped into an interpreter without a checksum: fetch it, check its sha256, then run it",
                )
            }),
            _ => None,
        };
        if let Some(message) = message {
            out.push(failure("BL1003", Severity::Warning, message, i.line));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn unverified_downloads() {
        assert_eq!(
            codes("FROM a:1\nADD https://example.org/x.tar.gz /x\n", "BL1003"),
            [2]
        );
        assert!(
            codes(
                "FROM a:1\nADD --checksum=sha256:00 https://example.org/x.tar.gz /x\n",
                "BL1003"
            )
            .is_empty()
        );
        assert_eq!(
            codes(
                "FROM a:1\nRUN curl -fsSL https://example.org/i.sh | sh\n",
                "BL1003"
            ),
            [2]
        );
        assert!(
            codes(
                "FROM a:1\nRUN curl -fsSL https://example.org/x | tar xz\n",
                "BL1003"
            )
            .is_empty()
        );
    }
}
