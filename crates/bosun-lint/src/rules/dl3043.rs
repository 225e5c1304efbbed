//! DL3043: ONBUILD cannot trigger ONBUILD, FROM or MAINTAINER.

use bosun_dockerfile::Keyword;

use super::{Context, Simple, onbuild_inner, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3043",
        Severity::Error,
        "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction.",
        context,
        |i, _| {
            onbuild_inner(i).is_none_or(|inner| {
                !matches!(
                    inner.keyword,
                    Keyword::Onbuild | Keyword::From | Keyword::Maintainer
                )
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn forbidden_triggers() {
        assert_eq!(codes("FROM a:1\nONBUILD FROM b:1\n", "DL3043"), [2]);
        assert!(codes("FROM a:1\nONBUILD RUN make\n", "DL3043").is_empty());
    }
}
