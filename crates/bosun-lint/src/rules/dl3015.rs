//! DL3015: `apt-get install --no-install-recommends`.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3015",
        Severity::Info,
        "Avoid additional packages by specifying `--no-install-recommends`",
        |script| {
            !script.any(|c| {
                c.is_with_any("apt-get", &["install"])
                    && !c.has_flag("no-install-recommends")
                    && !c.has_arg("APT::Install-Recommends=false")
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn recommends() {
        assert_eq!(
            codes("FROM a:1\nRUN apt-get install -y curl\n", "DL3015"),
            [2]
        );
        assert!(
            codes(
                "FROM a:1\nRUN apt-get install -y --no-install-recommends curl\n",
                "DL3015"
            )
            .is_empty()
        );
    }
}
