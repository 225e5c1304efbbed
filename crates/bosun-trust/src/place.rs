//! An image where signatures are kept (the store, a registry), the signatures and
//! attestations found about it there, and what verification makes of each.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bosun_oci::Store;
use bosun_oci::model::Descriptor;
use bosun_registry::{Client, Reference, Repository};
use bosun_sign::dsse::{self, Envelope};
use bosun_sign::key::PublicKey;
use bosun_sign::manifest::{self, Kind, Layer};
use bosun_sign::payload::SimpleSigning;

use crate::make::{self, Stored};
use crate::registry::BLOB_LIMIT;
use crate::{Error, json};

/// An image in a place that keeps signatures about it.
pub enum Place {
    /// In the local store (held with a shared lock while open).
    Store {
        /// The store.
        store: Store,
        /// Keeps a concurrent gc from taking blobs away.
        _lock: bosun_fs::LockedFile,
        /// The image's top manifest or index.
        descriptor: Descriptor,
        /// Its name without the tag.
        repository: String,
    },
    /// In a registry.
    Registry {
        /// Where the image was read (a mirror, when registries.conf has one).
        repo: Repository,
        /// The image's top manifest or index.
        descriptor: Descriptor,
        /// The image as named, before any mirror, and its location's repository: where
        /// signatures are written (none: a place only read).
        named: Option<Box<(Reference, Repository)>>,
    },
}

/// What verification found: the accepted statements or payloads, and why others were refused.
#[derive(Debug, Default)]
pub struct Checked {
    /// Each valid signature's payload or attestation's statement.
    pub accepted: Vec<serde_json::Value>,
    /// Where each refused one was found, and why it was refused.
    pub rejected: Vec<String>,
}

impl Checked {
    fn extend(&mut self, other: Checked) {
        self.accepted.extend(other.accepted);
        self.rejected.extend(other.rejected);
    }
}

impl Place {
    /// The image `name` in the store at `dir`.
    pub fn in_store(dir: &Path, name: &str) -> Result<Place, Error> {
        let store = Store::open_existing(dir)?.ok_or_else(|| Error::NoStore {
            name: name.to_string(),
            dir: dir.to_path_buf(),
        })?;
        let lock = store.lock_shared()?;
        let descriptor = store.resolve(name)?.ok_or_else(|| Error::NotInStore {
            name: name.to_string(),
        })?;
        // The repository part of the name: without its tag.
        let repository = match name.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => repo.to_string(),
            _ => name.to_string(),
        };
        Ok(Place::Store {
            store,
            _lock: lock,
            descriptor,
            repository,
        })
    }

    /// The image a `docker://` reference (without the prefix) names, read where registries.conf
    /// sends reads; signatures are written where it is named, never to a mirror.
    pub fn in_registry(client: &Client, text: &str) -> Result<Place, Error> {
        let located = client.locate(text)?;
        let push = client.push_repository(&located.named)?;
        let fetched = located.repository.manifest(&located.object())?;
        Ok(Place::Registry {
            repo: located.repository,
            descriptor: Descriptor {
                media_type: fetched.media_type,
                digest: fetched.digest,
                size: fetched.bytes.len() as u64,
                platform: None,
                annotations: BTreeMap::new(),
            },
            named: Some(Box::new((located.named, push))),
        })
    }

    /// A manifest already read from a registry, to check signatures only.
    pub fn read_only(repo: Repository, descriptor: Descriptor) -> Place {
        Place::Registry {
            repo,
            descriptor,
            named: None,
        }
    }

    /// The image's top manifest or index.
    pub fn descriptor(&self) -> &Descriptor {
        match self {
            Place::Store { descriptor, .. } | Place::Registry { descriptor, .. } => descriptor,
        }
    }

    /// The repository a new signature names: the store name, or where the image is pushed.
    pub fn repository(&self) -> String {
        match self {
            Place::Store { repository, .. } => repository.clone(),
            Place::Registry {
                named: Some(named), ..
            } => named.1.display.clone(),
            Place::Registry { repo, .. } => repo.display.clone(),
        }
    }

    /// `repository@digest`, for messages.
    pub fn named(&self) -> String {
        let repository = match self {
            Place::Store { repository, .. } => repository.clone(),
            Place::Registry {
                named: Some(named), ..
            } => named.0.name(),
            Place::Registry { repo, .. } => repo.display.clone(),
        };
        format!("{repository}@{}", self.descriptor().digest)
    }

    /// Adds a signature (a simple-signing layer under cosign's tag, or a Sigstore bundle as
    /// a referrer) or attestations beside the image.
    pub fn add(&self, stored: &[Stored]) -> Result<(), Error> {
        match self {
            Place::Store {
                store, descriptor, ..
            } => crate::store::add(store, descriptor, stored),
            Place::Registry {
                repo,
                descriptor,
                named,
            } => {
                let repo = named.as_ref().map_or(repo, |n| &n.1);
                let (bundles, tagged): (Vec<Stored>, Vec<Stored>) = stored
                    .iter()
                    .cloned()
                    .partition(|(layer, _)| layer.kind == Kind::Bundle);
                for bundle in &bundles {
                    crate::registry::push_bundle(repo, descriptor, bundle)?;
                }
                crate::registry::push_to_tag(repo, &descriptor.digest, &tagged)
            }
        }
    }

    /// The manifests of `kind` kept about the image: `(where, manifest)` for each.
    fn manifests(&self, kind: Kind) -> Result<Vec<(String, serde_json::Value)>, Error> {
        let digest = &self.descriptor().digest;
        let mut out = Vec::new();
        match self {
            Place::Store { store, .. } => {
                for (d, artifact) in store.referrers(digest)? {
                    if artifact.as_deref() == Some(kind.artifact_type()) {
                        out.push((
                            format!("store artifact {}", d.digest),
                            store.read_json(&d.digest)?,
                        ));
                    }
                }
            }
            Place::Registry { repo, .. } => {
                if let Some(tag) = kind.tag(digest.as_str()) {
                    match repo.manifest(&tag) {
                        Ok(fetched) => {
                            let place = format!("{}:{tag}", repo.display);
                            out.push((place.clone(), json(|| place, &fetched.bytes)?));
                        }
                        Err(bosun_registry::Error::NotFound { .. }) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                for r in repo.referrers(digest)? {
                    let Some(d) = r["digest"]
                        .as_str()
                        .filter(|_| r["artifactType"] == kind.artifact_type())
                    else {
                        continue;
                    };
                    let fetched = repo.manifest(d)?;
                    let place = format!("{}@{d}", repo.display);
                    out.push((place.clone(), json(|| place, &fetched.bytes)?));
                }
            }
        }
        Ok(out)
    }

    /// A layer's blob, checked against its digest; why not, as a verdict's reason.
    fn blob(&self, layer: &Layer) -> Result<Vec<u8>, String> {
        if layer.size > BLOB_LIMIT {
            return Err(format!(
                "its blob is {} bytes, more than bosun reads for one",
                layer.size
            ));
        }
        let digest: bosun_oci::Digest = layer
            .digest
            .parse()
            .map_err(|e| format!("bad blob digest: {e}"))?;
        let bytes = match self {
            Place::Store { store, .. } => store.read_blob(&digest).map_err(|e| reason(&e))?,
            Place::Registry { repo, .. } => {
                let mut out = Vec::new();
                repo.fetch_blob(&digest, layer.size, &mut out)
                    .map_err(|e| reason(&e))?;
                out
            }
        };
        if manifest::digest_of(&bytes) != layer.digest {
            return Err("its blob does not match the digest the manifest gives it".into());
        }
        Ok(bytes)
    }

    /// Checks every layer of `kind` kept about the image with `check`.
    fn check_all(
        &self,
        kind: Kind,
        check: impl Fn(&Layer, Vec<u8>) -> Result<Option<serde_json::Value>, String>,
    ) -> Result<Checked, Error> {
        let mut checked = Checked::default();
        // The same signature under cosign's tag and as a referrer counts once: the same blob
        // with the same annotations (a simple-signing layer's signature is an annotation, so
        // two keys' signatures of one payload share the blob and stay two).
        let mut seen = BTreeSet::new();
        for (place, manifest) in self.manifests(kind)? {
            for layer in manifest::layers(&manifest, kind) {
                if !seen.insert((layer.digest.clone(), layer.annotations.clone())) {
                    continue;
                }
                match self.blob(&layer).and_then(|blob| check(&layer, blob)) {
                    Ok(Some(value)) => checked.accepted.push(value),
                    Ok(None) => {}
                    Err(reason) => checked.rejected.push(format!("{place}: {reason}")),
                }
            }
        }
        Ok(checked)
    }

    /// The statements of `predicate_types` in the Sigstore bundles about the image, checked
    /// with `key`.
    fn bundle_statements(
        &self,
        key: &PublicKey,
        predicate_types: &[&str],
    ) -> Result<Checked, Error> {
        let hex = make::hex(&self.descriptor().digest);
        self.check_all(Kind::Bundle, |_, blob| {
            let envelope = dsse::envelope_in(&blob).map_err(|e| reason(&e))?;
            statement_about(&envelope, key, predicate_types, &hex)
        })
    }

    /// The image's signatures, checked with `key`: each payload against its digest, the
    /// signature against the key, the signed digest against the image's. Sigstore bundles
    /// (cosign 3's form) count too, given in the payload form cosign prints.
    pub fn signatures(&self, key: &PublicKey) -> Result<Checked, Error> {
        let digest = self.descriptor().digest.to_string();
        let mut bundles = self.bundle_statements(key, &[dsse::COSIGN_SIGN])?;
        for statement in &mut bundles.accepted {
            *statement = serde_json::json!({
                "critical": {
                    "identity": { "docker-reference": statement["subject"][0]["name"] },
                    "image": { "docker-manifest-digest": digest },
                    "type": dsse::COSIGN_SIGN,
                },
                "optional": {},
            });
        }
        let mut checked = self.check_all(Kind::Signature, |layer, payload| {
            let signature = STANDARD
                .decode(layer.signature_b64().unwrap_or_default())
                .map_err(|_| "its signature is not base64".to_string())?;
            key.verify(&payload, &signature).map_err(|e| reason(&e))?;
            let parsed = SimpleSigning::parse(&payload).map_err(|e| reason(&e))?;
            let signed = &parsed.critical.image.docker_manifest_digest;
            if *signed != digest {
                return Err(format!("it signs another image ({signed})"));
            }
            serde_json::from_slice(&payload)
                .map(Some)
                .map_err(|e| reason(&e))
        })?;
        checked.extend(bundles);
        Ok(checked)
    }

    /// The image's attestations of `predicate_types`, checked with `key`: the statements
    /// (from cosign's `.att` form and from Sigstore bundles).
    pub fn attestations(
        &self,
        key: &PublicKey,
        predicate_types: &[&str],
    ) -> Result<Checked, Error> {
        let hex = make::hex(&self.descriptor().digest);
        let mut checked = self.check_all(Kind::Attestation, |_, blob| {
            let envelope = Envelope::parse(&blob).map_err(|e| reason(&e))?;
            statement_about(&envelope, key, predicate_types, &hex)
        })?;
        checked.extend(self.bundle_statements(key, predicate_types)?);
        Ok(checked)
    }

    /// The valid signatures by the first of `keys` that has any; else none, and the reasons
    /// the others were refused.
    pub fn signatures_by_any(&self, keys: &[PublicKey]) -> Result<Checked, Error> {
        let mut rejected = Vec::new();
        for key in keys {
            let checked = self.signatures(key)?;
            if !checked.accepted.is_empty() {
                return Ok(checked);
            }
            rejected.extend(checked.rejected);
        }
        Ok(Checked {
            accepted: Vec::new(),
            rejected,
        })
    }

    /// The valid statements of any of `predicate_types` by any of `keys` (the attestations
    /// are read once per key, whatever the number of types).
    pub fn statements_by_any(
        &self,
        keys: &[PublicKey],
        predicate_types: &[&str],
    ) -> Result<Vec<serde_json::Value>, Error> {
        let mut out = Vec::new();
        for key in keys {
            out.extend(self.attestations(key, predicate_types)?.accepted);
        }
        Ok(out)
    }
}

/// The statement an envelope signs with `key` about the image whose sha256 is `hex`; `None`
/// when it attests a predicate type not in `predicate_types` (not asked for, so neither
/// accepted nor refused).
fn statement_about(
    envelope: &Envelope,
    key: &PublicKey,
    predicate_types: &[&str],
    hex: &str,
) -> Result<Option<serde_json::Value>, String> {
    let statement = envelope.verify(key).map_err(|e| reason(&e))?;
    let statement: serde_json::Value = serde_json::from_slice(&statement)
        .map_err(|e| format!("its statement is not JSON: {e}"))?;
    let found = statement["predicateType"].as_str().unwrap_or_default();
    if !predicate_types.contains(&found) {
        return Ok(None);
    }
    let about = statement["subject"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| s["digest"]["sha256"] == hex);
    if !about {
        return Err("it is about another image".into());
    }
    Ok(Some(statement))
}

/// An error and its causes, one line: a verdict's reason.
fn reason(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use bosun_oci::model::MEDIA_MANIFEST;
    use bosun_sign::key::PrivateKey;

    use super::*;

    /// Signed and attested in a store, found again by subject: the right key's signature
    /// and statement accepted, another key's refused with the reason, a predicate type not
    /// asked for neither.
    #[test]
    fn signatures_in_a_store_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let image = store
            .write_json(&serde_json::json!({"image": 1}), MEDIA_MANIFEST)
            .unwrap();
        store.tag("app:1", image.clone()).unwrap();
        let key = PrivateKey::generate();
        let predicate = serde_json::json!({"builder": "test"});
        crate::store::sign(
            &store,
            &image,
            "app",
            &key,
            &[(dsse::SLSA_PROVENANCE_V1, predicate.clone())],
        )
        .unwrap();
        let place = Place::in_store(dir.path(), "app:1").unwrap();
        assert_eq!(place.named(), format!("app@{}", image.digest));
        let signed = place.signatures(&key.public()).unwrap();
        assert_eq!(signed.accepted.len(), 1, "{:?}", signed.rejected);
        assert_eq!(
            signed.accepted[0]["critical"]["image"]["docker-manifest-digest"],
            image.digest.as_str()
        );
        let statements = place
            .attestations(&key.public(), &[dsse::SLSA_PROVENANCE_V1])
            .unwrap();
        assert_eq!(statements.accepted[0]["predicate"], predicate);
        assert!(
            place
                .attestations(&key.public(), &[dsse::SPDX])
                .unwrap()
                .accepted
                .is_empty()
        );
        let other = PrivateKey::generate().public();
        let refused = place.signatures(&other).unwrap();
        assert!(refused.accepted.is_empty());
        assert!(
            refused.rejected[0].ends_with("the signature does not match the payload and key"),
            "{:?}",
            refused.rejected
        );
        assert!(
            crate::store::attested(
                &store,
                &image.digest,
                &key.public(),
                dsse::SLSA_PROVENANCE_V1
            )
            .unwrap()
        );
        assert!(
            !crate::store::attested(&store, &image.digest, &other, dsse::SLSA_PROVENANCE_V1)
                .unwrap()
        );
    }
}
