//! DL3019: `apk add --no-cache`.

use super::{RunCheck, run_check};
use crate::Severity;

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3019",
        Severity::Info,
        "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` when done installing packages",
        |script| !script.any(|c| c.is_with_any("apk", &["add"]) && !c.has_flag("no-cache")),
    )
    .unless_cached(|mounts| mounts.iter().any(|m| m.starts_with("/var/cache/apk")))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn apk_cache() {
        assert_eq!(codes("FROM a:1\nRUN apk add curl=1\n", "DL3019"), [2]);
        assert!(codes("FROM a:1\nRUN apk add --no-cache curl=1\n", "DL3019").is_empty());
    }
}
