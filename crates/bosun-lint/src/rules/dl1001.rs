//! DL1001: inline ignore pragmas (ignored unless a configuration raises it).

use super::{Context, Rule, failure};
use crate::{Failure, Severity, Step, pragma};

pub(crate) struct Dl1001 {
    context: Context,
}

impl Dl1001 {
    pub(crate) fn new(context: Context) -> Self {
        Self { context }
    }
}

impl Rule for Dl1001 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        if let Step::Comment { line, text } = step
            && pragma::is_line_ignore(text, self.context.hadolint_only)
        {
            out.push(failure(
                "DL1001",
                Severity::Ignore,
                "Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`.",
                *line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Options, Severity, lint};

    #[test]
    fn pragmas_when_raised() {
        let options = Options {
            overrides: vec![("DL1001".into(), Severity::Warning)],
            ..Options::default()
        };
        let found = lint("FROM a:1\n# hadolint ignore=DL3059\nRUN a\n", &options).failures;
        assert!(found.iter().any(|f| f.code == "DL1001" && f.line == 2));
        let quiet = lint(
            "FROM a:1\n# hadolint ignore=DL3059\nRUN a\n",
            &Options::default(),
        )
        .failures;
        assert!(quiet.iter().all(|f| f.code != "DL1001"));
    }
}
