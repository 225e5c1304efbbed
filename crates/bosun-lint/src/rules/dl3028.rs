//! DL3028: pin gem versions (`gem:version`, or `-v`/`--version`).

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3028",
        Severity::Warning,
        "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`",
        |script| {
            script
                .commands
                .iter()
                .filter(|c| {
                    c.is_with_any("gem", &["install", "i"])
                        && !c.has_arg("-v")
                        && !c.has_arg("--version")
                        && !c.args().any(|a| a.starts_with("--version="))
                })
                // As hadolint 2.15 reads it: the gems are the words after `install` up to the
                // first option (`gem install --no-document x` names none).
                .flat_map(|c| {
                    c.args()
                        .skip_while(|a| !matches!(*a, "install" | "i"))
                        .skip(1)
                        .take_while(|a| !a.starts_with('-'))
                        .collect::<Vec<_>>()
                })
                .all(|g| g.contains(':'))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn unpinned_gems() {
        assert_eq!(codes("FROM a:1\nRUN gem install rails\n", "DL3028"), [2]);
        assert_eq!(
            codes("FROM a:1\nRUN gem install a:1 b --x c\n", "DL3028"),
            [2]
        );
        assert!(
            codes(
                "FROM a:1\nRUN gem install a:1 --use-system-libraries true\n",
                "DL3028"
            )
            .is_empty()
        );
        assert!(
            codes(
                "FROM a:1\nRUN gem install rails:7.1 && gem install -v 1 bundler\n",
                "DL3028"
            )
            .is_empty()
        );
    }
}
