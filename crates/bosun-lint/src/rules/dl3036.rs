//! DL3036: clean the zypper cache in the RUN that installs.

use super::rpm;
use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3036",
        Severity::Warning,
        "`zypper clean` missing after zypper use.",
        |script| {
            let installs = script.any(|c| c.is_with_any("zypper", &["install", "in"]));
            !installs
                || script.any(|c| c.is_with_any("zypper", &["clean", "cc"]))
                || rpm::removes_cache(script, &["/var/cache/zypp"])
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN zypper in -y foo=1\n", "DL3036"), [2]);
        assert!(codes("FROM a:1\nRUN zypper in -y foo=1 && zypper cc\n", "DL3036").is_empty());
    }
}
