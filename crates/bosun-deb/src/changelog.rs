//! Debian changelogs: the CVE ids the entries between two versions name. This works from the
//! mirror alone: a newer package's own changelog says what it fixes.

use std::io::Read;
use std::path::Path;

use crate::Error;
use crate::debfile::{EntryKind, read_deb};
use crate::version::Version;

/// One changelog entry: its version and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The version the entry is for.
    pub version: Version,
    /// The entry's lines.
    pub text: String,
}

/// Splits `debian/changelog` text into entries (`source (version) dists; urgency=...`
/// header lines start them).
pub fn entries(text: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for line in text.lines() {
        let header = !line.starts_with([' ', '\t'])
            && line.contains(" (")
            && line.contains(')')
            && line.contains(';');
        if header {
            let version = line
                .split_once(" (")
                .and_then(|(_, rest)| rest.split_once(')'))
                .and_then(|(v, _)| Version::parse(v.trim()).ok());
            if let Some(version) = version {
                out.push(Entry {
                    version,
                    text: String::new(),
                });
                continue;
            }
        }
        if let Some(e) = out.last_mut() {
            e.text.push_str(line);
            e.text.push('\n');
        }
    }
    out
}

/// `CVE-YYYY-NNNN...` ids in `text`, in order of appearance.
pub fn cve_ids(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = text[i..].find("CVE-").map(|a| a + i) {
        let year = &bytes[at + 4..(at + 8).min(bytes.len())];
        let mut end = at + 9;
        let dash = bytes.get(at + 8) == Some(&b'-');
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if year.len() == 4 && year.iter().all(u8::is_ascii_digit) && dash && end - (at + 9) >= 4 {
            out.push(text[at..end].to_string());
        }
        i = at + 4;
    }
    out
}

/// The CVE ids of the entries newer than `installed` up to `newer`, sorted, once each.
pub fn cves_between(text: &str, installed: &Version, newer: &Version) -> Vec<String> {
    let mut out: Vec<String> = entries(text)
        .into_iter()
        .filter(|e| &e.version > installed && &e.version <= newer)
        .flat_map(|e| cve_ids(&e.text))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The changelog a `.deb` ships for `package` (`usr/share/doc/PKG/changelog.Debian.gz`),
/// when it ships one (many binary packages link their doc directory to another's).
pub fn from_deb(path: &Path, package: &str) -> Result<Option<String>, Error> {
    let wanted = format!("usr/share/doc/{package}/changelog.Debian.gz");
    let mut found = None;
    read_deb(path, |entry| {
        if entry.path == wanted
            && let EntryKind::File(data) = entry.kind
        {
            let mut text = String::new();
            if flate2::read::GzDecoder::new(&data[..])
                .take(64 << 20)
                .read_to_string(&mut text)
                .is_ok()
            {
                found = Some(text);
            }
        }
        Ok(())
    })?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "openssl (3.5.9-1~deb13u1) trixie-security; urgency=medium\n\n  * Fix CVE-2026-1111 and CVE-2026-22222.\n\n -- Maintainer <m@example.org>  Mon, 01 Dec 2026 00:00:00 +0000\n\nopenssl (3.5.4-1~deb13u2) trixie; urgency=medium\n\n  * Fix CVE-2025-9999 (CVE-202-1 is not one).\n\n -- Maintainer <m@example.org>  Mon, 01 Sep 2025 00:00:00 +0000\n\nopenssl (3.5.4-1~deb13u1) trixie; urgency=medium\n\n  * CVE-2025-0001.\n";

    #[test]
    fn cves_since_the_installed_version() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert_eq!(entries(LOG).len(), 3);
        assert_eq!(
            cves_between(LOG, &v("3.5.4-1~deb13u1"), &v("3.5.9-1~deb13u1")),
            ["CVE-2025-9999", "CVE-2026-1111", "CVE-2026-22222"]
        );
        assert_eq!(
            cves_between(LOG, &v("3.5.4-1~deb13u2"), &v("3.5.9-1~deb13u1")),
            ["CVE-2026-1111", "CVE-2026-22222"]
        );
        assert!(cves_between(LOG, &v("3.5.9-1~deb13u1"), &v("3.5.9-1~deb13u1")).is_empty());
    }
}
