//! DL3021: COPY of several sources needs a directory destination (ending in `/`).

use bosun_dockerfile::Keyword;

use super::{Context, Simple, copy_parts, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3021",
        Severity::Error,
        "COPY with more than 2 arguments requires the last argument to end with /",
        context,
        |i, _| {
            if i.keyword != Keyword::Copy || !i.heredocs.is_empty() {
                return true;
            }
            copy_parts(i).is_none_or(|(sources, dest)| sources.len() < 2 || dest.ends_with('/'))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn several_sources() {
        assert_eq!(codes("FROM a:1\nCOPY a b /app\n", "DL3021"), [2]);
        assert!(codes("FROM a:1\nCOPY a b /app/\n", "DL3021").is_empty());
        assert!(codes("FROM a:1\nCOPY a /app\n", "DL3021").is_empty());
    }
}
