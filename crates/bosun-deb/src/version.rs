//! Debian version numbers and their ordering, as Debian Policy §5.6.12 and dpkg's
//! `verrevcmp` define them: `[epoch:]upstream[-revision]`, where `~` sorts before everything,
//! even the end of the string, and letters sort before other symbols.

use std::cmp::Ordering;
use std::fmt;

/// A parsed Debian version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Version {
    text: String,
    epoch: u64,
    upstream: std::ops::Range<usize>,
    revision: std::ops::Range<usize>,
}

/// A string that is not a Debian version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version {text:?}: {reason}")]
pub struct VersionError {
    text: String,
    reason: &'static str,
}

impl Version {
    /// Parses a version.
    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let err = |reason| VersionError {
            text: text.to_string(),
            reason,
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(err("empty"));
        }
        let (epoch, rest_start) = match trimmed.find(':') {
            Some(i) => {
                let e = trimmed[..i]
                    .parse()
                    .map_err(|_| err("epoch is not a number"))?;
                (e, i + 1)
            }
            None => (0, 0),
        };
        let rest = &trimmed[rest_start..];
        let (upstream, revision) = match rest.rfind('-') {
            Some(i) => (
                rest_start..rest_start + i,
                rest_start + i + 1..trimmed.len(),
            ),
            None => (rest_start..trimmed.len(), trimmed.len()..trimmed.len()),
        };
        let up = &trimmed[upstream.clone()];
        if up.is_empty() {
            return Err(err("empty upstream version"));
        }
        if !up.starts_with(|c: char| c.is_ascii_digit()) {
            // dpkg only warns here; real archives contain none, so refuse them.
            return Err(err("upstream version must start with a digit"));
        }
        let ok = |s: &str, extra: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
        };
        if !ok(up, ".+~-:") || !ok(&trimmed[revision.clone()], ".+~") {
            return Err(err("invalid character"));
        }
        Ok(Self {
            text: trimmed.to_string(),
            epoch,
            upstream,
            revision,
        })
    }

    /// The version as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn upstream(&self) -> &str {
        &self.text[self.upstream.clone()]
    }

    fn revision(&self) -> &str {
        &self.text[self.revision.clone()]
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream(), other.upstream()))
            .then_with(|| verrevcmp(self.revision(), other.revision()))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The weight of a non-digit character; 0 stands for the end of the string and for digits.
fn order(c: u8) -> i32 {
    match c {
        0 => 0,
        b'~' => -1,
        c if c.is_ascii_digit() => 0,
        c if c.is_ascii_alphabetic() => i32::from(c),
        c => i32::from(c) + 256,
    }
}

fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (ac, bc) = (order(at(a, i)), order(at(b, j)));
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while at(a, i) == b'0' {
            i += 1;
        }
        while at(b, j) == b'0' {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while at(a, i).is_ascii_digit() && at(b, j).is_ascii_digit() {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if at(a, i).is_ascii_digit() {
            return Ordering::Greater;
        }
        if at(b, j).is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    macro_rules! cmp {
        ($($a:literal $o:ident $b:literal),* $(,)?) => {
            $(assert_eq!(v($a).cmp(&v($b)), $o, "{} vs {}", $a, $b);)*
        };
    }

    #[test]
    fn policy_examples() {
        cmp! {
            "1.0~rc1" Less "1.0", "1.0" Less "1.0+b1", "1:0.1" Greater "9.9",
            "1.0-1" Less "1.0-1.1", "1.0~~" Less "1.0~", "1.0~" Less "1.0",
            "2.41-12" Greater "2.41-11", "2.41-12+deb13u1" Greater "2.41-12",
            "1.0a" Greater "1.0", "1.0a" Less "1.0+", "001" Equal "1", "1.0-0" Equal "1.0",
            "3.13.5-2" Less "3.13.5-2+b1", "0:1.2" Equal "1.2", "1.2.3" Less "1.2.a",
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "a1", "x:1", "1.0 2", "1_0"] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
    }

    /// Generates version pairs and checks each ordering against `dpkg --compare-versions`.
    #[test]
    fn agrees_with_dpkg() {
        if std::process::Command::new("dpkg")
            .arg("--version")
            .output()
            .is_err()
        {
            assert!(
                std::env::var_os("BOSUN_REQUIRE_PEERS").is_none(),
                "dpkg is required"
            );
            return;
        }
        let pieces = [
            "0", "1", "01", "9", "10", "a", "b", "~", "~~", "+", ".", "~a", "z", ".",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut make = || {
            let mut s = String::from(["1", "2", "0", "10"][next(4)]);
            for _ in 0..next(5) {
                s.push_str(pieces[next(pieces.len())]);
            }
            if next(3) == 0 {
                s = format!("{}:{s}", next(3));
            }
            if next(2) == 0 {
                s.push('-');
                s.push_str(["1", "0", "1~", "1+b1", "2.a", "10"][next(6)]);
            }
            s
        };
        let mut script = String::new();
        let mut pairs = Vec::new();
        for _ in 0..400 {
            let (a, b) = (make(), make());
            script.push_str(&format!(
                "if dpkg --compare-versions '{a}' lt '{b}'; then echo lt; elif dpkg --compare-versions '{a}' eq '{b}'; then echo eq; else echo gt; fi\n"
            ));
            pairs.push((a, b));
        }
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        let answers: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(answers.len(), pairs.len());
        for ((a, b), want) in pairs.iter().zip(answers) {
            let got = match v(a).cmp(&v(b)) {
                Less => "lt",
                Equal => "eq",
                Greater => "gt",
            };
            assert_eq!(got, want, "{a} vs {b}");
        }
    }
}
