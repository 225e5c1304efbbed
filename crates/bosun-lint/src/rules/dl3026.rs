//! DL3026: images only from trusted registries, when any are configured (`trustedRegistries`,
//! `--trusted-registry`): the image of a FROM, a `COPY --from=IMAGE` and a RUN's cache or bind
//! mount `from=IMAGE`, as hadolint 2.15 checks them. `scratch` and earlier stages are always
//! fine. A name without a registry means what Docker makes of it, so it is fine when
//! `docker.io` (or `hub.docker.com`) is trusted.

use std::collections::BTreeSet;

use bosun_dockerfile::Keyword;

use super::{BaseImage, Context, Rule, failure, mount_images};
use crate::{Failure, Severity, Step};

/// Whether `registry` matches a trusted pattern as hadolint 2.15 matches them: `*` alone is
/// anything, a leading `*` a suffix match, a trailing `*` a prefix match, else equality.
fn matches(pattern: &str, registry: &str) -> bool {
    if pattern == "*" {
        true
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        registry.ends_with(suffix)
    } else if let Some(prefix) = pattern.strip_suffix('*') {
        registry.starts_with(prefix)
    } else {
        registry == pattern
    }
}

pub(crate) struct Dl3026 {
    context: Context,
    trusted: BTreeSet<String>,
    /// Stage names so far: an image of that name is the stage.
    aliases: BTreeSet<String>,
}

impl Dl3026 {
    pub(crate) fn new(context: Context, options: &crate::Options) -> Self {
        Self {
            context,
            trusted: options.trusted_registries.iter().cloned().collect(),
            aliases: BTreeSet::new(),
        }
    }

    fn allowed(&self, image: &BaseImage) -> bool {
        let trusted = |registry: &str| self.trusted.iter().any(|t| matches(t, registry));
        self.trusted.is_empty()
            || self.aliases.contains(&image.name)
            || match &image.registry {
                // hadolint reads `localhost/x` as a name without a registry.
                Some(registry) if registry != "localhost" => trusted(registry),
                _ => image.name == "scratch" || trusted("docker.io") || trusted("hub.docker.com"),
            }
    }
}

impl Rule for Dl3026 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        let ok = match i.keyword {
            Keyword::From => {
                let Some(base) = BaseImage::of(i, &self.context) else {
                    return;
                };
                let ok = self.allowed(&base);
                self.aliases.extend(base.alias);
                ok
            }
            Keyword::Copy => i
                .flag("from")
                .is_none_or(|from| self.allowed(&BaseImage::parse(from))),
            Keyword::Run => mount_images(i)
                .iter()
                .all(|from| self.allowed(&BaseImage::parse(from))),
            _ => true,
        };
        if !ok {
            out.push(failure(
                "DL3026",
                Severity::Error,
                "Use only an allowed registry in the FROM image",
                i.line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Options;
    use crate::rules::testing::codes_with;

    #[test]
    fn wildcards() {
        use super::matches;
        assert!(matches("*", "anything.example:5000"));
        assert!(matches("*.example.org", "a.b.example.org"));
        assert!(!matches("*.example.org", "example.org"));
        assert!(matches("*example.org", "example.org"));
        assert!(matches("registry.*", "registry.example:5000"));
        assert!(!matches("registry.*", "a.registry.example"));
        // A star inside a pattern is literal to hadolint.
        assert!(!matches("a*b", "axb"));
        assert!(matches("a*b", "a*b"));
        assert!(matches("docker.io", "docker.io"));
        assert!(!matches("docker.io", "docker.iox"));
    }

    #[test]
    fn only_trusted_registries() {
        let trusted = Options {
            trusted_registries: vec!["registry.internal:5000".into()],
            ..Options::default()
        };
        let file = "FROM registry.internal:5000/base:1 AS build\nFROM build\nFROM scratch\n\
                    FROM other.example/x:1\nFROM debian:12\n";
        assert_eq!(codes_with(file, "DL3026", &trusted), [4, 5]);
        assert!(codes_with(file, "DL3026", &Options::default()).is_empty());
        // Bare names are Docker's: trusted once docker.io (or hub.docker.com) is.
        for hub in ["docker.io", "hub.docker.com", "do*"] {
            let docker = Options {
                trusted_registries: vec!["registry.internal:5000".into(), hub.into()],
                ..Options::default()
            };
            assert_eq!(codes_with(file, "DL3026", &docker), [4], "{hub}");
        }
    }

    /// What hadolint 2.15.1 answers (probed with its binary): COPY --from and RUN mounts name
    /// images too; stage names are matched as written; `localhost/x` has no registry.
    #[test]
    fn copy_and_mount_sources() {
        let trusted = Options {
            trusted_registries: vec!["other.com".into()],
            ..Options::default()
        };
        let file = "FROM other.com/a:1 AS build\n\
                    COPY --from=other.com/img:1 /a /b\n\
                    COPY --from=localhost/x /a /b\n\
                    COPY --from=other.com:5000/x /a /b\n\
                    COPY --from=${IMG} /a /b\n\
                    COPY --from=BUILD /a /b\n\
                    COPY --from=build /a /b\n\
                    COPY --from=0 /a /b\n\
                    RUN --mount=type=cache,target=/x true\n\
                    RUN --mount=type=cache,target=/x,from=build true\n\
                    RUN --mount=type=bind,source=/x,target=/y,from=bad.io/x true\n\
                    RUN --mount=from=bad.io/x,target=/y true\n\
                    RUN --mount=type=secret,id=x,from=bad.io/x true\n\
                    FROM localhost/y\n\
                    FROM other.com:5000/y\n";
        assert_eq!(
            codes_with(file, "DL3026", &trusted),
            [3, 4, 5, 6, 8, 11, 12, 14, 15]
        );
        let prefix = Options {
            trusted_registries: vec!["other.com*".into()],
            ..Options::default()
        };
        assert_eq!(
            codes_with(file, "DL3026", &prefix),
            [3, 5, 6, 8, 11, 12, 14]
        );
    }
}
