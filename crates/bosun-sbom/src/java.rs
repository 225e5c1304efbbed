//! Java archives, named as syft names them: the archive itself from its manifest (its name
//! and version from the one `pom.properties` that matches the file name, else from the file
//! name, else from the manifest's fields), each other `pom.properties` as a package of its
//! own, and archives nested inside, recursively.

use std::io::Read;

use crate::{Kind, Package};

/// Entries read from an archive are small; a bound keeps a hostile one from inflating.
const MAX_ENTRY: u64 = 1 << 20;
/// Archives inside archives inside archives...: enough for fat jars, bounded for hostile ones.
const MAX_DEPTH: usize = 4;
const ARCHIVES: [&str; 5] = [".jar", ".war", ".ear", ".jpi", ".hpi"];

pub(crate) fn archive(location: &str, bytes: &[u8]) -> Vec<Package> {
    let mut out = Vec::new();
    read(location, bytes, 0, &mut out);
    out
}

struct Pom {
    group: String,
    artifact: String,
    version: String,
}

fn read(location: &str, bytes: &[u8], depth: usize, out: &mut Vec<Package>) {
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return;
    };
    let mut manifest = None;
    let mut poms = Vec::new();
    let mut nested = Vec::new();
    for i in 0..zip.len() {
        let Ok(mut file) = zip.by_index(i) else {
            continue;
        };
        let name = file.name().to_string();
        let is_pom = name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties");
        let is_manifest = name.eq_ignore_ascii_case("META-INF/MANIFEST.MF");
        let is_nested = depth < MAX_DEPTH && ARCHIVES.iter().any(|e| name.ends_with(e));
        if is_nested {
            let mut inner = Vec::new();
            if (&mut file).take(256 << 20).read_to_end(&mut inner).is_ok() {
                nested.push((name, inner));
            }
            continue;
        }
        if !is_pom && !is_manifest {
            continue;
        }
        let mut text = String::new();
        if (&mut file)
            .take(MAX_ENTRY)
            .read_to_string(&mut text)
            .is_err()
        {
            continue;
        }
        if is_manifest {
            manifest = Some(text);
            continue;
        }
        let get = |key: &str| {
            text.lines().find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == key).then(|| v.trim().to_string())
            })
        };
        if let (Some(artifact), Some(version)) = (get("artifactId"), get("version"))
            && !artifact.is_empty()
            && !version.is_empty()
        {
            poms.push(Pom {
                group: get("groupId").unwrap_or_default(),
                artifact,
                version,
            });
        }
    }
    // Without a manifest there is no archive package (and syft adds none of its poms either).
    if let Some(manifest) = manifest {
        let (file_name, file_version) = filename(location);
        let matching = match &poms[..] {
            [one] if !file_name.is_empty() && one.artifact.starts_with(&file_name) => Some(one),
            _ => None,
        };
        let field = |keys: &[&str]| keys.iter().find_map(|k| manifest_field(&manifest, k));
        let name = match matching {
            Some(p) => p.artifact.clone(),
            None if !file_name.is_empty() => file_name.clone(),
            None => field(&[
                "Name",
                "Bundle-Name",
                "Short-Name",
                "Extension-Name",
                "Implementation-Title",
            ])
            .unwrap_or_default(),
        };
        let version = match matching {
            Some(p) => p.version.clone(),
            None if !file_version.is_empty() => file_version,
            None => field(&[
                "Implementation-Version",
                "Specification-Version",
                "Plugin-Version",
                "Bundle-Version",
            ])
            .unwrap_or_else(|| "UNKNOWN".into()),
        };
        let group = matching.map(|p| p.group.clone());
        if !name.is_empty() {
            out.push(java(location, group.as_deref(), &name, &version));
        }
        for pom in &poms {
            if pom.artifact != name {
                out.push(java(
                    location,
                    Some(&pom.group),
                    &pom.artifact,
                    &pom.version,
                ));
            }
        }
    }
    for (inner, bytes) in nested {
        read(&format!("{location}:{inner}"), &bytes, depth + 1, out);
    }
}

/// A manifest's main-section field (continuation lines joined).
fn manifest_field(manifest: &str, key: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in manifest.lines() {
        if line.trim().is_empty() {
            break; // the main section ends at the first blank line
        }
        if let Some(rest) = line.strip_prefix(' ') {
            if let Some(v) = value.as_mut() {
                v.push_str(rest.trim_end());
            }
            continue;
        }
        if value.is_some() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.trim() == key
        {
            value = Some(v.trim().to_string());
        }
    }
    value.filter(|v| !v.is_empty())
}

/// `commons-io-2.11.0.jar` -> (`commons-io`, `2.11.0`): the version starts at the first `-`
/// followed by a digit.
fn filename(location: &str) -> (String, String) {
    let base = location.rsplit(['/', ':']).next().unwrap_or(location);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let bytes = stem.as_bytes();
    for (i, _) in stem.match_indices('-') {
        if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return (stem[..i].to_string(), stem[i + 1..].to_string());
        }
    }
    (stem.to_string(), String::new())
}

fn java(location: &str, group: Option<&str>, artifact: &str, version: &str) -> Package {
    let group = group.filter(|g| !g.is_empty()).unwrap_or(artifact);
    let purl = crate::purl::purl("maven", Some(group), artifact, version, &[]);
    Package::new(Kind::JavaArchive, artifact, version, purl, location)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(
            filename("/usr/share/java/commons-io-2.11.0.jar"),
            ("commons-io".into(), "2.11.0".into())
        );
        assert_eq!(filename("/x/guice.jar"), ("guice".into(), String::new()));
        assert_eq!(
            filename("/x/maven3-core-3.8.7.jar"),
            ("maven3-core".into(), "3.8.7".into())
        );
    }

    #[test]
    fn manifest_fields() {
        let m = "Manifest-Version: 1.0\nImplementation-Title: long\n name\nBundle-Version: 1\n\nName: x\nImplementation-Version: 9\n";
        assert_eq!(
            manifest_field(m, "Implementation-Title").as_deref(),
            Some("longname")
        );
        assert_eq!(
            manifest_field(m, "Implementation-Version"),
            None,
            "named sections are not the main one"
        );
    }
}
