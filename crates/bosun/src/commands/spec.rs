//! `bosun spec`: the JSON Schema, the spec as bosun reads it, and spec files shared through
//! registries as OCI artifacts (`spec push`, and `include = ["docker://REF#FILE"]`).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use bosun_registry::Reference;

use crate::cli::{RegistryArgs, ShowFormat, SpecArgs};
use crate::specs::Pins;
use crate::{ExitStatus, Printer, settings};

/// The `artifactType` of the artifacts `spec push` makes.
const SPEC_ARTIFACT: &str = "application/vnd.bosun.spec.v1+toml";
/// The media type of each file in one.
const TOML: &str = "application/toml";

pub(crate) fn schema(printer: &Printer) -> Result<ExitStatus> {
    printer.data(&serde_json::to_string_pretty(&bosun_spec::json_schema())?)?;
    Ok(ExitStatus::Success)
}

pub(crate) fn show(
    spec: &SpecArgs,
    registry: &RegistryArgs,
    format: ShowFormat,
    arch: Option<&str>,
    printer: &Printer,
) -> Result<ExitStatus> {
    let spec = spec.load(registry, Pins::Locked)?;
    let spec = match arch {
        Some(arch) if !spec.debian.architectures.iter().any(|a| a == arch) => bail!(
            "--arch {arch}: the spec builds for {}",
            spec.debian.architectures.join(", ")
        ),
        Some(arch) => spec.for_arch(arch),
        None => &spec,
    };
    let text = match format {
        // A reviewer sees which files it was made of, and which bytes of them.
        ShowFormat::Toml => spec
            .includes()
            .iter()
            .map(|i| format!("# included: {} (sha256:{})\n", i.path, i.sha256))
            .chain([toml::to_string_pretty(spec)?])
            .collect::<String>(),
        ShowFormat::Json => serde_json::to_string_pretty(spec)?,
    };
    printer.data(text.trim_end())?;
    Ok(ExitStatus::Success)
}

/// Pushes spec files as one OCI artifact, each file a layer titled with its file name: what
/// `include = ["docker://HOST/REPO:TAG#core.toml"]` reads. The same files give the same
/// manifest digest.
pub(crate) fn push(
    target: &str,
    files: &[PathBuf],
    registry: &RegistryArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let reference = Reference::parse_target(target)?;
    let mut layers: Vec<(String, &str, Vec<u8>)> = Vec::new();
    for file in files {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let title = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .with_context(|| format!("{} names no file", file.display()))?;
        // A file that is not TOML would fail every spec that includes it: refuse it here.
        let text = std::str::from_utf8(&bytes)
            .with_context(|| format!("{} is not UTF-8 text", file.display()))?;
        toml::de::DeTable::parse(text)
            .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), e.message().trim()))?;
        if layers.iter().any(|(t, _, _)| *t == title) {
            bail!("two files are named {title}: an artifact holds each name once");
        }
        layers.push((title, TOML, bytes));
    }
    let client = settings::registry_client(registry)?;
    let repo = client.push_repository(&reference)?;
    let digest = repo.push_artifact(
        &reference.object(),
        SPEC_ARTIFACT,
        &layers,
        &Default::default(),
    )?;
    let pushed = format!("docker://{}@{digest}", reference.name());
    printer.status(&format!("pushed {} file(s) to {target}", files.len()));
    printer.data(&pushed)?;
    Ok(ExitStatus::Success)
}
