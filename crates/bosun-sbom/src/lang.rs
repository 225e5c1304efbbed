//! Python distributions and npm packages, from the metadata files their installers write.

use crate::{Kind, Package};

/// A Python distribution from `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` or an
/// `*.egg-info` file (RFC 822 headers).
pub(crate) fn python(location: &str, text: &str) -> Option<Package> {
    let (mut name, mut version, mut license, mut expression) = (None, None, None, None);
    for line in text.lines() {
        if line.is_empty() {
            break; // the body (the long description) follows the headers
        }
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        match k {
            "Name" => name = Some(v.to_string()),
            "Version" => version = Some(v.to_string()),
            "License" if !v.is_empty() && v != "UNKNOWN" && v.len() <= 100 => {
                license = Some(v.to_string())
            }
            "License-Expression" => expression = Some(v.to_string()),
            _ => {}
        }
    }
    let (name, version) = (name?, version?);
    let normalized = pep503_name(&name);
    let purl = crate::purl::purl("pypi", None, &normalized, &version, &[]);
    Some(Package {
        licenses: expression.or(license).into_iter().collect(),
        ..Package::new(Kind::Python, &normalized, &version, purl, location)
    })
}

/// A Python distribution's name as PEP 503 normalizes it: runs of `-`, `_` and `.` are one
/// `-`, lower case (how pip, syft and the advisory databases name it).
pub fn pep503_name(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '-' | '_' | '.' if normalized.ends_with('-') => {}
            '-' | '_' | '.' => normalized.push('-'),
            c => normalized.push(c.to_ascii_lowercase()),
        }
    }
    normalized
}

/// An npm package from its `package.json` (one with a name and a version).
pub(crate) fn npm(location: &str, text: &str) -> Option<Package> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let name = v.get("name")?.as_str()?.to_string();
    let version = v.get("version")?.as_str()?.to_string();
    if name.is_empty() || version.is_empty() {
        return None;
    }
    let license = match v.get("license") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(obj) => obj
            .get("type")
            .and_then(|t| t.as_str())
            .map(String::from)
            .into_iter()
            .collect(),
        None => v
            .get("licenses")
            .and_then(|l| l.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.get("type")?.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let (namespace, short) = match name.split_once('/') {
        Some((scope, n)) if scope.starts_with('@') => (Some(scope), n),
        _ => (None, name.as_str()),
    };
    let purl = crate::purl::purl("npm", namespace, short, &version, &[]);
    Some(Package {
        licenses: license,
        ..Package::new(Kind::Npm, &name, &version, purl, location)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_metadata() {
        let p = python("/x.dist-info/METADATA", "Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.2\nLicense: BSD-3-Clause\n\nName: not-a-header\n").unwrap();
        assert_eq!((p.name.as_str(), p.version.as_str()), ("jinja2", "3.1.2"));
        assert_eq!(p.purl, "pkg:pypi/jinja2@3.1.2");
        assert_eq!(p.licenses, ["BSD-3-Clause"]);
        let p = python("/y", "Name: typing_extensions\nVersion: 4\n").unwrap();
        assert_eq!(p.name, "typing-extensions");
        assert!(python("/y", "Name: x\n").is_none());
    }

    #[test]
    fn npm_package_json() {
        let p = npm(
            "/n/package.json",
            r#"{"name":"@babel/core","version":"7.1.0","license":{"type":"MIT"}}"#,
        )
        .unwrap();
        assert_eq!(p.purl, "pkg:npm/%40babel/core@7.1.0");
        assert_eq!(p.licenses, ["MIT"]);
        assert!(npm("/n/package.json", r#"{"name":"x"}"#).is_none());
    }
}
