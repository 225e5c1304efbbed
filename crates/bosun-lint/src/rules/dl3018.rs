//! DL3018: pin apk add versions.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3018",
        Severity::Warning,
        "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`",
        |script| {
            script
                .commands
                .iter()
                .filter(|c| c.is_with_any("apk", &["add"]))
                .all(|c| {
                    c.drop_flag_values(&["t", "virtual", "repository", "X"])
                        .args_no_flags()
                        .into_iter()
                        .filter(|a| *a != "add")
                        // A version constraint (`=`, `~`, `<`, `>`) or a package file.
                        .all(|p| p.contains(['=', '~', '<', '>']) || p.ends_with(".apk"))
                })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn unpinned_apk() {
        assert_eq!(codes("FROM a:1\nRUN apk add curl\n", "DL3018"), [2]);
        for pinned in ["git~2.52", "\"py<3.7\"", "\"a=~1.0\"", "./x-1.0.apk"] {
            assert!(
                codes(&format!("FROM a:1\nRUN apk add {pinned}\n"), "DL3018").is_empty(),
                "{pinned}"
            );
        }
        assert!(
            codes(
                "FROM a:1\nRUN apk add --virtual .deps curl=8.0-r0\n",
                "DL3018"
            )
            .is_empty()
        );
    }
}
