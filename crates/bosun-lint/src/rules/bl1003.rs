//! BL1003: remote content taken without a checksum: `ADD <url>` without `--checksum`, or a
//! download piped straight into an interpreter.

use bosun_dockerfile::Keyword;

use super::{Rule, copy_parts, failure};
use crate::shell::{Command, Script};
use crate::{Failure, Severity, Step};

#[derive(Default)]
pub(crate) struct Bl1003;

const INTERPRETERS: &[&str] = &[
    "sh", "bash", "ash", "dash", "zsh", "ksh", "python", "python2", "python3", "perl", "ruby",
    "node", "php",
];

/// Wrappers that run the command they are given: `sudo sh`, `env bash`.
const WRAPPERS: &[&str] = &["sudo", "env", "doas", "exec", "nohup", "time"];

/// Tools that check a checksum or a signature.
const VERIFIERS: &[&str] = &[
    "sha1sum",
    "sha224sum",
    "sha256sum",
    "sha384sum",
    "sha512sum",
    "md5sum",
    "b2sum",
    "shasum",
    "cksum",
    "gpg",
    "gpg2",
    "gpgv",
    "gpgv2",
    "cosign",
    "minisign",
    "signify",
    "openssl",
];

fn base(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// The program a command really runs, past `sudo`/`env` and their flags and assignments,
/// with the words after it.
fn unwrapped(c: &Command) -> (&str, Vec<&str>) {
    let mut words: Vec<&str> = std::iter::once(c.name.as_str()).chain(c.args()).collect();
    while words.len() > 1 && WRAPPERS.contains(&base(words[0])) {
        words.remove(0);
        while words.len() > 1 && (words[0].starts_with('-') || words[0].contains('=')) {
            words.remove(0);
        }
    }
    let name = base(words[0]);
    (name, words[1..].to_vec())
}

fn is_interpreter(name: &str) -> bool {
    INTERPRETERS.contains(&name)
        || name
            .strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The value of a download tool's output option (`-o F`, `-oF`, `--output F`,
/// `--output-document=F`), if it has one.
fn output_of<'a>(args: &[&'a str], short: char, long: &[&str]) -> Option<&'a str> {
    let mut words = args.iter();
    while let Some(&word) = words.next() {
        if let Some(name) = word.strip_prefix("--") {
            let (name, value) = name
                .split_once('=')
                .map_or((name, None), |(n, v)| (n, Some(v)));
            if long.contains(&name) {
                return value.or_else(|| words.next().copied());
            }
        } else if let Some(letters) = word.strip_prefix('-')
            && let Some(at) = letters.find(short)
            && !letters.starts_with('-')
        {
            let rest = &letters[at + short.len_utf8()..];
            return if rest.is_empty() {
                words.next().copied()
            } else {
                Some(rest)
            };
        }
    }
    None
}

/// What a download command writes: `Some("-")` for standard output, `Some(path)` for a file,
/// `None` when the command downloads nothing.
fn download_target(c: &Command) -> Option<String> {
    let (name, args) = unwrapped(c);
    let url = args
        .iter()
        .find(|a| a.contains("://") || a.starts_with("${"))
        .map(|u| base(u.split(['?', '#']).next().unwrap_or(u)).to_string());
    match name {
        "curl" => {
            if let Some(out) = output_of(&args, 'o', &["output"]) {
                return Some(out.to_string());
            }
            let remote_name = args.iter().any(|a| {
                *a == "--remote-name"
                    || *a == "--remote-name-all"
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains('O'))
            });
            match remote_name {
                true => url,
                false => Some("-".into()),
            }
        }
        "wget" => output_of(&args, 'O', &["output-document"])
            .map(str::to_string)
            .or(url),
        _ => None,
    }
}

/// `curl ... | sh`, `wget -O- ... | tee x | bash`, `sh -c "$(curl ...)"`: a download that
/// reaches an interpreter with nothing in between that could check it.
fn piped_into_interpreter(script: &Script) -> bool {
    let to_stdout = |c: &Command| download_target(c).as_deref() == Some("-");
    script.commands.iter().any(|c| {
        let (name, args) = unwrapped(c);
        if !is_interpreter(name) {
            return false;
        }
        let mut feeder = c.piped_from;
        while let Some(at) = feeder {
            let source = &script.commands[at];
            if to_stdout(source) {
                return true;
            }
            // `tee` passes the bytes on unchanged.
            feeder = (unwrapped(source).0 == "tee")
                .then_some(source.piped_from)
                .flatten();
        }
        args.contains(&"-c") && script.commands[c.substituted.clone()].iter().any(to_stdout)
    })
}

/// A file downloaded by one command and run by a later one, with no checksum or signature
/// check in between.
fn runs_unverified_download(script: &Script) -> bool {
    let mut downloaded: Vec<String> = Vec::new();
    for c in &script.commands {
        let (name, args) = unwrapped(c);
        if VERIFIERS.contains(&name) {
            // Official images download, verify, then unpack: a check clears what came before.
            downloaded.clear();
            continue;
        }
        if let Some(target) = download_target(c) {
            if target != "-" {
                downloaded.push(base(&target).to_string());
            }
            continue;
        }
        let run = match is_interpreter(name) {
            true => args.iter().find(|a| !a.starts_with('-')).copied(),
            false => Some(c.name.as_str()),
        };
        if run.is_some_and(|path| downloaded.iter().any(|d| !d.is_empty() && base(path) == d)) {
            return true;
        }
    }
    false
}

impl Rule for Bl1003 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        let message = match i.keyword {
            Keyword::Add if i.flag("checksum").is_none() => copy_parts(i).and_then(|(sources, _)| {
                sources
                    .iter()
                    .any(|s| s.starts_with("https://") || s.starts_with("http://"))
                    .then_some("`ADD` of a URL without `--checksum=sha256:...`: the download is not verified")
            }),
            Keyword::Run => script.and_then(|s| {
                if piped_into_interpreter(s) {
                    Some("a download is piped into an interpreter without a checksum: fetch it, check its sha256, then run it")
                } else if runs_unverified_download(s) {
                    Some("a downloaded file is run without a checksum or signature check: verify it (`sha256sum -c`, `gpg --verify`) before running it")
                } else {
                    None
                }
            }),
            _ => None,
        };
        if let Some(message) = message {
            out.push(failure("BL1003", Severity::Warning, message, i.line));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn unverified_downloads() {
        assert_eq!(
            codes("FROM a:1\nADD https://example.org/x.tar.gz /x\n", "BL1003"),
            [2]
        );
        assert!(
            codes(
                "FROM a:1\nADD --checksum=sha256:00 https://example.org/x.tar.gz /x\n",
                "BL1003"
            )
            .is_empty()
        );
        assert_eq!(
            codes(
                "FROM a:1\nRUN curl -fsSL https://example.org/i.sh | sh\n",
                "BL1003"
            ),
            [2]
        );
        assert!(
            codes(
                "FROM a:1\nRUN curl -fsSL https://example.org/x | tar xz\n",
                "BL1003"
            )
            .is_empty()
        );
    }

    #[test]
    fn follows_the_data() {
        let fires = |run: &str| codes(&format!("FROM a:1\nRUN {run}\n"), "BL1003") == [2];
        // Piped, directly, through tee, past sudo, or substituted into `sh -c`.
        assert!(fires("wget -qO- https://example.org/i.sh | bash"));
        assert!(fires(
            "curl -sL https://example.org/i.sh | tee /tmp/log | sudo -E bash -"
        ));
        assert!(fires(
            "sh -c \"$(curl -fsSL https://example.org/install.sh)\""
        ));
        assert!(fires("curl -fsSL https://example.org/setup | python3 -"));
        // Downloaded, then run with nothing checked in between.
        assert!(fires(
            "curl -fsSLo /tmp/i.sh https://example.org/i.sh && sh /tmp/i.sh"
        ));
        assert!(fires(
            "wget https://example.org/install.sh && chmod +x install.sh && ./install.sh"
        ));
        // Checked first, not run, or not piped into an interpreter: no finding.
        assert!(!fires(
            "curl -fsSLo i.sh https://example.org/i.sh && echo \"$SHA  i.sh\" | sha256sum -c - && sh i.sh"
        ));
        assert!(!fires(
            "wget -O python.tar.xz \"$URL\" && wget -O python.tar.xz.asc \"$URL.asc\" && gpg --batch --verify python.tar.xz.asc python.tar.xz && tar -xJf python.tar.xz && ./configure"
        ));
        assert!(!fires(
            "curl -fsSL https://example.org/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg && apt-get update | grep -v x; bash -c 'echo hi'"
        ));
        assert!(!fires(
            "curl -fsSL https://example.org/x.tar.gz | tar -xz && ls | sh"
        ));
        assert!(!fires(
            "curl -fsSLO https://example.org/node.tar.xz && tar -xJf node.tar.xz"
        ));
    }
}
