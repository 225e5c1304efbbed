//! DL3035: no `zypper dist-upgrade` in an image build.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3035",
        Severity::Warning,
        "Do not use `zypper dist-upgrade`.",
        |script| !script.any(|c| c.is_with_any("zypper", &["dist-upgrade", "dup"])),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN zypper dup -y\n", "DL3035"), [2]);
        assert!(codes("FROM a:1\nRUN zypper up -y\n", "DL3035").is_empty());
    }
}
