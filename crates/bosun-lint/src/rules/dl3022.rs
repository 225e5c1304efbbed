//! DL3022: `COPY --from` names an earlier stage.

use std::collections::BTreeSet;

use bosun_dockerfile::Keyword;

use super::{BaseImage, Context, Rule, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3022 {
    context: Context,
    aliases: BTreeSet<String>,
}

impl Dl3022 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            aliases: BTreeSet::new(),
        }
    }
}

impl Rule for Dl3022 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if let Some(alias) = BaseImage::of(i, &self.context).and_then(|b| b.alias) {
            self.aliases.insert(alias);
        }
        if i.keyword == Keyword::Copy
            && let Some(from) = i.flag("from")
            && !self.aliases.contains(from)
            // A stage index or an image reference is not an alias.
            && !from.chars().all(|c| c.is_ascii_digit())
            && !from.contains([':', '/', '$'])
        {
            out.push(failure(
                "DL3022",
                Severity::Warning,
                "`COPY --from` should reference a previously defined `FROM` alias",
                i.line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn unknown_stage() {
        assert_eq!(codes("FROM a:1\nCOPY --from=build /x /x\n", "DL3022"), [2]);
        assert!(
            codes(
                "FROM a:1 AS build\nFROM b:1\nCOPY --from=build /x /x\n",
                "DL3022"
            )
            .is_empty()
        );
    }
}
