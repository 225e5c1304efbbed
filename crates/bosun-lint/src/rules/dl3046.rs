//! DL3046: `useradd -l` with high UIDs (the lastlog file grows with the UID).

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3046",
        Severity::Warning,
        "`useradd` without flag `-l` and high UID will result in excessively large Image.",
        |script| {
            !script.any(|c| {
                let uid_values = c
                    .flags
                    .iter()
                    .filter(|f| f.text == "u")
                    .filter_map(|f| c.args.iter().map(|a| a.id).filter(|&id| id > f.id).min())
                    .filter_map(|id| c.args.iter().find(|a| a.id == id));
                c.name == "useradd"
                    && !c.has_any_flag(&["l", "no-log-init"])
                    && c.has_any_flag(&["u", "uid"])
                    && uid_values.into_iter().any(|a| a.text.chars().count() > 5)
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn high_uid() {
        assert_eq!(
            codes("FROM a:1\nRUN useradd -u 100000 bob\n", "DL3046"),
            [2]
        );
        assert!(codes("FROM a:1\nRUN useradd -l -u 100000 bob\n", "DL3046").is_empty());
        assert!(codes("FROM a:1\nRUN useradd -u 1000 bob\n", "DL3046").is_empty());
    }
}
