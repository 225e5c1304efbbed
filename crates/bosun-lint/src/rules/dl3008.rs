//! DL3008: pin apt-get install versions (`pkg=version`, a release `pkg/suite` or a `.deb`).

use super::{RunCheck, run_check};
use crate::Severity;
use crate::shell::Script;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3008",
        Severity::Warning,
        "Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get install <package>=<version>`",
        |script| {
            apt_get_packages(script)
                .iter()
                .all(|p| p.contains('=') || p.contains('/') || p.ends_with(".deb"))
        },
    )
}

/// The packages of every `apt-get install` (a target release's value is not one).
pub(crate) fn apt_get_packages(script: &Script) -> Vec<String> {
    script
        .commands
        .iter()
        .filter(|c| c.is_with_any("apt-get", &["install"]))
        .flat_map(|c| {
            c.drop_flag_values(&["t", "target-release"])
                .args_no_flags()
                .into_iter()
                .filter(|a| *a != "install")
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn unpinned() {
        assert_eq!(
            codes("FROM a:1\nRUN apt-get install -y curl\n", "DL3008"),
            [2]
        );
        assert!(codes("FROM a:1\nRUN apt-get install -y curl=8.0 ./x.deb -t bookworm-backports git/bookworm\n", "DL3008").is_empty());
    }
}
