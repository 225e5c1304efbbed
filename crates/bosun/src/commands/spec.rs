//! `bosun spec`: the JSON Schema, the spec as bosun reads it, and spec files shared through
//! registries as OCI artifacts (`spec push`, and `include = ["docker://REF#FILE"]`).

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use bosun_oci::Digest;
use bosun_oci::layer::EntryKind;
use bosun_oci::model::Platform;
use bosun_registry::{Client, Reference, Repository};

use crate::cli::{RegistryArgs, ShowFormat, SpecArgs};
use crate::{ExitStatus, Printer, settings};

/// The `artifactType` of the artifacts `spec push` makes.
const SPEC_ARTIFACT: &str = "application/vnd.bosun.spec.v1+toml";
/// The media type of each file in one.
const TOML: &str = "application/toml";
/// The annotation that names a file of an artifact (as `oras push` sets it).
const TITLE: &str = "org.opencontainers.image.title";
/// The largest spec file bosun reads from a registry.
const MAX_FILE: u64 = 4 << 20;

pub(crate) fn schema(printer: &Printer) -> Result<ExitStatus> {
    printer.data(&schema_text()?)?;
    Ok(ExitStatus::Success)
}

/// The JSON Schema of bosun.toml as `spec schema` prints it and `init` writes it.
pub(crate) fn schema_text() -> Result<String> {
    Ok(serde_json::to_string_pretty(&bosun_spec::json_schema())?)
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
    let text = target.strip_prefix("docker://").with_context(|| {
        format!("{target:?}: give a registry reference as docker://HOST/REPO:TAG")
    })?;
    let reference = Reference::parse(text)?;
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
    let endpoint = client.options().conf.push_endpoint(&reference)?;
    let repo = client.repository(&endpoint)?.for_push();
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

/// Which manifest a registry include is read at.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pins {
    /// The one the lock beside the spec records, when it records one: what builds read.
    Locked,
    /// What each tag names now: what `bosun lock` reads.
    Fresh,
}

impl SpecArgs {
    /// Reads the spec and its includes, its variables set.
    pub(crate) fn load(&self, registry: &RegistryArgs, pins: Pins) -> Result<bosun_spec::Spec> {
        let from_env = std::env::var_os("BOSUN_INCLUDE_ROOTS").unwrap_or_default();
        let pinned = match pins {
            Pins::Locked => bosun_spec::Lockfile::load(&bosun_spec::lock_path(&self.file))
                .map(|lock| {
                    lock.includes
                        .into_iter()
                        .filter_map(|i| Some((i.path, i.digest?)))
                        .collect()
                })
                .unwrap_or_default(),
            Pins::Fresh => Default::default(),
        };
        let options = bosun_spec::LoadOptions {
            set: self.set.iter().cloned().collect(),
            include_roots: self
                .include_roots
                .iter()
                .cloned()
                .chain(std::env::split_paths(&from_env).filter(|p| !p.as_os_str().is_empty()))
                .collect(),
            fetcher: Some(std::sync::Arc::new(RegistryIncludes {
                registry: registry.clone(),
                client: OnceLock::new(),
                cache: settings::cache_dir().join("spec-includes-v1"),
            })),
            pinned,
        };
        Ok(bosun_spec::Spec::load_with(&self.file, &options)?)
    }
}

/// Reads registry includes, keeping each manifest and file it reads in the cache by digest:
/// a spec whose includes the lock pins is read again without the network.
struct RegistryIncludes {
    registry: RegistryArgs,
    client: OnceLock<Result<Client, String>>,
    cache: PathBuf,
}

impl RegistryIncludes {
    fn client(&self) -> Result<&Client, String> {
        self.client
            .get_or_init(|| settings::registry_client(&self.registry).map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// A cached blob, when the cache has it intact.
    fn cached(&self, digest: &Digest) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.cache_path(digest)).ok()?;
        (Digest::of(&bytes) == *digest).then_some(bytes)
    }

    fn cache_path(&self, digest: &Digest) -> PathBuf {
        self.cache.join(digest.as_str().replace(':', "-"))
    }

    fn keep(&self, bytes: &[u8]) {
        // A cache that cannot be written costs only the next read.
        let path = self.cache_path(&Digest::of(bytes));
        if std::fs::create_dir_all(&self.cache).is_ok() {
            let _ = bosun_fs::write_atomic(&path, bytes);
        }
    }

    /// The repository `reference` names, for reading at `digest`.
    fn repository(&self, reference: &str, digest: &Digest) -> Result<Repository> {
        let client = self.client().map_err(anyhow::Error::msg)?;
        let text = format!("{}@{digest}", Reference::parse(reference)?.name());
        Ok(client.locate(&text)?.repository)
    }

    fn read(&self, reference: &str, pin: Option<&str>, file: &str) -> Result<(String, Vec<u8>)> {
        let pin = pin.map(str::parse::<Digest>).transpose()?;
        let cached = pin.as_ref().and_then(|d| self.cached(d));
        let mut repo = None;
        let manifest = match cached {
            Some(bytes) => bytes,
            None => {
                let client = self.client().map_err(anyhow::Error::msg)?;
                // A pinned read asks for the digest, wherever the tag is now.
                let text = match &pin {
                    Some(d) => format!("{}@{d}", Reference::parse(reference)?.name()),
                    None => reference.to_string(),
                };
                let located = client.locate(&text)?;
                let (r, object) = (located.repository, located.object);
                let fetched = r.manifest(&object)?;
                self.keep(&fetched.bytes);
                repo = Some(r);
                fetched.bytes
            }
        };
        let digest = Digest::of(&manifest);
        let parsed: serde_json::Value =
            serde_json::from_slice(&manifest).context("its manifest is not JSON")?;
        // An absolute path is a file of the image's filesystem; a name, a titled layer.
        if file.starts_with('/') {
            let bytes = self.image_file(reference, &digest, &parsed, repo, file)?;
            return Ok((digest.to_string(), bytes));
        }
        if parsed["manifests"].is_array() {
            bail!(
                "it names an index; give the artifact that holds {file}, or a path in the image (#/etc/...)"
            );
        }
        let layers = parsed["layers"].as_array().cloned().unwrap_or_default();
        let Some(layer) = layers.iter().find(|l| l["annotations"][TITLE] == file) else {
            let titles: Vec<&str> = layers
                .iter()
                .filter_map(|l| l["annotations"][TITLE].as_str())
                .collect();
            bail!(
                "the artifact has no file {file} (it has: {})",
                match titles.is_empty() {
                    true => "no titled files".to_string(),
                    false => titles.join(", "),
                }
            );
        };
        let blob: Digest = layer["digest"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .with_context(|| format!("the manifest gives {file} no digest"))?;
        let size = layer["size"].as_u64().unwrap_or(u64::MAX);
        if size > MAX_FILE {
            bail!("{file} is {size} bytes; a spec file is at most {MAX_FILE}");
        }
        if let Some(bytes) = self.cached(&blob) {
            return Ok((digest.to_string(), bytes));
        }
        let repo = match repo {
            Some(r) => r,
            None => self.repository(reference, &digest)?,
        };
        let mut bytes = Vec::with_capacity(size as usize);
        repo.fetch_blob(&blob, size, &mut bytes)?;
        self.keep(&bytes);
        Ok((digest.to_string(), bytes))
    }

    /// File `path` of the filesystem of the image `digest` names (`manifest` parsed): of an
    /// index, its first image, so that every machine reads the same file. The cache keeps
    /// which file that was, by manifest and path.
    fn image_file(
        &self,
        reference: &str,
        digest: &Digest,
        manifest: &serde_json::Value,
        repo: Option<Repository>,
        path: &str,
    ) -> Result<Vec<u8>> {
        let note = self.cache.join(format!(
            "{}-{}",
            digest.as_str().replace(':', "-"),
            Digest::of(path.as_bytes()).as_str().replace(':', "-")
        ));
        if let Some(bytes) = std::fs::read_to_string(&note)
            .ok()
            .and_then(|d| d.trim().parse::<Digest>().ok())
            .and_then(|d| self.cached(&d))
        {
            return Ok(bytes);
        }
        let platform: Option<Platform> = manifest["manifests"]
            .get(0)
            .and_then(|m| serde_json::from_value(m["platform"].clone()).ok());
        let repo = match repo {
            Some(r) => r,
            None => self.repository(reference, digest)?,
        };
        let image = bosun_oci::source::open_remote(
            &format!("docker://{reference}"),
            std::sync::Arc::new(bosun_registry::transfer::RemoteImage(repo)),
            digest.as_str(),
            platform.as_ref(),
        )?;
        let wanted = path.trim_start_matches('/');
        let tree = image.read_tree(&|p| p == wanted, MAX_FILE)?;
        let bytes = match tree.get(wanted).map(|e| &e.kind) {
            Some(EntryKind::File(bytes)) => bytes.clone(),
            Some(_) => bail!("{path} in the image is not a regular file"),
            None => bail!("the image has no {path}"),
        };
        self.keep(&bytes);
        let _ = bosun_fs::write_atomic(&note, Digest::of(&bytes).as_str().as_bytes());
        Ok(bytes)
    }
}

impl bosun_spec::IncludeFetcher for RegistryIncludes {
    fn fetch(
        &self,
        reference: &str,
        pin: Option<&str>,
        file: &str,
    ) -> Result<(String, Vec<u8>), String> {
        self.read(reference, pin, file)
            .map_err(|e| format!("{e:#}"))
    }
}
