//! DL3037: pin zypper package versions.

use super::rpm;
use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3037",
        Severity::Warning,
        "Specify version with `zypper install -y <package>=<version>`.",
        |script| {
            script
                .commands
                .iter()
                .filter(|c| c.is_with_any("zypper", &["install", "in"]))
                .flat_map(|c| rpm::packages(c, &["install", "in"]))
                .all(|p| p.contains(['=', '>', '<']) || p.ends_with(".rpm"))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN zypper in -y foo\n", "DL3037"), [2]);
        assert!(codes("FROM a:1\nRUN zypper in -y foo=1 bar.rpm\n", "DL3037").is_empty());
    }
}
