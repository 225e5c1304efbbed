//! OpenVEX documents as input: statements that an image or a package is `not_affected` by a
//! vulnerability (or has it `fixed`) take the matching findings out of the report, with the
//! statement's justification as the reason.
//!
//! Both OpenVEX forms are read: v0.2 (`vulnerability: {name, aliases}`, `products: [{@id,
//! identifiers, subcomponents}]`) and the earlier one (`vulnerability: "CVE-..."`,
//! `products: ["pkg:..."]`, `subcomponents` on the statement). A product names the image (its
//! reference as given, or a `pkg:oci` purl with its digest), then the statement covers the
//! packages its subcomponents name (all of them when it names none), or it names a package by
//! purl directly. Later statements override earlier ones.

use std::path::Path;

use bosun_sbom::purl::Purl;
use serde_json::Value;

use crate::Error;
use crate::findings::Finding;

/// The statements of the documents read, in order.
#[derive(Debug, Clone, Default)]
pub struct Vex {
    statements: Vec<Statement>,
}

#[derive(Debug, Clone)]
struct Statement {
    vulnerabilities: Vec<String>,
    products: Vec<Product>,
    status: String,
    reason: String,
}

#[derive(Debug, Clone)]
struct Product {
    ids: Vec<String>,
    subcomponents: Vec<String>,
}

/// The ids an element gives: a string, or `@id` and each `identifiers` value.
fn ids(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Object(o) => o
            .get("@id")
            .and_then(Value::as_str)
            .into_iter()
            .map(String::from)
            .chain(
                o.get("identifiers")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flat_map(|i| i.values().filter_map(Value::as_str).map(String::from)),
            )
            .collect(),
        _ => Vec::new(),
    }
}

fn list(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

impl Vex {
    /// Reads one OpenVEX JSON document and adds its statements.
    pub fn read(&mut self, path: &Path) -> Result<(), Error> {
        let what = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| Error::invalid(&what, format!("not JSON: {e}")))?;
        let context = doc["@context"].as_str().unwrap_or_default();
        let Some(statements) = doc["statements"]
            .as_array()
            .filter(|_| context.contains("openvex"))
        else {
            return Err(Error::invalid(
                &what,
                "not an OpenVEX document (no openvex @context and statements)",
            ));
        };
        for (i, s) in statements.iter().enumerate() {
            let vulnerabilities = match &s["vulnerability"] {
                Value::String(name) => vec![name.clone()],
                v => v["name"]
                    .as_str()
                    .into_iter()
                    .map(String::from)
                    .chain(
                        list(v.get("aliases"))
                            .iter()
                            .filter_map(Value::as_str)
                            .map(String::from),
                    )
                    .chain(v["@id"].as_str().map(String::from))
                    .collect(),
            };
            let status = s["status"].as_str().unwrap_or_default().to_string();
            if vulnerabilities.is_empty() || status.is_empty() {
                return Err(Error::invalid(
                    &what,
                    format!("statement {} names no vulnerability or status", i + 1),
                ));
            }
            let statement_subs: Vec<String> =
                list(s.get("subcomponents")).iter().flat_map(ids).collect();
            let products = list(s.get("products"))
                .iter()
                .map(|p| Product {
                    ids: ids(p),
                    subcomponents: list(p.get("subcomponents"))
                        .iter()
                        .flat_map(ids)
                        .chain(statement_subs.iter().cloned())
                        .collect(),
                })
                .collect();
            let reason = [s["justification"].as_str(), s["impact_statement"].as_str()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
            let reason = match reason.is_empty() {
                true => format!("VEX {status} ({what})"),
                false => format!("VEX {status}: {reason} ({what})"),
            };
            self.statements.push(Statement {
                vulnerabilities,
                products,
                status,
                reason,
            });
        }
        Ok(())
    }

    /// Why the documents take `f` out of the report, if they do. `image` holds the names of
    /// the image scanned (the reference as given, its manifest digest).
    pub fn suppresses(&self, f: &Finding, image: &[String]) -> Option<&str> {
        let statement = self.statements.iter().rev().find(|s| {
            s.vulnerabilities
                .iter()
                .any(|v| f.ids().any(|id| id.eq_ignore_ascii_case(v)))
                && s.products.iter().any(|p| p.covers(f, image))
        })?;
        matches!(statement.status.as_str(), "not_affected" | "fixed")
            .then_some(statement.reason.as_str())
    }
}

impl Product {
    fn covers(&self, f: &Finding, image: &[String]) -> bool {
        if self.ids.iter().any(|id| purl_matches(id, &f.purl)) {
            return true;
        }
        let names_image = self.ids.iter().any(|id| {
            image.iter().any(|i| i == id)
                || Purl::parse(id).is_some_and(|p| {
                    p.kind == "oci"
                        && p.version
                            .as_ref()
                            .is_some_and(|v| image.iter().any(|i| i == v))
                })
        });
        names_image
            && (self.subcomponents.is_empty()
                || self.subcomponents.iter().any(|s| purl_matches(s, &f.purl)))
    }
}

/// Whether `pattern` names the package `purl`: same type, namespace and name; the same version
/// when the pattern gives one; and each qualifier the pattern gives.
fn purl_matches(pattern: &str, purl: &str) -> bool {
    let (Some(p), Some(q)) = (Purl::parse(pattern), Purl::parse(purl)) else {
        return false;
    };
    p.package() == q.package()
        && p.version
            .as_ref()
            .is_none_or(|v| q.version.as_ref() == Some(v))
        && p.qualifiers
            .iter()
            .all(|(k, v)| q.qualifiers.get(k) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str, purl: &str) -> Finding {
        crate::findings::sample(id, "p", purl)
    }

    #[test]
    fn statements_cover_images_and_packages() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
        std::fs::write(&a, r#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
            {"vulnerability": {"name": "CVE-1"}, "status": "not_affected",
             "justification": "vulnerable_code_not_in_execute_path",
             "products": [{"@id": "pkg:oci/app@sha256%3Aabc", "subcomponents": [{"@id": "pkg:deb/debian/libfoo1"}]}]},
            {"vulnerability": {"name": "CVE-2", "aliases": ["GHSA-x"]}, "status": "fixed",
             "products": [{"@id": "pkg:pypi/requests@2.0"}]},
            {"vulnerability": {"name": "CVE-3"}, "status": "not_affected", "products": [{"@id": "app:1"}]}
        ]}"#).unwrap();
        std::fs::write(
            &b,
            r#"{"@context": "https://openvex.dev/ns", "statements": [
            {"vulnerability": "CVE-3", "status": "affected", "products": ["app:1"]}
        ]}"#,
        )
        .unwrap();
        let mut vex = Vex::default();
        vex.read(&a).unwrap();
        let image = vec!["app:1".to_string(), "sha256:abc".to_string()];
        let libfoo = "pkg:deb/debian/libfoo1@1.0?arch=amd64";
        assert!(
            vex.suppresses(&finding("CVE-1", libfoo), &image)
                .unwrap()
                .contains("vulnerable_code_not_in_execute_path")
        );
        assert!(
            vex.suppresses(&finding("CVE-1", "pkg:deb/debian/other@1"), &image)
                .is_none(),
            "not a subcomponent"
        );
        assert!(
            vex.suppresses(&finding("CVE-1", libfoo), &["sha256:def".into()])
                .is_none(),
            "another image"
        );
        let mut ghsa = finding("GHSA-x", "pkg:pypi/requests@2.0");
        assert!(
            vex.suppresses(&ghsa, &image).is_some(),
            "by alias and package purl"
        );
        ghsa.purl = "pkg:pypi/requests@2.1".into();
        assert!(vex.suppresses(&ghsa, &image).is_none(), "another version");
        assert!(
            vex.suppresses(&finding("CVE-3", "pkg:deb/debian/z@1"), &image)
                .is_some()
        );
        vex.read(&b).unwrap();
        assert!(
            vex.suppresses(&finding("CVE-3", "pkg:deb/debian/z@1"), &image)
                .is_none(),
            "the later statement wins"
        );
        std::fs::write(&b, r#"{"statements": []}"#).unwrap();
        assert!(
            vex.read(&b)
                .unwrap_err()
                .to_string()
                .contains("not an OpenVEX document")
        );
    }
}
