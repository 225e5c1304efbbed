//! DL3034: zypper needs `-y` (or `--non-interactive`).

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3034",
        Severity::Warning,
        "Non-interactive switch missing from `zypper` command: `zypper install -y`",
        |script| {
            !script.any(|c| {
                c.is_with_any(
                    "zypper",
                    &[
                        "install",
                        "in",
                        "remove",
                        "rm",
                        "source-install",
                        "si",
                        "patch",
                    ],
                ) && !c.has_any_flag(&["no-confirm", "y", "non-interactive", "n"])
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN zypper install foo=1\n", "DL3034"), [2]);
        assert!(
            codes(
                "FROM a:1\nRUN zypper --non-interactive install foo=1\n",
                "DL3034"
            )
            .is_empty()
        );
    }
}
