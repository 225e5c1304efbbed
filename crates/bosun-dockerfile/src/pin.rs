//! What `bosun pin` rewrites: the image references of `FROM` and `COPY --from=` lines
//! (build stages, build arguments and `scratch` left alone), and the text with each replaced
//! by `name@digest`, formatting and comments kept.

use std::collections::BTreeSet;

use crate::{Dockerfile, Keyword, ParseError};

/// An image reference in the source: the instruction's lines and the text to find there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The instruction's first line.
    pub line: usize,
    /// Its last line.
    pub end_line: usize,
    /// The reference as written.
    pub image: String,
    /// `--from=` for COPY, nothing for FROM.
    pub prefix: &'static str,
}

/// A reference left alone: line, image, why.
pub type Skipped = (usize, String, String);

/// The image references of a Dockerfile that name registry images, and the ones left alone
/// with the reason.
pub fn sites(text: &str) -> Result<(Vec<Site>, Vec<Skipped>), ParseError> {
    let file = Dockerfile::parse(text)?;
    let mut stages: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut consider = |line: usize,
                        end_line: usize,
                        image: &str,
                        prefix: &'static str,
                        stages: &BTreeSet<String>| {
        let lower = image.to_ascii_lowercase();
        let stage = stages.contains(&lower)
            || (prefix == "--from=" && image.bytes().all(|b| b.is_ascii_digit()));
        let reason = if stage {
            return; // a build stage of this file, not an image
        } else if image.contains('$') {
            Some("it uses a build argument; pin the argument's default instead")
        } else if lower == "scratch" {
            Some("scratch is no image")
        } else {
            None
        };
        match reason {
            Some(r) => skipped.push((line, image.to_string(), r.to_string())),
            None => out.push(Site {
                line,
                end_line,
                image: image.to_string(),
                prefix,
            }),
        }
    };
    for i in file.instructions() {
        match i.keyword {
            Keyword::From => {
                let words = i.words(file.escape);
                let Some(image) = words.first() else { continue };
                consider(i.line, i.end_line, image, "", &stages);
                if words.len() >= 3 && words[1].eq_ignore_ascii_case("as") {
                    stages.insert(words[2].to_ascii_lowercase());
                }
            }
            Keyword::Copy | Keyword::Add => {
                if let Some(from) = i.flag("from") {
                    consider(i.line, i.end_line, from, "--from=", &stages);
                }
            }
            _ => {}
        }
    }
    Ok((out, skipped))
}

/// `name[:tag][@digest]` split into the name-and-tag part and the digest.
pub fn split_digest(image: &str) -> (&str, Option<&str>) {
    match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    }
}

/// Rewrites `text` with each site's reference replaced by `name@digest` (an old digest
/// replaced), touching nothing else: the reference is found as a whole word on the
/// instruction's lines.
pub fn rewrite(text: &str, changes: &[(Site, String)]) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    for (site, digest) in changes {
        let (name, _) = split_digest(&site.image);
        let needle = format!("{}{}", site.prefix, site.image);
        let replacement = format!("{}{name}@{digest}", site.prefix);
        for line in lines.iter_mut().take(site.end_line).skip(site.line - 1) {
            if let Some(at) = find_word(line, &needle) {
                line.replace_range(at..at + needle.len(), &replacement);
                break;
            }
        }
    }
    lines.concat()
}

/// The first place `word` occurs in `line` with whitespace (or the line's ends) around it.
fn find_word(line: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = line[from..].find(word).map(|i| i + from) {
        let before = line[..i]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace);
        let after = line[i + word.len()..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
        if before && after {
            return Some(i);
        }
        from = i + word.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    #[test]
    fn finds_what_to_pin_and_leaves_the_rest() {
        let text = "\
# syntax=docker/dockerfile:1
ARG BASE=reg.internal/base:1
FROM --platform=$BUILDPLATFORM reg.internal/tools/go:1.23 AS build
COPY --from=reg.internal/assets:2 /a /a
FROM ${BASE}
FROM scratch AS empty
FROM build AS again
COPY --from=build /out /out
COPY --from=0 /out /out
FROM \\
    reg.internal/app:1@sha256:1111111111111111111111111111111111111111111111111111111111111111 \\
    AS final
";
        let (sites, skipped) = sites(text).unwrap();
        let images: Vec<(usize, &str)> = sites.iter().map(|s| (s.line, s.image.as_str())).collect();
        assert_eq!(
            images,
            [
                (3, "reg.internal/tools/go:1.23"),
                (4, "reg.internal/assets:2"),
                (10, &format!("reg.internal/app:1@{D1}")[..]),
            ]
        );
        let skipped: Vec<(usize, &str)> =
            skipped.iter().map(|(l, i, _)| (*l, i.as_str())).collect();
        assert_eq!(skipped, [(5, "${BASE}"), (6, "scratch")]);
    }

    #[test]
    fn rewrites_only_the_reference() {
        let text = "FROM  reg.internal/a:1   AS x # not a comment in FROM\n\
                    # reg.internal/a:1 stays in comments\n\
                    COPY --from=reg.internal/b:2 /a /b\n\
                    FROM \\\n  reg.internal/c:3@sha256:1111111111111111111111111111111111111111111111111111111111111111\n";
        let (sites, _) = sites(text).unwrap();
        let changes: Vec<(Site, String)> = sites.into_iter().map(|s| (s, D2.to_string())).collect();
        let out = rewrite(text, &changes);
        assert_eq!(
            out,
            format!(
                "FROM  reg.internal/a:1@{D2}   AS x # not a comment in FROM\n\
                 # reg.internal/a:1 stays in comments\n\
                 COPY --from=reg.internal/b:2@{D2} /a /b\n\
                 FROM \\\n  reg.internal/c:3@{D2}\n"
            )
        );
        // Pinning again finds the pins.
        let (again, _) = super::sites(&out).unwrap();
        assert!(again.iter().all(|s| s.image.ends_with(D2)));
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(find_word("FROM a:1-slim a:1", "a:1"), Some(14));
        assert_eq!(find_word("FROM a:10", "a:1"), None);
    }
}
