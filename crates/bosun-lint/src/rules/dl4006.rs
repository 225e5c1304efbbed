//! DL4006: a RUN with a pipe needs `SHELL [... "-o", "pipefail" ...]` first (per stage;
//! non-POSIX shells are exempt).

use bosun_dockerfile::Keyword;

use super::{Rule, failure};
use crate::shell::Script;
use crate::{Failure, Severity, Step};

#[derive(Default)]
pub(crate) struct Dl4006 {
    pipefail: bool,
}

const NON_POSIX: &[&str] = &["pwsh", "powershell", "cmd"];

/// The shells hadolint 2.15 knows to take `-o pipefail`, by the exact name SHELL gives
/// (`/usr/bin/bash` is not among them).
const PIPEFAIL_SHELLS: &[&str] = &["bash", "/bin/bash", "zsh", "/bin/zsh", "ash", "/bin/ash"];

impl Rule for Dl4006 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        match i.keyword {
            Keyword::From => self.pipefail = false,
            Keyword::Shell => {
                let text = i.args.text();
                self.pipefail = NON_POSIX.iter().any(|s| text.starts_with(s))
                    || Script::parse(&text).any(|c| {
                        PIPEFAIL_SHELLS.contains(&c.name.as_str())
                            && c.has_flag("o")
                            && c.has_arg("pipefail")
                    });
            }
            Keyword::Run if !self.pipefail && script.is_some_and(|s| s.has_pipes) => {
                out.push(failure(
                    "DL4006",
                    Severity::Warning,
                    "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, or disable this check",
                    i.line,
                ));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn pipes_without_pipefail() {
        assert_eq!(codes("FROM a:1\nRUN curl x | sh\n", "DL4006"), [2]);
        let safe =
            "FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl x | sh\n";
        assert!(codes(safe, "DL4006").is_empty());
        assert_eq!(
            codes(&format!("{safe}FROM b:1\nRUN a | b\n"), "DL4006"),
            [5]
        );
    }
}
