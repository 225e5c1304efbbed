//! DL3044: an ENV must not use a variable it defines itself.

use std::collections::BTreeSet;

use bosun_dockerfile::Keyword;

use super::{Context, Rule, arg_name, failure, pairs};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3044 {
    context: Context,
    known: BTreeSet<String>,
}

impl Dl3044 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            known: BTreeSet::new(),
        }
    }
}

/// `$name` or `${name}` in `text`, not as the prefix of a longer name.
fn refers_to(name: &str, text: &str) -> bool {
    if text.contains(&format!("${{{name}}}")) {
        return true;
    }
    let bare = format!("${name}");
    text.split(&bare)
        .skip(1)
        .any(|rest| !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
        && text.contains(&bare)
}

impl Rule for Dl3044 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        match i.keyword {
            Keyword::Env => {
                let defined = pairs(i, &self.context);
                let self_referencing = defined.iter().enumerate().any(|(n, (name, _))| {
                    !self.known.contains(name)
                        && defined
                            .iter()
                            .enumerate()
                            .any(|(m, (_, value))| m != n && refers_to(name, value))
                });
                self.known.extend(defined.into_iter().map(|(k, _)| k));
                if self_referencing {
                    out.push(failure(
                        "DL3044",
                        Severity::Error,
                        "Do not refer to an environment variable within the same `ENV` statement where it is defined.",
                        i.line,
                    ));
                }
            }
            Keyword::Arg => {
                self.known.insert(arg_name(i));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn self_reference() {
        assert_eq!(codes("FROM a:1\nENV A=1 B=$A\n", "DL3044"), [2]);
        assert_eq!(codes("FROM a:1\nENV A=1 B=${A}x\n", "DL3044"), [2]);
        assert!(codes("FROM a:1\nENV A=1 B=$AB\n", "DL3044").is_empty());
        assert!(codes("FROM a:1\nARG A\nENV A=1 B=$A\n", "DL3044").is_empty());
        assert!(codes("FROM a:1\nENV PATH=/x:$PATH\n", "DL3044").is_empty());
    }
}
