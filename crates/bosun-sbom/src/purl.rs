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

#[cfg(test)]
mod tests {
    use super::*;

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
