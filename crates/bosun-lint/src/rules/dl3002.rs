//! DL3002: the last USER of a stage should not be root (reported at that USER, at the end).

use std::collections::BTreeMap;

use bosun_dockerfile::Keyword;

use super::{Rule, failure};
use crate::{Failure, Severity, Step};

#[derive(Default)]
pub(crate) struct Dl3002 {
    /// The line of the current stage's FROM, once there is one.
    stage: Option<usize>,
    /// Stage line -> line of its last root USER (removed by a later non-root USER).
    root_users: BTreeMap<usize, usize>,
}

fn is_root(user: &str) -> bool {
    user.starts_with("root:") || user.starts_with("0:") || user == "root" || user == "0"
}

impl Rule for Dl3002 {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        match i.keyword {
            Keyword::From => self.stage = Some(i.line),
            Keyword::User => {
                let Some(stage) = self.stage else { return };
                if is_root(&i.args.text()) {
                    self.root_users.insert(stage, i.line);
                } else {
                    self.root_users.remove(&stage);
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        for &line in self.root_users.values() {
            out.push(failure(
                "DL3002",
                Severity::Warning,
                "Last USER should not be root",
                line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn last_user_per_stage() {
        assert_eq!(codes("FROM a:1\nUSER root\n", "DL3002"), [2]);
        assert!(codes("FROM a:1\nUSER root\nUSER app\n", "DL3002").is_empty());
        assert_eq!(
            codes("FROM a:1 AS b\nUSER 0:0\nFROM b\nUSER app\n", "DL3002"),
            [2]
        );
    }
}
