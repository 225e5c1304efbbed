//! DL3024: stage names are unique.

use std::collections::BTreeSet;

use super::{BaseImage, Context, Rule, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3024 {
    context: Context,
    aliases: BTreeSet<String>,
}

impl Dl3024 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            aliases: BTreeSet::new(),
        }
    }
}

impl Rule for Dl3024 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if let Some(alias) = BaseImage::of(i, &self.context).and_then(|b| b.alias)
            && !self.aliases.insert(alias)
        {
            out.push(failure(
                "DL3024",
                Severity::Error,
                "FROM aliases (stage names) must be unique",
                i.line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn duplicate_stage_names() {
        assert_eq!(codes("FROM a:1 AS x\nFROM b:1 AS x\n", "DL3024"), [2]);
        assert!(codes("FROM a:1 AS x\nFROM b:1 AS y\n", "DL3024").is_empty());
    }
}
