//! DL3059: consecutive RUNs (with the same flags, each running one command) could
//! be one.

use std::collections::BTreeSet;

use bosun_dockerfile::{Flag, Keyword};

use super::{Rule, failure};
use crate::{Failure, Severity, Step};

/// A RUN's flags as hadolint compares them: parsed, so the order of the flags and of a
/// mount's options does not matter, and a mount with no `type` is a bind mount.
type Flags = BTreeSet<(String, BTreeSet<String>)>;

fn flags(list: &[Flag]) -> Flags {
    list.iter()
        .map(|f| {
            let value = f.value.clone().unwrap_or_default();
            let mut options: BTreeSet<String> = match f.name.as_str() {
                "mount" => value.split(',').map(str::to_string).collect(),
                _ => BTreeSet::from([value]),
            };
            if f.name == "mount" && !options.iter().any(|o| o.starts_with("type=")) {
                options.insert("type=bind".into());
            }
            (f.name.clone(), options)
        })
        .collect()
}

#[derive(Default)]
pub(crate) struct Dl3059 {
    /// The previous RUN's flags and command count, when the previous instruction was a RUN.
    last: Option<(Flags, usize)>,
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
        let these = flags(&i.flags);
        match &self.last {
            Some((before, last_count)) if *before == these && count <= 1 && *last_count <= 1 => {
                out.push(failure(
                    "DL3059",
                    Severity::Info,
                    "Multiple consecutive `RUN` instructions. Consider consolidation.",
                    i.line,
                ));
            }
            _ => self.last = Some((these, count)),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn consecutive_runs() {
        assert_eq!(codes("FROM a:1\nRUN a\n# c\nRUN b\n", "DL3059"), [4]);
        // The same mount, its options in another order.
        assert_eq!(
            codes(
                "FROM a:1\nRUN --mount=type=cache,target=/a,id=1 x\nRUN --mount=type=cache,id=1,target=/a y\n",
                "DL3059"
            ),
            [3]
        );
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
