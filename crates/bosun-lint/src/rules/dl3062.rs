//! DL3062: pin `go install` modules with `@version`.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3062",
        Severity::Warning,
        "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`",
        |script| {
            script
                .commands
                .iter()
                .filter(|c| c.name == "go" && c.args_no_flags().first() == Some(&"install"))
                .flat_map(|c| c.args_no_flags().into_iter().skip(1))
                // `@latest` is not a version.
                .all(|m| m.contains('@') && !m.ends_with("@latest"))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn unpinned_modules() {
        assert_eq!(
            codes("FROM a:1\nRUN go install example.org/x\n", "DL3062"),
            [2]
        );
        assert!(codes("FROM a:1\nRUN go install example.org/x@v1.2.3\n", "DL3062").is_empty());
    }
}
