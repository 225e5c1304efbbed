//! Signatures and attestations in the local store: artifacts whose subject is the image,
//! one referrer each (cosign's OCI 1.1 form), found as the referrers API finds them.

use std::collections::BTreeMap;

use bosun_oci::model::Descriptor;
use bosun_oci::{Digest, Store};
use bosun_sign::dsse::{self, Envelope};
use bosun_sign::key::{PrivateKey, PublicKey};
use bosun_sign::manifest::{self, Kind, OCI_MANIFEST};

use crate::make::{self, Stored};
use crate::{Error, digest_of, json};

/// Stores signatures and attestations as artifacts about `subject`, with one rewrite of the
/// store's index for all of them.
pub fn add(store: &Store, subject: &Descriptor, stored: &[Stored]) -> Result<(), Error> {
    let subject_json = crate::subject(subject);
    let mut referrers = Vec::new();
    for (layer, blob) in stored {
        store.write_blob(blob)?;
        store.write_blob(manifest::EMPTY_CONFIG)?;
        let bytes = manifest::referrer_manifest(layer, &subject_json);
        let digest = store.write_blob(&bytes)?;
        referrers.push(Descriptor {
            media_type: OCI_MANIFEST.to_string(),
            digest,
            size: bytes.len() as u64,
            platform: None,
            annotations: BTreeMap::new(),
        });
    }
    store.tag_all_with([], referrers)?;
    Ok(())
}

/// The signatures and attestations the store keeps about `digest`.
pub fn read(store: &Store, digest: &Digest) -> Result<Vec<Stored>, Error> {
    let mut out = Vec::new();
    for (d, artifact) in store.referrers(digest)? {
        for kind in [Kind::Signature, Kind::Attestation] {
            if artifact.as_deref() != Some(kind.artifact_type()) {
                continue;
            }
            let value: serde_json::Value = store.read_json(&d.digest)?;
            for layer in manifest::layers(&value, kind) {
                let blob_digest =
                    digest_of(|| format!("store artifact {}", d.digest), &layer.digest)?;
                let blob = store.read_blob(&blob_digest)?;
                out.push((layer, blob));
            }
        }
    }
    Ok(out)
}

/// Signs an image in the store for `repository`, and attests each `(type, predicate)`.
pub fn sign(
    store: &Store,
    descriptor: &Descriptor,
    repository: &str,
    key: &PrivateKey,
    attest: &[(&str, serde_json::Value)],
) -> Result<(), Error> {
    let digest = &descriptor.digest;
    let mut stored = vec![make::signature(key, repository, digest, &BTreeMap::new())];
    for (predicate_type, predicate) in attest {
        stored.push(make::attestation(
            key,
            repository,
            digest,
            predicate_type,
            predicate.clone(),
        ));
    }
    add(store, descriptor, &stored)
}

/// Whether the store holds an attestation of `predicate_type` about `digest` that `key`
/// signed: a re-publish of an unchanged image keeps it rather than minting another.
pub fn attested(
    store: &Store,
    digest: &Digest,
    key: &PublicKey,
    predicate_type: &str,
) -> Result<bool, Error> {
    // What cannot be read (a damaged or tampered blob) is not an attestation to keep.
    for (d, artifact) in store.referrers(digest)? {
        if artifact.as_deref() != Some(Kind::Attestation.artifact_type()) {
            continue;
        }
        let Ok(value) = store.read_json::<serde_json::Value>(&d.digest) else {
            continue;
        };
        let kept = manifest::layers(&value, Kind::Attestation)
            .iter()
            .any(|layer| {
                layer
                    .annotations
                    .get(manifest::PREDICATE_ANNOTATION)
                    .map(String::as_str)
                    == Some(predicate_type)
                    && layer
                        .digest
                        .parse()
                        .ok()
                        .and_then(|d| store.read_blob(&d).ok())
                        .and_then(|blob| Envelope::parse(&blob).ok())
                        .is_some_and(|e| e.verify(key).is_ok())
            });
        if kept {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The content (its first layer) of the artifact manifest `d` in the store.
fn first_layer(store: &Store, d: &Descriptor) -> Result<Option<Vec<u8>>, Error> {
    let manifest: serde_json::Value = store.read_json(&d.digest)?;
    let Some(blob) = manifest["layers"][0]["digest"].as_str() else {
        return Ok(None);
    };
    let blob = digest_of(|| format!("store artifact {}", d.digest), blob)?;
    Ok(Some(store.read_blob(&blob)?))
}

/// The content (its first layer) of the first artifact of `artifact_type` the store keeps
/// about `digest`: an SBOM a build wrote beside its image.
pub fn artifact(
    store: &Store,
    digest: &Digest,
    artifact_type: &str,
) -> Result<Option<Vec<u8>>, Error> {
    for (d, artifact) in store.referrers(digest)? {
        if artifact.as_deref() == Some(artifact_type)
            && let Some(bytes) = first_layer(store, &d)?
        {
            return Ok(Some(bytes));
        }
    }
    Ok(None)
}

/// The SBOMs stored beside an image (as a build writes them), as attestation predicates:
/// one pass over the store's artifacts about it.
pub fn sbom_predicates(
    store: &Store,
    digest: &Digest,
) -> Result<Vec<(&'static str, serde_json::Value)>, Error> {
    let mut out = Vec::new();
    for (d, artifact) in store.referrers(digest)? {
        let predicate_type = match artifact.as_deref() {
            Some(bosun_sbom::SPDX_ARTIFACT) => dsse::SPDX,
            Some(bosun_sbom::CYCLONEDX_ARTIFACT) => dsse::CYCLONEDX,
            _ => continue,
        };
        if let Some(bytes) = first_layer(store, &d)? {
            let document = json(|| format!("the SBOM beside {digest}"), &bytes)?;
            out.push((predicate_type, document));
        }
    }
    Ok(out)
}

/// Signs a built image for `repository` and attests its provenance and the SBOMs stored
/// beside it. Signatures (RFC 6979) and SBOM attestations are deterministic, so signing an
/// unchanged image again adds nothing; its provenance, which has timestamps, is kept rather
/// than minted anew (`provenance` is asked only when `key` has attested none): a re-publish
/// writes nothing. Whether the provenance was kept, and how many SBOMs were attested.
pub fn sign_build<E: From<Error>>(
    store: &Store,
    descriptor: &Descriptor,
    repository: &str,
    key: &PrivateKey,
    provenance: impl FnOnce() -> Result<serde_json::Value, E>,
) -> Result<(bool, usize), E> {
    let digest = &descriptor.digest;
    let kept = attested(store, digest, &key.public(), dsse::SLSA_PROVENANCE_V1)?;
    let mut attest = Vec::new();
    if !kept {
        attest.push((dsse::SLSA_PROVENANCE_V1, provenance()?));
    }
    let sboms = sbom_predicates(store, digest)?;
    let count = sboms.len();
    attest.extend(sboms);
    sign(store, descriptor, repository, key, &attest)?;
    Ok((kept, count))
}
