//! Image references as the distribution spec and `containers/image` write them:
//! `[HOST[:PORT]/]REPOSITORY[:TAG][@sha256:HEX]`.

use std::fmt;

use bosun_oci::Digest;

use crate::Error;

/// A fully qualified reference to an image in a registry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// `host[:port]` as written (after any registries.conf rewrite).
    pub registry: String,
    /// `namespace/name`, lower case.
    pub repository: String,
    /// The tag, if one was given.
    pub tag: Option<String>,
    /// The digest, if one was given; it wins over the tag when both are.
    pub digest: Option<Digest>,
}

impl Reference {
    /// Parses a registry target as commands take it, with its transport:
    /// `docker://HOST/REPO[:TAG|@DIGEST]`.
    pub fn parse_target(text: &str) -> Result<Self, Error> {
        match text.strip_prefix("docker://") {
            Some(rest) => Self::parse(rest),
            None => Err(Error::Reference {
                text: text.to_string(),
                reason: "give a registry reference as docker://HOST/REPO:TAG".into(),
            }),
        }
    }

    /// Parses a qualified reference (`docker://` already removed). A name whose first component
    /// is not a host (no `.` or `:`, not `localhost`) is a short name: see
    /// [`Reference::candidates`].
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bad = |reason: &str| Error::Reference {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let (name, digest) = match text.split_once('@') {
            Some((name, digest)) => (
                name,
                Some(digest.parse::<Digest>().map_err(|e| bad(&e.to_string()))?),
            ),
            None => (text, None),
        };
        // A tag follows the last `:` after the last `/` (a `:` before it is a port).
        let (name, tag) = match name.rfind(':') {
            Some(i) if !name[i..].contains('/') => (&name[..i], Some(&name[i + 1..])),
            _ => (name, None),
        };
        if let Some(tag) = tag
            && !valid_tag(tag)
        {
            return Err(bad(&format!(
                "tag {tag:?} is not [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}"
            )));
        }
        let Some((registry, repository)) = name.split_once('/').filter(|(h, _)| is_host(h)) else {
            return Err(bad(
                "no registry host; write HOST/REPOSITORY (or configure unqualified-search-registries)",
            ));
        };
        if repository.is_empty() || !repository.split('/').all(valid_component) {
            return Err(bad(&format!(
                "repository {repository:?} must be lower-case path components ([a-z0-9] joined by `.`, `_`, `__` or dashes)"
            )));
        }
        if registry.len() + 1 + repository.len() > 255 {
            return Err(bad("the name is longer than 255 characters"));
        }
        Ok(Self {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag: tag.map(str::to_string),
            digest,
        })
    }

    /// The references a name may mean: itself when qualified, else one per registry of
    /// `unqualified-search-registries` (as podman tries them, in order). A short name with
    /// no search registries configured is an error that says so.
    pub fn candidates(text: &str, search: &[String]) -> Result<Vec<Self>, Error> {
        let first = text.split('/').next().unwrap_or_default();
        if text.contains('/') && is_host(first) {
            return Ok(vec![Self::parse(text)?]);
        }
        if search.is_empty() {
            return Err(Error::Reference {
                text: text.to_string(),
                reason: "a short name, and no unqualified-search-registries are configured in registries.conf; write HOST/REPOSITORY".into(),
            });
        }
        search
            .iter()
            .map(|registry| Self::parse(&format!("{registry}/{text}")))
            .collect()
    }

    /// A name as Docker reads it (in a Dockerfile, by `docker pull`): without a registry host it
    /// is in Docker's default registry, `docker.io`, and a one-component name is in that
    /// registry's `library/` namespace (`python:3.12` is `docker.io/library/python:3.12`).
    /// registries.conf may still map or mirror the result. Qualified names are returned as
    /// they are, but for the default registry's old alias and missing `library/`.
    pub fn docker_normalize(text: &str) -> String {
        let path = match text.split_once('/') {
            Some(("index.docker.io" | DOCKER_REGISTRY, path)) => path,
            Some((host, _)) if is_host(host) => return text.to_string(),
            _ => text,
        };
        // Only the name decides (a tag's or digest's `:` is not part of it).
        let name = path.split(['@', ':']).next().unwrap_or_default();
        match name.contains('/') {
            true => format!("{DOCKER_REGISTRY}/{path}"),
            false => format!("{DOCKER_REGISTRY}/library/{path}"),
        }
    }

    /// What the manifest endpoint is asked for: the digest when there is one, else the tag
    /// (`latest` when neither was given).
    pub fn object(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".into(),
        }
    }

    /// The same repository with another tag or digest.
    pub fn with_digest(&self, digest: Digest) -> Self {
        Self {
            digest: Some(digest),
            ..self.clone()
        }
    }

    /// `host/repository` without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// Docker's default registry, which names without a host mean in Dockerfiles.
pub const DOCKER_REGISTRY: &str = "docker.io";

/// Whether a name's first component is a registry host (distribution's rule).
fn is_host(component: &str) -> bool {
    component.contains('.')
        || component.contains(':')
        || component == "localhost"
        || component.bytes().any(|b| b.is_ascii_uppercase())
}

fn valid_tag(tag: &str) -> bool {
    let ok = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 128
        && ok(bytes[0])
        && bytes.iter().all(|&b| ok(b) || b == b'.' || b == b'-')
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_component(c: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = c.as_bytes();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-')) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn docker_normalization() {
        let n = Reference::docker_normalize;
        assert_eq!(n("python:3.12-slim"), "docker.io/library/python:3.12-slim");
        assert_eq!(n("python"), "docker.io/library/python");
        assert_eq!(
            n(&format!("python@{D}")),
            format!("docker.io/library/python@{D}")
        );
        assert_eq!(n("team/app:1"), "docker.io/team/app:1");
        assert_eq!(n("docker.io/python:3"), "docker.io/library/python:3");
        assert_eq!(n("index.docker.io/team/app"), "docker.io/team/app");
        assert_eq!(n("localhost/app:1"), "localhost/app:1");
        assert_eq!(n("reg.internal:5000/app:1"), "reg.internal:5000/app:1");
        assert_eq!(n("localhost:5000/app"), "localhost:5000/app");
        // What it gives parses as a qualified reference.
        let r = Reference::parse(&n("python:3.12")).unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "library/python")
        );
    }

    #[test]
    fn qualified_references() {
        let r = Reference::parse("localhost:5000/team/app:1.4").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("localhost:5000", "team/app")
        );
        assert_eq!(r.tag.as_deref(), Some("1.4"));
        assert_eq!(r.object(), "1.4");
        let r = Reference::parse(&format!("reg.example/app:1@{D}")).unwrap();
        assert_eq!(r.object(), D, "the digest wins");
        assert_eq!(r.to_string(), format!("reg.example/app:1@{D}"));
        let r = Reference::parse("127.0.0.1:5000/a").unwrap();
        assert_eq!((r.tag.clone(), r.object()), (None, "latest".to_string()));
        assert_eq!(
            Reference::parse("[::1]:5000/a:b").unwrap().registry,
            "[::1]:5000"
        );
    }

    #[test]
    fn bad_references() {
        for bad in [
            "reg.example/App",
            "reg.example/a:",
            "reg.example/a:-x",
            "reg.example/a@sha256:abc",
            "reg.example/",
            "reg.example/a//b",
            "reg.example/a_-b",
            "reg.example/-a",
            "app",
            "team/app",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
        let long = format!("reg.example/a:{}", "t".repeat(129));
        assert!(Reference::parse(&long).is_err());
        assert!(Reference::parse("reg.example/a__b.c-d--e/f:T_1.x-y").is_ok());
    }

    #[test]
    fn short_names_use_the_search_list() {
        let search = vec!["one.internal".to_string(), "two.internal:5000".to_string()];
        let c = Reference::candidates("team/app:1", &search).unwrap();
        assert_eq!(
            c.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["one.internal/team/app:1", "two.internal:5000/team/app:1"]
        );
        assert_eq!(
            Reference::candidates("localhost/app", &search)
                .unwrap()
                .len(),
            1
        );
        let e = Reference::candidates("app", &[]).unwrap_err().to_string();
        assert!(e.contains("unqualified-search-registries"), "{e}");
    }
}
