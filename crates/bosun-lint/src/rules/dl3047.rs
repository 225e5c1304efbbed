//! DL3047: wget without a progress setting floods build logs.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3047",
        Severity::Info,
        "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).",
        |script| {
            !script.any(|c| {
                c.name == "wget"
                    && !c.has_flag("progress")
                    && !c.has_any_flag(&[
                        "q",
                        "quiet",
                        "o",
                        "output-file",
                        "a",
                        "append-output",
                        "no-verbose",
                    ])
                    && !c.has_arg("-nv")
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn progress() {
        assert_eq!(
            codes("FROM a:1\nRUN wget https://example.org/x\n", "DL3047"),
            [2]
        );
        assert!(codes("FROM a:1\nRUN wget -q https://example.org/x\n", "DL3047").is_empty());
        assert!(codes("FROM a:1\nRUN wget --progress=dot:giga x\n", "DL3047").is_empty());
    }
}
