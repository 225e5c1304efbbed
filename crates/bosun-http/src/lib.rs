//! bosun's HTTP agents.
//!
//! ureq looks the host up before every request, even one that goes over a kept-alive
//! connection. Where the resolver is slow or drops queries under load, that costs more than
//! the transfers: a cold build's 8 parallel downloads made 40 lookups, and one of them waited
//! out the resolver's 5 s timeout. An [`agent`] looks each host up once per process (a
//! process lives for one command, so it never sees a stale answer for long) and keeps as many
//! connections alive per host as bosun runs transfers at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ureq::config::Config;
use ureq::http::Uri;
// The resolver hook is in ureq's `unversioned` API; the lockfile pins the version.
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// Connections to keep alive per host (`max_idle_connections_per_host`): at least as many
/// as bosun runs transfers at once.
pub const CONNECTIONS_PER_HOST: usize = 16;

/// bosun's `User-Agent`.
pub const USER_AGENT: &str = concat!("bosun/", env!("CARGO_PKG_VERSION"));

/// The machine's CA bundle: `SSL_CERT_FILE`, else Debian's, Fedora's or Alpine's place.
pub fn system_bundle() -> Option<std::path::PathBuf> {
    std::env::var_os("SSL_CERT_FILE")
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain(
            [
                "/etc/ssl/certs/ca-certificates.crt",
                "/etc/pki/tls/certs/ca-bundle.crt",
                "/etc/ssl/cert.pem",
            ]
            .map(std::path::PathBuf::from),
        )
        .find(|p| p.is_file())
}

/// TLS that trusts the machine's CA bundle, as curl, pip and apt do, so that a mirror or
/// index behind a company CA works; without a readable bundle, the built-in roots.
pub fn system_tls() -> ureq::tls::TlsConfig {
    let roots: Vec<ureq::tls::Certificate<'static>> = system_bundle()
        .and_then(|path| std::fs::read(path).ok())
        .map(|bytes| {
            ureq::tls::parse_pem(&bytes)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut builder = ureq::tls::TlsConfig::builder();
    if !roots.is_empty() {
        builder = builder.root_certs(ureq::tls::RootCerts::new_with_certs(&roots));
    }
    builder.build()
}

/// An agent with this configuration that looks each host up once.
pub fn agent(config: Config) -> ureq::Agent {
    ureq::Agent::with_parts(config, DefaultConnector::default(), OnceResolver::default())
}

/// Resolves each scheme and authority once; concurrent first requests to a host wait for one
/// lookup rather than each making their own. Failures are not kept.
#[derive(Debug, Default)]
struct OnceResolver {
    inner: DefaultResolver,
    hosts: Mutex<HashMap<String, Arc<Mutex<Option<ResolvedSocketAddrs>>>>>,
}

impl Resolver for OnceResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = format!(
            "{}://{}",
            uri.scheme_str().unwrap_or(""),
            uri.authority().map(|a| a.as_str()).unwrap_or("")
        );
        let slot = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            hosts.entry(key).or_default().clone()
        };
        let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(addrs) = slot.as_ref() {
            return Ok(addrs.clone());
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        tracing::debug!(uri = %uri, "host looked up");
        *slot = Some(addrs.clone());
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};

    #[test]
    fn one_lookup_and_one_connection_serve_every_request() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = std::thread::spawn(move || {
            // One connection serving the three requests, then the count.
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut writer = stream;
            for _ in 0..3 {
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if line == "\r\n" {
                        break;
                    }
                }
                writer
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .unwrap();
            }
        });
        let agent = agent(
            ureq::Agent::config_builder()
                .max_idle_connections_per_host(CONNECTIONS_PER_HOST)
                // A second connection would never be accepted: fail rather than hang.
                .timeout_global(Some(std::time::Duration::from_secs(10)))
                .build(),
        );
        for _ in 0..3 {
            let body = agent
                .get(&format!("http://localhost:{port}/x"))
                .call()
                .unwrap()
                .body_mut()
                .read_to_string()
                .unwrap();
            assert_eq!(body, "ok");
        }
        connections.join().unwrap();
        // The resolver itself: one entry per scheme and authority, filled once.
        let resolver = OnceResolver::default();
        let config = Config::default();
        for path in ["/a", "/b"] {
            let uri: Uri = format!("http://localhost:{port}{path}").parse().unwrap();
            resolver
                .resolve(&uri, &config, NextTimeout::default())
                .unwrap();
        }
        let hosts = resolver.hosts.lock().unwrap();
        assert_eq!(hosts.len(), 1);
        assert!(hosts.values().all(|slot| slot.lock().unwrap().is_some()));
    }
}
