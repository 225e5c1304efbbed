//! The simple repository API of a Python package index: a project's page lists its files,
//! as JSON (PEP 691) or HTML links whose fragment carries the hash (PEP 503).

use super::url_filename;
use crate::{Error, Integrity};

/// Reads a project's page from a package index. The caller owns the network, credentials
/// and retries.
pub trait SimpleIndex {
    /// The body of `url`, asked for with `Accept: application/vnd.pypi.simple.v1+json,
    /// text/html;q=0.1`.
    fn page(&self, url: &str) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;
}

/// An index that answers nothing: for lockfiles that carry their own URLs.
pub struct NoIndex;

impl SimpleIndex for NoIndex {
    fn page(&self, url: &str) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!("no package index is configured to read {url}").into())
    }
}

/// A file a project page lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFile {
    /// File name.
    pub filename: String,
    /// Absolute URL.
    pub url: String,
    /// Its sha256 (or another hash the page gives).
    pub hash: Option<Integrity>,
    /// Size, when the page says (PEP 700).
    pub size: Option<u64>,
}

/// The page of project `name` (normalised) on the index at `index`.
pub fn project_url(index: &str, name: &str) -> String {
    format!("{}/{name}/", index.trim_end_matches('/'))
}

/// The files of a project page at `url` (JSON or HTML).
pub fn files(url: &str, body: &[u8]) -> Result<Vec<IndexFile>, Error> {
    let text = String::from_utf8_lossy(body);
    if text.trim_start().starts_with('{') {
        #[derive(serde::Deserialize)]
        struct Page {
            files: Vec<JsonFile>,
        }
        #[derive(serde::Deserialize)]
        struct JsonFile {
            filename: String,
            url: String,
            #[serde(default)]
            hashes: std::collections::BTreeMap<String, String>,
            #[serde(default)]
            size: Option<u64>,
        }
        let page: Page = serde_json::from_str(&text).map_err(|e| Error::Index {
            url: url.to_string(),
            source: Box::new(e),
        })?;
        return Ok(page
            .files
            .into_iter()
            .map(|f| IndexFile {
                url: join(url, &f.url),
                hash: ["sha512", "sha384", "sha256"].iter().find_map(|alg| {
                    f.hashes
                        .get(*alg)
                        .and_then(|h| Integrity::parse(&format!("{alg}:{h}")))
                }),
                filename: f.filename,
                size: f.size,
            })
            .collect());
    }
    // HTML: each `<a href="URL#sha256=HEX" ...>NAME</a>`.
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<a ") {
        let tag_start = at + start;
        let Some(tag_end) = lower[tag_start..].find('>').map(|e| tag_start + e) else {
            break;
        };
        at = tag_end;
        let tag = &text[tag_start..tag_end];
        let Some(href) = attribute(tag, "href") else {
            continue;
        };
        let href = unescape(&href);
        let (link, fragment) = href.split_once('#').unwrap_or((&href, ""));
        let hash = fragment
            .split_once('=')
            .and_then(|(alg, hex)| Integrity::parse(&format!("{alg}:{hex}")));
        let absolute = join(url, link);
        out.push(IndexFile {
            filename: url_filename(&absolute),
            url: absolute,
            hash,
            size: None,
        });
    }
    Ok(out)
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let i = from + i;
        from = i + name.len();
        let before = lower[..i].chars().last();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = tag[i + name.len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let (quote, body) = match rest.chars().next()? {
            q @ ('"' | '\'') => (q, &rest[1..]),
            _ => (' ', rest),
        };
        let end = body.find(quote).unwrap_or(body.len());
        return Some(body[..end].to_string());
    }
    None
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#43;", "+")
        .replace("&quot;", "\"")
        .replace("&#x3D;", "=")
}

/// `href` resolved against the page at `base` (absolute, root-relative or relative).
pub(crate) fn join(base: &str, href: &str) -> String {
    if href.contains("://") {
        return href.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    if let Some(abs) = href.strip_prefix("//") {
        return format!("{scheme}://{abs}");
    }
    let mut parts: Vec<&str> = match href.starts_with('/') {
        true => Vec::new(),
        false => {
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            dir.split('/').filter(|p| !p.is_empty()).collect()
        }
    };
    for p in href.trim_start_matches('/').split('/') {
        match p {
            "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("{scheme}://{host}/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_and_html_pages() {
        let json = br#"{"meta":{"api-version":"1.1"},"name":"flask","files":[
          {"filename":"flask-3.1.1-py3-none-any.whl","url":"../../files/flask-3.1.1-py3-none-any.whl","hashes":{"sha256":"07aae2bb5eaf77993ef57e357491839f5fd9f4dc281593a81a9e4d79a24f295c"},"size":103305}]}"#;
        let f = files("https://index.example/simple/flask/", json).unwrap();
        assert_eq!(
            f[0].url,
            "https://index.example/files/flask-3.1.1-py3-none-any.whl"
        );
        assert_eq!(f[0].size, Some(103305));
        assert_eq!(f[0].hash.as_ref().unwrap().algorithm, "sha256");
        let html = b"<html><body><a href=\"/packages/flask-3.1.1.tar.gz#sha256=6d8e\" data-requires-python=\"&gt;=3.9\">flask-3.1.1.tar.gz</a>\n<A HREF='https://cdn.example/x/flask-3.1.1-py3-none-any.whl#sha256=07aae2bb5eaf77993ef57e357491839f5fd9f4dc281593a81a9e4d79a24f295c'>w</a></body></html>";
        let f = files("http://127.0.0.1:8080/simple/flask/", html).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0].url,
            "http://127.0.0.1:8080/packages/flask-3.1.1.tar.gz"
        );
        assert_eq!(f[0].hash, None, "a short hash is no hash");
        assert_eq!(f[1].filename, "flask-3.1.1-py3-none-any.whl");
        assert!(f[1].hash.is_some());
        assert!(files("u", b"{not json").is_err());
    }

    #[test]
    fn joins_urls() {
        assert_eq!(join("https://h/a/b/", "c.whl"), "https://h/a/b/c.whl");
        assert_eq!(join("https://h/a/b/", "../c.whl"), "https://h/a/c.whl");
        assert_eq!(join("https://h/a/b/", "/c.whl"), "https://h/c.whl");
        assert_eq!(join("https://h/a/", "//cdn/c.whl"), "https://cdn/c.whl");
        assert_eq!(join("https://h/a/", "http://o/c.whl"), "http://o/c.whl");
    }
}
