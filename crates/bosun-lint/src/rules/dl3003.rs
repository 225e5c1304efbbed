//! DL3003: WORKDIR, not `cd`.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3003",
        Severity::Warning,
        "Use WORKDIR to switch to a directory",
        |script| !script.names().any(|n| n == "cd"),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn cd() {
        assert_eq!(codes("FROM a:1\nRUN cd /x && make\n", "DL3003"), [2]);
        assert!(codes("FROM a:1\nRUN make -C /x\n", "DL3003").is_empty());
    }
}
