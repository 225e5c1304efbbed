//! Making signatures and attestations: each a layer of cosign's manifests and its blob.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bosun_oci::Digest;
use bosun_sign::dsse::{self, Envelope};
use bosun_sign::key::PrivateKey;
use bosun_sign::manifest::Layer;
use bosun_sign::payload::SimpleSigning;

/// A layer and its blob: a signature with its payload, an attestation's envelope, or a
/// Sigstore bundle.
pub type Stored = (Layer, Vec<u8>);

/// The hex of a sha256 digest (what in-toto subjects name).
pub(crate) fn hex(digest: &Digest) -> String {
    digest.as_str().trim_start_matches("sha256:").to_string()
}

/// A simple-signing signature of `digest` for `repository`, as `cosign sign` writes it.
pub fn signature(
    key: &PrivateKey,
    repository: &str,
    digest: &Digest,
    annotations: &BTreeMap<String, String>,
) -> Stored {
    let payload = SimpleSigning::new(repository, digest.as_str(), annotations).to_bytes();
    let layer = Layer::signature(&payload, STANDARD.encode(key.sign(&payload)));
    (layer, payload)
}

/// A signature of `digest` as cosign 3 writes it: a Sigstore bundle holding a DSSE envelope
/// of an in-toto statement (`https://sigstore.dev/cosign/sign/v1`) about the image.
pub fn bundle(
    key: &PrivateKey,
    repository: &str,
    digest: &Digest,
    annotations: &BTreeMap<String, String>,
) -> Stored {
    let statement = dsse::statement(
        &[(repository.to_string(), hex(digest))],
        dsse::COSIGN_SIGN,
        serde_json::json!(annotations),
    );
    let envelope = Envelope::sign(key, dsse::IN_TOTO, &statement);
    let bundle = dsse::bundle(&envelope, &key.public());
    let layer = Layer::bundle(
        &bundle,
        dsse::COSIGN_SIGN,
        &jiff::Timestamp::now().to_string(),
    );
    (layer, bundle)
}

/// An attestation: `predicate` of `predicate_type` about `digest` (named `repository`), in
/// an in-toto statement signed into a DSSE envelope.
pub fn attestation(
    key: &PrivateKey,
    repository: &str,
    digest: &Digest,
    predicate_type: &str,
    predicate: serde_json::Value,
) -> Stored {
    let statement = dsse::statement(
        &[(repository.to_string(), hex(digest))],
        predicate_type,
        predicate,
    );
    let envelope = Envelope::sign(key, dsse::IN_TOTO, &statement).to_bytes();
    (Layer::attestation(&envelope, predicate_type), envelope)
}
