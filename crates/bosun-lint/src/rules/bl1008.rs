//! BL1008: a secret handed to RUN through a build argument: its value is recorded in the
//! image history. `RUN --mount=type=secret` keeps it out.

use std::collections::BTreeSet;

use bosun_dockerfile::Keyword;

use super::{Rule, arg_name, failure};
use crate::{Failure, Severity, Step};

#[derive(Default)]
pub(crate) struct Bl1008 {
    secret_args: BTreeSet<String>,
}

impl Rule for Bl1008 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        match i.keyword {
            Keyword::From => self.secret_args.clear(),
            Keyword::Arg => {
                let name = arg_name(i);
                if bosun_secrets::secret_name(&name) {
                    self.secret_args.insert(name);
                }
            }
            Keyword::Run if i.flag("mount").is_none_or(|m| !m.contains("type=secret")) => {
                let text = i.args.text();
                let used = self.secret_args.iter().find(|name| {
                    text.contains(&format!("${{{name}}}"))
                        || text.match_indices(&format!("${name}")).any(|(at, m)| {
                            !text[at + m.len()..]
                                .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                        })
                });
                if let Some(name) = used {
                    out.push(failure(
                        "BL1008",
                        Severity::Warning,
                        &format!("the build argument `{name}` reaches this RUN and is recorded in the image history: use `RUN --mount=type=secret,id={name}` instead"),
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
    fn secrets_by_argument() {
        assert_eq!(
            codes(
                "FROM a:1\nARG NPM_TOKEN\nRUN npm config set //r/:_authToken=$NPM_TOKEN\n",
                "BL1008"
            ),
            [3]
        );
        assert!(codes("FROM a:1\nARG VERSION\nRUN echo $VERSION\n", "BL1008").is_empty());
        assert!(
            codes(
                "FROM a:1\nARG NPM_TOKEN\nRUN --mount=type=secret,id=npm cat /run/secrets/npm\n",
                "BL1008"
            )
            .is_empty()
        );
    }
}
