//! BL1001: a secret in an ENV, ARG or LABEL value or on a RUN line: it stays in the image
//! config or history for anyone who pulls the image.

use bosun_dockerfile::Keyword;

use super::{Context, Rule, failure, pairs};
use crate::{Failure, Severity, Step};

pub(crate) struct Bl1001 {
    context: Context,
}

impl Bl1001 {
    pub(crate) fn new(context: Context) -> Self {
        Self { context }
    }
}

/// The first secret in `value` (by rule, or by a secret name holding a real value).
fn secret(name: &str, value: &str) -> Option<String> {
    if let Some(m) = bosun_secrets::scan_text(value).into_iter().next() {
        return Some(format!("{} ({})", m.title, m.masked));
    }
    (bosun_secrets::secret_name(name) && bosun_secrets::real_value(value))
        .then(|| format!("a secret ({})", bosun_secrets::mask(value)))
}

impl Rule for Bl1001 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        let found = match i.keyword {
            Keyword::Env | Keyword::Label => pairs(i, &self.context)
                .iter()
                .find_map(|(k, v)| secret(k, v).map(|s| format!("`{} {k}` holds {s}", i.keyword))),
            Keyword::Arg => {
                let text = i.args.text();
                let (name, value) = text.split_once('=').unwrap_or((text.as_str(), ""));
                let value = value.trim_matches(['"', '\'']);
                secret(name.trim(), value).map(|s| format!("`ARG {}` defaults to {s}", name.trim()))
            }
            Keyword::Run => bosun_secrets::scan_text(&i.args.text())
                .into_iter()
                .next()
                .map(|m| format!("this RUN holds {} ({})", m.title, m.masked)),
            _ => None,
        };
        if let Some(what) = found {
            out.push(failure(
                "BL1001",
                Severity::Error,
                &format!("{what}; it stays in the image for anyone who pulls it: pass it with `RUN --mount=type=secret`"),
                i.line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn secrets_in_config_and_commands() {
        assert_eq!(
            codes(
                "FROM a:1\nENV API_TOKEN=glpat-Q8x2Lm4Nv6Bc1Zr7Ty0W\n",
                "BL1001"
            ),
            [2]
        );
        assert_eq!(
            codes("FROM a:1\nARG DB_PASSWORD=Zq8vT3kLm0\n", "BL1001"),
            [2]
        );
        assert_eq!(
            codes(
                "FROM a:1\nRUN git clone https://ci:Hq7vT3kPz@git.internal/x\n",
                "BL1001"
            ),
            [2]
        );
        assert!(
            codes(
                "FROM a:1\nARG DB_PASSWORD\nENV LANG=C.UTF-8 PASSWORD_FILE=/run/secrets/db\n",
                "BL1001"
            )
            .is_empty()
        );
    }
}
