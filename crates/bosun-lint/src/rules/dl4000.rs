//! DL4000: MAINTAINER is deprecated.

use bosun_dockerfile::Keyword;

use super::{Context, Simple, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL4000",
        Severity::Error,
        "MAINTAINER is deprecated",
        context,
        |i, _| i.keyword != Keyword::Maintainer,
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn maintainer() {
        assert_eq!(codes("FROM a:1\nMAINTAINER me\n", "DL4000"), [2]);
    }
}
