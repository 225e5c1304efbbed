//! `bosun keygen`, `bosun sign`, `bosun verify`: cosign's key pairs, signatures and places.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use bosun_sign::dsse;
use bosun_sign::key::{PrivateKey, PublicKey};
use bosun_trust::{Checked, Place, make};

use crate::cli::{AttestationType, Format, SignArgs, VerifyArgs, VerifyAttestationArgs};
use crate::{ExitStatus, Printer};

pub(crate) fn keygen(prefix: &str, force: bool, printer: &Printer) -> Result<ExitStatus> {
    let (private, public) = (format!("{prefix}.key"), format!("{prefix}.pub"));
    for path in [&private, &public] {
        if !force && Path::new(path).exists() {
            bail!("{path} exists: pass --force to replace it");
        }
    }
    let key = PrivateKey::generate();
    let pem = key.to_encrypted_pem(
        crate::keys::password(true)
            .map_err(anyhow::Error::from_boxed)?
            .as_bytes(),
    )?;
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

fn target(store_dir: &Path, image: &str, registry: &crate::cli::RegistryArgs) -> Result<Place> {
    crate::images::place(store_dir, image, registry)?.ok_or_else(|| {
        anyhow!("{image}: sign and verify images in the store or in a registry (docker://)")
    })
}

pub(crate) fn sign(store_dir: &Path, args: &SignArgs, printer: &Printer) -> Result<ExitStatus> {
    let key = crate::keys::private(&args.key)?;
    let mut annotations = BTreeMap::new();
    for a in &args.annotations {
        let (k, v) = a
            .split_once('=')
            .ok_or_else(|| anyhow!("annotation {a:?} is not KEY=VALUE"))?;
        annotations.insert(k.to_string(), v.to_string());
    }
    let target = target(store_dir, &args.image, &args.registry)?;
    let (repository, digest) = (target.repository(), &target.descriptor().digest);
    let signed = match args.bundle {
        true => make::bundle(&key, &repository, digest, &annotations),
        false => make::signature(&key, &repository, digest, &annotations),
    };
    target.add(&[signed])?;
    printer.status(&format!("signed {}", target.named()));
    printer.data(&target.named())?;
    Ok(ExitStatus::Success)
}

/// Prints what verification found; the exit status.
fn report(
    checked: Checked,
    what: &str,
    target: &Place,
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

pub(crate) fn verify(store_dir: &Path, args: &VerifyArgs, printer: &Printer) -> Result<ExitStatus> {
    let key = PublicKey::load(&args.key)?;
    let target = target(store_dir, &args.image, &args.registry)?;
    let checked = target.signatures(&key)?;
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
    let key = PublicKey::load(&args.key)?;
    let target = target(store_dir, &args.image, &args.registry)?;
    let checked = target.attestations(&key, &[predicate_type(args.kind)])?;
    report(
        checked,
        "attestation",
        &target,
        &args.key,
        args.format,
        printer,
    )
}
