//! DL3048: label keys: lower-case letters, digits, `.`, `-`, `_` and `/` (hadolint 2.15 takes
//! the last two too); start with a letter, end with a letter or digit; no `..` or `--`; no
//! Docker-reserved namespaces.

use bosun_dockerfile::Keyword;

use super::{Context, Simple, pairs, simple};
use crate::Severity;

fn valid_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_/".contains(c))
        && !["com.docker.", "io.docker.", "org.dockerproject."]
            .iter()
            .any(|ns| key.starts_with(ns))
        && !key.contains("..")
        && !key.contains("--")
}

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3048",
        Severity::Style,
        "Invalid label key.",
        context,
        |i, c| i.keyword != Keyword::Label || pairs(i, c).iter().all(|(k, _)| valid_key(k)),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn label_keys() {
        assert_eq!(codes("FROM a:1\nLABEL Maintainer=me\n", "DL3048"), [2]);
        assert_eq!(codes("FROM a:1\nLABEL com.docker.x=1\n", "DL3048"), [2]);
        assert_eq!(codes("FROM a:1\nLABEL a_=x\n", "DL3048"), [2]);
        assert!(
            codes(
                "FROM a:1\nLABEL build_date=1 vendor/name=x a__b=y\n",
                "DL3048"
            )
            .is_empty()
        );
        assert!(
            codes(
                "FROM a:1\nLABEL org.opencontainers.image.version=\"1.0\" a-b=c\n",
                "DL3048"
            )
            .is_empty()
        );
    }
}
