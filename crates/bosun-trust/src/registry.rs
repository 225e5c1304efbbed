//! Signatures and attestations in a registry: under cosign's `sha256-<hex>.sig` and `.att`
//! tags (one manifest, a layer per signature), and Sigstore bundles as referrers.

use bosun_oci::Digest;
use bosun_oci::model::Descriptor;
use bosun_registry::{Client, Reference, Repository};
use bosun_sign::manifest::{self, Kind, OCI_MANIFEST};

use crate::make::Stored;
use crate::{Error, digest_of, json};

/// The most bosun reads of one signature payload or attestation envelope (an SBOM of a large
/// image is some megabytes).
pub const BLOB_LIMIT: u64 = 64 << 20;

/// The most layers read from one of cosign's tags when carrying them elsewhere.
const CARRIED_PER_TAG: usize = 64;

/// Pushes bytes as a blob.
pub fn push_bytes(repo: &Repository, bytes: &[u8]) -> Result<(), Error> {
    let owned = bytes.to_vec();
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(owned.clone())))
    };
    repo.push_blob(&Digest::of(bytes), bytes.len() as u64, None, &open)?;
    Ok(())
}

/// The manifest under cosign's tag for `kind` and `digest`, when there is one.
fn tag_manifest(
    repo: &Repository,
    kind: Kind,
    digest: &Digest,
) -> Result<Option<(String, serde_json::Value)>, Error> {
    let tag = kind
        .tag(digest.as_str())
        .expect("signatures and attestations have tags");
    match repo.manifest(&tag) {
        Ok(f) => Ok(Some((
            tag.clone(),
            json(|| format!("{}:{tag}", repo.display), &f.bytes)?,
        ))),
        Err(bosun_registry::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Adds layers to cosign's tags (`.sig`, `.att`) for `digest` in `repo`, after those already
/// there (the same layer is not added twice, so signing again by the same key adds nothing).
pub fn push_to_tag(repo: &Repository, digest: &Digest, stored: &[Stored]) -> Result<(), Error> {
    for kind in [Kind::Signature, Kind::Attestation] {
        let new: Vec<&Stored> = stored.iter().filter(|(l, _)| l.kind == kind).collect();
        if new.is_empty() {
            continue;
        }
        let (tag, mut layers) = match tag_manifest(repo, kind, digest)? {
            Some((tag, value)) => (tag, manifest::layers(&value, kind)),
            None => (kind.tag(digest.as_str()).expect("a tag"), Vec::new()),
        };
        let before = layers.len();
        for (layer, blob) in new {
            if !layers.contains(layer) {
                push_bytes(repo, blob)?;
                layers.push(layer.clone());
            }
        }
        if layers.len() > before {
            let (config, bytes) = manifest::tag_manifest(&layers);
            push_bytes(repo, &config)?;
            repo.put_manifest(&tag, &bytes, OCI_MANIFEST)?;
        }
    }
    Ok(())
}

/// Pushes a Sigstore bundle as a referrer of `subject` (cosign 3's form).
pub fn push_bundle(repo: &Repository, subject: &Descriptor, bundle: &Stored) -> Result<(), Error> {
    let (layer, blob) = bundle;
    push_bytes(repo, blob)?;
    push_bytes(repo, manifest::EMPTY_CONFIG)?;
    repo.put_referrer(
        &manifest::referrer_manifest(layer, &crate::subject(subject)),
        OCI_MANIFEST,
    )?;
    Ok(())
}

/// The signatures and attestations a registry keeps under cosign's tags for `digest` (at
/// most 64 each), each blob fetched and checked against its digest.
pub fn read(repo: &Repository, digest: &Digest) -> Result<Vec<Stored>, Error> {
    let mut out = Vec::new();
    for kind in [Kind::Signature, Kind::Attestation] {
        let Some((tag, value)) = tag_manifest(repo, kind, digest)? else {
            continue;
        };
        for layer in manifest::layers(&value, kind)
            .into_iter()
            .take(CARRIED_PER_TAG)
        {
            if layer.size > BLOB_LIMIT {
                continue;
            }
            let blob_digest = digest_of(|| format!("{}:{tag}", repo.display), &layer.digest)?;
            let mut blob = Vec::new();
            repo.fetch_blob(&blob_digest, layer.size, &mut blob)?;
            out.push((layer, blob));
        }
    }
    Ok(out)
}

/// After a push: each image's signatures and attestations in the store also under its
/// cosign tags, at the reference's location (never a mirror).
pub fn carry(
    client: &Client,
    store: &bosun_oci::Store,
    images: &[(Descriptor, Reference)],
) -> Result<(), Error> {
    for (descriptor, reference) in images {
        let stored = crate::store::read(store, &descriptor.digest)?;
        if !stored.is_empty() {
            let repo = client.push_repository(reference)?;
            push_to_tag(&repo, &descriptor.digest, &stored)?;
        }
    }
    Ok(())
}

/// The content (its first layer) of the first artifact of `artifact_type` a registry lists
/// as a referrer of `digest`, checked against its digests: an SBOM pushed beside its image.
pub fn artifact(
    repo: &Repository,
    digest: &Digest,
    artifact_type: &str,
) -> Result<Option<Vec<u8>>, Error> {
    let listed = repo.referrers(digest)?;
    let Some(found) = listed
        .iter()
        .filter(|e| e["artifactType"] == artifact_type)
        .find_map(|e| e["digest"].as_str())
    else {
        return Ok(None);
    };
    let fetched = repo.manifest(found)?;
    let place = || format!("{}@{found}", repo.display);
    let manifest = json(place, &fetched.bytes)?;
    let Some(layer) = manifest["layers"][0]["digest"].as_str() else {
        return Ok(None);
    };
    let blob = digest_of(place, layer)?;
    let size = manifest["layers"][0]["size"].as_u64().unwrap_or(BLOB_LIMIT);
    let mut bytes = Vec::new();
    repo.fetch_blob(&blob, size.min(BLOB_LIMIT), &mut bytes)?;
    Ok(Some(bytes))
}
