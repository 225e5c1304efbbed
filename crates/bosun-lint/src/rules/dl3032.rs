//! DL3032: clean the yum cache in the RUN that installs.

use super::rpm;
use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3032",
        Severity::Warning,
        "`yum clean all` missing after yum command.",
        |script| {
            rpm::cleaned_after_install(
                script,
                |c| c.is_with_any("yum", &["install"]),
                |c| {
                    c.is_with_any("yum", &["clean", "all"])
                        || c.is_with_any("rm", &["-rf", "/var/cache/yum/*"])
                },
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(
            codes("FROM a:1\nRUN yum install -y httpd-2\n", "DL3032"),
            [2]
        );
        assert!(
            codes(
                "FROM a:1\nRUN yum install -y httpd-2 && yum clean all\n",
                "DL3032"
            )
            .is_empty()
        );
    }
}
