//! BL1006: the final stage exposes a port but has no HEALTHCHECK.

use bosun_dockerfile::Keyword;

use super::{Rule, failure};
use crate::{Failure, Severity, Step};

#[derive(Default)]
pub(crate) struct Bl1006 {
    /// In the current stage: the first EXPOSE line and whether there is a HEALTHCHECK.
    expose: Option<usize>,
    healthcheck: bool,
}

impl Rule for Bl1006 {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        match i.keyword {
            Keyword::From => *self = Self::default(),
            Keyword::Expose => {
                self.expose.get_or_insert(i.line);
            }
            Keyword::Healthcheck => self.healthcheck = true,
            _ => {}
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        if let Some(line) = self.expose
            && !self.healthcheck
        {
            out.push(failure(
                "BL1006",
                Severity::Info,
                "the final stage exposes a port but has no HEALTHCHECK: orchestrators cannot tell a hung service from a healthy one",
                line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn exposed_without_healthcheck() {
        assert_eq!(codes("FROM a:1\nEXPOSE 8080\n", "BL1006"), [2]);
        assert!(
            codes(
                "FROM a:1\nEXPOSE 8080\nHEALTHCHECK CMD [\"/app\", \"health\"]\n",
                "BL1006"
            )
            .is_empty()
        );
        assert!(codes("FROM a:1\nEXPOSE 80\nFROM b:1\n", "BL1006").is_empty());
    }
}
