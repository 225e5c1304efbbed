//! DL3014: `apt-get install -y`.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3014",
        Severity::Warning,
        "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
        |script| {
            !script.any(|c| {
                c.is_with_any("apt-get", &["install"])
                    && !c.has_any_flag(&["y", "yes", "q", "assume-yes"])
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn interactive_install() {
        assert_eq!(codes("FROM a:1\nRUN apt-get install curl\n", "DL3014"), [2]);
        assert!(codes("FROM a:1\nRUN apt-get install -qq curl\n", "DL3014").is_empty());
    }
}
