//! DL3062: pin the modules of `go install|get` and `go run` with `@version`; local paths
//! (`./cmd/x`, `/src/x`) need none.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3062",
        Severity::Warning,
        "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`",
        |script| {
            let pinned = |package: &&str| {
                package.starts_with(['.', '/'])
                    // `@latest` is not a version.
                    || (package.contains('@') && !package.ends_with("@latest"))
            };
            script.commands.iter().filter(|c| c.name == "go").all(|c| {
                let args = c.args_no_flags();
                match args.split_first() {
                    // `go install tool ...` (Go 1.24 tools): hadolint 2.15 skips the word.
                    Some((&"install" | &"get", packages)) => {
                        packages.iter().filter(|p| **p != "tool").all(pinned)
                    }
                    // What follows the package of `go run` is the program's.
                    Some((&"run", packages)) => packages.first().is_none_or(pinned),
                    _ => true,
                }
            })
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
        for loose in [
            "get -v x",
            "run x",
            "get x@latest",
            "install x/... y@v1",
            "run main.go",
            "install x@v1 y",
        ] {
            let file = format!("FROM a:1\nRUN go {loose}\n");
            assert_eq!(codes(&file, "DL3062"), [2], "{loose}");
        }
        for fine in [
            "install ./cmd/x",
            "install .",
            "get",
            "mod download",
            "run x@v1 a",
            "install tool x@v1.2.3",
            "build x",
        ] {
            let file = format!("FROM a:1\nRUN go {fine}\n");
            assert!(codes(&file, "DL3062").is_empty(), "{fine}");
        }
    }
}
