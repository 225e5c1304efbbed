//! DL3007: `latest` is not a version.

use super::{BaseImage, Context, Simple, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3007",
        Severity::Warning,
        "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag",
        context,
        // A digest pins the image whatever the tag says.
        |i, c| {
            BaseImage::of(i, c)
                .is_none_or(|b| b.tag.as_deref() != Some("latest") || b.digest.is_some())
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn latest() {
        assert_eq!(codes("FROM debian:latest\n", "DL3007"), [1]);
        assert!(codes("FROM debian:12\n", "DL3007").is_empty());
        let pinned = format!("FROM debian:latest@sha256:{}\n", "1".repeat(64));
        assert!(codes(&pinned, "DL3007").is_empty());
    }
}
