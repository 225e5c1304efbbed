//! The distribution spec's endpoints on one repository: manifests (get, head, put, delete),
//! blobs (head, streamed get with Range resume, mount, monolithic upload with a chunked
//! fallback) and tags.

use std::io::{self, Read, Write};

use bosun_oci::Digest;
use bosun_oci::model::{MEDIA_INDEX, MEDIA_MANIFEST};
use sha2::{Digest as _, Sha256};
use ureq::http::{Response, StatusCode};

use crate::Error;
use crate::client::{Payload, Repository, header, read_limited};

/// Docker's schema 2 manifest.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker's manifest list.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Manifests bigger than this are refused (the spec suggests registries cap at 4 MiB).
pub(crate) const MAX_MANIFEST: u64 = 4 << 20;
/// What a chunked upload sends per request.
const CHUNK: u64 = 16 << 20;

/// A manifest or index as the registry serves it.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The exact bytes (their digest is the manifest's digest).
    pub bytes: Vec<u8>,
    /// The media type (`Content-Type`, else the document's `mediaType`).
    pub media_type: String,
    /// The sha256 of `bytes`.
    pub digest: Digest,
}

/// How a blob got to the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// It was there already.
    Existed,
    /// Mounted from another repository of the same registry.
    Mounted,
    /// Uploaded.
    Uploaded,
}

/// Whether a media type is an index (OCI or Docker).
pub fn is_index(media_type: &str) -> bool {
    media_type == MEDIA_INDEX || media_type == DOCKER_LIST
}

const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

impl Repository {
    fn status_error(&self, what: &str, response: Response<ureq::Body>) -> Error {
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Error::NotFound {
                reference: what.to_string(),
            };
        }
        // The spec's error body: {"errors":[{"code":..,"message":..}]}.
        let message = read_limited(response, 64 << 10)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| {
                let e = v.get("errors")?.get(0)?;
                let code = e.get("code").and_then(|c| c.as_str()).unwrap_or_default();
                let msg = e
                    .get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or_default();
                Some(format!("{code} {msg}").trim().to_string())
            })
            .unwrap_or_default();
        Error::Status {
            reference: what.to_string(),
            status: status.as_u16(),
            message,
        }
    }

    /// `host/name:tag` or `host/name@digest` for messages.
    fn named(&self, object: &str) -> String {
        match object.starts_with("sha256:") {
            true => format!("{}@{object}", self.display),
            false => format!("{}:{object}", self.display),
        }
    }

    /// Fetches a manifest or index by tag or digest; the bytes are checked against the
    /// digest asked for, and against the `Docker-Content-Digest` the registry sends.
    pub fn manifest(&self, object: &str) -> Result<Fetched, Error> {
        let what = self.named(object);
        let url = self.url(&format!("manifests/{object}"))?;
        let response = self.send(
            "GET",
            &url,
            &[("accept", ACCEPT.into())],
            &self.scope(false),
            &mut || Ok(Payload::Empty),
        )?;
        if !response.status().is_success() {
            return Err(self.status_error(&what, response));
        }
        let content_type = header(response.headers(), "content-type")
            .map(|c| c.split(';').next().unwrap_or_default().trim().to_string());
        let claimed = header(response.headers(), "docker-content-digest").map(str::to_string);
        let bytes = read_limited(response, MAX_MANIFEST).map_err(|e| Error::Transfer {
            reference: what.clone(),
            source: e,
        })?;
        let digest = Digest::of(&bytes);
        let expected = object
            .parse::<Digest>()
            .ok()
            .or_else(|| claimed.and_then(|c| c.parse().ok()));
        if let Some(expected) = expected
            && expected != digest
        {
            return Err(Error::DigestMismatch {
                reference: what,
                expected,
                actual: digest,
            });
        }
        let media_type = match content_type.filter(|c| c.starts_with("application/vnd.")) {
            Some(c) => c,
            None => serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("mediaType")?.as_str().map(str::to_string))
                .unwrap_or_else(|| MEDIA_MANIFEST.to_string()),
        };
        Ok(Fetched {
            bytes,
            media_type,
            digest,
        })
    }

    /// The digest a tag (or digest) points at, from a HEAD request when the registry says it,
    /// else from the manifest itself. `None` when there is no such manifest.
    pub fn resolve(&self, object: &str) -> Result<Option<(Digest, String)>, Error> {
        let url = self.url(&format!("manifests/{object}"))?;
        let response = self.send(
            "HEAD",
            &url,
            &[("accept", ACCEPT.into())],
            &self.scope(false),
            &mut || Ok(Payload::Empty),
        )?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            return Err(self.status_error(&self.named(object), response));
        }
        let digest =
            header(response.headers(), "docker-content-digest").and_then(|d| d.parse().ok());
        let media_type = header(response.headers(), "content-type").map(str::to_string);
        match (digest, media_type) {
            (Some(d), Some(m)) => Ok(Some((d, m))),
            _ => self
                .manifest(object)
                .map(|f| Some((f.digest, f.media_type))),
        }
    }

    /// Uploads a manifest under `object` (a tag, or its digest).
    /// Returns whether the registry answered with `OCI-Subject`: it keeps the referrers of a
    /// manifest with a `subject` itself (the OCI 1.1 referrers API).
    pub fn put_manifest(
        &self,
        object: &str,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<bool, Error> {
        let what = self.named(object);
        let url = self.url(&format!("manifests/{object}"))?;
        let response = self.send(
            "PUT",
            &url,
            &[("content-type", media_type.to_string())],
            &self.scope(true),
            &mut || Ok(Payload::Bytes(bytes)),
        )?;
        if !response.status().is_success() {
            return Err(self.status_error(&what, response));
        }
        if let Some(claimed) = header(response.headers(), "docker-content-digest")
            .and_then(|d| d.parse::<Digest>().ok())
        {
            let ours = Digest::of(bytes);
            if claimed != ours {
                return Err(Error::DigestMismatch {
                    reference: what,
                    expected: ours,
                    actual: claimed,
                });
            }
        }
        Ok(header(response.headers(), "oci-subject").is_some())
    }

    /// Pushes an OCI artifact of files: each file a layer of `media_type` titled with its
    /// name (`org.opencontainers.image.title`, as oras names them), an empty config, the
    /// manifest under `object` unless it holds these bytes already. The same files give the
    /// same digest, which is returned.
    pub fn push_artifact(
        &self,
        object: &str,
        artifact_type: &str,
        files: &[(String, &str, Vec<u8>)],
        annotations: &std::collections::BTreeMap<String, String>,
    ) -> Result<Digest, Error> {
        const EMPTY: &[u8] = b"{}";
        let layers: Vec<serde_json::Value> = files
            .iter()
            .map(|(title, media_type, bytes)| {
                serde_json::json!({
                    "mediaType": media_type, "digest": Digest::of(bytes), "size": bytes.len(),
                    "annotations": { crate::files::TITLE: title },
                })
            })
            .collect();
        let mut manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": bosun_oci::model::MEDIA_MANIFEST,
            "artifactType": artifact_type,
            "config": { "mediaType": "application/vnd.oci.empty.v1+json", "digest": Digest::of(EMPTY), "size": EMPTY.len() },
            "layers": layers,
        });
        if !annotations.is_empty() {
            manifest["annotations"] = serde_json::json!(annotations);
        }
        let bytes = serde_json::to_vec(&manifest).expect("a manifest serializes");
        for blob in files.iter().map(|(_, _, b)| b.as_slice()).chain([EMPTY]) {
            let owned = blob.to_vec();
            let open = move || -> io::Result<Box<dyn Read + Send>> {
                Ok(Box::new(io::Cursor::new(owned.clone())))
            };
            self.push_blob(&Digest::of(blob), blob.len() as u64, None, &open)?;
        }
        self.put_manifest_if_changed(object, &bytes, bosun_oci::model::MEDIA_MANIFEST)?;
        Ok(Digest::of(&bytes))
    }

    /// Uploads a manifest under `object` unless `object` already names these bytes (a HEAD
    /// answers that): a re-publish of what the registry has writes nothing. Returns whether
    /// it uploaded.
    pub fn put_manifest_if_changed(
        &self,
        object: &str,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<bool, Error> {
        if self
            .resolve(object)?
            .is_some_and(|(digest, _)| digest == Digest::of(bytes))
        {
            return Ok(false);
        }
        self.put_manifest(object, bytes, media_type)?;
        Ok(true)
    }

    /// Puts an artifact manifest (one with a `subject`) by its digest. A registry that keeps
    /// referrers itself says so (`OCI-Subject`); for one that does not, the OCI 1.1 fallback:
    /// the index tagged `sha256-<hex of the subject>` lists it, beside what it listed before.
    /// A manifest the registry has already was put (and listed) by an earlier push: nothing
    /// is written again.
    pub fn put_referrer(&self, bytes: &[u8], media_type: &str) -> Result<(), Error> {
        let digest = Digest::of(bytes);
        if self.resolve(digest.as_str())?.is_some() {
            return Ok(());
        }
        let kept = self.put_manifest(digest.as_str(), bytes, media_type)?;
        let manifest: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| Error::Protocol {
                reference: self.named(digest.as_str()),
                reason: format!("not JSON: {e}"),
            })?;
        let Some(subject) = manifest.pointer("/subject/digest").and_then(|d| d.as_str()) else {
            return Ok(());
        };
        if kept {
            return Ok(());
        }
        let mut entry = serde_json::json!({
            "mediaType": media_type, "digest": digest, "size": bytes.len(),
        });
        if let Some(t) = manifest.get("artifactType") {
            entry["artifactType"] = t.clone();
        }
        if let Some(a) = manifest
            .get("annotations")
            .filter(|a| a.as_object().is_some_and(|o| !o.is_empty()))
        {
            entry["annotations"] = a.clone();
        }
        let tag = subject.replace(':', "-");
        let mut listed: Vec<serde_json::Value> = match self.manifest(&tag) {
            Ok(existing) => serde_json::from_slice::<serde_json::Value>(&existing.bytes)
                .ok()
                .and_then(|v| v.get("manifests").and_then(|m| m.as_array()).cloned())
                .unwrap_or_default(),
            Err(Error::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        if listed
            .iter()
            .any(|l| l.get("digest") == entry.get("digest"))
        {
            return Ok(());
        }
        listed.push(entry);
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": bosun_oci::model::MEDIA_INDEX,
            "manifests": listed,
        });
        let bytes = serde_json::to_vec(&index).expect("JSON");
        self.put_manifest(&tag, &bytes, bosun_oci::model::MEDIA_INDEX)?;
        Ok(())
    }

    /// The artifacts about a manifest (OCI 1.1): from the referrers API, else from the
    /// fallback index tagged `sha256-<hex>`; none when the registry has neither.
    pub fn referrers(&self, digest: &Digest) -> Result<Vec<serde_json::Value>, Error> {
        let url = self.url(&format!("referrers/{digest}"))?;
        let response = self.send(
            "GET",
            &url,
            &[("accept", MEDIA_INDEX.to_string())],
            &self.scope(false),
            &mut || Ok(Payload::Empty),
        )?;
        let index = if response.status().is_success() {
            read_limited(response, MAX_MANIFEST).map_err(|e| self.io_error(e))?
        } else {
            match self.manifest(&digest.as_str().replace(':', "-")) {
                Ok(f) => f.bytes,
                Err(Error::NotFound { .. }) => return Ok(Vec::new()),
                Err(e) => return Err(e),
            }
        };
        let index: serde_json::Value =
            serde_json::from_slice(&index).map_err(|e| Error::Protocol {
                reference: self.named(digest.as_str()),
                reason: format!("the referrers index is not JSON: {e}"),
            })?;
        Ok(index
            .get("manifests")
            .and_then(|m| m.as_array())
            .cloned()
            .unwrap_or_default())
    }

    /// Deletes a manifest by digest (the registry must allow deletes).
    pub fn delete_manifest(&self, digest: &Digest) -> Result<(), Error> {
        let url = self.url(&format!("manifests/{digest}"))?;
        // Distribution asks token servers for a `delete` action on deletes.
        let scope = format!("repository:{}:delete", self.name);
        let response = self.send("DELETE", &url, &[], &scope, &mut || Ok(Payload::Empty))?;
        match response.status().is_success() {
            true => Ok(()),
            false => Err(self.status_error(&self.named(digest.as_str()), response)),
        }
    }

    /// Every tag of the repository, following `Link` pagination.
    pub fn tags(&self) -> Result<Vec<String>, Error> {
        #[derive(serde::Deserialize)]
        struct TagList {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let mut url = self.url("tags/list?n=1000")?;
        let mut out = Vec::new();
        // Bounded: a registry that links in a circle stops here.
        for _ in 0..10_000 {
            let response = self.send("GET", &url, &[], &self.scope(false), &mut || {
                Ok(Payload::Empty)
            })?;
            if !response.status().is_success() {
                return Err(self.status_error(&self.display, response));
            }
            let next = header(response.headers(), "link").and_then(next_link);
            let bytes = read_limited(response, 64 << 20).map_err(|e| self.io_error(e))?;
            let page: TagList = serde_json::from_slice(&bytes).map_err(|e| Error::Protocol {
                reference: self.display.clone(),
                reason: format!("the tag list is not JSON: {e}"),
            })?;
            out.extend(page.tags.unwrap_or_default());
            match next {
                Some(next) => url = self.location(&next)?,
                None => return Ok(out),
            }
        }
        Ok(out)
    }

    fn io_error(&self, e: io::Error) -> Error {
        Error::Transfer {
            reference: self.display.clone(),
            source: e,
        }
    }

    /// The size of a blob when the repository has it.
    pub fn blob_size(&self, digest: &Digest) -> Result<Option<u64>, Error> {
        let url = self.url(&format!("blobs/{digest}"))?;
        let response = self.send("HEAD", &url, &[], &self.scope(false), &mut || {
            Ok(Payload::Empty)
        })?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => Ok(Some(
                header(response.headers(), "content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0),
            )),
            _ => Err(self.status_error(&self.named(digest.as_str()), response)),
        }
    }

    /// A blob as a stream that resumes with `Range` after a dropped connection. The caller
    /// checks the digest ([`Repository::fetch_blob`] does).
    pub fn open_blob(&self, digest: &Digest, size: Option<u64>) -> Result<BlobStream, Error> {
        let mut stream = BlobStream {
            repo: self.clone(),
            digest: digest.clone(),
            size,
            offset: 0,
            body: None,
            resumes: 0,
        };
        stream.connect()?;
        Ok(stream)
    }

    /// Streams a blob into `out`, hashing as it goes; fails (having written at most `size`
    /// bytes) when the bytes do not match the digest or the size.
    pub fn fetch_blob(&self, digest: &Digest, size: u64, out: &mut dyn Write) -> Result<(), Error> {
        let what = self.named(digest.as_str());
        let mut stream = self.open_blob(digest, Some(size))?.take(size + 1);
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut total = 0u64;
        loop {
            let n = stream.read(&mut buf).map_err(|e| Error::Transfer {
                reference: what.clone(),
                source: e,
            })?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > size {
                return Err(Error::Protocol {
                    reference: what,
                    reason: format!(
                        "the registry sent more than the {size} bytes the manifest says"
                    ),
                });
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
        }
        if total < size {
            return Err(Error::Protocol {
                reference: what,
                reason: format!("the registry sent {total} of the {size} bytes the manifest says"),
            });
        }
        let actual = Digest::from_hasher(hasher);
        if &actual != digest {
            return Err(Error::DigestMismatch {
                reference: what,
                expected: digest.clone(),
                actual,
            });
        }
        Ok(())
    }

    /// Puts a blob in the repository: nothing when it is there, a mount when `mount_from`
    /// (another repository of this registry) has it, else an upload of what `open` reads.
    pub fn push_blob(
        &self,
        digest: &Digest,
        size: u64,
        mount_from: Option<&str>,
        open: &dyn Fn() -> io::Result<Box<dyn Read + Send>>,
    ) -> Result<Pushed, Error> {
        if self.blob_size(digest)?.is_some() {
            return Ok(Pushed::Existed);
        }
        let what = self.named(digest.as_str());
        let mut session = None;
        if let Some(from) = mount_from.filter(|f| *f != self.name) {
            let url = self.url(&format!(
                "blobs/uploads/?mount={digest}&from={}",
                crate::client::percent_encode(from)
            ))?;
            let scope = format!("{} repository:{from}:pull", self.scope(true));
            let response = self.send("POST", &url, &[], &scope, &mut || Ok(Payload::Empty))?;
            match response.status() {
                StatusCode::CREATED => return Ok(Pushed::Mounted),
                StatusCode::ACCEPTED => {
                    session = header(response.headers(), "location").map(str::to_string)
                }
                _ => {} // a registry without mounts: upload
            }
        }
        let location = match session {
            Some(l) => l,
            None => self.start_upload(&what)?,
        };
        match self.upload_whole(&what, &location, digest, size, open) {
            Ok(()) => Ok(Pushed::Uploaded),
            // Some registries (and proxies in front of them) refuse large single requests.
            Err(Error::Status {
                status: 400 | 405 | 411 | 413 | 416,
                ..
            }) => {
                let location = self.start_upload(&what)?;
                self.upload_chunked(&what, &location, digest, size, open)?;
                Ok(Pushed::Uploaded)
            }
            Err(e) => Err(e),
        }
    }

    fn start_upload(&self, what: &str) -> Result<String, Error> {
        let url = self.url("blobs/uploads/")?;
        let response = self.send("POST", &url, &[], &self.scope(true), &mut || {
            Ok(Payload::Empty)
        })?;
        if response.status() != StatusCode::ACCEPTED {
            return Err(self.status_error(what, response));
        }
        header(response.headers(), "location")
            .map(str::to_string)
            .ok_or_else(|| Error::Protocol {
                reference: what.to_string(),
                reason: "the upload session has no Location".into(),
            })
    }

    fn with_digest(&self, location: &str, digest: &Digest) -> Result<String, Error> {
        let url = self.location(location)?;
        let sep = if url.contains('?') { '&' } else { '?' };
        Ok(format!(
            "{url}{sep}digest={}",
            crate::client::percent_encode(digest.as_str())
        ))
    }

    fn upload_whole(
        &self,
        what: &str,
        location: &str,
        digest: &Digest,
        size: u64,
        open: &dyn Fn() -> io::Result<Box<dyn Read + Send>>,
    ) -> Result<(), Error> {
        let url = self.with_digest(location, digest)?;
        let response = self.send(
            "PUT",
            &url,
            &[("content-type", "application/octet-stream".into())],
            &self.scope(true),
            &mut || Ok(Payload::Stream(open()?, size)),
        )?;
        match response.status() {
            StatusCode::CREATED | StatusCode::NO_CONTENT | StatusCode::OK => Ok(()),
            _ => Err(self.status_error(what, response)),
        }
    }

    fn upload_chunked(
        &self,
        what: &str,
        location: &str,
        digest: &Digest,
        size: u64,
        open: &dyn Fn() -> io::Result<Box<dyn Read + Send>>,
    ) -> Result<(), Error> {
        let mut reader = open()?;
        let mut location = location.to_string();
        let mut offset = 0u64;
        let mut chunk = Vec::new();
        while offset < size {
            let len = CHUNK.min(size - offset);
            chunk.clear();
            (&mut reader).take(len).read_to_end(&mut chunk)?;
            if chunk.len() as u64 != len {
                return Err(Error::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("{what}: the blob ended before {size} bytes"),
                )));
            }
            let url = self.location(&location)?;
            let range = format!("{offset}-{}", offset + len - 1);
            let response = self.send(
                "PATCH",
                &url,
                &[
                    ("content-type", "application/octet-stream".into()),
                    ("content-range", range),
                ],
                &self.scope(true),
                &mut || Ok(Payload::Bytes(&chunk)),
            )?;
            if response.status() != StatusCode::ACCEPTED {
                return Err(self.status_error(what, response));
            }
            location = header(response.headers(), "location")
                .map(str::to_string)
                .unwrap_or(location);
            offset += len;
        }
        let url = self.with_digest(&location, digest)?;
        let response = self.send("PUT", &url, &[], &self.scope(true), &mut || {
            Ok(Payload::Empty)
        })?;
        match response.status().is_success() {
            true => Ok(()),
            false => Err(self.status_error(what, response)),
        }
    }
}

/// `<url>; rel="next"` from a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params.contains("rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// A blob being downloaded; a broken connection is picked up where it stopped (`Range`),
/// at most a few times per blob.
pub struct BlobStream {
    repo: Repository,
    digest: Digest,
    /// When known, a clean end before it is a dropped connection too.
    size: Option<u64>,
    offset: u64,
    body: Option<ureq::BodyReader<'static>>,
    resumes: u32,
}

const MAX_RESUMES: u32 = 5;

impl BlobStream {
    fn connect(&mut self) -> Result<(), Error> {
        let what = self.repo.named(self.digest.as_str());
        let url = self.repo.url(&format!("blobs/{}", self.digest))?;
        let mut headers = Vec::new();
        if self.offset > 0 {
            headers.push(("range", format!("bytes={}-", self.offset)));
        }
        let response =
            self.repo
                .send("GET", &url, &headers, &self.repo.scope(false), &mut || {
                    Ok(Payload::Empty)
                })?;
        match response.status() {
            StatusCode::OK if self.offset > 0 => {
                // The server ignored the Range: skip what we already have.
                let mut body = response.into_body().into_reader();
                io::copy(&mut (&mut body).take(self.offset), &mut io::sink())?;
                self.body = Some(body);
            }
            StatusCode::OK | StatusCode::PARTIAL_CONTENT => {
                self.body = Some(response.into_body().into_reader());
            }
            _ => return Err(self.repo.status_error(&what, response)),
        }
        Ok(())
    }
}

impl Read for BlobStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let body = match &mut self.body {
                Some(b) => b,
                None => return Ok(0),
            };
            match body.read(buf) {
                Ok(0)
                    if self.size.is_some_and(|s| self.offset < s) && self.resumes < MAX_RESUMES => {
                }
                Ok(n) => {
                    self.offset += n as u64;
                    return Ok(n);
                }
                Err(e) if self.resumes >= MAX_RESUMES => return Err(e),
                Err(e) => {
                    tracing::debug!(digest = %self.digest, offset = self.offset, error = %e, "resuming")
                }
            }
            self.resumes += 1;
            self.body = None;
            self.connect().map_err(io::Error::other)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        assert_eq!(
            next_link(r#"</v2/a/tags/list?n=2&last=b>; rel="next""#).as_deref(),
            Some("/v2/a/tags/list?n=2&last=b")
        );
        assert_eq!(next_link(r#"</x>; rel="prev""#), None);
    }
}
