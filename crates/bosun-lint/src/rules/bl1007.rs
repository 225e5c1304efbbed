//! BL1007: `COPY .` or `ADD .` sends the whole build context; without a `.dockerignore` that
//! excludes `.git` and `.env` files, history and local secrets end up in the image.

use std::path::PathBuf;

use bosun_dockerfile::Keyword;

use super::{Rule, copy_parts, failure};
use crate::{Failure, Severity, Step};

pub(crate) struct Bl1007 {
    /// The directory the Dockerfile is in (none for standard input: not checked).
    dir: Option<PathBuf>,
    /// What the `.dockerignore` lacks, worked out once.
    verdict: Option<Option<String>>,
}

impl Bl1007 {
    pub(crate) fn new(dir: Option<PathBuf>) -> Self {
        Self { dir, verdict: None }
    }

    /// What is wrong with the `.dockerignore`, if anything.
    fn problem(&mut self) -> Option<String> {
        let dir = self.dir.as_ref()?;
        self.verdict
            .get_or_insert_with(|| {
                let Ok(text) = std::fs::read_to_string(dir.join(".dockerignore")) else {
                    return Some("there is no .dockerignore next to the Dockerfile".into());
                };
                let patterns: Vec<String> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
                    .map(|l| {
                        l.trim_start_matches("**/")
                            .trim_start_matches('/')
                            .trim_end_matches('/')
                            .to_string()
                    })
                    .collect();
                let everything = patterns.iter().any(|p| p == "*" || p == "**");
                let git = everything
                    || patterns
                        .iter()
                        .any(|p| p == ".git" || p == ".git*" || p == ".*");
                let env = everything
                    || patterns.iter().any(|p| {
                        matches!(p.as_str(), ".env" | ".env*" | ".env.*" | "*.env" | ".*")
                    });
                match (git, env) {
                    (true, true) => None,
                    (false, true) => Some(".dockerignore does not exclude .git".into()),
                    (true, false) => Some(".dockerignore does not exclude .env files".into()),
                    (false, false) => {
                        Some(".dockerignore excludes neither .git nor .env files".into())
                    }
                }
            })
            .clone()
    }
}

impl Rule for Bl1007 {
    fn check(&mut self, step: &Step<'_>, out: &mut Vec<Failure>) {
        let Step::Instruction(i, _) = step else {
            return;
        };
        if !matches!(i.keyword, Keyword::Copy | Keyword::Add) || i.flag("from").is_some() {
            return;
        }
        let whole_context = copy_parts(i).is_some_and(|(sources, _)| {
            sources
                .iter()
                .any(|s| matches!(s.as_str(), "." | "./" | "./*" | "*"))
        });
        if whole_context && let Some(problem) = self.problem() {
            out.push(failure(
                "BL1007",
                Severity::Warning,
                &format!("`{} .` copies the whole build context and {problem}: history and local secrets can end up in the image", i.keyword),
                i.line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Options, lint};

    fn lines(dir: &std::path::Path, text: &str) -> Vec<usize> {
        let options = Options {
            context_dir: Some(dir.to_path_buf()),
            ..Options::default()
        };
        lint(text, &options)
            .failures
            .into_iter()
            .filter(|f| f.code == "BL1007")
            .map(|f| f.line)
            .collect()
    }

    #[test]
    fn whole_context() {
        let dir = tempfile::tempdir().unwrap();
        let text = "FROM a:1\nWORKDIR /app\nCOPY . .\nCOPY src/ /app/src/\n";
        assert_eq!(lines(dir.path(), text), [3]);
        std::fs::write(dir.path().join(".dockerignore"), "node_modules\n.git\n").unwrap();
        assert_eq!(lines(dir.path(), text), [3]);
        std::fs::write(dir.path().join(".dockerignore"), "**/.git\n.env*\n").unwrap();
        assert!(lines(dir.path(), text).is_empty());
    }
}
