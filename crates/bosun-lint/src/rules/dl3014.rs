//! DL3014: `apt-get install -y`.

use super::{RunCheck, run_check};
use crate::Severity;
use crate::shell::Command;

/// Whether apt-get answers yes by itself: `-y` and its spellings, or quiet level 2 (`-qq`,
/// `-q -q`, `--quiet --quiet`, `-q=2`), which apt-get documents as implying `-y`. Exactly
/// two, as hadolint 2.15.1 counts them.
fn assumes_yes(c: &Command) -> bool {
    let count = |flag: &str| c.flags.iter().filter(|f| f.text == flag).count();
    c.has_any_flag(&["y", "yes", "qq", "assume-yes"])
        || count("q") == 2
        || count("quiet") == 2
        || c.has_arg("-q=2")
}

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3014",
        Severity::Warning,
        "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
        |script| !script.any(|c| c.is_with_any("apt-get", &["install"]) && !assumes_yes(c)),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn interactive_install() {
        assert_eq!(codes("FROM a:1\nRUN apt-get install curl\n", "DL3014"), [2]);
        assert!(codes("FROM a:1\nRUN apt-get install -qq curl\n", "DL3014").is_empty());
        // Probed with hadolint 2.15.1: quiet level 2 implies -y, level 1 does not.
        let file = "FROM a:1\nRUN apt-get install -q python\nRUN apt-get install --quiet --quiet python\n\
                    RUN apt-get install -q -q python\nRUN apt-get install -q=2 python\n\
                    RUN apt-get install --quiet python\nRUN apt-get install -qqq python\n\
                    RUN apt-get install -q --quiet python\n";
        assert_eq!(codes(file, "DL3014"), [2, 6, 7, 8]);
    }
}
