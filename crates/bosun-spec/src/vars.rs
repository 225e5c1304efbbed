//! `[vars]` and `${name}`: a spec's variables, expanded before anything else reads it.
//!
//! ```toml
//! [vars]
//! python = "3.13"
//! channel = "stable"
//! [image.api]
//! packages = ["python${python}"]
//! tags = ["api:${python}-${channel}"]
//! labels = { "org.opencontainers.image.title" = "${image}" }
//! ```
//!
//! Every string value may use `${name}`: a `[vars]` entry (which may use other entries), or a
//! built-in: `${suite}` (the `[debian]` suite) and, inside an `[image.NAME]` table, `${image}`.
//! `$${` writes a literal `${`. A value comes from `--set name=value`, else
//! `BOSUN_VAR_<NAME>` (upper case, `-` as `_`), else the spec. Table keys stay literal: a name
//! must be readable where it is defined. Expansion rewrites only the string values that use a
//! variable, in place, so every other error still points at the spec's own line.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::Error;

/// Expands the variables of spec `text`; `set` holds `--set` values. Text without variables is
/// returned as it is.
pub(crate) fn expand(
    path: &Path,
    text: &str,
    set: &BTreeMap<String, String>,
) -> Result<String, Error> {
    if !text.contains("${") && set.is_empty() {
        return Ok(text.to_string());
    }
    // A document that does not parse is left to the spec parser, whose errors say more.
    let Ok(root) = DeTable::parse(text) else {
        return Ok(text.to_string());
    };
    let fail = |span: Range<usize>, message: String| syntax(path, text, span.start, message);
    let mut vars: BTreeMap<String, (String, Range<usize>)> = BTreeMap::new();
    let mut vars_span = None;
    if let Some((key, table)) = root
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "vars")
    {
        vars_span = Some(key.span());
        let DeValue::Table(entries) = table.get_ref() else {
            return Err(fail(
                table.span(),
                "`vars` must be a table of strings".into(),
            ));
        };
        for (name, value) in entries {
            let DeValue::String(s) = value.get_ref() else {
                return Err(fail(
                    value.span(),
                    format!("variable `{}` must be a string", name.get_ref()),
                ));
            };
            vars.insert(name.get_ref().to_string(), (s.to_string(), value.span()));
        }
    }
    for name in set.keys() {
        if !vars.contains_key(name) {
            return Err(Error::Invalid {
                path: path.to_path_buf(),
                message: format!("--set {name}: there is no `{name}` in [vars]"),
            });
        }
    }
    let mut overridden: BTreeMap<String, String> = BTreeMap::new();
    for name in vars.keys() {
        let env = format!("BOSUN_VAR_{}", name.to_ascii_uppercase().replace('-', "_"));
        if let Some(v) = set.get(name).cloned().or_else(|| std::env::var(&env).ok()) {
            overridden.insert(name.clone(), v);
        }
    }
    let suite = root
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "debian")
        .and_then(|(_, d)| match d.get_ref() {
            DeValue::Table(t) => t.iter().find(|(k, _)| k.get_ref().as_ref() == "suite"),
            _ => None,
        })
        .and_then(|(_, v)| match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => None,
        });
    let mut expander = Expander {
        path,
        text,
        vars: &vars,
        overridden: &overridden,
        suite,
        resolved: BTreeMap::new(),
    };
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    // The [vars] entries themselves show their final values (`bosun spec show`).
    for (name, (_, span)) in &vars {
        let value = expander.var(name, span.clone(), &mut Vec::new())?;
        edits.push((span.clone(), quote(&value)));
    }
    for (key, value) in root.get_ref() {
        if Some(key.span()) == vars_span {
            continue;
        }
        let section = key.get_ref().to_string();
        expander.walk(&section, None, key, value, &mut edits)?;
    }
    edits.sort_by_key(|(span, _)| span.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, replacement) in edits {
        if span.start < at {
            continue;
        }
        out.push_str(&text[at..span.start]);
        out.push_str(&replacement);
        at = span.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

struct Expander<'a> {
    path: &'a Path,
    text: &'a str,
    vars: &'a BTreeMap<String, (String, Range<usize>)>,
    overridden: &'a BTreeMap<String, String>,
    suite: Option<String>,
    resolved: BTreeMap<String, String>,
}

impl Expander<'_> {
    fn fail(&self, at: usize, message: String) -> Error {
        syntax(self.path, self.text, at, message)
    }

    /// The final value of variable `name`, defined at `span`; `stack` holds the variables
    /// being resolved, to name a cycle.
    fn var(
        &mut self,
        name: &str,
        span: Range<usize>,
        stack: &mut Vec<String>,
    ) -> Result<String, Error> {
        if let Some(v) = self.resolved.get(name) {
            return Ok(v.clone());
        }
        if let Some(v) = self.overridden.get(name) {
            return Ok(v.clone());
        }
        if stack.iter().any(|s| s == name) {
            stack.push(name.to_string());
            return Err(self.fail(
                span.start,
                format!(
                    "variables refer to each other in a cycle: {}",
                    stack.join(" -> ")
                ),
            ));
        }
        stack.push(name.to_string());
        let raw = self.vars[name].0.clone();
        let value = self.interpolate(&raw, span, None, stack)?;
        stack.pop();
        self.resolved.insert(name.to_string(), value.clone());
        Ok(value)
    }

    /// `raw` (a string value at `span`) with its `${...}` replaced.
    fn interpolate(
        &mut self,
        raw: &str,
        span: Range<usize>,
        image: Option<&str>,
        stack: &mut Vec<String>,
    ) -> Result<String, Error> {
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            if let Some(after) = rest.strip_prefix("$${") {
                out.push_str("${");
                rest = after;
                continue;
            }
            let Some(after) = rest.strip_prefix("${") else {
                out.push('$');
                rest = &rest[1..];
                continue;
            };
            // Where in the file this reference is, for errors.
            let source = &self.text[span.clone()];
            let here = span.start + source.find("${").unwrap_or(0);
            let Some(end) = after.find('}') else {
                return Err(self.fail(here, "`${` without a closing `}`".into()));
            };
            let name = &after[..end];
            let here = span.start + source.find(&format!("${{{name}}}")).unwrap_or(0);
            let value = match name {
                "image" => image.map(str::to_string).ok_or_else(|| {
                    self.fail(
                        here,
                        "`${image}` is only defined inside an [image.NAME] table".into(),
                    )
                })?,
                "suite" if !self.vars.contains_key("suite") => self
                    .suite
                    .clone()
                    .ok_or_else(|| self.fail(here, "`${suite}` needs a [debian] suite".into()))?,
                _ => match self.vars.get(name) {
                    Some((_, def)) => self.var(name, def.clone(), stack)?,
                    None => {
                        let known: BTreeSet<&str> = self
                            .vars
                            .keys()
                            .map(String::as_str)
                            .chain(["suite", "image"])
                            .collect();
                        return Err(self.fail(
                            here,
                            format!(
                                "undefined variable `{name}` (defined: {})",
                                known.into_iter().collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                },
            };
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Walks one value below `section` (`image.NAME` gives `${image}`), recording the string
    /// values that change.
    fn walk(
        &mut self,
        section: &str,
        image: Option<&str>,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
        edits: &mut Vec<(Range<usize>, String)>,
    ) -> Result<(), Error> {
        if key.get_ref().contains("${") {
            return Err(self.fail(
                key.span().start,
                format!(
                    "`{}`: a variable cannot name a table key (keys must read as they are)",
                    key.get_ref()
                ),
            ));
        }
        match value.get_ref() {
            DeValue::String(s) if s.contains('$') => {
                let expanded = self.interpolate(s, value.span(), image, &mut Vec::new())?;
                if expanded != s.as_ref() {
                    edits.push((value.span(), quote(&expanded)));
                }
            }
            DeValue::Array(items) => {
                for item in items.iter() {
                    self.walk(section, image, key, item, edits)?;
                }
            }
            DeValue::Table(table) => {
                for (k, v) in table {
                    // `[image.NAME]`: the name is the key right below `image`.
                    let name = match (section, image) {
                        ("image", None) => Some(k.get_ref().as_ref()),
                        _ => image,
                    };
                    let section = if section == "image" && image.is_none() {
                        "image.NAME"
                    } else {
                        section
                    };
                    self.walk(section, name, k, v, edits)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// A TOML basic string holding `value`.
fn quote(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

fn syntax(path: &Path, text: &str, offset: usize, message: String) -> Error {
    let before = &text[..offset.min(text.len())];
    Error::Syntax {
        path: path.to_path_buf(),
        line: before.matches('\n').count() + 1,
        column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, set: &[(&str, &str)]) -> Result<String, String> {
        let set = set
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        expand(Path::new("s.toml"), text, &set).map_err(|e| e.to_string())
    }

    #[test]
    fn values_builtins_overrides_and_escapes() {
        let text = "[vars]\npy = \"3.${minor}\"\nminor = \"13\"\n[debian]\nsuite = \"trixie\"\n[image.api]\npackages = [\"python${py}\"]\ntags = [\"${image}:${suite}\", \"$${literal}\"]\n";
        let out = run(text, &[]).unwrap();
        assert!(out.contains("packages = [\"python3.13\"]"), "{out}");
        assert!(
            out.contains("tags = [\"api:trixie\", \"${literal}\"]"),
            "{out}"
        );
        assert!(out.contains("py = \"3.13\""), "{out}");
        let out = run(text, &[("minor", "11")]).unwrap();
        assert!(out.contains("packages = [\"python3.11\"]"), "{out}");
        assert_eq!(
            run("[debian]\nsuite = \"x\"\n", &[]).unwrap(),
            "[debian]\nsuite = \"x\"\n"
        );
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let undefined = run(
            "[debian]\nsuite = \"t\"\n[image.a]\npackages = [\"x${nope}\"]\n",
            &[],
        );
        assert!(
            undefined
                .as_ref()
                .unwrap_err()
                .starts_with("s.toml:4:15: undefined variable `nope`"),
            "{undefined:?}"
        );
        let cycle = run(
            "[vars]\na = \"${b}\"\nb = \"${a}\"\n[debian]\nsuite = \"t\"\n",
            &[],
        );
        assert!(
            cycle.as_ref().unwrap_err().contains("cycle: a -> b -> a"),
            "{cycle:?}"
        );
        let key = run(
            "[debian]\nsuite = \"t\"\n[image.\"${x}\"]\npackages = []\n",
            &[],
        );
        assert!(
            key.as_ref().unwrap_err().starts_with("s.toml:3:8:")
                && key.as_ref().unwrap_err().contains("table key"),
            "{key:?}"
        );
        let image = run("[debian]\nsuite = \"${image}\"\n", &[]);
        assert!(
            image
                .unwrap_err()
                .contains("only defined inside an [image.NAME]")
        );
        let set = run("[vars]\na = \"1\"\n", &[("b", "2")]);
        assert!(
            set.unwrap_err()
                .contains("--set b: there is no `b` in [vars]")
        );
    }
}
