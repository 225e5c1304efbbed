//! DL3006: tag the base image (scratch, digests, variables and earlier stages excepted).

use std::collections::BTreeSet;

use super::{BaseImage, Context, Rule, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3006 {
    context: Context,
    aliases: BTreeSet<String>,
}

impl Dl3006 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            aliases: BTreeSet::new(),
        }
    }
}

impl Rule for Dl3006 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        let Some(base) = BaseImage::of(i, &self.context) else {
            return;
        };
        let untagged = base.name != "scratch"
            && base.digest.is_none()
            && base.tag.is_none()
            && !base.name.starts_with('$')
            && !self.aliases.contains(&base.name);
        if untagged {
            out.push(failure(
                "DL3006",
                Severity::Warning,
                "Always tag the version of an image explicitly",
                i.line,
            ));
        }
        if let Some(alias) = base.alias {
            self.aliases.insert(alias);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn untagged_images() {
        assert_eq!(codes("FROM debian\n", "DL3006"), [1]);
        assert_eq!(codes("FROM localhost:5000/app\n", "DL3006"), [1]);
        for ok in ["scratch", "debian:12", "debian@sha256:ab", "${BASE}"] {
            assert!(codes(&format!("FROM {ok}\n"), "DL3006").is_empty(), "{ok}");
        }
        assert!(codes("FROM debian:12 AS build\nFROM build\n", "DL3006").is_empty());
    }
}
