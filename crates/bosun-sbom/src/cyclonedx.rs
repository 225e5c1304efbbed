//! CycloneDX 1.6 JSON, deterministic as the SPDX document is.

use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::{Package, Sbom};

/// A UUID (version 5 layout) derived from the image digest: the same image, the same serial.
fn serial(digest: &str) -> String {
    let h = Sha256::digest(format!("bosun-cyclonedx:{digest}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..]
    )
}

fn licenses(p: &Package) -> Option<Value> {
    if p.licenses.is_empty() {
        return None;
    }
    // One compound expression, or one entry per license (an SPDX id, else a name).
    let compound = p.licenses.iter().any(|l| l.contains(' '));
    if compound {
        let (parts, known): (Vec<String>, Vec<bool>) = p
            .licenses
            .iter()
            .map(|l| crate::spdx::license_ref(l))
            .map(|(t, k)| {
                (
                    if p.licenses.len() > 1 {
                        format!("({t})")
                    } else {
                        t
                    },
                    k,
                )
            })
            .unzip();
        if known.iter().all(|k| *k) {
            return Some(json!([{"expression": parts.join(" AND ")}]));
        }
    }
    Some(
        p.licenses
            .iter()
            .map(|l| match spdx::license_id(l) {
                Some(id) => json!({"license": {"id": id.name}}),
                None => json!({"license": {"name": l}}),
            })
            .collect(),
    )
}

fn bom_ref(p: &Package) -> String {
    format!("{}-{}", p.kind.as_str(), p.id())
}

/// The document.
pub fn document(sbom: &Sbom) -> Value {
    let image_ref = "image";
    let mut components = Vec::new();
    let mut dependencies = vec![json!({
        "ref": image_ref,
        "dependsOn": sbom.packages.iter().map(bom_ref).collect::<Vec<_>>(),
    })];
    for p in &sbom.packages {
        let mut properties = vec![
            json!({"name": "bosun:package:type", "value": p.kind.as_str()}),
            json!({"name": "bosun:location", "value": p.location}),
        ];
        if let Some(a) = &p.architecture {
            properties.push(json!({"name": "bosun:package:architecture", "value": a}));
        }
        if let Some((name, version)) = &p.source {
            properties.push(
                json!({"name": "bosun:package:source", "value": format!("{name} {version}")}),
            );
        }
        if let Some(suite) = &p.suite {
            properties.push(json!({"name": "bosun:package:suite", "value": suite}));
        }
        let mut c = json!({
            "bom-ref": bom_ref(p),
            "type": "library",
            "name": p.name,
            "version": p.version,
            "purl": p.purl,
            "properties": properties,
        });
        if let Some(l) = licenses(p) {
            c["licenses"] = l;
        }
        let hashes: Vec<serde_json::Value> = [("SHA-256", &p.sha256), ("SHA-512", &p.sha512)]
            .into_iter()
            .filter_map(|(alg, h)| Some(json!({"alg": alg, "content": h.as_ref()?})))
            .collect();
        if !hashes.is_empty() {
            c["hashes"] = json!(hashes);
        }
        components.push(c);
        let targets: Vec<String> = sbom
            .packages
            .iter()
            .filter(|d| d.kind == p.kind && p.depends.contains(&d.name))
            .map(bom_ref)
            .collect();
        if !targets.is_empty() {
            dependencies.push(json!({"ref": bom_ref(p), "dependsOn": targets}));
        }
    }
    for f in &sbom.files {
        components.push(json!({
            "bom-ref": format!("file-{}", hex::encode(&Sha256::digest(f.path.as_bytes())[..8])),
            "type": "file",
            "name": f.path,
            "hashes": [{"alg": "SHA-256", "content": f.sha256}],
        }));
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial(&sbom.digest),
        "version": 1,
        "metadata": {
            "timestamp": sbom.created,
            "tools": {"components": [{"type": "application", "name": "bosun", "version": env!("CARGO_PKG_VERSION")}]},
            "component": {"bom-ref": image_ref, "type": "container", "name": sbom.name, "version": sbom.digest},
        },
        "components": components,
        "dependencies": dependencies,
    })
}
