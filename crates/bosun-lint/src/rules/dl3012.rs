//! DL3012: one HEALTHCHECK per stage.

use super::{Once, Rule};
use crate::{Failure, Severity, Step};
use bosun_dockerfile::Keyword;

#[derive(Default)]
pub(crate) struct Dl3012(Option<()>);

impl Rule for Dl3012 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        Once {
            keyword: Keyword::Healthcheck,
            code: "DL3012",
            severity: Severity::Error,
            message: "Multiple `HEALTHCHECK` instructions",
        }
        .check(&mut self.0, step, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn second_healthcheck() {
        let two =
            "FROM a:1\nHEALTHCHECK NONE\nHEALTHCHECK CMD [\"true\"]\nFROM b:1\nHEALTHCHECK NONE\n";
        assert_eq!(codes(two, "DL3012"), [3]);
    }
}
