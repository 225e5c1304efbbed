//! The advisory database carried through a registry as an OCI artifact (one gzip layer per
//! file, titled with its path), so that a fleet's CI jobs and machines without internet read
//! one copy; signed and checked as images are.

use std::io::Read;
use std::path::{Path, PathBuf};

use bosun_oci::Digest;
use bosun_oci::model::Descriptor;
use bosun_registry::files::TITLE;
use bosun_registry::{Client, Reference, Repository};
use bosun_sign::key::{PrivateKey, PublicKey};

use crate::Error;
use crate::db::{self, Db};

/// The artifact type of a database copy.
pub const ARTIFACT: &str = "application/vnd.bosun.vuln-db.v1";
/// One file of it.
const FILE: &str = "application/vnd.bosun.vuln-db.file.v1+gzip";
/// The most one file of a copy may inflate to (the tracker's releases are tens of MB).
const MAX_FILE: u64 = 2 << 30;

/// A database copy's manifest as read from the registry.
pub struct Copy {
    /// Where it was read.
    pub repository: Repository,
    /// Its manifest.
    pub descriptor: Descriptor,
    layers: Vec<serde_json::Value>,
}

fn invalid(what: impl std::fmt::Display, reason: impl std::fmt::Display) -> Error {
    Error::invalid(what, reason)
}

impl Copy {
    /// Reads the copy `reference` (`docker://` optional) names, refusing what is not one
    /// and, with `key`, one without a valid signature by that key (`key_name` in messages).
    pub fn open(
        client: &Client,
        reference: &str,
        key: Option<(&str, &PublicKey)>,
    ) -> Result<Copy, Error> {
        let text = reference.strip_prefix("docker://").unwrap_or(reference);
        let located = client.locate(text)?;
        let fetched = located.repository.manifest(&located.object())?;
        let manifest: serde_json::Value = serde_json::from_slice(&fetched.bytes)
            .map_err(|e| invalid(reference, format!("its manifest is not JSON: {e}")))?;
        if manifest["artifactType"] != ARTIFACT {
            return Err(Error::NotACopy {
                reference: reference.to_string(),
                artifact_type: manifest["artifactType"].to_string(),
            });
        }
        let descriptor = Descriptor {
            media_type: fetched.media_type,
            digest: fetched.digest,
            size: fetched.bytes.len() as u64,
            platform: None,
            annotations: Default::default(),
        };
        if let Some((name, key)) = key {
            let place =
                bosun_trust::Place::read_only(located.repository.clone(), descriptor.clone());
            let checked = place.signatures(key)?;
            if checked.accepted.is_empty() {
                return Err(Error::Unsigned {
                    reference: format!("{reference}@{}", descriptor.digest),
                    key: name.to_string(),
                    refused: checked.rejected,
                });
            }
        }
        let layers = manifest["layers"].as_array().cloned().unwrap_or_default();
        Ok(Copy {
            repository: located.repository,
            descriptor,
            layers,
        })
    }

    /// Downloads every file, each checked against its digest, and installs them in `dir`
    /// (only names a database holds; see [`db::install`]).
    pub fn install(&self, dir: &Path) -> Result<db::Meta, Error> {
        let mut files = Vec::new();
        for layer in &self.layers {
            let title = layer["annotations"][TITLE].as_str().ok_or_else(|| {
                invalid(&self.descriptor.digest, "a layer of the copy has no title")
            })?;
            if layer["mediaType"] != FILE {
                return Err(invalid(
                    title,
                    format!("media type {}, not {FILE}", layer["mediaType"]),
                ));
            }
            let digest: Digest = layer["digest"]
                .as_str()
                .unwrap_or_default()
                .parse()
                .map_err(|e| invalid(title, format!("no digest: {e}")))?;
            let size = layer["size"].as_u64().unwrap_or(u64::MAX);
            if size > MAX_FILE {
                return Err(invalid(
                    title,
                    format!("{size} bytes, more than a database file"),
                ));
            }
            let mut packed = Vec::with_capacity(size as usize);
            self.repository.fetch_blob(&digest, size, &mut packed)?;
            let mut bytes = Vec::new();
            flate2::read::GzDecoder::new(&packed[..])
                .take(MAX_FILE + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| invalid(title, format!("not gzip: {e}")))?;
            if bytes.len() as u64 > MAX_FILE {
                return Err(invalid(
                    title,
                    format!("inflates to more than {MAX_FILE} bytes"),
                ));
            }
            files.push((title.to_string(), bytes));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        db::install(dir, &files)
    }

    /// The copy installed in `cache` under its digest (a tag that moves brings the new copy;
    /// one already there is not downloaded again): its directory, and whether it was
    /// downloaded now.
    pub fn cached(&self, cache: &Path) -> Result<(PathBuf, bool), Error> {
        let dir = cache.join(self.descriptor.digest.hex());
        match Db::open(&dir) {
            Ok(_) => Ok((dir, false)),
            Err(_) => {
                self.install(&dir)?;
                Ok((dir, true))
            }
        }
    }
}

/// Pushes the database in `dir` as a copy under `reference`: the same database gives the
/// same digest (its creation time is its newest fetch, the gzip streams carry no time);
/// signed with `key` when given, as `bosun sign` signs (deterministically: a re-push adds
/// nothing). The copy's digest, and how many files it holds.
pub fn push(
    client: &Client,
    reference: &Reference,
    dir: &Path,
    key: Option<&PrivateKey>,
) -> Result<(Digest, usize), Error> {
    let opened = Db::open(dir)?;
    let mut files = Vec::new();
    for name in db::files(dir)? {
        let path = dir.join(&name);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &bytes)
            .and_then(|()| gz.finish())
            .map(|packed| files.push((name, FILE, packed)))
            .map_err(|e| Error::io(&path, e))?;
    }
    let created = bosun_oci::model::rfc3339(opened.fetched().unwrap_or(0));
    let annotations = [("org.opencontainers.image.created".to_string(), created)].into();
    let repo = client.push_repository(reference)?;
    let digest = repo.push_artifact(&reference.object(), ARTIFACT, &files, &annotations)?;
    if let Some(key) = key {
        let signature =
            bosun_trust::make::signature(key, &repo.display, &digest, &Default::default());
        bosun_trust::registry::push_to_tag(&repo, &digest, &[signature])?;
    }
    Ok((digest, files.len()))
}
