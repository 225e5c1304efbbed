//! DL3040: clean the dnf cache in the RUN that installs.

use super::rpm;
use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3040",
        Severity::Warning,
        "`dnf clean all` missing after dnf command.",
        |script| {
            let installs = script.any(|c| rpm::is_dnf(c) && c.has_arg("install"));
            !installs
                || script.any(|c| rpm::is_dnf(c) && (c.has_arg("clean") || c.has_arg("all")))
                || rpm::removes_cache(script, &["/var/cache/dnf", "/var/cache/yum"])
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN dnf install -y foo-1\n", "DL3040"), [2]);
        assert!(
            codes(
                "FROM a:1\nRUN dnf install -y foo-1 && rm -rf /var/cache/dnf\n",
                "DL3040"
            )
            .is_empty()
        );
    }
}
