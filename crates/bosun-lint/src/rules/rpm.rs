//! What the yum, dnf and zypper rules share.

use std::collections::BTreeSet;

use bosun_dockerfile::{Instruction, Keyword};

use super::{BaseImage, Context, Rule, failure, pairs};
use crate::shell::{Command, Script};
use crate::{Failure, Severity, Step};

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

/// Whether `yum|dnf install` names a pinned package, as hadolint 2.15.1 decides it: it has a
/// `-`, and is an `.rpm` file, or names a variable ENV or ARG defined (`git-core-${version}`,
/// see [`Defined`]), or what follows its first `-` is version-like (parts of letters, digits
/// and `.~^_:+`, one starting with a digit: `openssl-1:1.1.1k`, `rpm-sign-4.16`).
pub(crate) fn pinned(package: &str, defined: &Defined) -> bool {
    let parts: Vec<&str> = package.split('-').collect();
    if parts.len() <= 1 {
        return false;
    }
    if package.ends_with(".rpm") {
        return true;
    }
    if package.contains('$') {
        return defined.names_one_in(package);
    }
    let version_char = |c: char| c.is_ascii_alphanumeric() || ".~^_:+".contains(c);
    parts[1..].iter().all(|p| p.chars().all(version_char))
        && parts[1..]
            .iter()
            .any(|p| p.starts_with(|c: char| c.is_ascii_digit()))
}

/// Whether every package of an `install` by `tool` is pinned: modules by a `:stream`,
/// packages by [`pinned`].
pub(crate) fn all_pinned(script: &Script, tool: fn(&Command) -> bool, defined: &Defined) -> bool {
    script
        .commands
        .iter()
        .filter(|c| tool(c) && c.has_arg("install"))
        .all(|c| {
            let module = c.has_arg("module");
            packages(c, &["install", "module"])
                .into_iter()
                .all(|p| match module {
                    true => p.contains(':'),
                    false => pinned(p, defined),
                })
        })
}

/// The variables ENV (per stage, carried into a stage built `FROM` an earlier one) and ARG
/// (anywhere) have defined so far, as hadolint 2.15.1's DL3033 and DL3041 track them.
#[derive(Default)]
pub(crate) struct Defined {
    /// Each stage's name (if any) and the ENV names it has.
    stages: Vec<(Option<String>, BTreeSet<String>)>,
    args: BTreeSet<String>,
}

impl Defined {
    /// Follows FROM, ENV and ARG.
    pub(crate) fn step(&mut self, i: &Instruction, context: &Context) {
        match i.keyword {
            Keyword::From => {
                let base = BaseImage::of(i, context);
                let inherited = base
                    .as_ref()
                    .and_then(|b| {
                        self.stages
                            .iter()
                            .find(|(alias, _)| alias.as_ref() == Some(&b.name))
                    })
                    .map(|(_, envs)| envs.clone())
                    .unwrap_or_default();
                self.stages.push((base.and_then(|b| b.alias), inherited));
            }
            Keyword::Env => {
                let names = pairs(i, context).into_iter().map(|(k, _)| k);
                match self.stages.last_mut() {
                    Some((_, envs)) => envs.extend(names),
                    None => self.stages.push((None, names.collect())),
                }
            }
            Keyword::Arg => {
                let text = i.args.text();
                let name = text.split('=').next().unwrap_or_default().trim();
                self.args.insert(name.to_string());
            }
            _ => {}
        }
    }

    /// Whether `text` holds `${NAME}` for a name defined here.
    fn names_one_in(&self, text: &str) -> bool {
        let envs = self.stages.last().map(|(_, e)| e);
        envs.into_iter()
            .flatten()
            .chain(&self.args)
            .any(|name| text.contains(&format!("${{{name}}}")))
    }
}

/// DL3033 and DL3041: every package an install by `tool` names is pinned.
pub(crate) struct PinRule {
    pub(crate) code: &'static str,
    pub(crate) message: &'static str,
    pub(crate) tool: fn(&Command) -> bool,
    pub(crate) context: Context,
    pub(crate) defined: Defined,
}

impl Rule for PinRule {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        self.defined.step(i, &self.context);
        if let Some(script) = script
            && !all_pinned(script, self.tool, &self.defined)
        {
            out.push(failure(self.code, Severity::Warning, self.message, i.line));
        }
    }
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
