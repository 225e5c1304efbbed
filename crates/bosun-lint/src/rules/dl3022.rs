//! DL3022: `COPY --from` names an earlier stage.

use std::collections::BTreeSet;

use bosun_dockerfile::Keyword;

use super::{BaseImage, Context, Rule, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3022 {
    context: Context,
    aliases: BTreeSet<String>,
    /// How many FROMs so far: a stage index must be below it.
    stages: usize,
}

impl Dl3022 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            aliases: BTreeSet::new(),
            stages: 0,
        }
    }
}

impl Rule for Dl3022 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if let Some(base) = BaseImage::of(i, &self.context) {
            self.stages += 1;
            self.aliases.extend(base.alias);
        }
        let Some(from) = i.flag("from").filter(|_| i.keyword == Keyword::Copy) else {
            return;
        };
        let index = !from.is_empty() && from.bytes().all(|b| b.is_ascii_digit());
        let unknown = match index {
            // A stage index: this stage or an earlier one.
            true => from
                .parse::<u64>()
                .map_or(true, |n| n >= self.stages as u64),
            // hadolint 2.15 takes only a reference with a `:` (tag, digest or port) for an
            // image; `owner/image` and `$STAGE` must name a stage.
            false => !self.aliases.contains(from) && !from.contains(':'),
        };
        if unknown {
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
        // A stage index counts when it names this stage or an earlier one.
        assert_eq!(codes("FROM a:1\nCOPY --from=1 /x /x\n", "DL3022"), [2]);
        assert!(codes("FROM a:1\nFROM b:1\nCOPY --from=1 /x /x\n", "DL3022").is_empty());
        assert!(codes("FROM a:1\nCOPY --from=0 /x /x\n", "DL3022").is_empty());
        assert!(codes("FROM a:1\nCOPY --from=nginx:1 /x /x\n", "DL3022").is_empty());
        assert_eq!(
            codes("FROM a:1\nCOPY --from=owner/image /x /x\n", "DL3022"),
            [2]
        );
        assert_eq!(codes("FROM a:1\nCOPY --from=$STAGE /x /x\n", "DL3022"), [2]);
    }
}
