//! DL3000: WORKDIR must be absolute (or a variable, or a Windows drive path).

use bosun_dockerfile::Keyword;

use super::{Context, Simple, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3000",
        Severity::Error,
        "Use absolute WORKDIR",
        context,
        |i, _| {
            if i.keyword != Keyword::Workdir {
                return true;
            }
            let text = i.args.text();
            let dir = text.trim_matches(['"', '\'']);
            let mut chars = dir.chars();
            dir.starts_with(['$', '/'])
                || (chars.next().is_some_and(char::is_alphabetic) && chars.next() == Some(':'))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn relative_workdirs() {
        assert_eq!(codes("FROM a:1\nWORKDIR app\n", "DL3000"), [2]);
        for ok in ["/app", "\"/app\"", "$HOME/x", "C:\\\\app"] {
            assert!(
                codes(&format!("FROM a:1\nWORKDIR {ok}\n"), "DL3000").is_empty(),
                "{ok}"
            );
        }
    }
}
