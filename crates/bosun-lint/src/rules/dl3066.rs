//! DL3066: USER by name may not resolve on the host. A user given by a build argument
//! (`$NAME` or `${NAME}` of any ARG declared earlier in the file) is left alone, as
//! hadolint 2.15 does.

use bosun_dockerfile::Keyword;

use super::{Rule, arg_name, failure};
use crate::{Failure, Severity, Step};

#[derive(Default)]
pub(crate) struct Dl3066 {
    args: Vec<String>,
}

impl Rule for Dl3066 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        let text = i.args.text();
        match i.keyword {
            Keyword::Arg => {
                let name = arg_name(i);
                if !name.is_empty() {
                    self.args.push(name);
                }
            }
            Keyword::User => {
                let by_arg = self.args.iter().any(|name| {
                    text.contains(&format!("${name}")) || text.contains(&format!("${{{name}}}"))
                });
                let uid = text.split(':').next().unwrap_or("");
                if !by_arg && !uid.chars().all(|c| c.is_ascii_digit()) {
                    out.push(failure(
                        "DL3066",
                        Severity::Info,
                        "Non-numeric user-id may not be resolvable by host system",
                        i.line,
                    ));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn names() {
        assert_eq!(codes("FROM a:1\nUSER app\n", "DL3066"), [2]);
        assert!(codes("FROM a:1\nUSER 1000:app\n", "DL3066").is_empty());
        assert!(codes("FROM a:1\nUSER 1000\n", "DL3066").is_empty());
        // A name from an ENV is still a name; one from a build argument is the caller's.
        assert_eq!(codes("FROM a:1\nENV U=app\nUSER ${U}\n", "DL3066"), [3]);
        assert!(codes("ARG U=app\nFROM a:1\nUSER ${U}\n", "DL3066").is_empty());
        assert!(codes("FROM a:1\nARG U\nUSER $U:1\n", "DL3066").is_empty());
        assert_eq!(codes("FROM a:1\nARG U=b\nUSER ${U:-x}\n", "DL3066"), [3]);
        assert_eq!(codes("FROM a:1\nUSER ${U}\nARG U=b\n", "DL3066"), [2]);
    }
}
