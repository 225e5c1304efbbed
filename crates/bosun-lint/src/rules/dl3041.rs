//! DL3041: pin dnf package versions (module streams excepted).

use super::rpm;
use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3041",
        Severity::Warning,
        "Specify version with `dnf install -y <package>-<version>`.",
        |script| {
            script
                .commands
                .iter()
                .filter(|c| rpm::is_dnf(c) && c.has_arg("install") && !c.has_arg("module"))
                .flat_map(|c| rpm::packages(c, &["install"]))
                .all(|p| p.contains('-') || p.ends_with(".rpm"))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN dnf install -y foo\n", "DL3041"), [2]);
        assert!(codes("FROM a:1\nRUN dnf module install -y nodejs:20\n", "DL3041").is_empty());
    }
}
