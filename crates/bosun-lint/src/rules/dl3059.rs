//! DL3059: consecutive RUNs (with the same flags, each running one command) could
//! be one.

use bosun_dockerfile::{Flag, Keyword};

use super::{Rule, failure};
use crate::{Failure, Severity, Step};

#[derive(Default)]
pub(crate) struct Dl3059 {
    /// The previous RUN's flags and command count, when the previous instruction was a RUN.
    last: Option<(Vec<Flag>, usize)>,
}

impl Rule for Dl3059 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        if i.keyword != Keyword::Run {
            self.last = None;
            return;
        }
        let count = script.map_or(0, |s| s.commands.len());
        match &self.last {
            Some((flags, last_count)) if *flags == i.flags && count <= 1 && *last_count <= 1 => {
                out.push(failure(
                    "DL3059",
                    Severity::Info,
                    "Multiple consecutive `RUN` instructions. Consider consolidation.",
                    i.line,
                ));
            }
            _ => self.last = Some((i.flags.clone(), count)),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn consecutive_runs() {
        assert_eq!(codes("FROM a:1\nRUN a\n# c\nRUN b\n", "DL3059"), [4]);
        assert!(codes("FROM a:1\nRUN a\nENV X=1\nRUN b\n", "DL3059").is_empty());
        assert!(codes("FROM a:1\nRUN a && b\nRUN d\n", "DL3059").is_empty());
        // A `[ ]` test is not a command.
        assert_eq!(
            codes("FROM a:1\nRUN a\nRUN [ -d /y ] && cd /y\n", "DL3059"),
            [3]
        );
        assert!(codes("FROM a:1\nRUN a\nRUN test -d /y && cd /y\n", "DL3059").is_empty());
        assert!(
            codes(
                "FROM a:1\nRUN --mount=type=cache,target=/x a\nRUN b\n",
                "DL3059"
            )
            .is_empty()
        );
    }
}
