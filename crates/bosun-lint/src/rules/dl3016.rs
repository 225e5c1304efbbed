//! DL3016: pin npm packages (`name@version`, a git ref, a tarball or a folder).

use super::{RunCheck, run_check};
use crate::Severity;
use crate::shell::Command;

fn version_fixed(p: &str) -> bool {
    if ["git://", "git+ssh://", "git+http://", "git+https://"]
        .iter()
        .any(|g| p.starts_with(g))
    {
        return p.contains('#');
    }
    if [".tar", ".tar.gz", ".tgz"].iter().any(|s| p.ends_with(s))
        || ["/", "./", "../", "~/"].iter().any(|s| p.starts_with(s))
    {
        return true;
    }
    // A scope (`@scope/name`) is not a version.
    let name = if p.starts_with('@') {
        p.trim_start_matches(|c: char| c != '/')
    } else {
        p
    };
    name.contains('@')
}

/// The words that are not options: hadolint 2.15 also skips the value after `--loglevel`
/// and `--registry` (written apart; `--registry=URL` is one word).
fn non_options(c: &Command) -> Vec<&str> {
    let mut words = Vec::new();
    let mut args = c.args();
    while let Some(word) = args.next() {
        if matches!(word, "--loglevel" | "--registry") {
            args.next();
        } else if !word.starts_with('-') || word == "-" || word == "--" {
            words.push(word);
        }
    }
    words
}

fn unpinned(c: &Command) -> bool {
    let words = non_options(c);
    c.is_with_any("npm", &["install"])
        && words.first() == Some(&"install")
        && !words
            .iter()
            .skip_while(|w| **w != "install")
            .skip_while(|w| **w == "install")
            .all(|p| version_fixed(p))
}

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3016",
        Severity::Warning,
        "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`",
        |script| !script.any(unpinned),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn unpinned_npm() {
        assert_eq!(codes("FROM a:1\nRUN npm install express\n", "DL3016"), [2]);
        assert_eq!(
            codes("FROM a:1\nRUN npm install @types/node\n", "DL3016"),
            [2]
        );
        assert_eq!(
            codes(
                "FROM a:1\nRUN npm install --registry=https://example.org express\n",
                "DL3016"
            ),
            [2]
        );
        for ok in [
            "npm install",
            "npm install express@4",
            "npm install @types/node@20",
            "npm install ./pkg",
            "npm ci",
            "npm install --loglevel verbose sax@0.1.1",
            "npm install --registry https://example.org sax@0.1.1",
        ] {
            assert!(
                codes(&format!("FROM a:1\nRUN {ok}\n"), "DL3016").is_empty(),
                "{ok}"
            );
        }
    }
}
