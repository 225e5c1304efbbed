//! BL1009: a package manager's download cache left in the final image. hadolint covers apt
//! lists (DL3009), apk (DL3019), pip (DL3042), yarn (DL3060) and yum/dnf/zypper; this covers
//! npm, composer, cargo and go, whose caches are as large. Earlier stages are left alone
//! (their files stay behind unless copied), and so is a RUN with a cache mount, or one that
//! cleans the cache itself.

use bosun_dockerfile::Keyword;

use super::{Rule, failure};
use crate::shell::{Command, Script};
use crate::{Failure, Severity, Step};

struct Cache {
    tool: &'static str,
    /// Subcommands that fill the cache.
    fills: &'static [&'static str],
    /// A flag that keeps the cache out.
    no_cache_flag: Option<&'static str>,
    /// `TOOL SUB...` that empties it.
    clean: &'static [&'static str],
    /// A path part that an `rm` of the cache names.
    path: &'static str,
    /// Whole directories whose removal takes the cache along (`rm -rf /go`).
    roots: &'static [&'static str],
    /// The cache lives under a variable (`$GOPATH`, `$CARGO_HOME`): an `rm` of a path that
    /// starts with one may be removing it, and is given the benefit of the doubt.
    under_variable: bool,
    /// What to say.
    advice: &'static str,
}

const CACHES: &[Cache] = &[
    Cache {
        tool: "npm",
        fills: &["install", "i", "ci", "add", "update"],
        no_cache_flag: None,
        clean: &["cache", "clean"],
        path: ".npm",
        roots: &[],
        under_variable: false,
        advice: "npm's cache (~/.npm) stays in the image: add `&& npm cache clean --force`, or use `RUN --mount=type=cache,target=/root/.npm`",
    },
    Cache {
        tool: "composer",
        fills: &["install", "require", "update"],
        no_cache_flag: Some("no-cache"),
        clean: &["clear-cache"],
        path: "composer/cache",
        roots: &[],
        under_variable: false,
        advice: "composer's cache stays in the image: add `--no-cache` or `&& composer clear-cache`",
    },
    Cache {
        tool: "cargo",
        fills: &["install", "build", "fetch"],
        no_cache_flag: None,
        clean: &[],
        path: "cargo/registry",
        roots: &["/usr/local/cargo", "/root/.cargo"],
        under_variable: true,
        advice: "cargo's registry cache ($CARGO_HOME/registry) stays in the image: build in an earlier stage, use a cache mount, or remove it in the same RUN",
    },
    Cache {
        tool: "go",
        fills: &["build", "install", "get", "mod"],
        no_cache_flag: None,
        clean: &["clean"],
        path: "pkg/mod",
        roots: &["/go", "/root/go", "/go/pkg"],
        under_variable: true,
        advice: "go's module cache (GOPATH/pkg/mod) stays in the image: build in an earlier stage, use a cache mount, or add `&& go clean -modcache`",
    },
];

fn cleans(script: &Script, cache: &Cache) -> bool {
    script.commands.iter().any(|c| {
        let by_tool = !cache.clean.is_empty()
            && c.name == cache.tool
            && cache.clean.iter().all(|word| c.has_arg(word));
        let by_rm = c.name == "rm"
            && c.args().any(|a| {
                a.contains(cache.path)
                    || cache.roots.contains(&a.trim_end_matches('/'))
                    || (cache.under_variable && a.starts_with("${"))
            });
        by_tool || by_rm
    })
}

fn fills(c: &Command, cache: &Cache) -> bool {
    c.name == cache.tool
        && c.args_no_flags()
            .first()
            .is_some_and(|sub| cache.fills.contains(sub))
        && !cache.no_cache_flag.is_some_and(|f| c.has_flag(f))
}

#[derive(Default)]
pub(crate) struct Bl1009 {
    /// This stage's findings: (line, advice).
    found: Vec<(usize, &'static str)>,
}

impl Rule for Bl1009 {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        match (i.keyword, script) {
            (Keyword::From, _) => self.found.clear(),
            (Keyword::Run, Some(script)) => {
                let cache_mount = i.flags.iter().any(|f| {
                    f.name == "mount"
                        && f.value.as_deref().is_some_and(|v| v.contains("type=cache"))
                });
                if cache_mount {
                    return;
                }
                for cache in CACHES {
                    if script.commands.iter().any(|c| fills(c, cache)) && !cleans(script, cache) {
                        self.found.push((i.line, cache.advice));
                    }
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        for (line, advice) in self.found.drain(..) {
            out.push(failure("BL1009", Severity::Info, advice, line));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{codes, fires_on_line_2, holds};

    #[test]
    fn removing_the_whole_root_cleans() {
        holds(
            "BL1009",
            &[
                "RUN go get -v example.org/x && mv $GOPATH/bin/x /usr/local/bin && rm -rf $GOPATH\n",
                "RUN go install example.org/x@v1 && rm -rf /go\n",
                "RUN cargo install x && rm -rf \"${CARGO_HOME}/registry\"\n",
            ],
        );
    }

    #[test]
    fn caches_left_in_the_final_stage() {
        fires_on_line_2(
            "BL1009",
            &[
                "RUN npm ci\n",
                "RUN npm install -g typescript@5.4.5\n",
                "RUN composer install --no-dev\n",
                "RUN cargo install ripgrep --locked\n",
                "RUN go mod download && go build -o /app ./cmd/app\n",
            ],
        );
        holds(
            "BL1009",
            &[
                "RUN npm ci && npm cache clean --force\n",
                "RUN --mount=type=cache,target=/root/.npm npm ci\n",
                "RUN npm ci && rm -rf /root/.npm\n",
                "RUN composer install --no-cache\n",
                "RUN go build -o /app . && go clean -modcache\n",
                "RUN cargo build --release && rm -rf /usr/local/cargo/registry\n",
                "RUN npm run build\n",
            ],
        );
        // A builder stage's caches do not reach the image.
        let staged = "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\n";
        assert!(codes(staged, "BL1009").is_empty());
    }
}
