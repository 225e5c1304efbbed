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
use bosun_sign::key::{PrivateKey, PublicKey};
use bosun_sign::manifest::{self, ARTIFACT_TYPE, OCI_MANIFEST, SignatureLayer};
use bosun_sign::payload::SimpleSigning;

use crate::cli::{Format, SignArgs, VerifyArgs};
use crate::commands::registry_repository;
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
        repo: bosun_registry::Repository,
        descriptor: Descriptor,
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
                let (repo, object) = registry_repository(&client, &text)?;
                let fetched = repo.manifest(&object)?;
                let descriptor = Descriptor {
                    media_type: fetched.media_type,
                    digest: fetched.digest,
                    size: fetched.bytes.len() as u64,
                    platform: None,
                    annotations: BTreeMap::new(),
                };
                Ok(Target::Registry { repo, descriptor })
            }
            _ => bail!("{image}: sign and verify images in the store or in a registry (docker://)"),
        }
    }

    fn descriptor(&self) -> &Descriptor {
        match self {
            Target::Store { descriptor, .. } | Target::Registry { descriptor, .. } => descriptor,
        }
    }

    /// `repository@digest`, for messages.
    fn named(&self) -> String {
        let repository = match self {
            Target::Store { repository, .. } => repository,
            Target::Registry { repo, .. } => &repo.display,
        };
        format!("{repository}@{}", self.descriptor().digest)
    }

    /// The signatures stored about the image: `(where, manifest)` for each.
    fn signature_manifests(&self) -> Result<Vec<(String, serde_json::Value)>> {
        let digest = &self.descriptor().digest;
        let mut out = Vec::new();
        match self {
            Target::Store { store, .. } => {
                for (d, kind) in store.referrers(digest)? {
                    if kind.as_deref() == Some(ARTIFACT_TYPE) {
                        out.push((
                            format!("store artifact {}", d.digest),
                            store.read_json(&d.digest)?,
                        ));
                    }
                }
            }
            Target::Registry { repo, .. } => {
                let tag = manifest::signature_tag(digest.as_str());
                match repo.manifest(&tag) {
                    Ok(fetched) => out.push((
                        format!("{}:{tag}", repo.display),
                        serde_json::from_slice(&fetched.bytes)
                            .context("the signature manifest is not JSON")?,
                    )),
                    Err(bosun_registry::Error::NotFound { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
                for r in repo.referrers(digest)? {
                    if r["artifactType"] != ARTIFACT_TYPE {
                        continue;
                    }
                    let Some(d) = r["digest"].as_str() else {
                        continue;
                    };
                    let fetched = repo.manifest(d)?;
                    out.push((
                        format!("{}@{d}", repo.display),
                        serde_json::from_slice(&fetched.bytes)
                            .context("a signature referrer is not JSON")?,
                    ));
                }
            }
        }
        Ok(out)
    }

    /// A payload blob, checked against its digest.
    fn payload(&self, layer: &SignatureLayer) -> Result<Vec<u8>, String> {
        const LIMIT: u64 = 1 << 20;
        if layer.size > LIMIT {
            return Err(format!(
                "its payload is {} bytes, more than a signature payload can be",
                layer.size
            ));
        }
        let digest: Digest = layer
            .digest
            .parse()
            .map_err(|e| format!("bad payload digest: {e}"))?;
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
            return Err("its payload does not match the digest the manifest gives it".into());
        }
        Ok(bytes)
    }
}

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
    match &target {
        Target::Store {
            store,
            descriptor,
            repository,
            ..
        } => sign_in_store(store, descriptor, repository, &key, &annotations)?,
        Target::Registry { repo, .. } => {
            let signed = signature(&key, &repo.display, &digest, &annotations);
            push_to_sig_tag(repo, &digest, &[signed])?
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

/// A signature of `digest` for `repository`.
fn signature(
    key: &PrivateKey,
    repository: &str,
    digest: &Digest,
    annotations: &BTreeMap<String, String>,
) -> Signed {
    let payload = SimpleSigning::new(repository, digest.as_str(), annotations).to_bytes();
    let layer = SignatureLayer::new(&payload, STANDARD.encode(key.sign(&payload)));
    (layer, payload)
}

/// Signs an image in the store: an artifact about it.
pub(crate) fn sign_in_store(
    store: &Store,
    descriptor: &Descriptor,
    repository: &str,
    key: &PrivateKey,
    annotations: &BTreeMap<String, String>,
) -> Result<()> {
    let signed = signature(key, repository, &descriptor.digest, annotations);
    add_store_signatures(store, descriptor, &[signed])
}

/// After a push: each image's signatures in the store also under its `.sig` tag.
pub(crate) fn carry_signatures(
    client: &bosun_registry::Client,
    store: &Store,
    images: &[(Descriptor, bosun_registry::Reference)],
) -> Result<()> {
    for (descriptor, reference) in images {
        let signatures = store_signatures(store, &descriptor.digest)?;
        if !signatures.is_empty() {
            let repo = client.repository(&client.options().conf.push_endpoint(reference)?)?;
            push_to_sig_tag(&repo, &descriptor.digest, &signatures)?;
        }
    }
    Ok(())
}

pub(crate) fn verify(store_dir: &Path, args: &VerifyArgs, printer: &Printer) -> Result<ExitStatus> {
    let text = key_text(&args.key)?;
    let key = PublicKey::from_pem(&text)
        .with_context(|| format!("cannot read the public key {}", args.key))?;
    let target = Target::open(store_dir, &args.image, &args.registry)?;
    let digest = target.descriptor().digest.to_string();
    let mut verified = Vec::new();
    let mut rejected = Vec::new();
    for (place, manifest) in target.signature_manifests()? {
        for layer in manifest::layers(&manifest) {
            let checked = target.payload(&layer).and_then(|payload| {
                let signature = STANDARD
                    .decode(&layer.signature)
                    .map_err(|_| "its signature is not base64".to_string())?;
                key.verify(&payload, &signature)
                    .map_err(|e| e.to_string())?;
                let parsed = SimpleSigning::parse(&payload).map_err(|e| e.to_string())?;
                let signed = &parsed.critical.image.docker_manifest_digest;
                if *signed != digest {
                    return Err(format!("it signs another image ({signed})"));
                }
                Ok(payload)
            });
            match checked {
                Ok(payload) => verified.push(payload),
                Err(reason) => rejected.push(format!("{place}: {reason}")),
            }
        }
    }
    for reason in &rejected {
        printer.warn(&format!("signature rejected: {reason}"));
    }
    if verified.is_empty() {
        let why = match rejected.is_empty() {
            true => "no signatures found".to_string(),
            false => format!("none of its {} signatures is valid", rejected.len()),
        };
        printer.error(&format!(
            "{}: {why} for the key {}",
            target.named(),
            args.key
        ));
        return Ok(ExitStatus::Failure);
    }
    match args.format {
        Format::Json => {
            let payloads: Vec<serde_json::Value> = verified
                .iter()
                .map(|p| serde_json::from_slice(p).expect("parsed above"))
                .collect();
            printer.data(&serde_json::to_string(&payloads)?)?;
        }
        Format::Table => {
            for p in &verified {
                printer.data(&String::from_utf8_lossy(p))?;
            }
        }
    }
    printer.status(&format!(
        "verified {}: {} valid signature{} for the key {}",
        target.named(),
        verified.len(),
        if verified.len() == 1 { "" } else { "s" },
        args.key
    ));
    Ok(ExitStatus::Success)
}

/// A signature and the payload it signs.
pub(crate) type Signed = (SignatureLayer, Vec<u8>);

/// Adds signatures to cosign's `sha256-<hex>.sig` tag for `digest` in `repo`, after those
/// already there (the same signature is not added twice).
pub(crate) fn push_to_sig_tag(
    repo: &bosun_registry::Repository,
    digest: &Digest,
    signatures: &[Signed],
) -> Result<()> {
    let tag = manifest::signature_tag(digest.as_str());
    let mut layers = match repo.manifest(&tag) {
        Ok(f) => manifest::layers(
            &serde_json::from_slice(&f.bytes).context("the signature manifest is not JSON")?,
        ),
        Err(bosun_registry::Error::NotFound { .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let before = layers.len();
    for (layer, payload) in signatures {
        if layers.contains(layer) {
            continue;
        }
        push_bytes(repo, payload)?;
        layers.push(layer.clone());
    }
    if layers.len() == before {
        return Ok(());
    }
    let (config, bytes) = manifest::tag_manifest(&layers);
    push_bytes(repo, &config)?;
    repo.put_manifest(&tag, &bytes, OCI_MANIFEST)?;
    Ok(())
}

fn push_bytes(repo: &bosun_registry::Repository, bytes: &[u8]) -> Result<()> {
    let owned = bytes.to_vec();
    let open = move || -> std::io::Result<Box<dyn std::io::Read + Send>> {
        Ok(Box::new(std::io::Cursor::new(owned.clone())))
    };
    repo.push_blob(&Digest::of(bytes), bytes.len() as u64, None, &open)?;
    Ok(())
}

/// The signatures a registry keeps under cosign's tag for `digest` (at most 64), each
/// payload fetched and checked against its digest; `verify` checks the signatures.
pub(crate) fn registry_signatures(
    repo: &bosun_registry::Repository,
    digest: &Digest,
) -> Result<Vec<Signed>> {
    let tag = manifest::signature_tag(digest.as_str());
    let fetched = match repo.manifest(&tag) {
        Ok(f) => f,
        Err(bosun_registry::Error::NotFound { .. }) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let value =
        serde_json::from_slice(&fetched.bytes).context("the signature manifest is not JSON")?;
    let mut out = Vec::new();
    for layer in manifest::layers(&value).into_iter().take(64) {
        if layer.size > 1 << 20 {
            continue;
        }
        let mut payload = Vec::new();
        repo.fetch_blob(&layer.digest.parse()?, layer.size, &mut payload)?;
        out.push((layer, payload));
    }
    Ok(out)
}

/// The cosign signatures the store keeps about `digest`, with their payloads.
pub(crate) fn store_signatures(store: &Store, digest: &Digest) -> Result<Vec<Signed>> {
    let mut out = Vec::new();
    for (d, kind) in store.referrers(digest)? {
        if kind.as_deref() != Some(ARTIFACT_TYPE) {
            continue;
        }
        let value: serde_json::Value = store.read_json(&d.digest)?;
        for layer in manifest::layers(&value) {
            let payload = store.read_blob(&layer.digest.parse()?)?;
            out.push((layer, payload));
        }
    }
    Ok(out)
}

/// Stores signatures as artifacts about `subject`, one referrer each (cosign's OCI 1.1 form).
pub(crate) fn add_store_signatures(
    store: &Store,
    subject: &Descriptor,
    signatures: &[Signed],
) -> Result<()> {
    let subject_json = serde_json::json!({
        "mediaType": subject.media_type, "digest": subject.digest, "size": subject.size,
    });
    for (layer, payload) in signatures {
        store.write_blob(payload)?;
        store.write_blob(manifest::EMPTY_CONFIG)?;
        let bytes = manifest::referrer_manifest(layer, &subject_json);
        let digest = store.write_blob(&bytes)?;
        store.add_referrer(Descriptor {
            media_type: OCI_MANIFEST.to_string(),
            digest,
            size: bytes.len() as u64,
            platform: None,
            annotations: BTreeMap::new(),
        })?;
    }
    Ok(())
}
