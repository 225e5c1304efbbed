//! DL3029: no `--platform` on FROM.

use super::{BaseImage, Context, Simple, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3029",
        Severity::Warning,
        "Do not use --platform flag with FROM",
        context,
        |i, c| {
            // hadolint 2.15 lets a build argument choose the platform (`$BUILDPLATFORM`).
            BaseImage::of(i, c)
                .is_none_or(|b| b.platform.is_none_or(|p| p.is_empty() || p.contains('$')))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn platform_flag() {
        assert_eq!(codes("FROM --platform=linux/amd64 a:1\n", "DL3029"), [1]);
        assert!(codes("FROM a:1\n", "DL3029").is_empty());
    }
}
