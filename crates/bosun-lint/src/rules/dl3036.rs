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
            // Only `zypper clean` counts: hadolint 2.15 takes no `rm` of the cache for it.
            rpm::cleaned_after_install(
                script,
                |c| c.is_with_any("zypper", &["install", "in"]),
                |c| c.is_with_any("zypper", &["clean", "cc"]),
            )
        },
    )
    .unless_cached(|mounts| mounts.iter().any(|m| m.starts_with("/var/cache/zypp")))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN zypper in -y foo=1\n", "DL3036"), [2]);
        assert!(codes("FROM a:1\nRUN zypper in -y foo=1 && zypper cc\n", "DL3036").is_empty());
        assert_eq!(
            codes("FROM a:1\nRUN zypper cc && zypper in -y foo=1\n", "DL3036"),
            [2]
        );
    }
}
