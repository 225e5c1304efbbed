//! BL1005: the final stage sets no USER, so the container runs as root (a root USER is
//! DL3002's).

use bosun_dockerfile::Keyword;

use super::{Rule, failure};
use crate::{Failure, Severity, Step};

#[derive(Default)]
pub(crate) struct Bl1005 {
    /// The current stage's FROM line and whether it set a USER.
    stage: Option<(usize, bool)>,
}

impl Rule for Bl1005 {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        match i.keyword {
            Keyword::From => self.stage = Some((i.line, false)),
            Keyword::User => {
                if let Some((_, user)) = &mut self.stage {
                    *user = true;
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        if let Some((line, false)) = self.stage {
            out.push(failure(
                "BL1005",
                Severity::Warning,
                "the final stage sets no USER, so the container runs as root unless its base image says otherwise",
                line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn no_user() {
        assert_eq!(
            codes("FROM a:1 AS b\nUSER app\nFROM c:1\nRUN x\n", "BL1005"),
            [3]
        );
        assert!(codes("FROM a:1\nUSER 65532\n", "BL1005").is_empty());
    }
}
