//! DL4004: one ENTRYPOINT per stage.

use super::{Once, Rule};
use crate::{Failure, Severity, Step};
use bosun_dockerfile::Keyword;

#[derive(Default)]
pub(crate) struct Dl4004(Option<()>);

impl Rule for Dl4004 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        Once {
            keyword: Keyword::Entrypoint,
            code: "DL4004",
            severity: Severity::Error,
            message: "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last `ENTRYPOINT` will take effect",
        }
        .check(&mut self.0, step, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn second_entrypoint() {
        assert_eq!(
            codes(
                "FROM a:1\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n",
                "DL4004"
            ),
            [3]
        );
    }
}
