//! DL3045: COPY to a relative destination needs a WORKDIR in the stage (or the stage it
//! builds on).

use std::collections::BTreeMap;

use bosun_dockerfile::Keyword;

use super::{BaseImage, Context, Rule, copy_parts, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3045 {
    context: Context,
    /// The current stage's name (alias, else image); `None` before any FROM.
    current: Option<String>,
    /// Stage name -> a WORKDIR has been set.
    workdir: BTreeMap<Option<String>, bool>,
    started: bool,
}

impl Dl3045 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            current: None,
            workdir: BTreeMap::new(),
            started: false,
        }
    }
}

impl Rule for Dl3045 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if let Some(base) = BaseImage::of(i, &self.context) {
            // hadolint names a stage by its alias, else by the image's name without its
            // registry: `FROM reg.io/base` is stage `base`.
            let image = base.name.clone();
            let name = base.alias.clone().unwrap_or_else(|| image.clone());
            if self.started {
                let parent = self.workdir.get(&Some(image)).copied().unwrap_or(false);
                self.workdir.insert(Some(name.clone()), parent);
            }
            self.started = true;
            self.current = Some(name);
            return;
        }
        match i.keyword {
            Keyword::Workdir => {
                self.started = true;
                self.workdir.insert(self.current.clone(), true);
            }
            Keyword::Copy => {
                if self.workdir.get(&self.current) == Some(&true) {
                    return;
                }
                let Some((_, dest)) = copy_parts(i) else {
                    return;
                };
                let dest = dest.trim_matches(['"', '\'']);
                // A drive letter (`C:`, `c:\x`, `d:/x`) makes a Windows path absolute.
                let mut chars = dest.chars();
                let windows = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                    && chars.next() == Some(':');
                if !(dest.starts_with('/') || dest.starts_with('$') || windows) {
                    out.push(failure(
                        "DL3045",
                        Severity::Warning,
                        "`COPY` to a relative destination without `WORKDIR` set.",
                        i.line,
                    ));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn relative_destinations() {
        assert_eq!(codes("FROM a:1\nCOPY x app/\n", "DL3045"), [2]);
        assert!(codes("FROM a:1\nWORKDIR /srv\nCOPY x app/\n", "DL3045").is_empty());
        assert!(
            codes(
                "FROM a:1 AS base\nWORKDIR /srv\nFROM base\nCOPY x app/\n",
                "DL3045"
            )
            .is_empty()
        );
        assert!(codes("FROM a:1\nCOPY x /app/\n", "DL3045").is_empty());
    }
}
