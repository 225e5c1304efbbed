//! DL3038: dnf installs need `-y`.

use super::rpm;
use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3038",
        Severity::Warning,
        "Use the -y switch to avoid manual input `dnf install -y <package>`",
        |script| {
            !script.any(|c| {
                rpm::is_dnf(c)
                    && c.args()
                        .any(|a| matches!(a, "install" | "groupinstall" | "localinstall"))
                    && !c.has_any_flag(&["y", "assumeyes"])
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(
            codes("FROM a:1\nRUN microdnf install foo-1\n", "DL3038"),
            [2]
        );
        assert!(codes("FROM a:1\nRUN dnf -y install foo-1\n", "DL3038").is_empty());
    }
}
