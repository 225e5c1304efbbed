//! DL3023: a stage cannot COPY from itself.

use bosun_dockerfile::Keyword;

use super::{BaseImage, Context, Rule, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3023 {
    context: Context,
    /// The alias of the current stage (`Some(None)`: a stage without one).
    current: Option<Option<String>>,
}

impl Dl3023 {
    pub(crate) fn new(context: Context) -> Self {
        Self {
            context,
            current: None,
        }
    }
}

impl Rule for Dl3023 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if let Some(base) = BaseImage::of(i, &self.context) {
            self.current = Some(base.alias);
            return;
        }
        if i.keyword == Keyword::Copy
            && let Some(from) = i.flag("from")
            && let Some(Some(alias)) = &self.current
            && alias == from
        {
            out.push(failure(
                "DL3023",
                Severity::Error,
                "`COPY --from` cannot reference its own `FROM` alias",
                i.line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn copy_from_itself() {
        assert_eq!(codes("FROM a:1 AS x\nCOPY --from=x /a /b\n", "DL3023"), [2]);
        assert!(codes("FROM a:1 AS x\nFROM b:1\nCOPY --from=x /a /b\n", "DL3023").is_empty());
    }
}
