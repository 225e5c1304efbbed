//! The simple-signing payload cosign signs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Error;

/// `critical.type` of an image signature.
pub const SIGNATURE_TYPE: &str = "cosign container image signature";

/// The payload: what is signed is its JSON bytes, exactly as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimpleSigning {
    /// What cosign checks.
    pub critical: Critical,
    /// Annotations (`-a key=value`), or null.
    pub optional: Option<BTreeMap<String, serde_json::Value>>,
}

/// The payload's critical part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Critical {
    /// The repository signed for.
    pub identity: Identity,
    /// The manifest signed.
    pub image: ImageDigest,
    /// [`SIGNATURE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
}

/// `critical.identity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The repository (`host/path`, no tag or digest).
    #[serde(rename = "docker-reference")]
    pub docker_reference: String,
}

/// `critical.image`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageDigest {
    /// `sha256:<hex>` of the manifest (or index).
    #[serde(rename = "docker-manifest-digest")]
    pub docker_manifest_digest: String,
}

impl SimpleSigning {
    /// The payload for `repository` at `digest`.
    pub fn new(repository: &str, digest: &str, annotations: &BTreeMap<String, String>) -> Self {
        SimpleSigning {
            critical: Critical {
                identity: Identity {
                    docker_reference: repository.to_string(),
                },
                image: ImageDigest {
                    docker_manifest_digest: digest.to_string(),
                },
                kind: SIGNATURE_TYPE.to_string(),
            },
            optional: (!annotations.is_empty()).then(|| {
                annotations
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect()
            }),
        }
    }

    /// The bytes to sign and store.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a payload serializes")
    }

    /// Reads stored payload bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let payload: SimpleSigning = serde_json::from_slice(bytes)
            .map_err(|e| crate::key::malformed("a cosign simple-signing payload", e))?;
        if payload.critical.kind != SIGNATURE_TYPE {
            return Err(Error::PayloadType {
                kind: payload.critical.kind.clone(),
            });
        }
        Ok(payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_is_cosigns() {
        let bytes = SimpleSigning::new("reg.example:5000/team/app", "sha256:abc", &BTreeMap::new())
            .to_bytes();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            r#"{"critical":{"identity":{"docker-reference":"reg.example:5000/team/app"},"image":{"docker-manifest-digest":"sha256:abc"},"type":"cosign container image signature"},"optional":null}"#
        );
        assert_eq!(
            SimpleSigning::parse(&bytes)
                .unwrap()
                .critical
                .image
                .docker_manifest_digest,
            "sha256:abc"
        );
        let annotated = SimpleSigning::new(
            "r",
            "sha256:abc",
            &BTreeMap::from([("build".to_string(), "42".to_string())]),
        );
        assert!(
            String::from_utf8(annotated.to_bytes())
                .unwrap()
                .ends_with(r#""optional":{"build":"42"}}"#)
        );
        assert!(SimpleSigning::parse(br#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"d"},"type":"other"},"optional":null}"#).is_err());
    }
}
