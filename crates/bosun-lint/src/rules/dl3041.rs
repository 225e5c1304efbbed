//! DL3041: pin dnf package versions (and module streams).

use super::rpm;
use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3041",
        Severity::Warning,
        "Specify version with `dnf install -y <package>-<version>`.",
        // `dnf group install` names groups, which have no versions (yum's groups are not
        // exempt in hadolint 2.15: see DL3033).
        |script| rpm::all_pinned(script, |c| rpm::is_dnf(c) && !c.has_arg("group")),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN dnf install -y foo\n", "DL3041"), [2]);
        assert!(codes("FROM a:1\nRUN dnf module install -y nodejs:20\n", "DL3041").is_empty());
        assert_eq!(
            codes(
                "FROM a:1\nRUN microdnf module install -y nodejs\n",
                "DL3041"
            ),
            [2]
        );
        assert_eq!(
            codes("FROM a:1\nRUN dnf install -y epel-release\n", "DL3041"),
            [2]
        );
        assert!(codes("FROM a:1\nRUN microdnf install -y jq-1.6\n", "DL3041").is_empty());
        assert!(
            codes(
                "FROM a:1\nRUN dnf group install -y \"Dev Tools\"\n",
                "DL3041"
            )
            .is_empty()
        );
    }
}
