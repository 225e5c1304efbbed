//! DL3025: CMD and ENTRYPOINT (and HEALTHCHECK CMD, as hadolint 2.15 reports) in JSON form.

use bosun_dockerfile::{Args, Keyword};

use super::{Context, Simple, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3025",
        Severity::Warning,
        "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
        context,
        |i, _| match i.keyword {
            Keyword::Cmd | Keyword::Entrypoint => matches!(i.args, Args::Exec(_)),
            Keyword::Healthcheck => {
                let text = i.args.text();
                let mut words = text.splitn(2, char::is_whitespace);
                match words.next() {
                    Some(w) if w.eq_ignore_ascii_case("cmd") => {
                        let rest = words.next().unwrap_or("").trim();
                        serde_json::from_str::<Vec<String>>(rest).is_ok()
                    }
                    _ => true,
                }
            }
            _ => true,
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn shell_form() {
        assert_eq!(codes("FROM a:1\nCMD python app.py\n", "DL3025"), [2]);
        assert_eq!(
            codes("FROM a:1\nHEALTHCHECK CMD curl -f localhost\n", "DL3025"),
            [2]
        );
        assert!(
            codes(
                "FROM a:1\nENTRYPOINT [\"app\"]\nHEALTHCHECK NONE\n",
                "DL3025"
            )
            .is_empty()
        );
    }
}
