//! Where a machine's pip and uv find their package index: `index-url` in a pip
//! configuration file (`[global]` or `[install]`), and `index-url`, the default `[[index]]`
//! or `[pip] index-url` in a `uv.toml`. The caller finds the files and environment
//! variables; these read their text.

/// The `index-url` of a pip configuration file (INI).
pub fn pip_index(text: &str) -> Option<String> {
    let mut section = String::new();
    let mut found = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with(['#', ';']) || line.is_empty() {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s.trim().to_ascii_lowercase();
            continue;
        }
        let Some((key, value)) = line.split_once(['=', ':']) else {
            continue;
        };
        let key = key.trim().replace('_', "-").to_ascii_lowercase();
        if (key == "index-url" || key == "i") && (section == "global" || section == "install") {
            // `[install]` is more specific than `[global]`.
            if found.is_none() || section == "install" {
                found = Some(value.trim().to_string());
            }
        }
    }
    found.filter(|v| !v.is_empty())
}

/// The default index of a `uv.toml`.
pub fn uv_index(text: &str) -> Option<String> {
    let doc: toml::Table = toml::from_str(text).ok()?;
    if let Some(indexes) = doc.get("index").and_then(|i| i.as_array()) {
        let default = indexes
            .iter()
            .filter_map(|i| i.as_table())
            .find(|i| i.get("default").and_then(|d| d.as_bool()) == Some(true));
        if let Some(url) = default.and_then(|i| i.get("url")).and_then(|u| u.as_str()) {
            return Some(url.to_string());
        }
    }
    doc.get("index-url")
        .or_else(|| doc.get("pip").and_then(|p| p.get("index-url")))
        .and_then(|u| u.as_str())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pip_and_uv_settings() {
        assert_eq!(
            pip_index("[global]\ntimeout = 60\nindex-url = https://mirror.example/simple\n")
                .as_deref(),
            Some("https://mirror.example/simple")
        );
        assert_eq!(
            pip_index(
                "[global]\nindex_url=https://a/simple\n[install]\nindex-url = https://b/simple\n"
            )
            .as_deref(),
            Some("https://b/simple")
        );
        assert_eq!(pip_index("[global]\ncert = /etc/ssl/x.pem\n"), None);
        assert_eq!(
            uv_index("[[index]]\nname = \"a\"\nurl = \"https://a/simple\"\n[[index]]\nurl = \"https://b/simple\"\ndefault = true\n").as_deref(),
            Some("https://b/simple")
        );
        assert_eq!(
            uv_index("index-url = \"https://c/simple\"\n").as_deref(),
            Some("https://c/simple")
        );
        assert_eq!(
            uv_index("[pip]\nindex-url = \"https://d/simple\"\n").as_deref(),
            Some("https://d/simple")
        );
        assert_eq!(uv_index("native-tls = true\n"), None);
    }
}
