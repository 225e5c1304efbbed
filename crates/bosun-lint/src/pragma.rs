//! `# hadolint ignore=DL3008,SC2046` (the line after the comment), `# hadolint stage
//! ignore=...` (above a FROM: that stage), `# hadolint global ignore=...` (the whole file);
//! `bosun` is accepted in place of `hadolint`.

use std::collections::{BTreeMap, BTreeSet};

use crate::Step;

#[derive(Debug, Default)]
pub(crate) struct Pragmas {
    by_line: BTreeMap<usize, BTreeSet<String>>,
    /// From each stage's start (the line after a stage pragma, else the FROM line): what that
    /// stage ignores.
    by_stage: BTreeMap<usize, BTreeSet<String>>,
    global: BTreeSet<String>,
}

impl Pragmas {
    /// `hadolint_only`: `# bosun` pragmas are plain comments, as hadolint sees them.
    pub(crate) fn collect(steps: &[Step<'_>], hadolint_only: bool) -> Self {
        let mut out = Pragmas::default();
        for step in steps {
            let (line, text) = match step {
                Step::Comment { line, text } => (*line, *text),
                Step::Instruction(i, _) if i.keyword == bosun_dockerfile::Keyword::From => {
                    out.by_stage.entry(i.line).or_default();
                    continue;
                }
                _ => continue,
            };
            if hadolint_only && !text.trim_start_matches([' ', '\t']).starts_with("hadolint") {
                continue;
            }
            if let Some(codes) = ignore_list(text, None) {
                // A later pragma for the same line replaces an earlier one, as in hadolint.
                out.by_line.insert(line + 1, codes);
            } else if let Some(codes) = ignore_list(text, Some("stage")) {
                out.by_stage.insert(line + 1, codes);
            } else if let Some(codes) = ignore_list(text, Some("global")) {
                out.global.extend(codes);
            }
        }
        out
    }

    /// Whether a pragma silences `code` on `line`. A stage's pragma covers the lines after
    /// its FROM (not the FROM itself), as hadolint 2.15.1 looks it up.
    pub(crate) fn ignores(&self, code: &str, line: usize) -> bool {
        self.global.contains(code)
            || self.by_line.get(&line).is_some_and(|c| c.contains(code))
            || self
                .by_stage
                .range(..line)
                .next_back()
                .is_some_and(|(_, c)| c.contains(code))
    }
}

/// Whether a comment is a `# hadolint ignore=...` pragma (DL1001 asks). Like hadolint, only
/// line pragmas count, not `global` ones.
pub(crate) fn is_line_ignore(text: &str, hadolint_only: bool) -> bool {
    (!hadolint_only || text.trim_start_matches([' ', '\t']).starts_with("hadolint"))
        && ignore_list(text, None).is_some()
}

/// The shell a `# hadolint shell=NAME` pragma names.
pub(crate) fn shell(text: &str) -> Option<String> {
    let rest = tool_prefix(text)?.strip_prefix("shell")?;
    let rest = rest.trim_start_matches([' ', '\t']).strip_prefix('=')?;
    let name = rest
        .split('#')
        .next()
        .unwrap_or(rest)
        .trim_matches([' ', '\t']);
    (!name.is_empty()).then(|| name.to_string())
}

/// `spaces "hadolint" spaces1`, then the rest.
fn tool_prefix(text: &str) -> Option<&str> {
    let t = text.trim_start_matches([' ', '\t']);
    let rest = t
        .strip_prefix("hadolint")
        .or_else(|| t.strip_prefix("bosun"))?;
    let trimmed = rest.trim_start_matches([' ', '\t']);
    (trimmed.len() < rest.len()).then_some(trimmed)
}

/// `ignore = CODE[, CODE...]`, after `scope` (`global`, `stage`) when given; the whole
/// comment must be the pragma (hadolint parses it to the end).
fn ignore_list(text: &str, scope: Option<&str>) -> Option<BTreeSet<String>> {
    let mut rest = tool_prefix(text)?;
    if let Some(scope) = scope {
        let after = rest.strip_prefix(scope)?;
        let trimmed = after.trim_start_matches([' ', '\t']);
        if trimmed.len() == after.len() {
            return None;
        }
        rest = trimmed;
    }
    let rest = rest.strip_prefix("ignore")?;
    let rest = rest.trim_start_matches([' ', '\t']).strip_prefix('=')?;
    // A comment may follow the list: `ignore=DL3002 # why`.
    let rest = rest.split('#').next().unwrap_or(rest);
    let mut codes = BTreeSet::new();
    for part in rest.split(',') {
        let code = part.trim_matches([' ', '\t']);
        if code.is_empty() || !code.chars().all(|c| "DLSCB0123456789".contains(c)) {
            return None;
        }
        codes.insert(code.to_string());
    }
    Some(codes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::codes;

    /// hadolint 2.15.1's PragmaSpec: a stage pragma covers its stage, not the next.
    #[test]
    fn stage_pragmas() {
        let one = "# hadolint stage ignore=DL3011\nFROM ubuntu\nEXPOSE 80000\n";
        assert!(codes(one, "DL3011").is_empty());
        assert_eq!(
            codes(&format!("{one}FROM ubuntu\nEXPOSE 80000\n"), "DL3011"),
            [5]
        );
        let second = "FROM ubuntu\nEXPOSE 80000\n# hadolint stage ignore=DL3011\nFROM ubuntu\nEXPOSE 80000\n";
        assert_eq!(codes(second, "DL3011"), [2]);
        let both = "# hadolint stage ignore=DL3011,DL3002\nFROM ubuntu\nUSER root\nEXPOSE 80000\n";
        assert!(codes(both, "DL3011").is_empty() && codes(both, "DL3002").is_empty());
    }

    #[test]
    fn ignore_lists() {
        let codes = |t: &str, g: bool| {
            ignore_list(t, g.then_some("global")).map(|s| s.into_iter().collect::<Vec<_>>())
        };
        assert_eq!(
            codes(" hadolint ignore=DL3008, SC2046", false),
            Some(vec!["DL3008".into(), "SC2046".into()])
        );
        assert_eq!(
            codes(" bosun ignore=BL1001", false),
            Some(vec!["BL1001".into()])
        );
        assert_eq!(
            codes(" hadolint global ignore=DL3006", true),
            Some(vec!["DL3006".into()])
        );
        assert_eq!(codes(" hadolint global ignore=DL3006", false), None);
        assert_eq!(codes(" hadolintignore=DL3006", false), None);
        assert_eq!(codes(" hadolint ignore=DL3006 because", false), None);
        assert_eq!(
            codes(" hadolint ignore=DL3006 # because", false),
            Some(vec!["DL3006".into()])
        );
        assert_eq!(
            shell(" hadolint shell=powershell # on Windows").as_deref(),
            Some("powershell")
        );
        assert_eq!(shell(" hadolint shell=bash").as_deref(), Some("bash"));
    }
}
