//! Distribution (`docker-registry` from Debian) on loopback, as the registry tests' peer:
//! plain HTTP, TLS with a CA the test makes, htpasswd basic auth, or bearer tokens from a
//! small token server in the test (RS256 JWTs with the signing certificate in `x5c`, which
//! Distribution checks against its root bundle).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use crate::script::{Reply, ScriptServer};

/// How the registry authenticates.
pub enum Auth {
    None,
    /// htpasswd (bcrypt) with one user.
    Basic {
        user: String,
        password: String,
    },
    /// Bearer tokens from a token server that accepts one user.
    Token {
        user: String,
        password: String,
    },
}

/// A certificate authority and a server certificate for 127.0.0.1 it signed.
pub struct Tls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Tls {
    /// Makes a CA and a certificate for `127.0.0.1` and `localhost` in `dir` with openssl.
    pub fn make(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let run = |args: &[&str]| {
            crate::run(Command::new("openssl").args(args).current_dir(dir));
        };
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=bosun test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ]);
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ]);
        std::fs::write(
            dir.join("san.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.crt",
        ]);
        Self {
            ca: dir.join("ca.crt"),
            cert: dir.join("server.crt"),
            key: dir.join("server.key"),
        }
    }
}

pub struct Registry {
    child: Child,
    /// `127.0.0.1:PORT`
    pub host: String,
    /// Distribution's log (its access log lists every request).
    pub log: PathBuf,
    /// The token server, when the registry uses bearer tokens.
    pub token_server: Option<ScriptServer>,
    /// Tokens issued so far.
    pub tokens_issued: Arc<AtomicUsize>,
    _dir: tempfile::TempDir,
}

/// A TCP port on 127.0.0.1 nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Registry {
    /// Starts Distribution; `None` (or a panic under `BOSUN_REQUIRE_PEERS`) when it is not
    /// installed.
    pub fn start(tls: Option<&Tls>, auth: Auth) -> Option<Self> {
        let binary = crate::peer("docker-registry")?;
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let host = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {host}\n",
            dir.path().join("data").display()
        );
        if let Some(tls) = tls {
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                tls.cert.display(),
                tls.key.display()
            ));
        }
        let tokens_issued = Arc::new(AtomicUsize::new(0));
        let mut token_server = None;
        match auth {
            Auth::None => {}
            Auth::Basic { user, password } => {
                let out = crate::run(Command::new("htpasswd").args(["-Bbn", &user, &password]));
                let file = dir.path().join("htpasswd");
                std::fs::write(&file, out).unwrap();
                config.push_str(&format!(
                    "auth:\n  htpasswd:\n    realm: bosun-test\n    path: {}\n",
                    file.display()
                ));
            }
            Auth::Token { user, password } => {
                let keys = dir.path().join("token");
                std::fs::create_dir_all(&keys).unwrap();
                crate::run(Command::new("openssl").current_dir(&keys).args([
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=bosun test token issuer",
                    "-keyout",
                    "token.key",
                    "-out",
                    "token.crt",
                ]));
                let server = start_token_server(&keys, &user, &password, tokens_issued.clone());
                config.push_str(&format!(
                    "auth:\n  token:\n    realm: {}/token\n    service: bosun-test-registry\n    issuer: bosun-test-issuer\n    rootcertbundle: {}\n",
                    server.url(),
                    keys.join("token.crt").display()
                ));
                token_server = Some(server);
            }
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = dir.path().join("registry.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(binary)
            .arg("serve")
            .arg(&config_path)
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .stdin(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let mut child = child;
        // Bounded wait for the port to open.
        for _ in 0..200 {
            if std::net::TcpStream::connect(&host).is_ok() {
                return Some(Self {
                    child,
                    host,
                    log,
                    token_server,
                    tokens_issued,
                    _dir: dir,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "docker-registry did not start:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// What the registry stores: every file of its storage (path relative to the storage
    /// root, contents), uploads in progress left out. Two registries that hold the same
    /// repositories, tags, manifests and blobs store the same files.
    pub fn storage(&self) -> std::collections::BTreeMap<String, Vec<u8>> {
        let root = self._dir.path().join("data");
        let mut out = std::collections::BTreeMap::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let relative = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if relative.contains("/_uploads") {
                    continue;
                }
                match entry.file_type().unwrap().is_dir() {
                    true => stack.push(path),
                    false => {
                        out.insert(relative, std::fs::read(&path).unwrap());
                    }
                }
            }
        }
        out
    }

    /// The access log's request lines (`METHOD PATH`) so far.
    pub fn requests(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let start = l.find('"')? + 1;
                let rest = &l[start..];
                let end = rest.find(" HTTP/")?;
                Some(rest[..end].to_string())
            })
            .collect()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A token endpoint for Distribution: checks one user's basic credentials and grants the
/// scopes asked for in an RS256 JWT signed by `dir/token.key` (certificate in `x5c`).
fn start_token_server(
    dir: &Path,
    user: &str,
    password: &str,
    issued: Arc<AtomicUsize>,
) -> ScriptServer {
    let key = dir.join("token.key");
    let cert_pem = std::fs::read_to_string(dir.join("token.crt")).unwrap();
    let cert_der: String = cert_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let expected = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
    ScriptServer::start(move |req| {
        if req.header("authorization") != Some(expected.as_str()) {
            return Reply::new(401).body("{\"details\":\"bad credentials\"}");
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let access: Vec<serde_json::Value> = req
            .path
            .split(['?', '&'])
            .filter_map(|kv| kv.strip_prefix("scope="))
            .map(|s| crate::script::Request {
                method: String::new(),
                path: format!("?s={s}"),
                headers: vec![],
                body: vec![],
            })
            .filter_map(|r| r.query("s"))
            .filter_map(|scope| {
                let mut parts = scope.splitn(3, ':');
                let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
                Some(serde_json::json!({"type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
            })
            .collect();
        let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [cert_der]});
        let n = issued.fetch_add(1, Ordering::SeqCst);
        let claims = serde_json::json!({
            "iss": "bosun-test-issuer", "sub": "tester", "aud": "bosun-test-registry",
            "exp": now + 300, "nbf": now - 10, "iat": now, "jti": format!("t{n}"), "access": access,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut child = Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(&key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), signing_input.as_bytes()).unwrap();
        drop(child.stdin.take());
        let signature = child.wait_with_output().unwrap().stdout;
        let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature));
        Reply::new(200)
            .header("Content-Type", "application/json")
            .body(serde_json::json!({"token": token, "expires_in": 300}).to_string())
    })
}
