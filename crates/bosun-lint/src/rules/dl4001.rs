//! DL4001: wget or curl, not both, in a stage.

use bosun_dockerfile::Keyword;

use super::{Rule, failure};
use crate::{Failure, Severity, Step};

#[derive(Default)]
pub(crate) struct Dl4001 {
    curl: bool,
    wget: bool,
}

impl Rule for Dl4001 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        if i.keyword == Keyword::From {
            *self = Self::default();
            return;
        }
        let Some(script) = script else { return };
        let curl = script.names().any(|n| n == "curl");
        let wget = script.names().any(|n| n == "wget");
        self.curl |= curl;
        self.wget |= wget;
        if (curl || wget) && self.curl && self.wget {
            out.push(failure(
                "DL4001",
                Severity::Warning,
                "Either use Wget or Curl but not both",
                i.line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn both() {
        assert_eq!(
            codes(
                "FROM a:1\nRUN curl -O x\nRUN echo\nRUN wget y\nRUN curl z\n",
                "DL4001"
            ),
            [4, 5]
        );
        assert!(codes("FROM a:1\nRUN curl x\nFROM b:1\nRUN wget y\n", "DL4001").is_empty());
    }
}
