//! DL3057: a stage without HEALTHCHECK (ignored unless a configuration raises it). Stages
//! built on a stage with one inherit it, and a HEALTHCHECK serves the stages its stage is
//! built from, as hadolint 2.15.1 decides.

use bosun_dockerfile::Keyword;

use super::{BaseImage, Context, Rule, Stages, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3057 {
    context: Context,
    stages: Stages,
}

impl Dl3057 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            stages: Stages::default(),
        }
    }
}

impl Rule for Dl3057 {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if let Some(base) = BaseImage::of(i, &self.context) {
            self.stages.enter(&base, i.line, false);
        } else if i.keyword == Keyword::Healthcheck {
            self.stages.satisfied_up_the_chain();
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        for line in self.stages.lacking() {
            out.push(failure(
                "DL3057",
                Severity::Ignore,
                "`HEALTHCHECK` instruction missing.",
                line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Options, Severity, lint};

    #[test]
    fn missing_healthcheck_when_raised() {
        let options = Options {
            overrides: vec![("DL3057".into(), Severity::Warning)],
            ..Options::default()
        };
        let lines = |text: &str| -> Vec<usize> {
            lint(text, &options)
                .failures
                .into_iter()
                .filter(|f| f.code == "DL3057")
                .map(|f| f.line)
                .collect()
        };
        assert_eq!(lines("FROM a:1\nRUN x\n"), [1]);
        assert!(lines("FROM a:1 AS base\nHEALTHCHECK NONE\nFROM base\n").is_empty());
        // hadolint 2.15.1: a HEALTHCHECK serves the stages its stage extends; a branch
        // without one is reported where it starts and where it ends.
        let fork = "FROM scratch AS base1\nFROM base1 AS base2\nFROM base2 AS base3.1\n\
                    FROM base2 AS base3.2\n\nFROM base3.1 AS end1\nHEALTHCHECK NONE\n\n\
                    FROM base3.2 AS end2\n";
        assert_eq!(lines(fork), [4, 9]);
        assert!(
            lint("FROM a:1\n", &Options::default())
                .failures
                .iter()
                .all(|f| f.code != "DL3057")
        );
    }
}
