//! The secret rules stay quiet on ordinary files from Debian packages installed on this
//! machine: Python's standard library (full of "password", "token" and URL examples), the CA
//! bundle, copyright files, scripts and binaries. (`/etc/ssl/private` holds this machine's
//! generated snakeoil key, a real private key, so it is left out.)
#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};

use bosun_analyze::secrets;

fn walk(dir: &Path, out: &mut Vec<PathBuf>, limit: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if out.len() >= limit {
            return;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, out, limit);
        } else if meta.is_file()
            && meta.len() <= 2 << 20
            && !path.starts_with("/etc/ssl/private")
            // Real API keys Google assigned to Debian's Chromium build, shipped on purpose:
            // finding them is right, so they are no false positive to test for.
            && !path.starts_with("/etc/chromium.d/apikeys")
        {
            out.push(path);
        }
    }
}

#[test]
fn debian_files_have_no_secrets() {
    let mut files = Vec::new();
    // Whichever Python the machine has, not one version: a missing root must not shrink the
    // test to nothing.
    let mut roots: Vec<PathBuf> = std::fs::read_dir("/usr/lib")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("python3.") && n[8..].parse::<u32>().is_ok())
        })
        .collect();
    roots.sort();
    assert!(
        !roots.is_empty(),
        "no Python standard library under /usr/lib"
    );
    roots.extend(
        [
            "/usr/lib/python3/dist-packages",
            "/etc/ssl/certs",
            "/usr/share/doc",
            "/usr/share/perl5",
            "/usr/bin",
            "/etc",
        ]
        .map(PathBuf::from),
    );
    for root in &roots {
        let limit = files.len() + 3000;
        walk(root, &mut files, limit);
    }
    let mut hits = Vec::new();
    for f in &files {
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        let rel = f.to_string_lossy().trim_start_matches('/').to_string();
        if secrets::can_hold_text(&bytes) {
            for m in secrets::scan_file(&rel, &bytes) {
                hits.push(format!("{rel}:{} {} {}", m.line, m.rule, m.masked));
            }
        }
        if let Some(m) = secrets::scan_name(&rel, bytes.len() as u64) {
            hits.push(format!("{rel} {}", m.rule));
        }
    }
    eprintln!("scanned {} files", files.len());
    assert!(
        files.len() >= 5000,
        "only {} files scanned: the roots are missing",
        files.len()
    );
    assert!(hits.is_empty(), "false positives:\n{}", hits.join("\n"));
}
