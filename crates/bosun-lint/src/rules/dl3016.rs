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

fn unpinned(c: &Command) -> bool {
    let words = c.args_no_flags();
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
        for ok in [
            "npm install",
            "npm install express@4",
            "npm install @types/node@20",
            "npm install ./pkg",
            "npm ci",
        ] {
            assert!(
                codes(&format!("FROM a:1\nRUN {ok}\n"), "DL3016").is_empty(),
                "{ok}"
            );
        }
    }
}
