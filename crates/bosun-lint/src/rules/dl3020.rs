//! DL3020: ADD only for URLs and archives; COPY for files and folders.

use super::{Context, Simple, copy_parts, is_archive, simple};
use crate::Severity;
use bosun_dockerfile::Keyword;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3020",
        Severity::Error,
        "Use COPY instead of ADD for files and folders",
        context,
        |i, _| {
            if i.keyword != Keyword::Add {
                return true;
            }
            let Some((sources, _)) = copy_parts(i) else {
                return true;
            };
            sources
                .iter()
                .all(|s| is_archive(s) || s.starts_with("https://") || s.starts_with("http://"))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn add_for_plain_files() {
        assert_eq!(codes("FROM a:1\nADD app.py /app/\n", "DL3020"), [2]);
        assert!(codes("FROM a:1\nADD rootfs.tar.gz /\n", "DL3020").is_empty());
        // hadolint does not count a zip file as an archive.
        assert_eq!(codes("FROM a:1\nADD x.zip /x/\n", "DL3020"), [2]);
        assert!(codes("FROM a:1\nADD https://example.org/x /x\n", "DL3020").is_empty());
    }
}
