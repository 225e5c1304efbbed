//! DL3057: a stage without HEALTHCHECK (ignored unless a configuration raises it). Stages
//! built on a stage with one inherit it.

use std::collections::BTreeSet;

use bosun_dockerfile::Keyword;

use super::{BaseImage, Context, Rule, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3057 {
    context: Context,
    /// The current stage: (name, FROM line).
    current: Option<(String, usize)>,
    good: BTreeSet<(String, usize)>,
    bad: BTreeSet<(String, usize)>,
}

impl Dl3057 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            current: None,
            good: BTreeSet::new(),
            bad: BTreeSet::new(),
        }
    }
}

impl Rule for Dl3057 {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if let Some(base) = BaseImage::of(i, &self.context) {
            let stage = (
                base.alias.clone().unwrap_or_else(|| base.name.clone()),
                i.line,
            );
            if self.good.iter().any(|(name, _)| *name == base.name) {
                self.good.insert(stage.clone());
            } else {
                self.bad.insert(stage.clone());
            }
            self.current = Some(stage);
        } else if i.keyword == Keyword::Healthcheck
            && let Some(stage) = &self.current
        {
            self.bad.remove(stage);
            self.good.insert(stage.clone());
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        // hadolint keeps these in a set ordered by line alone (one per line).
        let lines: BTreeSet<usize> = self.bad.iter().map(|(_, line)| *line).collect();
        for line in &lines {
            out.push(failure(
                "DL3057",
                Severity::Ignore,
                "`HEALTHCHECK` instruction missing.",
                *line,
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
        assert!(
            lint("FROM a:1\n", &Options::default())
                .failures
                .iter()
                .all(|f| f.code != "DL3057")
        );
    }
}
