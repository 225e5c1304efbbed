//! SPDX 2.3 JSON. Identifiers are derived from content and lists are sorted, so one image
//! gives one document, byte for byte.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::{Package, Sbom};

/// A license as SPDX writes it: an id or expression SPDX knows, else a `LicenseRef-`.
pub(crate) fn license_ref(text: &str) -> (String, bool) {
    if spdx::Expression::parse(text).is_ok() {
        return (text.to_string(), true);
    }
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    (format!("LicenseRef-{clean}"), false)
}

fn spdx_id(p: &Package) -> String {
    format!("SPDXRef-Package-{}-{}", p.kind.as_str(), p.id())
}

/// The document.
pub fn document(sbom: &Sbom) -> Value {
    let image_id = "SPDXRef-Image";
    let mut extracted: BTreeMap<String, String> = BTreeMap::new();
    let mut by_name: BTreeMap<(crate::Kind, &str), Vec<String>> = BTreeMap::new();
    for p in &sbom.packages {
        by_name
            .entry((p.kind, p.name.as_str()))
            .or_default()
            .push(spdx_id(p));
    }
    let mut packages = vec![json!({
        "SPDXID": image_id,
        "name": sbom.name,
        "versionInfo": sbom.digest,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": "CONTAINER",
        "checksums": sbom.digest.strip_prefix("sha256:").map(|h| vec![json!({"algorithm": "SHA256", "checksumValue": h})]).unwrap_or_default(),
    })];
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": image_id,
    })];
    for p in &sbom.packages {
        let id = spdx_id(p);
        let declared = match p.licenses.is_empty() {
            true => "NOASSERTION".to_string(),
            false => p
                .licenses
                .iter()
                .map(|l| {
                    let (text, known) = license_ref(l);
                    if !known {
                        extracted.insert(text.clone(), l.clone());
                    }
                    if p.licenses.len() > 1 && text.contains(' ') {
                        format!("({text})")
                    } else {
                        text
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        };
        let mut package = json!({
            "SPDXID": id,
            "name": p.name,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": declared,
            "copyrightText": "NOASSERTION",
            "sourceInfo": format!("{} found at {}", p.kind.as_str(), p.location),
            "externalRefs": [{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }],
        });
        let checksums: Vec<serde_json::Value> = [("SHA256", &p.sha256), ("SHA512", &p.sha512)]
            .into_iter()
            .filter_map(|(alg, h)| Some(json!({"algorithm": alg, "checksumValue": h.as_ref()?})))
            .collect();
        if !checksums.is_empty() {
            package["checksums"] = json!(checksums);
        }
        if let Some((name, version)) = &p.source {
            package["comment"] = json!(format!("source package {name} {version}"));
        }
        packages.push(package);
        relationships.push(json!({
            "spdxElementId": image_id,
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
        for dep in &p.depends {
            for target in by_name.get(&(p.kind, dep.as_str())).into_iter().flatten() {
                relationships.push(json!({
                    "spdxElementId": id,
                    "relationshipType": "DEPENDS_ON",
                    "relatedSpdxElement": target,
                }));
            }
        }
    }
    let mut files = Vec::new();
    for f in &sbom.files {
        let id = format!("SPDXRef-File-{}", &f.sha256[..16.min(f.sha256.len())]);
        let id = format!(
            "{id}-{}",
            hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(f.path.as_bytes())[..4])
        );
        files.push(json!({
            "SPDXID": id,
            "fileName": format!(".{}", f.path),
            "checksums": [
                {"algorithm": "SHA1", "checksumValue": f.sha1},
                {"algorithm": "SHA256", "checksumValue": f.sha256},
            ],
            "licenseConcluded": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "comment": "copied into the image by its build",
        }));
        // The image package is not analysed file by file, so SPDX does not let it CONTAIN
        // files: the document describes them beside it.
        relationships.push(json!({
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": id,
        }));
    }
    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": sbom.name,
        "documentNamespace": format!("urn:bosun:spdx:{}", sbom.digest.replace(':', "-")),
        "creationInfo": {
            "created": sbom.created,
            "creators": [format!("Tool: bosun-{}", env!("CARGO_PKG_VERSION"))],
        },
        "packages": packages,
        "relationships": relationships,
    });
    if !files.is_empty() {
        doc["files"] = json!(files);
    }
    if !extracted.is_empty() {
        doc["hasExtractedLicensingInfos"] = extracted
            .into_iter()
            .map(|(id, text)| json!({"licenseId": id, "extractedText": text, "name": text}))
            .collect();
    }
    doc
}
