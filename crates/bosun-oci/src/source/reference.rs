//! Parsing image references: which transport, which file or name.

use super::*;

/// An image reference with its transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// A name in the local store.
    Store(String),
    /// An OCI image layout directory, optionally with a ref name.
    OciDir(PathBuf, Option<String>),
    /// A tar of an OCI image layout.
    OciArchive(PathBuf, Option<String>),
    /// A `docker save` / `podman save` archive, optionally with a `NAME:TAG`.
    DockerArchive(PathBuf, Option<String>),
    /// `docker://REF`: an image in a registry (the text after `docker://`), read through a
    /// [`super::Remote`].
    Registry(String),
}

impl ImageRef {
    /// Parses `store:NAME`, `oci:DIR[:REF]`, `oci-archive:FILE[:REF]`,
    /// `docker-archive:FILE[:REF]`, `docker://REF`, or a bare store name.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let Some((transport, rest)) = text.split_once(':') else {
            return Ok(Self::Store(normalize_name(text)));
        };
        let path_and_ref = |rest: &str| -> (PathBuf, Option<String>) {
            // A path may itself contain `:`; prefer the longest prefix that exists.
            if Path::new(rest).exists() {
                return (PathBuf::from(rest), None);
            }
            match rest.split_once(':') {
                Some((p, r)) if !r.is_empty() => (PathBuf::from(p), Some(r.to_string())),
                _ => (PathBuf::from(rest), None),
            }
        };
        Ok(match transport {
            "store" => Self::Store(normalize_name(rest)),
            "oci" => {
                let (p, r) = path_and_ref(rest);
                Self::OciDir(p, r)
            }
            "oci-archive" => {
                let (p, r) = path_and_ref(rest);
                Self::OciArchive(p, r)
            }
            "docker-archive" => {
                let (p, r) = path_and_ref(rest);
                Self::DockerArchive(p, r)
            }
            "docker" if rest.starts_with("//") => Self::Registry(rest[2..].to_string()),
            // `name:tag` without a transport is a store name.
            _ if !text.contains("://") => Self::Store(normalize_name(text)),
            other => {
                return Err(Error::Transport {
                    text: text.to_string(),
                    transport: other.to_string(),
                });
            }
        })
    }

    /// Parses where an image is written: as [`ImageRef::parse`], but the transport must be
    /// named, and `PATH[:REF]` splits at its first `:` (the path need not exist yet; a
    /// reference may itself hold `:`, as in `name:tag`).
    pub fn destination(text: &str) -> Result<Self, Error> {
        let Some((transport, rest)) = text.split_once(':') else {
            return Err(Error::NoTransport {
                text: text.to_string(),
            });
        };
        let path_and_ref = || match rest.split_once(':') {
            Some((p, r)) => (PathBuf::from(p), Some(r.to_string())),
            None => (PathBuf::from(rest), None),
        };
        Ok(match transport {
            "store" => Self::Store(normalize_name(rest)),
            "oci" => {
                let (p, r) = path_and_ref();
                Self::OciDir(p, r)
            }
            "oci-archive" => {
                let (p, r) = path_and_ref();
                Self::OciArchive(p, r)
            }
            "docker-archive" => {
                let (p, r) = path_and_ref();
                Self::DockerArchive(p, r)
            }
            "docker" if rest.starts_with("//") => Self::Registry(rest[2..].to_string()),
            other => {
                return Err(Error::Transport {
                    text: text.to_string(),
                    transport: other.to_string(),
                });
            }
        })
    }
}
