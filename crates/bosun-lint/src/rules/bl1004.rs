//! BL1004: a base image pinned by tag only: the tag can move. When the local store holds the
//! image, the message gives the reference pinned by digest.

use std::collections::{BTreeMap, BTreeSet};

use super::{BaseImage, Context, Rule, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Bl1004 {
    context: Context,
    pins: BTreeMap<String, String>,
    aliases: BTreeSet<String>,
}

impl Bl1004 {
    pub(crate) fn new(context: Context, pins: BTreeMap<String, String>) -> Self {
        Self {
            context,
            pins,
            aliases: BTreeSet::new(),
        }
    }
}

impl Rule for Bl1004 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        let Some(base) = BaseImage::of(i, &self.context) else {
            return;
        };
        let reference = i
            .words(self.context.escape)
            .first()
            .cloned()
            .unwrap_or_default();
        let unpinned = base.digest.is_none()
            && base.name != "scratch"
            // A reference built from a build argument may name a stage (`build-${ENV}`) or
            // take its digest from the argument's value: nothing to say for sure.
            && !reference.contains('$')
            && !self.aliases.contains(&base.name);
        if unpinned {
            let message = match self.pins.get(&reference) {
                Some(digest) => format!(
                    "pin the base image by digest: `{reference}@{digest}` (from the local store)"
                ),
                None => format!(
                    "pin the base image by digest (`{reference}@sha256:...`): a tag can move"
                ),
            };
            out.push(failure("BL1004", Severity::Info, &message, i.line));
        }
        if let Some(alias) = base.alias {
            self.aliases.insert(alias);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;
    use crate::{Options, lint};

    #[test]
    fn digests() {
        assert_eq!(codes("FROM debian:12\n", "BL1004"), [1]);
        assert!(
            codes(
                "FROM debian:12@sha256:ab AS b\nFROM b\nFROM scratch\n",
                "BL1004"
            )
            .is_empty()
        );
        let options = Options {
            pins: [("debian:12".to_string(), "sha256:cafe".to_string())].into(),
            ..Options::default()
        };
        let found = lint("FROM debian:12\n", &options).failures;
        assert!(
            found
                .iter()
                .any(|f| f.message.contains("`debian:12@sha256:cafe`")),
            "{found:?}"
        );
    }
}
