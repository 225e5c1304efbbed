//! DL3066: USER by name may not resolve on the host.

use bosun_dockerfile::Keyword;

use super::{Context, Simple, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3066",
        Severity::Info,
        "Non-numeric user-id may not be resolvable by host system",
        context,
        |i, _| {
            if i.keyword != Keyword::User {
                return true;
            }
            let text = i.args.text();
            let uid = text.split(':').next().unwrap_or("");
            uid.chars().all(|c| c.is_ascii_digit())
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn names() {
        assert_eq!(codes("FROM a:1\nUSER app\n", "DL3066"), [2]);
        assert!(codes("FROM a:1\nUSER 1000:app\n", "DL3066").is_empty());
    }
}
