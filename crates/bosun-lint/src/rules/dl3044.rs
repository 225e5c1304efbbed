//! DL3044: an ENV must not use a variable it defines itself.

use std::collections::{BTreeSet, HashMap};

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

/// The names `text` refers to: `NAME` of each `${NAME}`, and the longest run of name
/// characters after each `$` (empty where none follows), so `$AB` names `AB`, not `A`.
fn references(text: &str) -> impl Iterator<Item = &str> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices('$').flat_map(move |(at, _)| {
        let after = &text[at + 1..];
        let bare = &after[..after.find(|c| !is_name(c)).unwrap_or(after.len())];
        let braced = after
            .strip_prefix('{')
            .and_then(|inner| inner.split_once('}'))
            .map(|(name, _)| name);
        std::iter::once(bare).chain(braced)
    })
}

impl Rule for Dl3044 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        match i.keyword {
            Keyword::Env => {
                let defined = pairs(i, &self.context);
                // Each name with the values that refer to it (two are enough to know that
                // one is not its own).
                let mut referrers: HashMap<&str, Vec<usize>> = HashMap::new();
                for (m, (_, value)) in defined.iter().enumerate() {
                    for name in references(value) {
                        let at = referrers.entry(name).or_default();
                        if at.len() < 2 && !at.contains(&m) {
                            at.push(m);
                        }
                    }
                }
                let self_referencing = defined.iter().enumerate().any(|(n, (name, _))| {
                    !self.known.contains(name)
                        && referrers
                            .get(name.as_str())
                            .is_some_and(|at| at.iter().any(|&m| m != n))
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
        assert!(codes("FROM a:1\nENV A=$A\n", "DL3044").is_empty());
        assert_eq!(codes("FROM a:1\nENV A=1 B=x$$A\n", "DL3044"), [2]);
        assert_eq!(
            codes("FROM a:1\nENV A=1 B=${A:-x} C=$A_\n", "DL3044"),
            Vec::<usize>::new()
        );
    }
}
