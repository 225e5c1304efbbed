//! DL3065: `--platform=$TARGETPLATFORM` says what is already the default.

use super::{BaseImage, Context, Simple, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3065",
        Severity::Warning,
        // hadolint's wording, "in is" included.
        "Setting `FROM --platform` to predefined `$TARGETPLATFORM` in is redundant as this is the default behavior",
        context,
        |i, c| {
            BaseImage::of(i, c).is_none_or(|b| {
                b.platform
                    .is_none_or(|p| p != "$TARGETPLATFORM" && p != "${TARGETPLATFORM}")
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn target_platform() {
        assert_eq!(
            codes("FROM --platform=${TARGETPLATFORM} a:1\n", "DL3065"),
            [1]
        );
        assert!(codes("FROM --platform=$BUILDPLATFORM a:1\n", "DL3065").is_empty());
    }
}
