//! DSSE envelopes of in-toto statements, as cosign attests.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::key::{PrivateKey, PublicKey};

/// The payload type of an in-toto statement.
pub const IN_TOTO: &str = "application/vnd.in-toto+json";
/// in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
/// SLSA provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// An SPDX document.
pub const SPDX: &str = "https://spdx.dev/Document";
/// A CycloneDX document.
pub const CYCLONEDX: &str = "https://cyclonedx.org/bom";
/// What an image signature in a Sigstore bundle attests (cosign 3).
pub const COSIGN_SIGN: &str = "https://sigstore.dev/cosign/sign/v1";
/// A Sigstore bundle, v0.3.
pub const BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// A Sigstore bundle holding `envelope`, verified by the key `hint` names (the base64 sha256
/// of its DER form, as cosign writes for key-based signatures; no transparency log).
pub fn bundle(envelope: &Envelope, key: &PublicKey) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "mediaType": BUNDLE,
        "verificationMaterial": { "publicKey": { "hint": key.hint() } },
        "dsseEnvelope": envelope,
    }))
    .expect("serializes")
}

/// The DSSE envelope a Sigstore bundle holds.
pub fn envelope_in(bundle: &[u8]) -> Result<Envelope, Error> {
    let value: serde_json::Value = serde_json::from_slice(bundle)
        .map_err(|e| crate::key::malformed("a Sigstore bundle", e))?;
    if !value["mediaType"]
        .as_str()
        .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
    {
        return Err(Error::Malformed {
            expected: "a Sigstore bundle (no bundle mediaType)",
            source: None,
        });
    }
    match value.get("dsseEnvelope") {
        Some(e) => serde_json::from_value(e.clone())
            .map_err(|e| crate::key::malformed("a DSSE envelope in the bundle", e)),
        None => Err(Error::MessageSignature),
    }
}

/// A signed envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// What the payload is.
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The payload, base64.
    pub payload: String,
    /// Its signatures.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// The key's id (empty: bosun's keys have none).
    #[serde(default)]
    pub keyid: String,
    /// The signature, base64.
    pub sig: String,
}

/// DSSE's pre-authentication encoding: what is signed.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// An in-toto Statement v1 about `subjects` (`(name, sha256 hex)`).
pub fn statement(
    subjects: &[(String, String)],
    predicate_type: &str,
    predicate: serde_json::Value,
) -> Vec<u8> {
    let subject: Vec<serde_json::Value> = subjects
        .iter()
        .map(|(name, sha256)| serde_json::json!({ "name": name, "digest": { "sha256": sha256 } }))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "_type": STATEMENT_V1,
        "subject": subject,
        "predicateType": predicate_type,
        "predicate": predicate,
    }))
    .expect("serializes")
}

impl Envelope {
    /// `payload` of `payload_type`, signed with `key`.
    pub fn sign(key: &PrivateKey, payload_type: &str, payload: &[u8]) -> Self {
        Envelope {
            payload_type: payload_type.to_string(),
            payload: STANDARD.encode(payload),
            signatures: vec![EnvelopeSignature {
                keyid: String::new(),
                sig: STANDARD.encode(key.sign(&pae(payload_type, payload))),
            }],
        }
    }

    /// The envelope's JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("serializes")
    }

    /// Reads an envelope.
    pub fn parse(bytes: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(bytes).map_err(|e| crate::key::malformed("a DSSE envelope", e))
    }

    /// The payload, when one of the signatures verifies with `key`.
    pub fn verify(&self, key: &PublicKey) -> Result<Vec<u8>, Error> {
        let payload = STANDARD.decode(&self.payload).map_err(|_| Error::Base64 {
            what: "the envelope's payload",
        })?;
        let signed = pae(&self.payload_type, &payload);
        let mut last = Error::Unsigned;
        for s in &self.signatures {
            let Ok(sig) = STANDARD.decode(&s.sig) else {
                last = Error::Base64 {
                    what: "an envelope signature",
                };
                continue;
            };
            match key.verify(&signed, &sig) {
                Ok(()) => return Ok(payload),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_sign_the_pae() {
        assert_eq!(pae("t", b"ab"), b"DSSEv1 1 t 2 ab");
        let key = PrivateKey::generate();
        let s = statement(
            &[("app".into(), "abc".into())],
            SLSA_PROVENANCE_V1,
            serde_json::json!({"x": 1}),
        );
        let envelope = Envelope::sign(&key, IN_TOTO, &s);
        let back = Envelope::parse(&envelope.to_bytes()).unwrap();
        assert_eq!(back.verify(&key.public()).unwrap(), s);
        assert!(back.verify(&PrivateKey::generate().public()).is_err());
        let mut tampered = back.clone();
        tampered.payload_type = "text/plain".into();
        assert!(
            tampered.verify(&key.public()).is_err(),
            "the type is signed too"
        );
        let b = bundle(&envelope, &key.public());
        assert_eq!(envelope_in(&b).unwrap(), envelope);
        assert!(envelope_in(br#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "messageSignature": {}}"#).is_err());
        let v: serde_json::Value = serde_json::from_slice(&s).unwrap();
        assert_eq!(v["subject"][0]["digest"]["sha256"], "abc");
        assert_eq!(v["_type"], STATEMENT_V1);
    }
}
