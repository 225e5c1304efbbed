//! HTTP downloads with retries, and the content-addressed `.deb` cache.
//!
//! Cache layout (shared by every project of a user; the version is in the directory name so a
//! format change never misreads old entries):
//!
//! ```text
//! <cache>/debs-v1/<sha256>.deb     a .deb, named by the sha256 of its bytes
//! <cache>/debs-zstd-v1/<sha256>.deb the same package with its data.tar recompressed with zstd
//! <cache>/indexes-v1/<sha256>      a Packages index by its sha256 (uncompressed when the
//!                                  release lists the plain file's hash, else as served)
//! <cache>/changing-v1/<sha256(url)> the last copy of a file that changes in place (InRelease),
//!         <sha256(url)>.validators  with its sha256, ETag and Last-Modified lines
//! ```

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::Error;

/// Receives download progress. Every method has a no-op default.
pub trait Reporter: Send + Sync {
    /// A download of `size` bytes starts.
    fn on_download_start(&self, _name: &str, _size: u64) {}
    /// `bytes` more bytes arrived.
    fn on_download_progress(&self, _name: &str, _bytes: u64) {}
    /// The download finished (or was found in the cache).
    fn on_download_complete(&self, _name: &str) {}
}

/// A reporter that reports nothing.
pub struct NoReporter;
impl Reporter for NoReporter {}

/// An HTTP client with bounded retries and exponential backoff.
#[derive(Clone)]
pub struct Fetcher {
    agent: ureq::Agent,
    retries: u32,
    backoff: Duration,
}

impl Default for Fetcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Fetcher {
    /// A client with 3 retries and a 10 s connect timeout, which looks each host up once and
    /// keeps connections alive ([`bosun_http::agent`]).
    pub fn new() -> Self {
        let agent = bosun_http::agent(
            ureq::Agent::config_builder()
                .max_idle_connections_per_host(bosun_http::CONNECTIONS_PER_HOST)
                .timeout_connect(Some(Duration::from_secs(10)))
                .timeout_recv_body(Some(Duration::from_secs(300)))
                .tls_config(bosun_http::system_tls())
                .user_agent(bosun_http::USER_AGENT)
                .build(),
        );
        Self {
            agent,
            retries: 3,
            backoff: Duration::from_millis(250),
        }
    }

    /// Sets how many times a failed request is retried and the first backoff delay.
    pub fn with_retries(mut self, retries: u32, backoff: Duration) -> Self {
        self.retries = retries;
        self.backoff = backoff;
        self
    }

    /// Downloads `url` into memory (at most `limit` bytes).
    pub fn get(&self, url: &str, limit: u64) -> Result<Vec<u8>, Error> {
        self.with_retry(url, || {
            let mut response = self.agent.get(url).call()?;
            response.body_mut().with_config().limit(limit).read_to_vec()
        })
    }

    /// Downloads `url` unless it still has the validators of the copy we hold (`ETag` or
    /// `Last-Modified`, sent back as `If-None-Match` / `If-Modified-Since`).
    pub fn get_if_changed(
        &self,
        url: &str,
        limit: u64,
        known: &Validators,
    ) -> Result<Fetched, Error> {
        self.with_retry(url, || {
            let mut request = self.agent.get(url);
            if let Some(etag) = &known.etag {
                request = request.header("If-None-Match", etag);
            }
            if let Some(date) = &known.last_modified {
                request = request.header("If-Modified-Since", date);
            }
            let mut response = request.call()?;
            if response.status() == 304 {
                return Ok(Fetched::Unchanged);
            }
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let validators = Validators {
                etag: header("etag"),
                last_modified: header("last-modified"),
            };
            let body = response
                .body_mut()
                .with_config()
                .limit(limit)
                .read_to_vec()?;
            Ok(Fetched::Changed(body, validators))
        })
    }

    /// Streams `url` into `file` (emptied before each try), calling `progress` with each
    /// chunk's length; retried as [`Fetcher::get`] is, for downloads too big to hold.
    pub fn download(
        &self,
        url: &str,
        file: &mut std::fs::File,
        progress: &dyn Fn(u64),
    ) -> Result<(), Error> {
        use std::io::Seek;
        self.streamed(url, || {
            file.set_len(0)
                .and_then(|()| file.rewind())
                .map_err(|e| Error::io(Path::new(url), e))?;
            self.get_into(url, file, progress)
        })
    }

    /// Runs a streamed download (`attempt` starts it over each time) until it succeeds, it
    /// fails for good, or the retries run out: a broken transfer, 429 and 5xx are retried.
    fn streamed(
        &self,
        url: &str,
        mut attempt: impl FnMut() -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut tries = 0;
        loop {
            match attempt() {
                Err(
                    e @ (Error::Http { .. }
                    | Error::Status {
                        code: 429 | 500..=599,
                        ..
                    }),
                ) if tries < self.retries => {
                    tracing::debug!(url, error = %e, "retrying");
                    std::thread::sleep(self.backoff * 2u32.pow(tries));
                    tries += 1;
                }
                other => return other,
            }
        }
    }

    /// Streams `url` into `out`, calling `progress` with each chunk's length.
    fn get_into(
        &self,
        url: &str,
        out: &mut dyn Write,
        progress: &dyn Fn(u64),
    ) -> Result<(), Error> {
        let mut response = self.agent.get(url).call().map_err(|e| http_error(url, e))?;
        let mut reader = response.body_mut().as_reader();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = reader.read(&mut buf).map_err(|e| Error::Http {
                url: url.into(),
                reason: e.to_string(),
            })?;
            if n == 0 {
                return Ok(());
            }
            out.write_all(&buf[..n]).map_err(|e| Error::Io {
                path: PathBuf::from(url),
                source: e,
            })?;
            progress(n as u64);
        }
    }

    fn with_retry<T>(
        &self,
        url: &str,
        mut f: impl FnMut() -> Result<T, ureq::Error>,
    ) -> Result<T, Error> {
        let mut attempt = 0;
        loop {
            match f() {
                Ok(v) => return Ok(v),
                Err(e) if attempt < self.retries && retryable(&e) => {
                    tracing::debug!(url, attempt, error = %e, "retrying");
                    std::thread::sleep(self.backoff * 2u32.pow(attempt));
                    attempt += 1;
                }
                Err(e) => return Err(http_error(url, e)),
            }
        }
    }
}

fn retryable(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::StatusCode(code) => *code == 429 || *code >= 500,
        ureq::Error::Io(_)
        | ureq::Error::Timeout(_)
        | ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound => true,
        _ => false,
    }
}

fn http_error(url: &str, e: ureq::Error) -> Error {
    match e {
        ureq::Error::StatusCode(code) => Error::Status {
            url: url.into(),
            code,
        },
        other => Error::Http {
            url: url.into(),
            reason: other.to_string(),
        },
    }
}

/// What identifies one version of a resource to its server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
}

/// The outcome of [`Fetcher::get_if_changed`].
#[derive(Debug)]
pub enum Fetched {
    /// The server still has the version we hold.
    Unchanged,
    /// A new body, and what identifies it.
    Changed(Vec<u8>, Validators),
}

/// One file to fetch into the cache, named and checked by its sha256.
#[derive(Debug, Clone)]
pub struct CacheRequest {
    /// Name for progress and errors (`python3_3.13.5-1_amd64.deb`).
    pub name: String,
    /// Where to download it from.
    pub url: String,
    /// Expected size.
    pub size: u64,
    /// Expected sha256, hex.
    pub sha256: String,
    /// Where to look when `url` answers that the file is gone (404, 410): a snapshot
    /// archive, for packages the mirror has dropped since they were locked.
    pub fallback: Option<String>,
}

impl CacheRequest {
    /// A package file `filename` of the archive at `root`, named `NAME_VERSION_ARCH.deb`.
    pub fn package(
        (name, version, architecture): (&str, &str, &str),
        root: &str,
        filename: &str,
        size: u64,
        sha256: &str,
    ) -> Self {
        CacheRequest {
            name: format!("{name}_{version}_{architecture}.deb"),
            url: format!("{}/{filename}", root.trim_end_matches('/')),
            size,
            sha256: sha256.to_string(),
            fallback: None,
        }
    }
}

/// A content-addressed cache of downloaded files.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// A cache rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The cache's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a `.deb` with this sha256 lives.
    pub fn deb_path(&self, sha256: &str) -> PathBuf {
        self.root.join("debs-v1").join(format!("{sha256}.deb"))
    }

    /// Fetches a file that changes in place, such as `InRelease`, with a conditional request
    /// when the cache holds a copy whose server gave validators: an unchanged file costs a
    /// 304 and no body. The copy is only a hint of what we hold; callers verify what they get.
    pub fn changing(&self, fetcher: &Fetcher, url: &str, limit: u64) -> Result<Vec<u8>, Error> {
        let key = hex::encode(Sha256::digest(url.as_bytes()));
        let dir = self.root.join("changing-v1");
        let (body_path, meta_path) = (dir.join(&key), dir.join(format!("{key}.validators")));
        // The validators file names the body's sha256, so a body and validators written by
        // two processes at once can never be taken for each other.
        let held = std::fs::read_to_string(&meta_path).ok().and_then(|meta| {
            let mut lines = meta.lines();
            let sha256 = lines.next()?.to_string();
            let field = |l: Option<&str>| l.filter(|v| !v.is_empty()).map(str::to_string);
            let validators = Validators {
                etag: field(lines.next()),
                last_modified: field(lines.next()),
            };
            let body = std::fs::read(&body_path).ok()?;
            (hex::encode(Sha256::digest(&body)) == sha256).then_some((body, validators))
        });
        let known = held.as_ref().map(|(_, v)| v.clone()).unwrap_or_default();
        match fetcher.get_if_changed(url, limit, &known)? {
            Fetched::Unchanged => match held {
                Some((body, _)) => Ok(body),
                // A 304 to a request that asked for nothing conditional: ask plainly.
                None => fetcher.get(url, limit),
            },
            Fetched::Changed(body, validators) => {
                if validators != Validators::default() {
                    let meta = format!(
                        "{}\n{}\n{}\n",
                        hex::encode(Sha256::digest(&body)),
                        validators.etag.as_deref().unwrap_or(""),
                        validators.last_modified.as_deref().unwrap_or("")
                    );
                    // Only a hint: a cache that cannot be written costs the next run a download.
                    let kept = bosun_fs::write_atomic(&body_path, &body)
                        .and_then(|()| bosun_fs::write_atomic(&meta_path, meta.as_bytes()));
                    if let Err(e) = kept {
                        tracing::debug!(url, error = %e, "cannot keep a copy");
                    }
                }
                Ok(body)
            }
        }
    }

    /// Where the fast copy of the `.deb` with this sha256 lives: the same package with its
    /// data recompressed with zstd ([`crate::debfile::read_deb_keeping_fast_copy`]). It is
    /// derived from a verified `.deb` and trusted as the rest of the user's cache is, the way
    /// cargo trusts the sources it unpacked; zstd's checksum catches a damaged copy.
    pub fn fast_deb_path(&self, sha256: &str) -> PathBuf {
        self.root.join("debs-zstd-v1").join(format!("{sha256}.deb"))
    }

    /// Where an index with this sha256 lives.
    pub fn index_path(&self, sha256: &str) -> PathBuf {
        self.root.join("indexes-v1").join(sha256)
    }

    /// Returns a cached index, or downloads it, verifying size and sha256 either way.
    pub fn index(
        &self,
        fetcher: &Fetcher,
        url: &str,
        size: u64,
        sha256: &str,
    ) -> Result<Vec<u8>, Error> {
        if let Some(bytes) = self.cached_index(sha256) {
            return Ok(bytes);
        }
        let bytes = fetch_verified(fetcher, url, size, sha256)?;
        self.store_index(sha256, &bytes)?;
        Ok(bytes)
    }

    /// The cached index with this sha256, if it is there and intact.
    pub fn cached_index(&self, sha256: &str) -> Option<Vec<u8>> {
        let path = self.index_path(sha256);
        let bytes = std::fs::read(&path).ok()?;
        if hex::encode(Sha256::digest(&bytes)) == sha256 {
            return Some(bytes);
        }
        tracing::warn!(path = %path.display(), "corrupt cached index; fetching it again");
        None
    }

    /// Keeps `bytes` (whose sha256 the caller has checked) as the index with this sha256.
    pub fn store_index(&self, sha256: &str, bytes: &[u8]) -> Result<(), Error> {
        let path = self.index_path(sha256);
        bosun_fs::write_atomic(&path, bytes).map_err(|e| Error::io(&path, e))
    }

    /// Makes sure every requested file is in the cache and intact, downloading up to
    /// `parallel` at once. A cached file whose hash no longer matches is fetched again.
    pub fn ensure_debs(
        &self,
        fetcher: &Fetcher,
        requests: &[CacheRequest],
        parallel: usize,
        reporter: &dyn Reporter,
    ) -> Result<(), Error> {
        let next = AtomicUsize::new(0);
        let first_error = std::sync::Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..parallel.clamp(1, 16).min(requests.len().max(1)) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(req) = requests.get(i) else { break };
                        if let Err(e) = self.ensure_deb(fetcher, req, reporter) {
                            first_error.lock().expect("lock").get_or_insert(e);
                            next.store(requests.len(), Ordering::Relaxed);
                            break;
                        }
                    }
                });
            }
        });
        match first_error.into_inner().expect("lock") {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn ensure_deb(
        &self,
        fetcher: &Fetcher,
        req: &CacheRequest,
        reporter: &dyn Reporter,
    ) -> Result<(), Error> {
        let path = self.deb_path(&req.sha256);
        if path.exists() {
            match hash_file(&path) {
                Ok(h) if h == req.sha256 => {
                    reporter.on_download_complete(&req.name);
                    return Ok(());
                }
                _ => {
                    tracing::warn!(path = %path.display(), "corrupt cached .deb; fetching it again")
                }
            }
        }
        reporter.on_download_start(&req.name, req.size);
        let result = match self.fetch_verified(fetcher, req, &req.url, &path, reporter) {
            Err(Error::Status {
                url,
                code: code @ (404 | 410),
            }) if req.fallback.is_some() => {
                let fallback = req.fallback.as_deref().expect("checked");
                tracing::info!(
                    name = req.name,
                    url,
                    "gone from the mirror; trying the snapshot archive"
                );
                self.fetch_verified(fetcher, req, fallback, &path, reporter)
                    .map_err(|e| Error::Http {
                        url: fallback.to_string(),
                        reason: format!(
                            "the mirror no longer has {} ({url}: HTTP status {code}) and the snapshot archive cannot supply it: {e}",
                            req.name
                        ),
                    })
            }
            other => other,
        };
        result?;
        reporter.on_download_complete(&req.name);
        Ok(())
    }

    /// Downloads `url` into the cache entry at `path`, with retries, checked against the
    /// request's size and sha256.
    fn fetch_verified(
        &self,
        fetcher: &Fetcher,
        req: &CacheRequest,
        url: &str,
        path: &Path,
        reporter: &dyn Reporter,
    ) -> Result<(), Error> {
        fetcher.streamed(url, || {
            let mut file = bosun_fs::AtomicFile::create(path).map_err(|e| Error::io(path, e))?;
            let mut hashing = bosun_fs::HashWriter::new(&mut file);
            let result = fetcher.get_into(url, &mut hashing, &|n| {
                reporter.on_download_progress(&req.name, n)
            });
            let len = hashing.len();
            let digest = hex::encode(hashing.finish().0.finalize());
            result.and_then(|()| check(url, req.size, &req.sha256, len, &digest))?;
            file.commit().map_err(|e| Error::io(path, e))
        })
    }
}

/// Downloads `url` into memory and checks it has `size` bytes and this sha256.
pub fn fetch_verified(
    fetcher: &Fetcher,
    url: &str,
    size: u64,
    sha256: &str,
) -> Result<Vec<u8>, Error> {
    let bytes = fetcher.get(url, size + 1)?;
    check_bytes(url, &bytes, size, sha256)?;
    Ok(bytes)
}

/// Checks that `bytes` (from `what`) have `size` bytes and this sha256.
pub fn check_bytes(what: &str, bytes: &[u8], size: u64, sha256: &str) -> Result<(), Error> {
    check(
        what,
        size,
        sha256,
        bytes.len() as u64,
        &hex::encode(Sha256::digest(bytes)),
    )
}

fn check(url: &str, size: u64, sha256: &str, got_size: u64, got_sha256: &str) -> Result<(), Error> {
    if got_size != size || got_sha256 != sha256 {
        return Err(Error::Hash {
            what: url.to_string(),
            expected: format!("{size} bytes, sha256 {sha256}"),
            actual: format!("{got_size} bytes, sha256 {got_sha256}"),
        });
    }
    Ok(())
}

/// sha256 of a file, hex.
pub fn hash_file(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}
