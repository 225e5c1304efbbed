//! What DL3009 and DL3060 share: a RUN that leaves a package cache behind matters only in
//! stages that end up in an image: the last stage, or one a later FROM builds on.

use std::collections::BTreeMap;

use bosun_dockerfile::Keyword;

use super::{BaseImage, Context, failure};
use crate::shell::Script;
use crate::{Failure, Severity, Step};

pub(crate) struct Leftovers {
    context: Context,
    code: &'static str,
    message: &'static str,
    /// Whether a RUN's script leaves the cache behind.
    leaves: fn(&Script) -> bool,
    /// Cache mounts that keep it out of the image (see [`super::cache_mounts`]).
    cached: fn(&[String]) -> bool,
    /// The current stage's base, once there is a FROM.
    last_from: Option<BaseImage>,
    /// Image names FROM has named.
    from_names: BTreeMap<String, usize>,
    /// RUN line -> the stage it is in.
    runs: BTreeMap<usize, Option<BaseImage>>,
}

impl Leftovers {
    pub(crate) fn new(
        context: Context,
        code: &'static str,
        message: &'static str,
        leaves: fn(&Script) -> bool,
        cached: fn(&[String]) -> bool,
    ) -> Self {
        Self {
            context,
            code,
            message,
            leaves,
            cached,
            last_from: None,
            from_names: BTreeMap::new(),
            runs: BTreeMap::new(),
        }
    }
}

impl super::Rule for Leftovers {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        if let Some(base) = BaseImage::of(i, &self.context) {
            self.from_names.insert(base.name.clone(), i.line);
            self.last_from = Some(base);
        } else if i.keyword == Keyword::Run
            && let Some(script) = script
            && (self.leaves)(script)
            && !(self.cached)(&super::cache_mounts(i))
        {
            self.runs.insert(i.line, self.last_from.clone());
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        for (&line, from) in &self.runs {
            let last = *from == self.last_from;
            let built_on = from
                .as_ref()
                .and_then(|f| f.alias.as_ref())
                .is_some_and(|alias| self.from_names.contains_key(alias));
            if last || built_on {
                out.push(failure(self.code, Severity::Info, self.message, line));
            }
        }
    }
}
