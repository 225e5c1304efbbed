//! DL4005: SHELL, not a symlink over /bin/sh.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL4005",
        Severity::Warning,
        "Use SHELL to change the default shell",
        |script| !script.any(|c| c.is_with_any("ln", &["/bin/sh"])),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn relinking_sh() {
        assert_eq!(
            codes("FROM a:1\nRUN ln -sf /bin/bash /bin/sh\n", "DL4005"),
            [2]
        );
        assert!(codes("FROM a:1\nRUN ln -s /a /b\n", "DL4005").is_empty());
    }
}
