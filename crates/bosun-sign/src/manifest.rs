//! Where cosign keeps signatures.
//!
//! - The tag scheme: the manifest tagged `sha256-<hex>.sig` in the image's repository, an OCI
//!   image manifest with one layer per signature: the payload blob
//!   ([`SIMPLESIGNING`]) with the base64 signature in the layer's [`SIGNATURE_ANNOTATION`].
//! - The OCI 1.1 form: an artifact ([`ARTIFACT_TYPE`]) whose `subject` is the image, with the
//!   same layer; found through the referrers API (and in bosun's store, through its index).

use sha2::{Digest, Sha256};

/// The payload layer's media type.
pub const SIMPLESIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The layer annotation holding the base64 signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
/// The artifact type of a signature stored as a referrer.
pub const ARTIFACT_TYPE: &str = "application/vnd.dev.cosign.artifact.sig.v1+json";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const EMPTY: &str = "application/vnd.oci.empty.v1+json";

/// One signature: its payload blob and the base64 signature over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureLayer {
    /// `sha256:<hex>` of the payload.
    pub digest: String,
    /// The payload's size.
    pub size: u64,
    /// The base64 signature.
    pub signature: String,
}

/// `sha256:<hex>` of `bytes`.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

impl SignatureLayer {
    /// The layer of a payload signed with `signature` (base64).
    pub fn new(payload: &[u8], signature: String) -> Self {
        SignatureLayer {
            digest: digest_of(payload),
            size: payload.len() as u64,
            signature,
        }
    }

    fn descriptor(&self) -> serde_json::Value {
        serde_json::json!({
            "mediaType": SIMPLESIGNING,
            "size": self.size,
            "digest": self.digest,
            "annotations": { SIGNATURE_ANNOTATION: self.signature },
        })
    }
}

/// The tag cosign keeps the signatures of `digest` (`sha256:<hex>`) under.
pub fn signature_tag(digest: &str) -> String {
    format!("{}.sig", digest.replacen(':', "-", 1))
}

/// The signature layers of a manifest (either form); other layers are skipped.
pub fn layers(manifest: &serde_json::Value) -> Vec<SignatureLayer> {
    manifest["layers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|l| l["mediaType"] == SIMPLESIGNING)
        .filter_map(|l| {
            Some(SignatureLayer {
                digest: l["digest"].as_str()?.to_string(),
                size: l["size"].as_u64()?,
                signature: l["annotations"][SIGNATURE_ANNOTATION].as_str()?.to_string(),
            })
        })
        .collect()
}

/// The tag scheme's manifest holding `layers` (in order), and its config blob.
pub fn tag_manifest(layers: &[SignatureLayer]) -> (Vec<u8>, Vec<u8>) {
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
        "layers": layers.iter().map(SignatureLayer::descriptor).collect::<Vec<_>>(),
    });
    (config, serde_json::to_vec(&manifest).expect("serializes"))
}

/// The empty config blob of the referrer form.
pub const EMPTY_CONFIG: &[u8] = b"{}";

/// The OCI 1.1 form of one signature about `subject` (the image's descriptor: mediaType,
/// digest, size).
pub fn referrer_manifest(layer: &SignatureLayer, subject: &serde_json::Value) -> Vec<u8> {
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": ARTIFACT_TYPE,
        "config": { "mediaType": EMPTY, "size": EMPTY_CONFIG.len(), "digest": digest_of(EMPTY_CONFIG) },
        "layers": [layer.descriptor()],
        "subject": subject,
    });
    serde_json::to_vec(&manifest).expect("serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_hold_their_layers() {
        let a = SignatureLayer::new(b"payload a", "c2lnIGE=".into());
        let b = SignatureLayer::new(b"payload b", "c2lnIGI=".into());
        assert_eq!(signature_tag("sha256:abc"), "sha256-abc.sig");
        let (config, manifest) = tag_manifest(&[a.clone(), b.clone()]);
        let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        assert_eq!(manifest["config"]["digest"], digest_of(&config));
        assert_eq!(layers(&manifest), [a.clone(), b]);
        let subject =
            serde_json::json!({"mediaType": OCI_MANIFEST, "digest": "sha256:abc", "size": 3});
        let referrer: serde_json::Value =
            serde_json::from_slice(&referrer_manifest(&a, &subject)).unwrap();
        assert_eq!(referrer["artifactType"], ARTIFACT_TYPE);
        assert_eq!(referrer["subject"]["digest"], "sha256:abc");
        assert_eq!(layers(&referrer), [a]);
    }
}
