//! DL3013: pin pip packages (or install from requirements, constraints, local files).

use super::{RunCheck, run_check};
use crate::Severity;
use crate::shell::Command;

/// `pip install`, `pip3.12 install`, `python -m pip install`, as hadolint 2.15.1 tells them:
/// by the command name as written, so any name starting with `pip` but `pipenv` counts
/// (pipx too), and `/usr/bin/pip` does not.
pub(crate) fn is_pip_install(c: &Command) -> bool {
    let is_pip = c.name.starts_with("pip") && !c.name.starts_with("pipenv");
    let module = c.name.starts_with("python")
        && c.args
            .windows(3)
            .any(|w| w[0].text == "-m" && w[1].text == "pip" && w[2].text == "install");
    (is_pip && c.has_arg("install")) || module
}

/// Flags whose value is the next word, not a package.
const VALUE_FLAGS: &[&str] = &[
    "abi",
    "b",
    "build",
    "e",
    "editable",
    "extra-index-url",
    "f",
    "find-links",
    "i",
    "index-url",
    "implementation",
    "no-binary",
    "only-binary",
    "platform",
    "prefix",
    "progress-bar",
    "proxy",
    "python",
    "python-version",
    "root",
    "root-user-action",
    "src",
    "t",
    "target",
    "trusted-host",
    "upgrade-strategy",
];

fn packages(c: &Command) -> Vec<String> {
    let dropped = c.drop_flag_values(VALUE_FLAGS);
    let words = dropped.args_no_flags();
    words
        .iter()
        .skip_while(|w| **w != "install")
        .skip_while(|w| **w == "install")
        .map(|w| w.to_string())
        .collect()
}

/// pip's version-control schemes (`vcs[+protocol]`), as hadolint lists them; a bare `git`
/// prefix is among them, so `gitpython` reads as one too.
const VCS_SCHEMES: &[&str] = &[
    "git+file",
    "git+https",
    "git+ssh",
    "git+http",
    "git+git",
    "git",
    "hg+file",
    "hg+http",
    "hg+https",
    "hg+ssh",
    "hg+static-http",
    "svn",
    "svn+svn",
    "svn+http",
    "svn+https",
    "svn+ssh",
    "bzr+http",
    "bzr+https",
    "bzr+ssh",
    "bzr+sftp",
    "bzr+ftp",
    "bzr+lp",
];

/// Whether a requirement needs no pin: it has a version operator, is a VCS URL with a
/// revision (`@...`), a local wheel or sdist, or a path that is not a VCS URL.
fn version_fixed(p: &str) -> bool {
    let vcs = VCS_SCHEMES.iter().any(|s| p.starts_with(s));
    ["==", ">=", "<=", ">", "<", "!=", "~=", "==="]
        .iter()
        .any(|s| p.contains(s))
        || (vcs && p.contains('@'))
        || p.ends_with(".whl")
        || p.ends_with(".tar.gz")
        || (!vcs && p.contains('/'))
}

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3013",
        Severity::Warning,
        "Pin versions in pip. Instead of `pip install <package>` use `pip install <package>==<version>` or `pip install --requirement <requirements file>`",
        |script| {
            !script.any(|c| {
                let constrained = c.has_flag("constraint") || c.has_flag("c");
                let requirements = c.has_arg("--requirement") || c.has_arg("-r") || c.has_arg(".");
                is_pip_install(c)
                    && !constrained
                    && !requirements
                    && !packages(c).iter().all(|p| version_fixed(p))
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn unpinned_pip() {
        assert_eq!(codes("FROM a:1\nRUN pip install flask\n", "DL3013"), [2]);
        assert_eq!(
            codes(
                "FROM a:1\nRUN python3 -m pip install -U requests\n",
                "DL3013"
            ),
            [2]
        );
        assert_eq!(
            codes(
                "FROM a:1\nRUN pip install git+https://example.org/x.git#egg=x\n",
                "DL3013"
            ),
            [2]
        );
        assert_eq!(codes("FROM a:1\nRUN pipx install black\n", "DL3013"), [2]);
        for ok in [
            "pip install flask==2.0",
            "pip install -r req.txt",
            "pip install .",
            "pip3 install x.whl",
            "pip install -c c.txt flask",
            "pip install git+ssh://git@example.org/x.git@1.0#egg=x",
            "pip install ./src/pkg",
            // Probed with hadolint 2.15.1: pipenv is not pip, options that take a value.
            "pipenv install black",
            "pipx install --python python3.12 \"poetry==1.8.5\"",
            "pip3 install --root-user-action ignore poetry==1.8.5",
            "/usr/local/bin/pip install foo",
        ] {
            assert!(
                codes(&format!("FROM a:1\nRUN {ok}\n"), "DL3013").is_empty(),
                "{ok}"
            );
        }
    }
}
