//! DL3030: yum installs need `-y`.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3030",
        Severity::Warning,
        "Use the -y switch to avoid manual input `yum install -y <package>`",
        |script| {
            !script.any(|c| {
                c.is_with_any("yum", &["install", "groupinstall", "localinstall"])
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
        assert_eq!(codes("FROM a:1\nRUN yum install httpd\n", "DL3030"), [2]);
        assert!(codes("FROM a:1\nRUN yum install -y httpd-2\n", "DL3030").is_empty());
    }
}
