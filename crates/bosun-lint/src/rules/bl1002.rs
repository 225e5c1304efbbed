//! BL1002: TLS verification turned off, so anyone on the path can swap what is downloaded.

use bosun_dockerfile::Keyword;

use super::{Context, Rule, failure, pairs};
use crate::shell::Script;
use crate::{Failure, Severity, Step};

pub(crate) struct Bl1002 {
    context: Context,
}

impl Bl1002 {
    pub(crate) fn new(context: Context) -> Self {
        Self { context }
    }
}

/// What in a script turns verification off, if anything.
fn insecure(script: &Script, text: &str) -> Option<&'static str> {
    for c in &script.commands {
        let name = c.name.rsplit('/').next().unwrap_or(&c.name);
        let found = match name {
            "curl" if c.has_flag("k") || c.has_flag("insecure") => Some("`curl -k`"),
            "wget" if c.has_flag("no-check-certificate") => Some("`wget --no-check-certificate`"),
            n if n.starts_with("pip") && c.has_flag("trusted-host") => Some("`pip --trusted-host`"),
            "npm" | "yarn" | "pnpm"
                if c.has_arg("strict-ssl") && c.args().any(|a| a == "false") =>
            {
                Some("`strict-ssl false`")
            }
            "apt-get" | "apt"
                if c.has_any_flag(&["allow-unauthenticated", "allow-insecure-repositories"])
                    || c.args().any(|a| {
                        a.contains("Verify-Peer=false")
                            || a.contains("AllowInsecureRepositories=true")
                    }) =>
            {
                Some("an unauthenticated apt install")
            }
            "git"
                if c.args()
                    .any(|a| a.eq_ignore_ascii_case("http.sslVerify=false")) =>
            {
                Some("`git -c http.sslVerify=false`")
            }
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    if text.contains("[trusted=yes]") {
        return Some("an apt source marked `[trusted=yes]`");
    }
    if text.contains("GIT_SSL_NO_VERIFY") {
        return Some("`GIT_SSL_NO_VERIFY`");
    }
    None
}

impl Rule for Bl1002 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        let found =
            match (i.keyword, script) {
                (Keyword::Run, Some(script)) => insecure(script, &i.args.text()),
                (Keyword::Env, _) => pairs(i, &self.context).iter().find_map(|(k, v)| {
                    match (k.as_str(), v.as_str()) {
                        ("NODE_TLS_REJECT_UNAUTHORIZED", "0") => {
                            Some("`NODE_TLS_REJECT_UNAUTHORIZED=0`")
                        }
                        ("PYTHONHTTPSVERIFY", "0") => Some("`PYTHONHTTPSVERIFY=0`"),
                        ("GIT_SSL_NO_VERIFY", v) if !v.is_empty() && v != "0" && v != "false" => {
                            Some("`GIT_SSL_NO_VERIFY`")
                        }
                        _ => None,
                    }
                }),
                _ => None,
            };
        if let Some(what) = found {
            out.push(failure(
                "BL1002",
                Severity::Warning,
                &format!("{what} turns download verification off: what is fetched can be replaced in transit"),
                i.line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn verification_off() {
        for bad in [
            "RUN curl -ksSL https://x/y -o y",
            "RUN wget --no-check-certificate https://x",
            "RUN pip install --trusted-host pypi.internal x==1",
            "RUN npm config set strict-ssl false",
            "RUN apt-get install -y --allow-unauthenticated x=1",
            "RUN echo 'deb [trusted=yes] http://repo.internal stable main' > /etc/apt/sources.list.d/x.list",
            "ENV NODE_TLS_REJECT_UNAUTHORIZED=0",
        ] {
            assert_eq!(codes(&format!("FROM a:1\n{bad}\n"), "BL1002"), [2], "{bad}");
        }
        assert!(codes("FROM a:1\nRUN curl -fsSL https://x -o y\n", "BL1002").is_empty());
    }
}
