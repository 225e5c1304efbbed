//! DL3067: copying `/` from another stage copies a whole filesystem.

use bosun_dockerfile::Keyword;

use super::{Context, Simple, copy_parts, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3067",
        Severity::Warning,
        "Do not copy an entire filesystem from another stage",
        context,
        |i, _| {
            if i.keyword != Keyword::Copy || i.flag("from").is_none() {
                return true;
            }
            let root = |p: &str| p.trim_matches(['"', '\'']) == "/";
            copy_parts(i)
                .is_none_or(|(sources, dest)| !(sources.iter().any(|s| root(s)) && root(&dest)))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn whole_filesystem() {
        assert_eq!(
            codes("FROM a:1 AS b\nFROM c:1\nCOPY --from=b / /\n", "DL3067"),
            [3]
        );
        assert!(codes("FROM a:1 AS b\nFROM c:1\nCOPY --from=b /app /\n", "DL3067").is_empty());
    }
}
