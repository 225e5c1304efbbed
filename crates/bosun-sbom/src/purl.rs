//! Package URLs (purl-spec) in the forms vulnerability scanners match on.

/// What stays as it is in a purl component: RFC 3986's unreserved characters (so a Debian
/// epoch `1:2.3` is `1%3A2.3`, and `+` is `%2B` as scanners expect).
const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a purl component (name, version, qualifier value).
pub fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, COMPONENT).to_string()
}

/// `pkg:TYPE/NAMESPACE/NAME@VERSION?k=v&...`, qualifiers sorted by key as the spec asks.
pub fn purl(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, String)],
) -> String {
    let mut out = format!("pkg:{kind}/");
    if let Some(ns) = namespace.filter(|n| !n.is_empty()) {
        let parts: Vec<String> = ns.split('/').map(encode).collect();
        out.push_str(&parts.join("/"));
        out.push('/');
    }
    out.push_str(&encode(name));
    if !version.is_empty() {
        out.push('@');
        out.push_str(&encode(version));
    }
    let mut q: Vec<&(&str, String)> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    q.sort_by_key(|(k, _)| *k);
    for (i, (k, v)) in q.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(&format!("{k}={}", encode(v)));
    }
    out
}

/// A parsed package URL, components percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    /// The type (`deb`, `pypi`, `npm`, `golang`, `cargo`, ...), lower-cased.
    pub kind: String,
    /// The namespace (`debian`, an npm `@scope`, a Go module's path), if any.
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// The version, if any.
    pub version: Option<String>,
    /// Qualifiers, by key.
    pub qualifiers: std::collections::BTreeMap<String, String>,
}

impl Purl {
    /// Parses `pkg:TYPE/NAMESPACE/NAME@VERSION?QUALIFIERS#SUBPATH` (the subpath is dropped);
    /// `None` when it is not a purl.
    pub fn parse(purl: &str) -> Option<Purl> {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(|c| c.into_owned())
        };
        let rest = purl.strip_prefix("pkg:")?.trim_start_matches('/');
        let rest = rest.split('#').next().unwrap_or_default();
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (kind, path) = rest.split_once('/')?;
        // The version follows the last `@` of the last segment (an npm scope starts with one).
        let (path, version) = match path.rsplit_once('@') {
            Some((p, v)) if !v.contains('/') && !p.is_empty() => (p, Some(decode(v)?)),
            _ => (path, None),
        };
        let (namespace, name) = match path.trim_end_matches('/').rsplit_once('/') {
            Some((ns, n)) => {
                let parts: Option<Vec<String>> = ns.split('/').map(decode).collect();
                (Some(parts?.join("/")), decode(n)?)
            }
            None => (None, decode(path)?),
        };
        let mut qualifiers = std::collections::BTreeMap::new();
        for (k, v) in query.split('&').filter_map(|kv| kv.split_once('=')) {
            qualifiers.insert(k.to_ascii_lowercase(), decode(v)?);
        }
        (!name.is_empty()).then(|| Purl {
            kind: kind.to_ascii_lowercase(),
            namespace,
            name,
            version,
            qualifiers,
        })
    }

    /// `pkg:TYPE/NAMESPACE/NAME`: what names the package whatever its version.
    pub fn package(&self) -> String {
        purl(&self.kind, self.namespace.as_deref(), &self.name, "", &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_writes() {
        let p = Purl::parse("pkg:deb/debian/x@1%3A2.0?arch=amd64&distro=debian-13&upstream=y%401")
            .unwrap();
        assert_eq!(
            (p.kind.as_str(), p.namespace.as_deref(), p.name.as_str()),
            ("deb", Some("debian"), "x")
        );
        assert_eq!(p.version.as_deref(), Some("1:2.0"));
        assert_eq!(p.qualifiers["upstream"], "y@1");
        let p = Purl::parse("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(
            (p.namespace.as_deref(), p.name.as_str()),
            (Some("@babel"), "core")
        );
        assert_eq!(p.package(), "pkg:npm/%40babel/core");
        let p = Purl::parse("pkg:golang/github.com/a/b@v1.2.3#sub").unwrap();
        assert_eq!(
            (p.namespace.as_deref(), p.version.as_deref()),
            (Some("github.com/a"), Some("v1.2.3"))
        );
        let p = Purl::parse("pkg:pypi/requests").unwrap();
        assert_eq!((p.name.as_str(), p.version), ("requests", None));
        assert_eq!(Purl::parse("npm/x@1"), None);
    }

    #[test]
    fn forms() {
        assert_eq!(
            purl(
                "deb",
                Some("debian"),
                "libc6",
                "2.41-12",
                &[
                    ("arch", "amd64".into()),
                    ("distro", "debian-13".into()),
                    ("upstream", "glibc".into())
                ]
            ),
            "pkg:deb/debian/libc6@2.41-12?arch=amd64&distro=debian-13&upstream=glibc"
        );
        assert_eq!(
            purl("deb", Some("debian"), "x", "1:2.0", &[]),
            "pkg:deb/debian/x@1%3A2.0"
        );
        assert_eq!(
            purl("npm", Some("@babel"), "core", "7.0.0", &[]),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            purl("golang", Some("github.com/a"), "b", "v1.2.3", &[]),
            "pkg:golang/github.com/a/b@v1.2.3"
        );
    }
}
