//! DL3063: a stage may not be named `scratch` or `context` (names BuildKit reserves), as
//! written: hadolint 2.15.1 compares them case-sensitively.

use super::{BaseImage, Context, Simple, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3063",
        Severity::Warning,
        "stage name should not be a reserved word",
        context,
        |i, c| {
            BaseImage::of(i, c)
                .and_then(|b| b.alias)
                .is_none_or(|alias| alias != "scratch" && alias != "context")
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn reserved_stage_names() {
        let file = "FROM foo:bar AS scratch\nFROM foo:bar AS context\nFROM foo:bar AS Scratch\n\
                    FROM foo:bar AS foobar\nFROM scratch\n";
        assert_eq!(codes(file, "DL3063"), [1, 2]);
    }
}
