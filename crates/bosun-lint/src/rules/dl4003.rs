//! DL4003: one CMD per stage.

use super::{Once, Rule};
use crate::{Failure, Severity, Step};
use bosun_dockerfile::Keyword;

#[derive(Default)]
pub(crate) struct Dl4003(Option<()>);

impl Rule for Dl4003 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        Once {
            keyword: Keyword::Cmd,
            code: "DL4003",
            severity: Severity::Warning,
            message: "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect",
        }
        .check(&mut self.0, step, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn second_cmd() {
        assert_eq!(
            codes(
                "FROM a:1\nCMD [\"a\"]\nCMD [\"b\"]\nFROM b:1\nCMD [\"c\"]\n",
                "DL4003"
            ),
            [3]
        );
    }
}
