//! Signed release files: `InRelease` verified against an OpenPGP keyring, then parsed for the
//! hashes of every index below it (Debian's repository format, "Release files").

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use pgp::composed::{CleartextSignedMessage, Deserializable, SignedPublicKey};

use crate::{Error, control};

/// Public keys trusted to sign archives.
pub struct Keyring {
    keys: Vec<SignedPublicKey>,
}

impl Keyring {
    /// Loads a binary (`.gpg`) or ASCII-armoured (`.asc`) keyring.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&bytes).map_err(|reason| Error::Keyring {
            path: path.to_path_buf(),
            reason,
        })
    }

    /// Parses keyring bytes, binary or armoured.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let mut keys = Vec::new();
        if bytes.starts_with(b"-----BEGIN PGP") {
            let (iter, _) =
                SignedPublicKey::from_armor_many(Cursor::new(bytes)).map_err(|e| e.to_string())?;
            for key in iter {
                keys.push(key.map_err(|e| e.to_string())?);
            }
        } else {
            for item in
                SignedPublicKey::from_bytes_many(Cursor::new(bytes)).map_err(|e| e.to_string())?
            {
                keys.push(item.map_err(|e| e.to_string())?);
            }
        }
        if keys.is_empty() {
            return Err("no public keys in keyring".into());
        }
        Ok(Self { keys })
    }

    /// Checks that at least one signature on `message` was made by a key (or subkey) here.
    fn verify(&self, message: &CleartextSignedMessage) -> bool {
        self.keys.iter().any(|key| {
            message.verify(key).is_ok()
                || key
                    .public_subkeys
                    .iter()
                    .any(|sub| message.verify(sub).is_ok())
        })
    }
}

/// One index file listed in a release: its size and sha256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFile {
    /// Size in bytes.
    pub size: u64,
    /// sha256, hex.
    pub sha256: String,
}

/// A verified, parsed release.
#[derive(Debug, Clone)]
pub struct Release {
    /// `Date`, seconds since the epoch.
    pub date: i64,
    /// `Valid-Until`, if any.
    pub valid_until: Option<i64>,
    /// Whether indexes may be fetched by hash (`Acquire-By-Hash: yes`).
    pub acquire_by_hash: bool,
    /// Arch-all packages are listed in each architecture's index too
    /// (`No-Support-for-Architecture-all: Packages`), so `binary-all` need not be read.
    pub all_in_arch_indexes: bool,
    /// `Suite` and `Codename`: the names this release says it is.
    pub names: Vec<String>,
    /// The `Architectures` field: apt reads `binary-all` only when it lists `all`.
    pub architectures: Vec<String>,
    /// Every file of the `SHA256` field, by path relative to the release.
    pub files: HashMap<String, IndexFile>,
}

/// Verifies the signature of an `InRelease` file and parses what it signs.
///
/// `what` names the file in errors (its URL); `now` is the current time in seconds, checked
/// against `Valid-Until`. Only the signed text is parsed: anything outside the signature is
/// ignored.
pub fn verify_inrelease(
    bytes: &[u8],
    keyring: &Keyring,
    what: &str,
    now: i64,
) -> Result<Release, Error> {
    let bad = |reason: &str| Error::Signature {
        what: what.to_string(),
        reason: reason.to_string(),
    };
    let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8 text"))?;
    let (message, _) = CleartextSignedMessage::from_string(text)
        .map_err(|_| bad("not an OpenPGP clear-signed message"))?;
    if !keyring.verify(&message) {
        return Err(bad("no valid signature from a key in the keyring"));
    }
    let signed = message.signed_text().replace("\r\n", "\n");
    let release = parse_release(&signed).map_err(|reason| Error::Parse {
        what: what.to_string(),
        reason,
    })?;
    if let Some(until) = release.valid_until
        && now > until
    {
        return Err(Error::Expired {
            what: what.to_string(),
            until: format_date(until),
        });
    }
    Ok(release)
}

fn parse_release(text: &str) -> Result<Release, String> {
    let paragraphs = control::parse(text).map_err(|e| e.to_string())?;
    let p = paragraphs.first().ok_or("empty release file")?;
    let date = parse_date(p.get("Date").ok_or("no Date field")?)?;
    let valid_until = p.get("Valid-Until").map(parse_date).transpose()?;
    let mut files = HashMap::new();
    for line in p.get("SHA256").ok_or("no SHA256 field")?.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let [hash, size, path] = words[..] else {
            continue;
        };
        let size = size
            .parse()
            .map_err(|_| format!("bad size in SHA256 line {line:?}"))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("bad hash in SHA256 line {line:?}"));
        }
        files.insert(
            path.to_string(),
            IndexFile {
                size,
                sha256: hash.to_ascii_lowercase(),
            },
        );
    }
    Ok(Release {
        date,
        valid_until,
        acquire_by_hash: p
            .get("Acquire-By-Hash")
            .is_some_and(|v| v.eq_ignore_ascii_case("yes")),
        all_in_arch_indexes: p
            .get("No-Support-for-Architecture-all")
            .is_some_and(|v| v.eq_ignore_ascii_case("Packages")),
        names: ["Suite", "Codename"]
            .iter()
            .filter_map(|f| p.get(f))
            .map(String::from)
            .collect(),
        architectures: p
            .get("Architectures")
            .unwrap_or("")
            .split_whitespace()
            .map(String::from)
            .collect(),
        files,
    })
}

/// Parses a release date such as `Sat, 22 Nov 2026 08:23:11 UTC` (RFC 2822 with Debian's
/// customary `UTC` zone).
fn parse_date(text: &str) -> Result<i64, String> {
    // The weekday is redundant; drop it rather than refuse a release that gets it wrong.
    let text = text.trim();
    let without_day = text.split_once(", ").map_or(text, |(_, rest)| rest);
    let normal = without_day.replace(" UTC", " +0000");
    jiff::fmt::rfc2822::parse(&normal)
        .map(|z| z.timestamp().as_second())
        .map_err(|e| format!("bad date {text:?}: {e}"))
}

fn format_date(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(|_| secs.to_string(), |t| t.to_string())
}

/// Debian's release numbers and their codenames (`VERSION_ID`, `distro=debian-N` in purls).
const RELEASES: [(&str, &str); 5] = [
    ("10", "buster"),
    ("11", "bullseye"),
    ("12", "bookworm"),
    ("13", "trixie"),
    ("14", "forky"),
];

/// The codename of Debian release `number` (`12` → `bookworm`).
pub fn codename_of(number: &str) -> Option<&'static str> {
    RELEASES.iter().find(|(n, _)| *n == number).map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields() {
        let text = "Origin: Debian\nDate: Sun, 22 Nov 2026 08:23:11 UTC\nValid-Until: Sun, 29 Nov 2026 08:23:11 UTC\nAcquire-By-Hash: yes\nNo-Support-for-Architecture-all: Packages\nSHA256:\n "
            .to_string()
            + &"a".repeat(64)
            + " 123 main/binary-amd64/Packages.xz\n";
        let r = parse_release(&text).unwrap();
        assert_eq!(r.date, 1_795_335_791);
        assert_eq!(r.valid_until, Some(1_795_335_791 + 7 * 86400));
        assert!(r.acquire_by_hash && r.all_in_arch_indexes);
        assert_eq!(r.files["main/binary-amd64/Packages.xz"].size, 123);
    }

    #[test]
    fn refuses_unsigned_text() {
        let keyring = Keyring { keys: Vec::new() };
        let err = verify_inrelease(b"Date: x\n", &keyring, "InRelease", 0).unwrap_err();
        assert!(err.to_string().contains("clear-signed"), "{err}");
    }
}
