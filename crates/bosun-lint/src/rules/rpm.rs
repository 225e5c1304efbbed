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

/// `rm` of a package cache directory.
pub(crate) fn removes_cache(script: &Script, dirs: &[&str]) -> bool {
    script.any(|c| c.name == "rm" && c.args().any(|a| dirs.iter().any(|d| a.starts_with(d))))
}
