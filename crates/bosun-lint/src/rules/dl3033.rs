//! DL3033: pin yum package versions.

use super::rpm;
use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3033",
        Severity::Warning,
        "Specify version with `yum install -y <package>-<version>`.",
        |script| {
            script
                .commands
                .iter()
                .filter(|c| c.is_with_any("yum", &["install"]))
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
        assert_eq!(codes("FROM a:1\nRUN yum install -y httpd\n", "DL3033"), [2]);
        assert!(codes("FROM a:1\nRUN yum install -y httpd-2.4 ./x.rpm\n", "DL3033").is_empty());
    }
}
