//! DL3004: no sudo.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3004",
        Severity::Error,
        "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root",
        |script| !script.names().any(|n| n == "sudo"),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn sudo() {
        assert_eq!(codes("FROM a:1\nRUN sudo apt-get update\n", "DL3004"), [2]);
        assert!(codes("FROM a:1\nRUN echo sudo\n", "DL3004").is_empty());
    }
}
