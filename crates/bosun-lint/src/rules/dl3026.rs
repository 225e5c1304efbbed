//! DL3026: FROM only trusted registries, when any are configured (`trustedRegistries`,
//! `--trusted-registry`). `scratch` and earlier stages are always fine. An image named without
//! a registry is fine when a trusted registry is one that such names resolve to: hadolint
//! hard-codes the public hub's names for that; bosun takes the machine's answer,
//! `unqualified-search-registries` in containers' registries.conf (`Options::default_registries`).

use std::collections::BTreeSet;

use super::{BaseImage, Context, Rule, failure};
use crate::{Failure, Severity, Step};

/// Whether `registry` matches a trusted pattern, where `*` stands for any run of characters
/// (`*`, `*.example.org`, `registry.*`), as hadolint 2.15 matches them.
fn matches(pattern: &str, registry: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = registry.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

pub(crate) struct Dl3026 {
    context: Context,
    trusted: BTreeSet<String>,
    bare_names_trusted: bool,
    aliases: BTreeSet<String>,
}

impl Dl3026 {
    pub(crate) fn new(context: Context, options: &crate::Options) -> Self {
        let trusted: BTreeSet<String> = options.trusted_registries.iter().cloned().collect();
        let bare_names_trusted = options
            .default_registries
            .iter()
            .any(|r| trusted.iter().any(|t| matches(t, r)));
        Self {
            context,
            trusted,
            bare_names_trusted,
            aliases: BTreeSet::new(),
        }
    }
}

impl Rule for Dl3026 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        let Some(base) = BaseImage::of(i, &self.context) else {
            return;
        };
        let ok = self.trusted.is_empty()
            || self.aliases.contains(&base.name)
            || match &base.registry {
                // hadolint reads `localhost/x` as a name without a registry.
                Some(registry) if registry != "localhost" => {
                    self.trusted.iter().any(|t| matches(t, registry))
                }
                _ => base.name == "scratch" || self.bare_names_trusted,
            };
        if let Some(alias) = base.alias {
            self.aliases.insert(alias);
        }
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
        // Bare names are trusted once a registry they resolve to is.
        let resolving = Options {
            default_registries: vec!["registry.internal:5000".into()],
            ..trusted
        };
        assert_eq!(codes_with(file, "DL3026", &resolving), [4]);
    }
}
