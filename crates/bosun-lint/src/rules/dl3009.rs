//! DL3009: delete the apt lists in the RUN that fetched them (reported for the last stage
//! and for stages a later FROM builds on).

use std::collections::BTreeMap;

use bosun_dockerfile::Keyword;

use super::{BaseImage, Context, Rule, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3009 {
    context: Context,
    /// The current stage's base, once there is a FROM.
    last_from: Option<BaseImage>,
    /// Image names FROM has named.
    from_names: BTreeMap<String, usize>,
    /// RUN line -> the stage it is in.
    forgets: BTreeMap<usize, Option<BaseImage>>,
}

impl Dl3009 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            last_from: None,
            from_names: BTreeMap::new(),
            forgets: BTreeMap::new(),
        }
    }
}

impl Rule for Dl3009 {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        if let Some(base) = BaseImage::of(i, &self.context) {
            self.from_names.insert(base.name.clone(), i.line);
            self.last_from = Some(base);
            return;
        }
        if i.keyword == Keyword::Run
            && let Some(script) = script
        {
            let update = script.any(|c| {
                c.is_with_any("apt-get", &["update"]) || c.is_with_any("apt", &["update"])
            });
            let cleanup = script.any(|c| c.is_with_any("rm", &["-rf", "/var/lib/apt/lists/*"]));
            if update && !cleanup {
                self.forgets.insert(i.line, self.last_from.clone());
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        for (&line, from) in &self.forgets {
            let last = *from == self.last_from;
            let reused = from
                .as_ref()
                .and_then(|f| f.alias.as_ref())
                .is_some_and(|alias| self.from_names.contains_key(alias));
            if last || reused {
                out.push(failure(
                    "DL3009",
                    Severity::Info,
                    "Delete the apt lists (/var/lib/apt/lists) after installing something",
                    line,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn lists_left_behind() {
        assert_eq!(
            codes(
                "FROM a:1\nRUN apt-get update && apt-get install -y x\n",
                "DL3009"
            ),
            [2]
        );
        assert!(codes("FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n", "DL3009").is_empty());
        // A build stage nobody builds on does not ship its lists.
        assert!(
            codes(
                "FROM a:1 AS build\nRUN apt-get update\nFROM b:1\nCOPY --from=build /x /x\n",
                "DL3009"
            )
            .is_empty()
        );
        assert_eq!(
            codes(
                "FROM a:1 AS base\nRUN apt-get update\nFROM base\n",
                "DL3009"
            ),
            [2]
        );
    }
}
