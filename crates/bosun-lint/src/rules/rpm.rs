//! What the yum, dnf and zypper rules share.

use crate::shell::{Command, Script};

pub(crate) fn is_dnf(c: &Command) -> bool {
    c.name == "dnf" || c.name == "microdnf"
}

/// The package words of `tool install ...` (flags and the subcommands dropped).
pub(crate) fn packages<'a>(c: &'a Command, subcommands: &[&str]) -> Vec<&'a str> {
    c.args_no_flags()
        .into_iter()
        .filter(|a| !subcommands.contains(a))
        .collect()
}

/// Whether `yum|dnf install` names a pinned package, as hadolint 2.15 decides it: some `-` is
/// followed by a digit (`openssl-1:1.1.1k`, `rpm-sign-4.16`), or it is an `.rpm` file whose
/// name has a `-`.
pub(crate) fn pinned(package: &str) -> bool {
    package.contains('-')
        && (package.ends_with(".rpm")
            || package
                .as_bytes()
                .windows(2)
                .any(|w| w[0] == b'-' && w[1].is_ascii_digit()))
}

/// Whether every package of an `install` by `tool` is pinned: modules by a `:stream`,
/// packages by [`pinned`].
pub(crate) fn all_pinned(script: &Script, tool: fn(&Command) -> bool) -> bool {
    script
        .commands
        .iter()
        .filter(|c| tool(c) && c.has_arg("install"))
        .all(|c| {
            let module = c.has_arg("module");
            packages(c, &["install", "module"])
                .into_iter()
                .all(|p| if module { p.contains(':') } else { pinned(p) })
        })
}

/// Whether the cache an install fills is cleaned after it, as hadolint 2.15 decides: no
/// `installs` command, or the first `cleans` command comes after the first install.
pub(crate) fn cleaned_after_install(
    script: &Script,
    installs: impl Fn(&Command) -> bool,
    cleans: impl Fn(&Command) -> bool,
) -> bool {
    let Some(install) = script.commands.iter().position(installs) else {
        return true;
    };
    script
        .commands
        .iter()
        .position(cleans)
        .is_some_and(|clean| clean > install)
}
