//! DL3042: `pip install --no-cache-dir` (pipx and pipenv manage their own).

use super::dl3013::is_pip_install;
use super::{RunCheck, run_check};
use crate::Severity;
use crate::shell::Command;

fn is_wrapper(c: &Command) -> bool {
    ["pipx", "pipenv"].iter().any(|w| {
        c.name.contains(w)
            || (c.name.starts_with("python")
                && c.args
                    .windows(2)
                    .any(|p| p[0].text == "-m" && p[1].text == *w))
    })
}

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3042",
        Severity::Warning,
        "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`",
        |script| {
            !script.any(|c| is_pip_install(c) && !c.has_arg("--no-cache-dir") && !is_wrapper(c))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn pip_cache() {
        assert_eq!(codes("FROM a:1\nRUN pip install x==1\n", "DL3042"), [2]);
        assert!(codes("FROM a:1\nRUN pip install --no-cache-dir x==1\n", "DL3042").is_empty());
    }
}
