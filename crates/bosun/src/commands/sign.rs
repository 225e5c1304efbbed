//! `bosun keygen`, `bosun sign`, `bosun verify`: cosign's key pairs, signatures and places.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bosun_oci::model::Descriptor;
use bosun_oci::source::ImageRef;
use bosun_oci::{Digest, Store};
use bosun_sign::dsse::{self, Envelope};
use bosun_sign::key::{PrivateKey, PublicKey};
use bosun_sign::manifest::{self, Kind, Layer, OCI_MANIFEST};
use bosun_sign::payload::SimpleSigning;

use crate::cli::{AttestationType, Format, SignArgs, VerifyArgs, VerifyAttestationArgs};
use crate::commands::resolve_in_registry;
use crate::env_vars::{BOSUN_PASSWORD, COSIGN_PASSWORD};
use crate::{ExitStatus, Printer, settings};

/// The key's password: `BOSUN_PASSWORD`, else `COSIGN_PASSWORD`, else asked on the terminal
/// (twice for a new key).
fn password(new_key: bool) -> Result<String, bosun_sign::Error> {
    for var in [BOSUN_PASSWORD, COSIGN_PASSWORD] {
        if let Ok(p) = std::env::var(var) {
            return Ok(p);
        }
    }
    if !std::io::stdin().is_terminal() {
        return Err(bosun_sign::Error::Key(format!(
            "the private key's password: set {BOSUN_PASSWORD} (or {COSIGN_PASSWORD}); there is no terminal to ask on"
        )));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map_err(|e| bosun_sign::Error::Key(format!("cannot read the password: {e}")))
    };
    let first = ask("Password for the private key: ")?;
    if new_key && ask("Again: ")? != first {
        return Err(bosun_sign::Error::Key("the passwords differ".into()));
    }
    Ok(first)
}

/// A key's text: `env://VAR` or a file.
fn key_text(key: &str) -> Result<String> {
    match key.strip_prefix("env://") {
        Some(var) => {
            std::env::var(var).with_context(|| format!("the key variable {var} is not set"))
        }
        None => std::fs::read_to_string(key).with_context(|| format!("cannot read the key {key}")),
    }
}

pub(crate) fn keygen(prefix: &str, force: bool, printer: &Printer) -> Result<ExitStatus> {
    let (private, public) = (format!("{prefix}.key"), format!("{prefix}.pub"));
    for path in [&private, &public] {
        if !force && Path::new(path).exists() {
            bail!("{path} exists: pass --force to replace it");
        }
    }
    let key = PrivateKey::generate();
    let pem = key.to_encrypted_pem(password(true)?.as_bytes())?;
    write_private(Path::new(&private), pem.as_bytes())?;
    bosun_fs::write_atomic(Path::new(&public), key.public().to_pem().as_bytes())
        .with_context(|| format!("cannot write {public}"))?;
    printer.status(&format!("wrote {private} (encrypted) and {public}"));
    Ok(ExitStatus::Success)
}

/// Writes a private key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let mut file = bosun_fs::AtomicFile::create(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.file()
        .set_permissions(std::fs::Permissions::from_mode(0o600))
        .and_then(|()| file.file().write_all(bytes))
        .and_then(|()| file.commit())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Where an image to sign or verify lives.
enum Target {
    Store {
        store: Store,
        _lock: bosun_fs::LockedFile,
        descriptor: Descriptor,
        repository: String,
    },
    Registry {
        /// Where the image was read (a mirror, when registries.conf has one).
        repo: bosun_registry::Repository,
        descriptor: Descriptor,
        /// The image as named, before any mirror, and its registry's push endpoint: where
        /// signatures are written (none: a target only read).
        named: Option<Box<(bosun_registry::Reference, bosun_registry::Repository)>>,
    },
}

impl Target {
    fn open(store_dir: &Path, image: &str, registry: &crate::cli::RegistryArgs) -> Result<Target> {
        match ImageRef::parse(image)? {
            ImageRef::Store(name) => {
                let store = Store::open_existing(store_dir)?.ok_or_else(|| {
                    anyhow!(
                        "no image {name}: the store {} is empty",
                        store_dir.display()
                    )
                })?;
                let lock = store.lock_shared()?;
                let descriptor = store
                    .resolve(&name)?
                    .ok_or_else(|| anyhow!("no image {name} in the store"))?;
                // The repository part of the name: without its tag.
                let repository = match name.rsplit_once(':') {
                    Some((repo, tag)) if !tag.contains('/') => repo.to_string(),
                    _ => name.clone(),
                };
                Ok(Target::Store {
                    store,
                    _lock: lock,
                    descriptor,
                    repository,
                })
            }
            ImageRef::Registry(text) => {
                let client = settings::registry_client(registry)?;
                let (repo, object, named) = resolve_in_registry(&client, &text)?;
                // Signatures go where the image is named, never to a mirror it is read from.
                let endpoint = client.options().conf.push_endpoint(&named)?;
                let push = client.repository(&endpoint)?.for_push();
                let fetched = repo.manifest(&object)?;
                let descriptor = Descriptor {
                    media_type: fetched.media_type,
                    digest: fetched.digest,
                    size: fetched.bytes.len() as u64,
                    platform: None,
                    annotations: BTreeMap::new(),
                };
                Ok(Target::Registry {
                    repo,
                    descriptor,
                    named: Some(Box::new((named, push))),
                })
            }
            _ => bail!("{image}: sign and verify images in the store or in a registry (docker://)"),
        }
    }

    fn descriptor(&self) -> &Descriptor {
        match self {
            Target::Store { descriptor, .. } | Target::Registry { descriptor, .. } => descriptor,
        }
    }

    /// The hex of the image's sha256 digest (what in-toto subjects name).
    fn hex(&self) -> String {
        let digest = self.descriptor().digest.as_str();
        digest.trim_start_matches("sha256:").to_string()
    }

    /// `repository@digest`, for messages.
    fn named(&self) -> String {
        let repository = match self {
            Target::Store { repository, .. } => repository.clone(),
            Target::Registry {
                named: Some(named), ..
            } => named.0.name(),
            Target::Registry { repo, .. } => repo.display.clone(),
        };
        format!("{repository}@{}", self.descriptor().digest)
    }

    /// The manifests of `kind` stored about the image: `(where, manifest)` for each.
    fn manifests(&self, kind: Kind) -> Result<Vec<(String, serde_json::Value)>> {
        let digest = &self.descriptor().digest;
        let mut out = Vec::new();
        match self {
            Target::Store { store, .. } => {
                for (d, artifact) in store.referrers(digest)? {
                    if artifact.as_deref() == Some(kind.artifact_type()) {
                        out.push((
                            format!("store artifact {}", d.digest),
                            store.read_json(&d.digest)?,
                        ));
                    }
                }
            }
            Target::Registry { repo, .. } => {
                if let Some(tag) = kind.tag(digest.as_str()) {
                    match repo.manifest(&tag) {
                        Ok(fetched) => out.push((
                            format!("{}:{tag}", repo.display),
                            serde_json::from_slice(&fetched.bytes)
                                .with_context(|| format!("{}:{tag} is not JSON", repo.display))?,
                        )),
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
                    out.push((
                        format!("{}@{d}", repo.display),
                        serde_json::from_slice(&fetched.bytes)
                            .with_context(|| format!("{}@{d} is not JSON", repo.display))?,
                    ));
                }
            }
        }
        Ok(out)
    }

    /// A layer's blob, checked against its digest.
    fn blob(&self, layer: &Layer) -> Result<Vec<u8>, String> {
        if layer.size > BLOB_LIMIT {
            return Err(format!(
                "its blob is {} bytes, more than bosun reads for one",
                layer.size
            ));
        }
        let digest: Digest = layer
            .digest
            .parse()
            .map_err(|e| format!("bad blob digest: {e}"))?;
        let bytes = match self {
            Target::Store { store, .. } => store.read_blob(&digest).map_err(|e| e.to_string())?,
            Target::Registry { repo, .. } => {
                let mut out = Vec::new();
                repo.fetch_blob(&digest, layer.size, &mut out)
                    .map_err(|e| e.to_string())?;
                out
            }
        };
        if manifest::digest_of(&bytes) != layer.digest {
            return Err("its blob does not match the digest the manifest gives it".into());
        }
        Ok(bytes)
    }
}

/// The most bosun reads of one signature payload or attestation envelope (an SBOM of a large
/// image is some megabytes).
const BLOB_LIMIT: u64 = 64 << 20;

pub(crate) fn sign(store_dir: &Path, args: &SignArgs, printer: &Printer) -> Result<ExitStatus> {
    let key = load_key(&args.key)?;
    let mut annotations = BTreeMap::new();
    for a in &args.annotations {
        let (k, v) = a
            .split_once('=')
            .ok_or_else(|| anyhow!("annotation {a:?} is not KEY=VALUE"))?;
        annotations.insert(k.to_string(), v.to_string());
    }
    let target = Target::open(store_dir, &args.image, &args.registry)?;
    let digest = target.descriptor().digest.clone();
    let push_repo = match &target {
        Target::Registry {
            named: Some(named), ..
        } => Some(&named.1),
        _ => None,
    };
    let repository = match (&target, &push_repo) {
        (Target::Store { repository, .. }, _) => repository.clone(),
        (_, Some(push)) => push.display.clone(),
        (Target::Registry { repo, .. }, None) => repo.display.clone(),
    };
    let signed = match args.bundle {
        true => sigstore_bundle(&key, &repository, &digest, &annotations),
        false => signature(&key, &repository, &digest, &annotations),
    };
    match &target {
        Target::Store {
            store, descriptor, ..
        } => add_to_store(store, descriptor, &[signed])?,
        Target::Registry {
            repo, descriptor, ..
        } if args.bundle => {
            let repo = push_repo.unwrap_or(repo);
            let (layer, bundle) = &signed;
            push_bytes(repo, bundle)?;
            push_bytes(repo, manifest::EMPTY_CONFIG)?;
            let subject = serde_json::json!({
                "mediaType": descriptor.media_type, "digest": descriptor.digest, "size": descriptor.size,
            });
            repo.put_referrer(&manifest::referrer_manifest(layer, &subject), OCI_MANIFEST)?;
        }
        Target::Registry { repo, .. } => {
            push_to_tag(push_repo.unwrap_or(repo), &digest, &[signed])?
        }
    }
    printer.status(&format!("signed {}", target.named()));
    printer.data(&target.named())?;
    Ok(ExitStatus::Success)
}

/// The private key `--key` names, its password from the environment or the terminal.
pub(crate) fn load_key(key: &str) -> Result<PrivateKey> {
    PrivateKey::from_pem(&key_text(key)?, || password(false))
        .with_context(|| format!("cannot read the private key {key}"))
}

fn load_public(key: &str) -> Result<PublicKey> {
    PublicKey::from_pem(&key_text(key)?)
        .with_context(|| format!("cannot read the public key {key}"))
}

/// A layer and its blob: a signature with its payload, or an attestation's envelope.
pub(crate) type Stored = (Layer, Vec<u8>);

/// A signature of `digest` for `repository`.
fn signature(
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
fn sigstore_bundle(
    key: &PrivateKey,
    repository: &str,
    digest: &Digest,
    annotations: &BTreeMap<String, String>,
) -> Stored {
    let hex = digest.as_str().trim_start_matches("sha256:").to_string();
    let statement = dsse::statement(
        &[(repository.to_string(), hex)],
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
pub(crate) fn attestation(
    key: &PrivateKey,
    repository: &str,
    digest: &Digest,
    predicate_type: &str,
    predicate: serde_json::Value,
) -> Stored {
    let hex = digest.as_str().trim_start_matches("sha256:").to_string();
    let statement = dsse::statement(&[(repository.to_string(), hex)], predicate_type, predicate);
    let envelope = Envelope::sign(key, dsse::IN_TOTO, &statement).to_bytes();
    (Layer::attestation(&envelope, predicate_type), envelope)
}

/// Signs an image in the store (an artifact about it); with `attest`, also its attestations.
pub(crate) fn sign_in_store(
    store: &Store,
    descriptor: &Descriptor,
    repository: &str,
    key: &PrivateKey,
    attest: &[(&str, serde_json::Value)],
) -> Result<()> {
    let mut stored = vec![signature(
        key,
        repository,
        &descriptor.digest,
        &BTreeMap::new(),
    )];
    for (predicate_type, predicate) in attest {
        stored.push(attestation(
            key,
            repository,
            &descriptor.digest,
            predicate_type,
            predicate.clone(),
        ));
    }
    add_to_store(store, descriptor, &stored)
}

/// Whether the store holds an attestation of `predicate_type` about `digest` that `key`
/// signed: a re-publish of an unchanged image keeps it rather than minting another.
pub(crate) fn attested(
    store: &Store,
    digest: &Digest,
    key: &PublicKey,
    predicate_type: &str,
) -> Result<bool> {
    // What cannot be read (a damaged or tampered blob) is not an attestation to keep.
    for (d, artifact) in store.referrers(digest)? {
        if artifact.as_deref() != Some(Kind::Attestation.artifact_type()) {
            continue;
        }
        let Ok(value) = store.read_json::<serde_json::Value>(&d.digest) else {
            continue;
        };
        for layer in manifest::layers(&value, Kind::Attestation) {
            let kept = layer
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
                    .is_some_and(|e| e.verify(key).is_ok());
            if kept {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// What verification found: the accepted blobs, and why the others were refused.
struct Checked {
    accepted: Vec<serde_json::Value>,
    rejected: Vec<String>,
}

/// Checks every layer of `kind` stored about the target with `check`.
fn check_all(
    target: &Target,
    kind: Kind,
    check: impl Fn(&Layer, Vec<u8>) -> Result<Option<serde_json::Value>, String>,
) -> Result<Checked> {
    let mut checked = Checked {
        accepted: Vec::new(),
        rejected: Vec::new(),
    };
    // The same signature under cosign's tag and as a referrer counts once: the same blob
    // with the same annotations (a simple-signing layer's signature is an annotation, so two
    // keys' signatures of one payload share the blob and stay two).
    let mut seen = std::collections::BTreeSet::new();
    for (place, manifest) in target.manifests(kind)? {
        for layer in manifest::layers(&manifest, kind) {
            if !seen.insert((layer.digest.clone(), layer.annotations.clone())) {
                continue;
            }
            match target.blob(&layer).and_then(|blob| check(&layer, blob)) {
                Ok(Some(value)) => checked.accepted.push(value),
                Ok(None) => {}
                Err(reason) => checked.rejected.push(format!("{place}: {reason}")),
            }
        }
    }
    Ok(checked)
}

/// Prints what verification found; the exit status.
fn report(
    checked: Checked,
    what: &str,
    target: &Target,
    key: &str,
    format: Format,
    printer: &Printer,
) -> Result<ExitStatus> {
    for reason in &checked.rejected {
        printer.warn(&format!("{what} rejected: {reason}"));
    }
    if checked.accepted.is_empty() {
        let why = match checked.rejected.is_empty() {
            true => format!("no {what}s found"),
            false => format!("none of its {} {what}s is valid", checked.rejected.len()),
        };
        printer.error(&format!("{}: {why} for the key {key}", target.named()));
        return Ok(ExitStatus::Failure);
    }
    match format {
        Format::Json => printer.data(&serde_json::to_string(&checked.accepted)?)?,
        Format::Table => {
            for value in &checked.accepted {
                printer.data(&serde_json::to_string(value)?)?;
            }
        }
    }
    let n = checked.accepted.len();
    printer.status(&format!(
        "verified {}: {n} valid {what}{} for the key {key}",
        target.named(),
        if n == 1 { "" } else { "s" },
    ));
    Ok(ExitStatus::Success)
}

/// The statements of the `predicate_types` in the Sigstore bundles about the image, checked
/// with `key`: the envelope's signature, the predicate type, the subject's digest.
fn bundle_statements(
    target: &Target,
    key: &PublicKey,
    predicate_types: &[&str],
) -> Result<Checked> {
    let hex = target.hex();
    check_all(target, Kind::Bundle, |_, blob| {
        let envelope = dsse::envelope_in(&blob).map_err(|e| e.to_string())?;
        statement_about(&envelope, key, predicate_types, &hex)
    })
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
    let statement = envelope.verify(key).map_err(|e| e.to_string())?;
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

/// The image's signatures, checked with `key`: each payload against its digest, the
/// signature against the key, the signed digest against the image's. Sigstore bundles
/// (cosign 3's form) count too, printed as cosign prints them.
fn signatures(target: &Target, key: &PublicKey) -> Result<Checked> {
    let digest = target.descriptor().digest.to_string();
    let mut bundles = bundle_statements(target, key, &[dsse::COSIGN_SIGN])?;
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
    let mut checked = check_all(target, Kind::Signature, |layer, payload| {
        let signature = STANDARD
            .decode(layer.signature_b64().unwrap_or_default())
            .map_err(|_| "its signature is not base64".to_string())?;
        key.verify(&payload, &signature)
            .map_err(|e| e.to_string())?;
        let parsed = SimpleSigning::parse(&payload).map_err(|e| e.to_string())?;
        let signed = &parsed.critical.image.docker_manifest_digest;
        if *signed != digest {
            return Err(format!("it signs another image ({signed})"));
        }
        serde_json::from_slice(&payload)
            .map(Some)
            .map_err(|e| e.to_string())
    })?;
    checked.accepted.extend(bundles.accepted);
    checked.rejected.extend(bundles.rejected);
    Ok(checked)
}

/// The image's attestations of `predicate_type`, checked with `key`; the statements (from
/// cosign's `.att` form and from Sigstore bundles).
fn attestations(target: &Target, key: &PublicKey, predicate_types: &[&str]) -> Result<Checked> {
    let hex = target.hex();
    let mut checked = check_all(target, Kind::Attestation, |_, blob| {
        let envelope = Envelope::parse(&blob).map_err(|e| e.to_string())?;
        statement_about(&envelope, key, predicate_types, &hex)
    })?;
    let bundles = bundle_statements(target, key, predicate_types)?;
    checked.accepted.extend(bundles.accepted);
    checked.rejected.extend(bundles.rejected);
    Ok(checked)
}

pub(crate) fn verify(store_dir: &Path, args: &VerifyArgs, printer: &Printer) -> Result<ExitStatus> {
    let key = load_public(&args.key)?;
    let target = Target::open(store_dir, &args.image, &args.registry)?;
    let checked = signatures(&target, &key)?;
    report(
        checked,
        "signature",
        &target,
        &args.key,
        args.format,
        printer,
    )
}

/// The predicate type `--type` names.
fn predicate_type(kind: AttestationType) -> &'static str {
    match kind {
        AttestationType::Slsaprovenance => dsse::SLSA_PROVENANCE_V1,
        AttestationType::Spdxjson => dsse::SPDX,
        AttestationType::Cyclonedx => dsse::CYCLONEDX,
    }
}

pub(crate) fn verify_attestation(
    store_dir: &Path,
    args: &VerifyAttestationArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let key = load_public(&args.key)?;
    let target = Target::open(store_dir, &args.image, &args.registry)?;
    let checked = attestations(&target, &key, &[predicate_type(args.kind)])?;
    report(
        checked,
        "attestation",
        &target,
        &args.key,
        args.format,
        printer,
    )
}

/// What a policy asks of an image's signatures and attestations, answered with any of
/// `keys`: `None` when the image is not where signatures are kept (an archive or layout).
pub(crate) struct Trust {
    target: Option<Target>,
}

impl Trust {
    /// The trust of a manifest already read from a registry.
    pub(crate) fn registry(repo: bosun_registry::Repository, descriptor: Descriptor) -> Trust {
        Trust {
            target: Some(Target::Registry {
                repo,
                descriptor,
                named: None,
            }),
        }
    }

    pub(crate) fn open(
        store_dir: &Path,
        image: &str,
        registry: &crate::cli::RegistryArgs,
    ) -> Result<Trust> {
        let target = match ImageRef::parse(image)? {
            ImageRef::Store(_) | ImageRef::Registry(_) => {
                Some(Target::open(store_dir, image, registry)?)
            }
            _ => None,
        };
        Ok(Trust { target })
    }

    /// The image whose signatures this checks, opened for reading. A registry image is read
    /// at the digest already fetched, through the same repository handle: a tag that moves
    /// meanwhile cannot pair one image's signatures with another's contents.
    pub(crate) fn open_image(
        &self,
        store_dir: &Path,
        image: &str,
        platform: Option<&bosun_oci::model::Platform>,
        registry: &crate::cli::RegistryArgs,
    ) -> Result<super::OpenedImage> {
        match &self.target {
            Some(Target::Registry {
                repo, descriptor, ..
            }) => {
                let remote =
                    std::sync::Arc::new(bosun_registry::transfer::RemoteImage(repo.clone()));
                let opened = bosun_oci::source::open_remote(
                    image,
                    remote,
                    descriptor.digest.as_str(),
                    platform,
                )?;
                Ok(super::OpenedImage {
                    image: opened,
                    _lock: None,
                })
            }
            _ => super::open_image(store_dir, image, platform, registry),
        }
    }

    /// Whether signatures can be looked for at all.
    pub(crate) fn available(&self) -> bool {
        self.target.is_some()
    }

    /// The number of valid signatures by any of `keys`, and the reasons others were refused.
    pub(crate) fn signatures(&self, keys: &[PublicKey]) -> Result<(usize, Vec<String>)> {
        let Some(target) = &self.target else {
            return Ok((0, Vec::new()));
        };
        let mut rejected = Vec::new();
        for key in keys {
            let checked = signatures(target, key)?;
            if !checked.accepted.is_empty() {
                return Ok((checked.accepted.len(), Vec::new()));
            }
            rejected.extend(checked.rejected);
        }
        Ok((0, rejected))
    }

    /// The valid statements of any of `predicate_types` by any of `keys` (the attestations
    /// are read once per key, whatever the number of types).
    pub(crate) fn statements(
        &self,
        keys: &[PublicKey],
        predicate_types: &[&str],
    ) -> Result<Vec<serde_json::Value>> {
        let Some(target) = &self.target else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for key in keys {
            out.extend(attestations(target, key, predicate_types)?.accepted);
        }
        Ok(out)
    }
}

/// Signs `digest` in `repo` under cosign's `.sig` tag, as `bosun sign` does (deterministic:
/// a second signature by the same key adds nothing).
pub(crate) fn sign_in_registry(
    repo: &bosun_registry::Repository,
    digest: &Digest,
    key: &PrivateKey,
) -> Result<()> {
    let signed = signature(key, &repo.display, digest, &BTreeMap::new());
    push_to_tag(repo, digest, &[signed])
}

/// Reads a public key file for a policy.
pub(crate) fn public_key(path: &str) -> Result<PublicKey> {
    load_public(path)
}

/// Adds layers to cosign's tag (`.sig`, `.att`) for `digest` in `repo`, after those already
/// there (the same layer is not added twice).
pub(crate) fn push_to_tag(
    repo: &bosun_registry::Repository,
    digest: &Digest,
    stored: &[Stored],
) -> Result<()> {
    for kind in [Kind::Signature, Kind::Attestation] {
        let new: Vec<&Stored> = stored.iter().filter(|(l, _)| l.kind == kind).collect();
        if new.is_empty() {
            continue;
        }
        let tag = kind
            .tag(digest.as_str())
            .expect("signatures and attestations have tags");
        let mut layers = match repo.manifest(&tag) {
            Ok(f) => manifest::layers(
                &serde_json::from_slice(&f.bytes)
                    .with_context(|| format!("{}:{tag} is not JSON", repo.display))?,
                kind,
            ),
            Err(bosun_registry::Error::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(e.into()),
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

pub(crate) fn push_bytes(repo: &bosun_registry::Repository, bytes: &[u8]) -> Result<()> {
    let owned = bytes.to_vec();
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(owned.clone())))
    };
    repo.push_blob(&Digest::of(bytes), bytes.len() as u64, None, &open)?;
    Ok(())
}

/// The signatures and attestations a registry keeps under cosign's tags for `digest` (at
/// most 64 each), each blob fetched and checked against its digest.
pub(crate) fn from_registry(
    repo: &bosun_registry::Repository,
    digest: &Digest,
) -> Result<Vec<Stored>> {
    let mut out = Vec::new();
    for kind in [Kind::Signature, Kind::Attestation] {
        let tag = kind
            .tag(digest.as_str())
            .expect("signatures and attestations have tags");
        let fetched = match repo.manifest(&tag) {
            Ok(f) => f,
            Err(bosun_registry::Error::NotFound { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        let value = serde_json::from_slice(&fetched.bytes)
            .with_context(|| format!("{}:{tag} is not JSON", repo.display))?;
        for layer in manifest::layers(&value, kind).into_iter().take(64) {
            if layer.size > BLOB_LIMIT {
                continue;
            }
            let mut blob = Vec::new();
            repo.fetch_blob(&layer.digest.parse()?, layer.size, &mut blob)?;
            out.push((layer, blob));
        }
    }
    Ok(out)
}

/// The signatures and attestations the store keeps about `digest`.
pub(crate) fn from_store(store: &Store, digest: &Digest) -> Result<Vec<Stored>> {
    let mut out = Vec::new();
    for (d, artifact) in store.referrers(digest)? {
        for kind in [Kind::Signature, Kind::Attestation] {
            if artifact.as_deref() != Some(kind.artifact_type()) {
                continue;
            }
            let value: serde_json::Value = store.read_json(&d.digest)?;
            for layer in manifest::layers(&value, kind) {
                let blob = store.read_blob(&layer.digest.parse()?)?;
                out.push((layer, blob));
            }
        }
    }
    Ok(out)
}

/// Stores signatures and attestations as artifacts about `subject`, one referrer each
/// (cosign's OCI 1.1 form).
pub(crate) fn add_to_store(store: &Store, subject: &Descriptor, stored: &[Stored]) -> Result<()> {
    let subject_json = serde_json::json!({
        "mediaType": subject.media_type, "digest": subject.digest, "size": subject.size,
    });
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
    // One rewrite of index.json for all of them.
    store.tag_all_with([], referrers)?;
    Ok(())
}

/// After a push: each image's signatures and attestations in the store also under its
/// cosign tags.
pub(crate) fn carry_signatures(
    client: &bosun_registry::Client,
    store: &Store,
    images: &[(Descriptor, bosun_registry::Reference)],
) -> Result<()> {
    for (descriptor, reference) in images {
        let stored = from_store(store, &descriptor.digest)?;
        if !stored.is_empty() {
            let repo = client.repository(&client.options().conf.push_endpoint(reference)?)?;
            push_to_tag(&repo, &descriptor.digest, &stored)?;
        }
    }
    Ok(())
}
