//! The HTTP side of the distribution spec: one agent per host (its TLS material), the auth
//! challenge answered once and tokens kept per scope, and every request retried with backoff
//! on 429, 5xx and broken connections (honouring `Retry-After`).

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ureq::http::{self, HeaderMap, Response, StatusCode};
use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};

use crate::auth::{self, Challenge, Credential};
use crate::config::{CertFiles, Endpoint, RegistriesConf};
use crate::{Error, Reference};

/// How the client reaches registries.
#[derive(Debug, Clone)]
pub struct Options {
    /// `Some(false)`: plain HTTP and unverified TLS allowed for every registry (`--tls-verify=false`);
    /// `Some(true)`: never, whatever registries.conf says; `None`: as registries.conf says.
    pub tls_verify: Option<bool>,
    /// `--cert-dir`: TLS material for every host, in place of `certs.d`.
    pub cert_dir: Option<PathBuf>,
    /// `--creds`: credentials that win over the auth files.
    pub credentials: Option<Credential>,
    /// Auth files to look in, in order.
    pub auth_files: Vec<PathBuf>,
    /// The machine's registries.conf.
    pub conf: RegistriesConf,
    /// Where `etc/containers/certs.d` is looked for (`/`).
    pub root: PathBuf,
    /// `$XDG_CONFIG_HOME` (for the user's `containers/certs.d`).
    pub user_config: Option<PathBuf>,
    /// Retries of one request after the first attempt.
    pub retries: u32,
    /// The first backoff delay; it doubles with each retry.
    pub backoff: Duration,
    /// Longest wait a `Retry-After` may ask for.
    pub max_retry_after: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            tls_verify: None,
            cert_dir: None,
            credentials: None,
            auth_files: auth::auth_files(),
            conf: RegistriesConf::default(),
            root: PathBuf::from("/"),
            user_config: None,
            retries: 4,
            backoff: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// A registry client: cheap to share between threads.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    options: Options,
    hosts: Mutex<HashMap<(String, bool), Arc<Host>>>,
}

/// One registry host: its agent and what it said about auth.
struct Host {
    name: String,
    agent: ureq::Agent,
    insecure: bool,
    /// `https://host` or (insecure only, once https failed) `http://host`.
    base: Mutex<Option<String>>,
    challenge: Mutex<Option<Challenge>>,
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

/// A request body that can be made again for a retry.
pub(crate) enum Payload<'a> {
    Empty,
    Bytes(&'a [u8]),
    Stream(Box<dyn Read + Send + 'a>, u64),
}

/// A repository on one registry, with the credentials that apply to it.
#[derive(Clone)]
pub struct Repository {
    client: Client,
    host: Arc<Host>,
    /// `namespace/name`.
    pub name: String,
    /// The reference errors name (`host/name`).
    pub display: String,
    credential: Option<Credential>,
    /// Every request asks for pull and push, so one token serves a whole push.
    push: bool,
}

/// Where an image named by a reference was found (see [`Client::locate`]).
pub struct Located {
    /// The repository that has it (a mirror, when registries.conf has one that does).
    pub repository: Repository,
    /// The reference as read there (a mirror's host and namespace when it came from one).
    pub read: Reference,
    /// The reference as named, before any mirror: where writes about the image go.
    pub named: Reference,
}

impl Located {
    /// The tag or digest asked for.
    pub fn object(&self) -> String {
        self.read.object()
    }
}

impl Client {
    /// A client with these options.
    pub fn new(options: Options) -> Self {
        Self {
            inner: Arc::new(Inner {
                options,
                hosts: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The options it was made with.
    pub fn options(&self) -> &Options {
        &self.inner.options
    }

    /// A repository handle for an endpoint (see [`RegistriesConf::pull_endpoints`]).
    pub fn repository(&self, endpoint: &Endpoint) -> Result<Repository, Error> {
        let reference = &endpoint.reference;
        let options = &self.inner.options;
        let insecure = match options.tls_verify {
            Some(verify) => !verify,
            None => endpoint.insecure || options.conf.host_insecure(&reference.registry),
        };
        let host = self.host(&reference.registry, insecure)?;
        let credential = match &options.credentials {
            Some(c) => Some(c.clone()),
            None => auth::lookup(
                &options.auth_files,
                &reference.registry,
                &reference.repository,
            )?,
        };
        Ok(Repository {
            client: self.clone(),
            host,
            name: reference.repository.clone(),
            display: reference.name(),
            credential,
            push: false,
        })
    }

    /// Where a `docker://` reference (without the prefix) is read: the first place (a short
    /// name through registries.conf's search list, then its mirrors, then the location
    /// itself) that has the manifest.
    pub fn locate(&self, text: &str) -> Result<Located, Error> {
        let conf = &self.options().conf;
        let mut endpoints = Vec::new();
        for reference in Reference::candidates(text, &conf.search)? {
            for endpoint in conf.pull_endpoints(&reference)? {
                endpoints.push((endpoint, reference.clone()));
            }
        }
        // One place to look: no need to ask first whether it has the image.
        if let [(only, named)] = &endpoints[..] {
            return Ok(Located {
                repository: self.repository(only)?,
                read: only.reference.clone(),
                named: named.clone(),
            });
        }
        let mut last = None;
        for (endpoint, named) in endpoints {
            let repository = self.repository(&endpoint)?;
            match repository.resolve(&endpoint.reference.object()) {
                Ok(Some(_)) => {
                    return Ok(Located {
                        repository,
                        read: endpoint.reference,
                        named,
                    });
                }
                Ok(None) => {
                    last = Some(Error::NotFound {
                        reference: endpoint.reference.to_string(),
                    })
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("a reference has at least one place"))
    }

    /// Where writes about `reference` go (an image, its signatures): its location, never a
    /// mirror it is read from.
    pub fn push_repository(&self, reference: &Reference) -> Result<Repository, Error> {
        let endpoint = self.options().conf.push_endpoint(reference)?;
        Ok(self.repository(&endpoint)?.for_push())
    }

    /// Checks credentials against a registry (`GET /v2/` answered with them), as
    /// `bosun login` does before saving them.
    pub fn check_login(&self, registry: &str, credential: Credential) -> Result<(), Error> {
        let options = &self.inner.options;
        let insecure = match options.tls_verify {
            Some(verify) => !verify,
            None => options.conf.host_insecure(registry),
        };
        let repo = Repository {
            client: self.clone(),
            host: self.host(registry, insecure)?,
            name: String::new(),
            display: registry.to_string(),
            credential: Some(credential),
            push: false,
        };
        let url = format!("{}/v2/", repo.base()?);
        let response = repo.send("GET", &url, &[], "", &mut || Ok(Payload::Empty))?;
        match response.status().is_success() {
            true => Ok(()),
            false => Err(Error::Status {
                reference: registry.to_string(),
                status: response.status().as_u16(),
                message: String::new(),
            }),
        }
    }

    fn host(&self, name: &str, insecure: bool) -> Result<Arc<Host>, Error> {
        let mut hosts = self.inner.hosts.lock().expect("hosts lock");
        if let Some(h) = hosts.get(&(name.to_string(), insecure)) {
            return Ok(h.clone());
        }
        let options = &self.inner.options;
        let certs = CertFiles::find(
            name,
            options.cert_dir.as_deref(),
            &options.root,
            options.user_config.as_deref(),
        );
        let tls = tls_config(&certs, insecure)?;
        let agent = bosun_http::agent(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .tls_config(tls)
                .max_redirects(5)
                .accept_encoding("identity")
                .max_idle_connections_per_host(bosun_http::CONNECTIONS_PER_HOST)
                .timeout_connect(Some(Duration::from_secs(30)))
                .timeout_recv_response(Some(Duration::from_secs(120)))
                .timeout_per_read(Some(Duration::from_secs(120)))
                .user_agent(bosun_http::USER_AGENT)
                .build(),
        );
        let host = Arc::new(Host {
            name: name.to_string(),
            agent,
            insecure,
            base: Mutex::new(None),
            challenge: Mutex::new(None),
            tokens: Mutex::new(HashMap::new()),
        });
        hosts.insert((name.to_string(), insecure), host.clone());
        Ok(host)
    }
}

/// The system's CA bundle plus the host's `*.crt`; its client certificate; no verification
/// at all for an insecure host.
fn tls_config(certs: &CertFiles, insecure: bool) -> Result<TlsConfig, Error> {
    let mut builder = TlsConfig::builder().disable_verification(insecure);
    let mut roots: Vec<Certificate<'static>> = Vec::new();
    if !certs.roots.is_empty() || bosun_http::system_bundle().is_some() {
        for file in bosun_http::system_bundle()
            .into_iter()
            .chain(certs.roots.iter().cloned())
        {
            for item in read_pem(&file)? {
                if let PemItem::Certificate(c) = item {
                    roots.push(c);
                }
            }
        }
    }
    if !roots.is_empty() {
        builder = builder.root_certs(RootCerts::new_with_certs(&roots));
    }
    if let Some((cert, key)) = &certs.client {
        let chain: Vec<Certificate<'static>> = read_pem(cert)?
            .into_iter()
            .filter_map(|i| match i {
                PemItem::Certificate(c) => Some(c),
                _ => None,
            })
            .collect();
        let private: Option<PrivateKey<'static>> =
            read_pem(key)?.into_iter().find_map(|i| match i {
                PemItem::PrivateKey(k) => Some(k),
                _ => None,
            });
        let private = private.ok_or_else(|| Error::Config {
            path: key.clone(),
            reason: "no private key in it".into(),
        })?;
        builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, private)));
    }
    Ok(builder.build())
}

fn read_pem(path: &Path) -> Result<Vec<PemItem<'static>>, Error> {
    let bytes = std::fs::read(path).map_err(|e| bosun_fs::with_path(path, e))?;
    ureq::tls::parse_pem(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Config {
            path: path.to_path_buf(),
            reason: format!("not PEM: {e}"),
        })
}

/// Whether a request that failed this way may succeed when sent again.
/// A TLS failure (a plain-HTTP server, an unknown CA) is not: it surfaces as invalid data.
fn transient(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Io(io) => io.kind() != io::ErrorKind::InvalidData,
        ureq::Error::Timeout(_) | ureq::Error::ConnectionFailed | ureq::Error::Protocol(_) => true,
        _ => false,
    }
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or_default())
}

pub(crate) fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl Repository {
    /// The options of the client this repository belongs to.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The registry host (`host:port`).
    pub fn registry(&self) -> &str {
        &self.host.name
    }

    /// `https://host/v2/NAME/` or its plain-HTTP form, found on first use.
    pub(crate) fn url(&self, rest: &str) -> Result<String, Error> {
        Ok(format!("{}/v2/{}/{rest}", self.base()?, self.name))
    }

    /// Resolves a `Location` header (absolute or relative to the host).
    pub(crate) fn location(&self, location: &str) -> Result<String, Error> {
        if location.starts_with("http://") || location.starts_with("https://") {
            return Ok(location.to_string());
        }
        Ok(format!("{}{}", self.base()?, location))
    }

    /// Pings `/v2/` once per host to learn the scheme (https, or http for an insecure host
    /// that does not speak TLS) and the auth challenge.
    fn base(&self) -> Result<String, Error> {
        // Held across the ping, so that parallel transfers wait for one answer.
        let mut known = self.host.base.lock().expect("base lock");
        if let Some(base) = known.clone() {
            return Ok(base);
        }
        let schemes: &[&str] = match self.host.insecure {
            true => &["https", "http"],
            false => &["https"],
        };
        let mut last = None;
        for scheme in schemes {
            let base = format!("{scheme}://{}", self.host.name);
            let url = format!("{base}/v2/");
            // With a plain-HTTP fallback to try, a failed TLS attempt is not retried.
            let retries = match (self.host.insecure, *scheme) {
                (true, "https") => 0,
                _ => self.client.inner.options.retries,
            };
            match self.send_with_retries("GET", &url, &[], &mut || Ok(Payload::Empty), retries) {
                Ok(response) => {
                    if response.status() == StatusCode::UNAUTHORIZED
                        && let Some(c) = header(response.headers(), "www-authenticate")
                    {
                        *self.host.challenge.lock().expect("challenge lock") = Challenge::parse(c);
                    }
                    *known = Some(base.clone());
                    return Ok(base);
                }
                Err(e) => last = Some(e),
            }
        }
        // The hint follows the TLS error's kind, never its text.
        let tls = last.as_ref().and_then(tls_error);
        // Where podman's users put a registry's CA: their own certs.d (rootless) or the
        // machine's.
        let host = &self.host.name;
        let hint = match tls {
            _ if self.host.insecure => None,
            Some(rustls::Error::InvalidCertificate(_)) => Some(format!(
                "put the registry's CA in ~/.config/containers/certs.d/{host}/ca.crt (under $XDG_CONFIG_HOME when set) or /etc/containers/certs.d/{host}/ca.crt, or pass --cert-dir"
            )),
            Some(rustls::Error::InvalidMessage(_)) => Some(
                "it does not speak TLS: pass --tls-verify=false or mark it insecure in registries.conf"
                    .to_string(),
            ),
            _ => None,
        };
        Err(Error::Unreachable {
            reference: self.display.clone(),
            host: host.clone(),
            hint,
            source: last.map(Box::new),
        })
    }

    /// One request with retries on transient failures, 429 and 5xx; no auth.
    fn send_raw<'b>(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: &mut dyn FnMut() -> io::Result<Payload<'b>>,
    ) -> Result<Response<ureq::Body>, ureq::Error> {
        let retries = self.client.inner.options.retries;
        self.send_with_retries(method, url, headers, body, retries)
    }

    fn send_with_retries<'b>(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: &mut dyn FnMut() -> io::Result<Payload<'b>>,
        retries: u32,
    ) -> Result<Response<ureq::Body>, ureq::Error> {
        let options = &self.client.inner.options;
        let mut attempt = 0;
        loop {
            let mut request = http::Request::builder().method(method).uri(url);
            for (k, v) in headers {
                request = request.header(*k, v);
            }
            let payload = body().map_err(ureq::Error::Io)?;
            let result = match payload {
                Payload::Empty => {
                    let request = match method {
                        "POST" | "PUT" | "PATCH" => request.header("content-length", "0"),
                        _ => request,
                    };
                    self.host.agent.run(request.body(())?)
                }
                Payload::Bytes(bytes) => self.host.agent.run(
                    request
                        .header("content-length", bytes.len().to_string())
                        .body(bytes)?,
                ),
                Payload::Stream(mut reader, len) => self.host.agent.run(
                    request
                        .header("content-length", len.to_string())
                        .body(ureq::SendBody::from_reader(&mut reader))?,
                ),
            };
            let wait = match &result {
                Ok(r)
                    if r.status() == StatusCode::TOO_MANY_REQUESTS
                        || r.status().is_server_error() =>
                {
                    retry_after(r.headers()).map(|w| w.min(options.max_retry_after))
                }
                Err(e) if transient(e) => None,
                _ => return result,
            };
            if attempt >= retries {
                return result;
            }
            let wait = wait.unwrap_or(options.backoff * 2u32.pow(attempt));
            tracing::debug!(url, attempt, ?wait, "retrying");
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    /// A request with auth: the token for `scope` (fetched or refreshed on a 401), or basic
    /// credentials. 401 and 403 after that become [`Error::Unauthorized`].
    pub(crate) fn send<'b>(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        scope: &str,
        body: &mut dyn FnMut() -> io::Result<Payload<'b>>,
    ) -> Result<Response<ureq::Body>, Error> {
        self.base()?;
        let mut refreshed = false;
        loop {
            let mut all: Vec<(&str, String)> = headers.to_vec();
            if let Some(value) = self.authorization(scope, refreshed)? {
                all.push(("authorization", value));
            }
            let response = self
                .send_raw(method, url, &all, body)
                .map_err(|e| self.http_error(e))?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED
                && !refreshed
                && let Some(c) =
                    header(response.headers(), "www-authenticate").and_then(Challenge::parse)
            {
                *self.host.challenge.lock().expect("challenge lock") = Some(c);
                refreshed = true;
                continue;
            }
            if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                return Err(Error::Unauthorized {
                    reference: self.display.clone(),
                    status: status.as_u16(),
                    had_credentials: self.credential.is_some(),
                });
            }
            return Ok(response);
        }
    }

    pub(crate) fn http_error(&self, e: ureq::Error) -> Error {
        Error::Http {
            reference: self.display.clone(),
            source: Box::new(e),
        }
    }

    /// The `Authorization` header for a request in `scope`.
    fn authorization(&self, scope: &str, refresh: bool) -> Result<Option<String>, Error> {
        let challenge = self.host.challenge.lock().expect("challenge lock").clone();
        match challenge {
            None => Ok(None),
            Some(Challenge::Basic) => Ok(match &self.credential {
                Some(Credential::Basic { username, password }) => Some(format!(
                    "Basic {}",
                    BASE64.encode(format!("{username}:{password}"))
                )),
                _ => None,
            }),
            Some(Challenge::Bearer { realm, service, .. }) => {
                let key = format!("{}|{scope}", self.credential.is_some());
                if !refresh
                    && let Some((token, expiry)) =
                        self.host.tokens.lock().expect("tokens").get(&key)
                    && *expiry > Instant::now()
                {
                    return Ok(Some(format!("Bearer {token}")));
                }
                let (token, lifetime) = self.fetch_token(&realm, service.as_deref(), scope)?;
                // Renew a little before the registry would refuse it.
                let expiry = Instant::now() + lifetime.saturating_sub(Duration::from_secs(10));
                self.host
                    .tokens
                    .lock()
                    .expect("tokens")
                    .insert(key, (token.clone(), expiry));
                Ok(Some(format!("Bearer {token}")))
            }
        }
    }

    /// The token endpoint: GET with basic credentials (or none), or, for an identity token,
    /// the OAuth2 refresh-token POST.
    fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
    ) -> Result<(String, Duration), Error> {
        #[derive(serde::Deserialize)]
        struct TokenReply {
            token: Option<String>,
            access_token: Option<String>,
            expires_in: Option<u64>,
        }
        let enc = |s: &str| percent_encode(s);
        let failed = |reason: String| Error::Token {
            reference: self.display.clone(),
            realm: realm.to_string(),
            reason,
        };
        let response = match &self.credential {
            Some(Credential::IdentityToken(refresh)) => {
                let mut form = format!(
                    "grant_type=refresh_token&client_id=bosun&refresh_token={}",
                    enc(refresh)
                );
                if let Some(s) = service {
                    form.push_str(&format!("&service={}", enc(s)));
                }
                for s in scope.split(' ').filter(|s| !s.is_empty()) {
                    form.push_str(&format!("&scope={}", enc(s)));
                }
                let bytes = form.into_bytes();
                self.send_raw(
                    "POST",
                    realm,
                    &[("content-type", "application/x-www-form-urlencoded".into())],
                    &mut || Ok(Payload::Bytes(&bytes)),
                )
            }
            other => {
                let mut url = realm.to_string();
                let mut sep = if url.contains('?') { '&' } else { '?' };
                if let Some(s) = service {
                    url.push_str(&format!("{sep}service={}", enc(s)));
                    sep = '&';
                }
                for s in scope.split(' ').filter(|s| !s.is_empty()) {
                    url.push_str(&format!("{sep}scope={}", enc(s)));
                    sep = '&';
                }
                let mut headers = Vec::new();
                if let Some(Credential::Basic { username, password }) = other {
                    headers.push((
                        "authorization",
                        format!("Basic {}", BASE64.encode(format!("{username}:{password}"))),
                    ));
                }
                self.send_raw("GET", &url, &headers, &mut || Ok(Payload::Empty))
            }
        }
        .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                return Err(Error::Unauthorized {
                    reference: self.display.clone(),
                    status: status.as_u16(),
                    had_credentials: self.credential.is_some(),
                });
            }
            return Err(failed(format!("HTTP {status}")));
        }
        let bytes = read_limited(response, 1 << 20).map_err(|e| failed(e.to_string()))?;
        let reply: TokenReply = serde_json::from_slice(&bytes)
            .map_err(|_| failed("the reply is not a token".into()))?;
        let token = reply
            .token
            .or(reply.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| failed("the reply holds no token".into()))?;
        // The spec's default lifetime is 60 s.
        Ok((
            token,
            Duration::from_secs(reply.expires_in.unwrap_or(60).max(60)),
        ))
    }

    /// The same repository, for pushing: every request asks for pull and push, so that one
    /// token (not one per action) serves the whole push.
    pub fn for_push(mut self) -> Self {
        self.push = true;
        self
    }

    /// The pull scope of this repository, or pull and push.
    pub(crate) fn scope(&self, push: bool) -> String {
        match push || self.push {
            true => format!("repository:{}:pull,push", self.name),
            false => format!("repository:{}:pull", self.name),
        }
    }
}

/// Reads a body of at most `limit` bytes.
pub(crate) fn read_limited(response: Response<ureq::Body>, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::other(format!(
            "the body is larger than {limit} bytes"
        )));
    }
    Ok(bytes)
}

/// RFC 3986's unreserved characters, which stay as they are in a query value.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query value.
pub(crate) fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// The TLS error under a transport error: ureq reports rustls' own, or an I/O error that
/// carries it (a handshake that fails while reading).
fn tls_error(e: &ureq::Error) -> Option<&rustls::Error> {
    match e {
        ureq::Error::Rustls(tls) => Some(tls),
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO), "a past date");
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn query_encoding() {
        assert_eq!(
            percent_encode("repository:a/b:pull,push"),
            "repository%3Aa%2Fb%3Apull%2Cpush"
        );
    }
}
