//! `bosun pin`: `FROM` and `COPY --from=IMAGE` lines of Dockerfiles pinned to
//! `name:tag@sha256:...` by asking the registry, with the file's formatting and comments kept.
//! `--check` changes nothing and exits 1 when something is unpinned or a pinned tag moved.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use bosun_dockerfile::pin::{rewrite, sites, split_digest};
use serde::Serialize;

use crate::cli::{Format, RegistryArgs};
use crate::{ExitStatus, Printer, settings};

/// One image reference found in a Dockerfile, and what pin made of it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Pin {
    pub(crate) file: String,
    pub(crate) line: usize,
    /// As written.
    pub(crate) image: String,
    /// The digest the tag points at now (when asked).
    pub(crate) digest: Option<String>,
    /// `pinned` (written now), `unpinned` (with --check), `current` (pinned and the tag still
    /// points there), `moved` (pinned, the tag points elsewhere now), `skipped`.
    pub(crate) status: &'static str,
    /// Why it was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
}

pub(crate) fn run(
    files: &[String],
    check: bool,
    update: bool,
    format: Format,
    registry: &RegistryArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let client = settings::registry_client(registry)?;
    // Each distinct `name:tag` is asked once, however many files name it.
    let mut digests: BTreeMap<String, String> = BTreeMap::new();
    let mut resolve = |name: &str| -> Result<String> {
        if let Some(d) = digests.get(name) {
            return Ok(d.clone());
        }
        // A Dockerfile's short name means what Docker makes of it (`docker.io/library/...`),
        // whatever registries.conf searches; registries.conf may still map or mirror that.
        let qualified = bosun_registry::Reference::docker_normalize(name);
        let located = client.locate(&qualified)?;
        let object = located.object();
        let repo = located.repository;
        let (digest, _) = repo
            .resolve(&object)?
            .with_context(|| format!("{name}: not found"))?;
        digests.insert(name.to_string(), digest.to_string());
        Ok(digest.to_string())
    };
    let mut pins = Vec::new();
    for file in files {
        let path = Path::new(file);
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {file}"))?;
        let (found, skipped) = sites(&text).map_err(|e| anyhow::anyhow!("{file}:{e}"))?;
        for (line, image, reason) in skipped {
            printer.warn(&format!("{file}:{line}: {image} left alone: {reason}"));
            pins.push(Pin {
                file: file.clone(),
                line,
                image,
                digest: None,
                status: "skipped",
                reason: Some(reason),
            });
        }
        let mut changes = Vec::new();
        for site in found {
            let (name, pinned) = split_digest(&site.image);
            let now = resolve(name)
                .with_context(|| format!("{file}:{}: cannot pin {}", site.line, site.image))?;
            let status = match pinned {
                Some(old) if old == now => "current",
                Some(_) if update && !check => "pinned",
                Some(_) => "moved",
                None if check => "unpinned",
                None => "pinned",
            };
            if status == "pinned" {
                changes.push((site.clone(), now.clone()));
            }
            pins.push(Pin {
                file: file.clone(),
                line: site.line,
                image: site.image.clone(),
                digest: Some(now),
                status,
                reason: None,
            });
        }
        if !changes.is_empty() {
            bosun_fs::write_atomic(path, rewrite(&text, &changes).as_bytes())
                .with_context(|| format!("cannot write {file}"))?;
        }
    }
    pins.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    match format {
        Format::Json => printer.data(&serde_json::to_string_pretty(&pins)?)?,
        Format::Table => {
            for p in &pins {
                let what = match (&p.digest, p.status) {
                    (_, "skipped") => {
                        format!("skipped: {}", p.reason.as_deref().unwrap_or_default())
                    }
                    (Some(d), "moved") => {
                        format!("moved: the tag now points at {d} (--update pins it)")
                    }
                    (Some(d), s) => format!("{s} {d}"),
                    (None, s) => s.to_string(),
                };
                printer.data(&format!("{}:{}  {}  {what}", p.file, p.line, p.image))?;
            }
        }
    }
    let stale = pins
        .iter()
        .any(|p| matches!(p.status, "unpinned" | "moved"));
    Ok(match check && stale {
        true => ExitStatus::Failure,
        false => ExitStatus::Success,
    })
}
