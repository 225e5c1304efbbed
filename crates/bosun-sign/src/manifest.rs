//! Where cosign keeps signatures and attestations.
//!
//! - The tag scheme: the manifest tagged `sha256-<hex>.sig` (signatures) or `.att`
//!   (attestations) in the image's repository, an OCI image manifest with one layer each: a
//!   simple-signing payload with the base64 signature in the layer's [`SIGNATURE_ANNOTATION`],
//!   or a DSSE envelope (signed inside) with its `predicateType` annotation.
//! - The OCI 1.1 form: an artifact whose `subject` is the image, with the same layer; found
//!   through the referrers API (and in bosun's store, through its index).

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// The simple-signing payload layer's media type.
pub const SIMPLESIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// A DSSE envelope layer's media type.
pub const DSSE: &str = "application/vnd.dsse.envelope.v1+json";
/// The layer annotation holding the base64 signature (empty for attestations, whose
/// envelope holds it).
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The layer annotation naming an attestation's predicate type.
pub const PREDICATE_ANNOTATION: &str = "predicateType";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const EMPTY: &str = "application/vnd.oci.empty.v1+json";

/// Signatures, attestations, or Sigstore bundles (which hold either).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Simple-signing payloads with their signatures.
    Signature,
    /// DSSE envelopes of in-toto statements.
    Attestation,
    /// Sigstore bundles (cosign's new bundle format, as cosign 3 writes by default): a DSSE
    /// envelope with its verification material, found only through referrers.
    Bundle,
}

impl Kind {
    /// The layer media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Signature => SIMPLESIGNING,
            Kind::Attestation => DSSE,
            Kind::Bundle => crate::dsse::BUNDLE,
        }
    }

    /// The `artifactType` of the OCI 1.1 form.
    pub fn artifact_type(self) -> &'static str {
        match self {
            Kind::Signature => "application/vnd.dev.cosign.artifact.sig.v1+json",
            Kind::Attestation => "application/vnd.dev.cosign.artifact.att.v1+json",
            Kind::Bundle => crate::dsse::BUNDLE,
        }
    }

    /// The tag cosign keeps them under for `digest` (`sha256:<hex>` → `sha256-<hex>.sig`);
    /// bundles have none.
    pub fn tag(self, digest: &str) -> Option<String> {
        let suffix = match self {
            Kind::Signature => "sig",
            Kind::Attestation => "att",
            Kind::Bundle => return None,
        };
        Some(format!("{}.{suffix}", digest.replacen(':', "-", 1)))
    }
}

/// One signature or attestation: its blob and the layer's annotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Signature or attestation.
    pub kind: Kind,
    /// `sha256:<hex>` of the blob (the payload, or the envelope).
    pub digest: String,
    /// The blob's size.
    pub size: u64,
    /// The layer's annotations.
    pub annotations: BTreeMap<String, String>,
    /// The annotations of the referrer manifest that holds it (bundles say what they hold).
    pub manifest_annotations: BTreeMap<String, String>,
}

/// `sha256:<hex>` of `bytes`.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

impl Layer {
    /// The layer of a simple-signing payload signed with `signature` (base64).
    pub fn signature(payload: &[u8], signature: String) -> Self {
        Layer {
            kind: Kind::Signature,
            digest: digest_of(payload),
            size: payload.len() as u64,
            annotations: BTreeMap::from([(SIGNATURE_ANNOTATION.to_string(), signature)]),
            manifest_annotations: BTreeMap::new(),
        }
    }

    /// The layer of a DSSE envelope holding a statement of `predicate_type`.
    pub fn attestation(envelope: &[u8], predicate_type: &str) -> Self {
        Layer {
            kind: Kind::Attestation,
            digest: digest_of(envelope),
            size: envelope.len() as u64,
            annotations: BTreeMap::from([
                (SIGNATURE_ANNOTATION.to_string(), String::new()),
                (PREDICATE_ANNOTATION.to_string(), predicate_type.to_string()),
            ]),
            manifest_annotations: BTreeMap::new(),
        }
    }

    /// The layer of a Sigstore bundle holding a DSSE envelope of a `predicate_type`
    /// statement, made at `created` (RFC 3339), annotated as cosign's bundle spec says.
    pub fn bundle(bundle: &[u8], predicate_type: &str, created: &str) -> Self {
        let digest = digest_of(bundle);
        Layer {
            kind: Kind::Bundle,
            size: bundle.len() as u64,
            annotations: BTreeMap::from([(
                "org.opencontainers.image.title".to_string(),
                format!("{}.sigstore.json", digest.replacen(':', "-", 1)),
            )]),
            manifest_annotations: BTreeMap::from([
                (
                    "dev.sigstore.bundle.content".to_string(),
                    "dsse-envelope".to_string(),
                ),
                (
                    "dev.sigstore.bundle.predicateType".to_string(),
                    predicate_type.to_string(),
                ),
                (
                    "org.opencontainers.image.created".to_string(),
                    created.to_string(),
                ),
            ]),
            digest,
        }
    }

    /// The base64 signature of a signature layer.
    pub fn signature_b64(&self) -> Option<&str> {
        self.annotations
            .get(SIGNATURE_ANNOTATION)
            .map(String::as_str)
    }

    fn descriptor(&self) -> serde_json::Value {
        serde_json::json!({
            "mediaType": self.kind.media_type(),
            "size": self.size,
            "digest": self.digest,
            "annotations": self.annotations,
        })
    }
}

/// The layers of `kind` a manifest (either form) holds; other layers are skipped.
pub fn layers(manifest: &serde_json::Value, kind: Kind) -> Vec<Layer> {
    manifest["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["mediaType"] == kind.media_type())
        .filter_map(|l| {
            let annotations: BTreeMap<String, String> = l["annotations"]
                .as_object()
                .map(|a| {
                    a.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            if kind == Kind::Signature && !annotations.contains_key(SIGNATURE_ANNOTATION) {
                return None;
            }
            Some(Layer {
                kind,
                digest: l["digest"].as_str()?.to_string(),
                size: l["size"].as_u64()?,
                annotations,
                manifest_annotations: BTreeMap::new(),
            })
        })
        .collect()
}

/// The tag scheme's manifest holding `layers` (in order), and its config blob.
pub fn tag_manifest(layers: &[Layer]) -> (Vec<u8>, Vec<u8>) {
    let config = serde_json::to_vec(&serde_json::json!({
        "architecture": "",
        "created": "0001-01-01T00:00:00Z",
        "history": [{ "created": "0001-01-01T00:00:00Z" }],
        "os": "",
        "rootfs": { "type": "layers", "diff_ids": layers.iter().map(|l| &l.digest).collect::<Vec<_>>() },
        "config": {},
    }))
    .expect("serializes");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": { "mediaType": OCI_CONFIG, "size": config.len(), "digest": digest_of(&config) },
        "layers": layers.iter().map(Layer::descriptor).collect::<Vec<_>>(),
    });
    (config, serde_json::to_vec(&manifest).expect("serializes"))
}

/// The empty config blob of the referrer form.
pub const EMPTY_CONFIG: &[u8] = b"{}";

/// The OCI 1.1 form of one layer about `subject` (the image's descriptor: mediaType,
/// digest, size).
pub fn referrer_manifest(layer: &Layer, subject: &serde_json::Value) -> Vec<u8> {
    let mut manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": layer.kind.artifact_type(),
        "config": { "mediaType": EMPTY, "size": EMPTY_CONFIG.len(), "digest": digest_of(EMPTY_CONFIG) },
        "layers": [layer.descriptor()],
        "subject": subject,
    });
    if !layer.manifest_annotations.is_empty() {
        manifest["annotations"] = serde_json::json!(layer.manifest_annotations);
    }
    serde_json::to_vec(&manifest).expect("serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_hold_their_layers() {
        let a = Layer::signature(b"payload a", "c2lnIGE=".into());
        let b = Layer::signature(b"payload b", "c2lnIGI=".into());
        let att = Layer::attestation(b"{}", "https://slsa.dev/provenance/v1");
        assert_eq!(Kind::Signature.tag("sha256:abc").unwrap(), "sha256-abc.sig");
        assert_eq!(
            Kind::Attestation.tag("sha256:abc").unwrap(),
            "sha256-abc.att"
        );
        assert_eq!(Kind::Bundle.tag("sha256:abc"), None);
        let (config, manifest) = tag_manifest(&[a.clone(), b.clone()]);
        let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        assert_eq!(manifest["config"]["digest"], digest_of(&config));
        assert_eq!(layers(&manifest, Kind::Signature), [a.clone(), b]);
        assert!(layers(&manifest, Kind::Attestation).is_empty());
        let (_, manifest) = tag_manifest(std::slice::from_ref(&att));
        let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        assert_eq!(
            manifest["layers"][0]["annotations"]["predicateType"],
            "https://slsa.dev/provenance/v1"
        );
        assert_eq!(layers(&manifest, Kind::Attestation), [att]);
        let subject =
            serde_json::json!({"mediaType": OCI_MANIFEST, "digest": "sha256:abc", "size": 3});
        let referrer: serde_json::Value =
            serde_json::from_slice(&referrer_manifest(&a, &subject)).unwrap();
        assert_eq!(referrer["artifactType"], Kind::Signature.artifact_type());
        assert_eq!(referrer["subject"]["digest"], "sha256:abc");
        assert_eq!(layers(&referrer, Kind::Signature), [a]);
    }
}
