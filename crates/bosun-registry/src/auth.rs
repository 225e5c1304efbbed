//! Credentials, found where podman, skopeo and docker keep them, and the registry auth
//! challenge (`WWW-Authenticate`) parsed.
//!
//! Files, first match wins: `REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`,
//! `$XDG_CONFIG_HOME/containers/auth.json`, `$DOCKER_CONFIG/config.json` (default
//! `~/.docker/config.json`). In each file, a `credHelpers` entry for the host runs
//! `docker-credential-NAME get`; otherwise the most specific `auths` key (repository, then each
//! namespace, then the host) gives the credentials; otherwise a `credsStore` helper is asked.
//! Secrets never reach a log line or an error message.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use crate::Error;

/// Credentials for one registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// A user name and password (or a personal access token).
    Basic {
        /// User name.
        username: String,
        /// Password or token.
        password: String,
    },
    /// An OAuth2 refresh token (docker's `identitytoken`), exchanged at the token endpoint.
    IdentityToken(String),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Self::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

/// The auth files to look in, in order, from the environment.
pub fn auth_files() -> Vec<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let home = env("HOME").unwrap_or_else(|| PathBuf::from("/"));
    let mut files = Vec::new();
    files.extend(env("REGISTRY_AUTH_FILE"));
    files.extend(env("XDG_RUNTIME_DIR").map(|d| d.join("containers/auth.json")));
    files.push(
        env("XDG_CONFIG_HOME")
            .unwrap_or_else(|| home.join(".config"))
            .join("containers/auth.json"),
    );
    files.push(
        env("DOCKER_CONFIG")
            .unwrap_or_else(|| home.join(".docker"))
            .join("config.json"),
    );
    files
}

/// The file `bosun login` writes: `REGISTRY_AUTH_FILE`, else podman's
/// `$XDG_RUNTIME_DIR/containers/auth.json`, else `$XDG_CONFIG_HOME/containers/auth.json`.
pub fn login_file() -> PathBuf {
    auth_files().remove(0)
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthFile {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    creds_store: Option<String>,
    /// Everything else in the file (docker keeps its own settings here), kept on rewrite.
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct AuthEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    auth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identitytoken: Option<String>,
    #[serde(flatten)]
    other: BTreeMap<String, serde_json::Value>,
}

/// `https://host/v1/` and the like, as docker writes keys, reduced to `host[/path]`.
fn normalize_key(key: &str) -> &str {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let key = key.trim_end_matches('/');
    key.strip_suffix("/v1")
        .or_else(|| key.strip_suffix("/v2"))
        .unwrap_or(key)
}

fn read_file(path: &Path) -> Result<Option<AuthFile>, Error> {
    match std::fs::read(path) {
        Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Ok(None),
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::Config {
                path: path.to_path_buf(),
                reason: format!("not an auth file: {e}"),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(bosun_fs::with_path(path, e).into()),
    }
}

/// Finds the credentials for `host/repository` in `files`.
pub fn lookup(
    files: &[PathBuf],
    host: &str,
    repository: &str,
) -> Result<Option<Credential>, Error> {
    for path in files {
        let Some(file) = read_file(path)? else {
            continue;
        };
        if let Some(helper) = file.cred_helpers.get(host) {
            return run_helper(helper, host);
        }
        // Most specific first: host/a/b/c, host/a/b, host/a, host.
        let full = format!("{host}/{repository}");
        let mut scopes: Vec<&str> = full.match_indices('/').map(|(i, _)| &full[..i]).collect();
        scopes.push(&full);
        scopes.reverse();
        for scope in scopes {
            let entry = file
                .auths
                .iter()
                .find(|(k, _)| normalize_key(k) == scope)
                .map(|(_, v)| v);
            if let Some(entry) = entry {
                return decode_entry(path, scope, entry).map(Some);
            }
        }
        if let Some(store) = &file.creds_store
            && let Some(found) = run_helper(store, host)?
        {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

fn decode_entry(path: &Path, key: &str, entry: &AuthEntry) -> Result<Credential, Error> {
    if let Some(token) = entry.identitytoken.as_ref().filter(|t| !t.is_empty()) {
        return Ok(Credential::IdentityToken(token.clone()));
    }
    let bad = || Error::Config {
        path: path.to_path_buf(),
        reason: format!("the `auth` of {key} is not base64 of USER:PASSWORD"),
    };
    let raw = BASE64
        .decode(entry.auth.as_deref().unwrap_or_default().trim())
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (username, password) = text.split_once(':').ok_or_else(bad)?;
    Ok(Credential::Basic {
        username: username.into(),
        password: password.into(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperReply {
    username: String,
    secret: String,
}

/// Runs `docker-credential-NAME get` with the host on stdin (the docker credential helper
/// protocol). "not found" from the helper is no credentials, not an error.
fn run_helper(name: &str, host: &str) -> Result<Option<Credential>, Error> {
    let program = format!("docker-credential-{name}");
    let failed = |reason: String| Error::Helper {
        helper: program.clone(),
        reason,
    };
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(host.as_bytes())
            .map_err(|e| failed(e.to_string()))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| failed(e.to_string()))?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if said.to_ascii_lowercase().contains("not found") || out.stdout.is_empty() {
            return Ok(None);
        }
        // The helper's own words; helpers do not put secrets in their errors.
        return Err(failed(format!("exited with {}: {said}", out.status)));
    }
    let reply: HelperReply = serde_json::from_slice(&out.stdout)
        .map_err(|_| failed("its reply is not the credential JSON".into()))?;
    Ok(Some(match reply.username.as_str() {
        "<token>" => Credential::IdentityToken(reply.secret),
        _ => Credential::Basic {
            username: reply.username,
            password: reply.secret,
        },
    }))
}

/// Stores basic credentials for `key` (a host, or host/namespace) in `file`, keeping every
/// other entry; the file is written atomically with mode 0600.
pub fn store(file: &Path, key: &str, username: &str, password: &str) -> Result<(), Error> {
    let mut auth = read_file(file)?.unwrap_or_default();
    let entry = auth.auths.entry(key.to_string()).or_default();
    entry.auth = Some(BASE64.encode(format!("{username}:{password}")));
    entry.identitytoken = None;
    write_file(file, &auth)
}

/// Removes the credentials of `key` from `file`; `false` when there were none.
pub fn remove(file: &Path, key: &str) -> Result<bool, Error> {
    let Some(mut auth) = read_file(file)? else {
        return Ok(false);
    };
    let before = auth.auths.len();
    auth.auths.retain(|k, _| normalize_key(k) != key);
    if auth.auths.len() == before {
        return Ok(false);
    }
    write_file(file, &auth)?;
    Ok(true)
}

fn write_file(path: &Path, auth: &AuthFile) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| bosun_fs::with_path(dir, e))?;
    }
    let mut bytes = serde_json::to_vec_pretty(auth).expect("auth files serialize");
    bytes.push(b'\n');
    let mut out = bosun_fs::AtomicFile::create(path)?;
    out.file()
        .set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(|e| bosun_fs::with_path(path, e))?;
    out.file()
        .write_all(&bytes)
        .map_err(|e| bosun_fs::with_path(path, e))?;
    out.commit()?;
    Ok(())
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// `Basic realm="..."`.
    Basic,
    /// `Bearer realm="...",service="...",scope="..."`.
    Bearer {
        /// The token endpoint.
        realm: String,
        /// The `service` parameter, if given.
        service: Option<String>,
        /// The `scope` the registry asked for, if given.
        scope: Option<String>,
    },
}

impl Challenge {
    /// Parses the header; `None` for a scheme bosun does not speak.
    pub fn parse(header: &str) -> Option<Self> {
        let header = header.trim();
        let (scheme, params) = header.split_once(' ').unwrap_or((header, ""));
        let params = auth_params(params);
        let get = |k: &str| {
            params
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.clone())
        };
        match scheme.to_ascii_lowercase().as_str() {
            "basic" => Some(Self::Basic),
            "bearer" => Some(Self::Bearer {
                realm: get("realm")?,
                service: get("service"),
                scope: get("scope"),
            }),
            _ => None,
        }
    }
}

/// `k="v", k2=v2` (RFC 7235 auth-params; quoted strings may hold commas and `\"`).
fn auth_params(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim().trim_start_matches(',').trim().to_string();
        rest = rest[eq + 1..].trim_start();
        let mut value = String::new();
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            value.push(next);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            rest = &quoted[end.min(quoted.len())..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        rest = rest.trim_start().trim_start_matches(',').trim_start();
        out.push((name, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        assert_eq!(
            Challenge::parse(
                r#"Bearer realm="https://auth.example/token",service="reg.example",scope="repository:a/b:pull,push""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("reg.example".into()),
                scope: Some("repository:a/b:pull,push".into()),
            })
        );
        assert_eq!(
            Challenge::parse(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(
            Challenge::parse(r#"bearer realm=http://127.0.0.1:1/t, service = "s\"q""#),
            Some(Challenge::Bearer {
                realm: "http://127.0.0.1:1/t".into(),
                service: Some("s\"q".into()),
                scope: None,
            })
        );
        assert_eq!(Challenge::parse("Negotiate abc"), None);
        assert_eq!(Challenge::parse("Bearer service=x"), None, "no realm");
    }

    #[test]
    fn most_specific_key_wins_and_files_keep_order() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.json");
        let second = dir.path().join("second.json");
        let b64 = |s: &str| BASE64.encode(s);
        std::fs::write(
            &first,
            serde_json::json!({"auths": {
                "reg.internal": {"auth": b64("host:1")},
                "reg.internal/team": {"auth": b64("team:2")},
                "https://reg.internal/team/app/v1/": {"auth": b64("app:3")},
            }})
            .to_string(),
        )
        .unwrap();
        std::fs::write(
            &second,
            serde_json::json!({"auths": {"other.internal": {"auth": b64("o:4")}, "tok.internal": {"identitytoken": "refresh"}}}).to_string(),
        )
        .unwrap();
        let files = [dir.path().join("missing.json"), first, second];
        let user = |host: &str, repo: &str| match lookup(&files, host, repo).unwrap() {
            Some(Credential::Basic { username, .. }) => username,
            Some(Credential::IdentityToken(t)) => format!("token {t}"),
            None => "none".into(),
        };
        assert_eq!(user("reg.internal", "team/app"), "app");
        assert_eq!(user("reg.internal", "team/app2"), "team");
        assert_eq!(user("reg.internal", "x"), "host");
        assert_eq!(user("other.internal", "x"), "o");
        assert_eq!(user("tok.internal", "x"), "token refresh");
        assert_eq!(user("none.internal", "x"), "none");
        assert!(!format!("{:?}", lookup(&files, "reg.internal", "x").unwrap()).contains('1'));
    }

    #[test]
    fn login_and_logout_keep_other_entries() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c/auth.json");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, r#"{"auths":{"keep.internal":{"auth":"a2VlcDpw"}},"credHelpers":{"h.internal":"x"},"psFormat":"t"}"#).unwrap();
        store(&file, "reg.internal:5000", "me", "s3cret").unwrap();
        let mode = std::fs::metadata(&file).unwrap().permissions();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(mode.mode() & 0o777, 0o600);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.contains("psFormat")
                && text.contains("keep.internal")
                && text.contains("h.internal")
        );
        assert_eq!(
            lookup(std::slice::from_ref(&file), "reg.internal:5000", "a").unwrap(),
            Some(Credential::Basic {
                username: "me".into(),
                password: "s3cret".into()
            })
        );
        assert!(remove(&file, "reg.internal:5000").unwrap());
        assert!(!remove(&file, "reg.internal:5000").unwrap());
        assert!(
            std::fs::read_to_string(&file)
                .unwrap()
                .contains("keep.internal")
        );
    }

    #[test]
    fn broken_files_name_themselves() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("auth.json");
        std::fs::write(&file, r#"{"auths":{"r.internal":{"auth":"!!"}}}"#).unwrap();
        let e = lookup(std::slice::from_ref(&file), "r.internal", "a")
            .unwrap_err()
            .to_string();
        assert!(e.contains("auth.json") && e.contains("r.internal"), "{e}");
        std::fs::write(&file, "{").unwrap();
        assert!(lookup(&[file], "r.internal", "a").is_err());
    }
}
