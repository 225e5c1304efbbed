//! DL3027: apt is for people; scripts use apt-get or apt-cache.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3027",
        Severity::Warning,
        "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead",
        |script| !script.names().any(|n| n == "apt"),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn apt() {
        assert_eq!(codes("FROM a:1\nRUN apt install -y curl\n", "DL3027"), [2]);
        assert!(codes("FROM a:1\nRUN apt-get install -y curl=1\n", "DL3027").is_empty());
    }
}
