//! DL3042: `pip install --no-cache-dir` (pipx and pipenv manage their own).

use std::collections::BTreeMap;

use bosun_dockerfile::Keyword;

use super::dl3013::is_pip_install;
use super::{BaseImage, Context, Rule, cache_mounts, failure, pairs};
use crate::shell::Command;
use crate::{Failure, Severity, Step};

fn is_wrapper(c: &Command) -> bool {
    ["pipx", "pipenv"].iter().any(|w| {
        c.name.contains(w)
            || (c.name.starts_with("python")
                && c.args
                    .windows(2)
                    .any(|p| p[0].text == "-m" && p[1].text == *w))
    })
}

/// The values of `PIP_NO_CACHE_DIR` that turn pip's cache off, as hadolint lists them.
const TRUTHY: &[&str] = &[
    "1", "true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES",
];

/// A truthy `PIP_NO_CACHE_DIR=` anywhere in the RUN's text (the first one; hadolint reads the
/// value as a prefix, so `=10` and `=only` count too).
fn set_in_script(text: &str) -> bool {
    text.split_once("PIP_NO_CACHE_DIR=")
        .is_some_and(|(_, value)| TRUTHY.iter().any(|t| value.starts_with(t)))
}

/// DL3042 keeps, per stage, whether an `ENV PIP_NO_CACHE_DIR` turned the cache off; a stage
/// starts with what the stage named like its image had.
pub(crate) struct Dl3042 {
    context: Context,
    /// The current stage's name (alias, else image name); none before any FROM.
    current: Option<String>,
    off: BTreeMap<Option<String>, bool>,
}

impl Dl3042 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            current: None,
            off: BTreeMap::new(),
        }
    }
}

impl Rule for Dl3042 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        if let Some(base) = BaseImage::of(i, &self.context) {
            let inherited = self
                .off
                .get(&Some(base.name.clone()))
                .copied()
                .unwrap_or(false);
            let stage = Some(base.alias.unwrap_or(base.name));
            self.off.insert(stage.clone(), inherited);
            self.current = stage;
            return;
        }
        match (i.keyword, script) {
            (Keyword::Env, _) => {
                let set = pairs(i, &self.context)
                    .iter()
                    .find(|(k, _)| k == "PIP_NO_CACHE_DIR")
                    .is_some_and(|(_, v)| TRUTHY.contains(&v.as_str()));
                if set {
                    self.off.insert(self.current.clone(), true);
                }
            }
            (Keyword::Run, Some(script)) => {
                let off = self.off.get(&self.current).copied().unwrap_or(false);
                let forgot = script
                    .any(|c| is_pip_install(c) && !c.has_arg("--no-cache-dir") && !is_wrapper(c));
                if forgot && !off && !set_in_script(&crate::run_script(i)) && !cached(i) {
                    out.push(failure(
                        "DL3042",
                        Severity::Warning,
                        "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`",
                        i.line,
                    ));
                }
            }
            _ => {}
        }
    }
}

/// A cache or tmpfs mount on pip's cache (`.../.cache/pip`).
fn cached(i: &bosun_dockerfile::Instruction) -> bool {
    cache_mounts(i).iter().any(|m| m.contains(".cache/pip"))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn pip_cache() {
        assert_eq!(codes("FROM a:1\nRUN pip install x==1\n", "DL3042"), [2]);
        assert!(codes("FROM a:1\nRUN pip install --no-cache-dir x==1\n", "DL3042").is_empty());
    }

    #[test]
    fn pip_no_cache_dir_set() {
        let fires = |text: &str| codes(&format!("FROM a:1 AS a\n{text}\n"), "DL3042") != [0; 0];
        assert!(!fires("ENV PIP_NO_CACHE_DIR=1\nRUN pip install x==1"));
        assert!(!fires("ENV PIP_NO_CACHE_DIR yes\nRUN pip install x==1"));
        assert!(fires("ENV PIP_NO_CACHE_DIR=off\nRUN pip install x==1"));
        assert!(fires("ARG PIP_NO_CACHE_DIR=1\nRUN pip install x==1"));
        assert!(!fires("RUN PIP_NO_CACHE_DIR=true pip install x==1"));
        assert!(!fires("RUN export PIP_NO_CACHE_DIR=on && pip install x==1"));
        assert!(fires("RUN PIP_NO_CACHE_DIR=false pip install x==1"));
        // Inherited by a stage built on this one, not by another.
        assert!(!fires(
            "ENV PIP_NO_CACHE_DIR=1\nFROM a\nRUN pip install x==1"
        ));
        assert!(fires(
            "ENV PIP_NO_CACHE_DIR=1\nFROM b:1\nRUN pip install x==1"
        ));
        assert!(!fires(
            "RUN --mount=type=cache,target=/root/.cache/pip pip install x==1"
        ));
    }
}
