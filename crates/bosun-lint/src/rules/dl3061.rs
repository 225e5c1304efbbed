//! DL3061: a Dockerfile begins with FROM, ARG or comments.

use bosun_dockerfile::Keyword;

use super::{Rule, failure};
use crate::{Failure, Severity, Step};

#[derive(Default)]
pub(crate) struct Dl3061 {
    seen_from: bool,
}

impl Rule for Dl3061 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        match i.keyword {
            Keyword::From => self.seen_from = true,
            Keyword::Arg => {}
            _ if !self.seen_from => out.push(failure(
                "DL3061",
                Severity::Error,
                "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.",
                i.line,
            )),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn order() {
        assert_eq!(codes("LABEL a=b\nFROM a:1\n", "DL3061"), [1]);
        assert!(codes("# c\nARG V=1\nFROM a:$V\n", "DL3061").is_empty());
    }
}
