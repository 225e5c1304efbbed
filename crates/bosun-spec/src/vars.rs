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
//! Every string value may use `${name}`: a `[vars]` entry (which may use other entries), a
//! matrix variable of its image, or a built-in: `${suite}` (the `[debian]` suite), `${arch}`
//! (each Debian architecture in turn) and, inside an `[image.NAME]` table, `${image}`. `$${`
//! writes a literal `${`. A value comes from `--set name=value`, else `BOSUN_VAR_<NAME>` (upper
//! case, `-` as `_`), else the spec. Table keys stay literal: a name must be readable where it
//! is defined. Strings are expanded in place in the parsed document, keeping their spans, so
//! every later error still points at the spec's own line.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use toml::Spanned;
use toml::de::DeValue;

use crate::sources::SourceFile;
use crate::{Error, syntax};

/// The longest value expansion may make: variables that use each other twice over would
/// otherwise double it at every step.
const MAX_VALUE: usize = 1 << 20;

/// One `[vars]` entry as written.
pub(crate) struct Definition {
    /// The value before expansion.
    pub(crate) raw: String,
    /// The file that defines it (an index into the spec's files).
    pub(crate) file: usize,
    /// Where the value is written.
    pub(crate) span: Range<usize>,
}

/// What else a string can name where it is written: `${image}` and the matrix's variables
/// inside an `[image.NAME]` table.
#[derive(Clone, Copy, Default)]
pub(crate) struct Scope<'s> {
    pub(crate) image: Option<&'s str>,
    pub(crate) matrix: &'s [(String, String)],
}

/// A spec's variables: definitions, overrides and the values worked out so far.
pub(crate) struct Vars<'f> {
    files: &'f [SourceFile],
    defined: BTreeMap<String, Definition>,
    overridden: BTreeMap<String, String>,
    suite: Option<String>,
    /// What `${arch}` gives; `None` leaves it as written (the spec common to every
    /// architecture).
    arch: Option<String>,
    resolved: BTreeMap<String, String>,
}

impl<'f> Vars<'f> {
    /// The variables `defined` across `files`, with `set` (`--set`) and `BOSUN_VAR_<NAME>`
    /// over them; `arch` is what `${arch}` gives.
    pub(crate) fn new(
        files: &'f [SourceFile],
        defined: BTreeMap<String, Definition>,
        set: &BTreeMap<String, String>,
        arch: Option<String>,
    ) -> Result<Self, Error> {
        if let Some(name) = set.keys().find(|n| !defined.contains_key(*n)) {
            return Err(Error::Invalid {
                path: files[files.len() - 1].path.clone(),
                message: format!("--set {name}: there is no `{name}` in [vars]"),
            });
        }
        let overridden = defined
            .keys()
            .filter_map(|name| {
                let env = format!("BOSUN_VAR_{}", name.to_ascii_uppercase().replace('-', "_"));
                let value = set
                    .get(name)
                    .cloned()
                    .or_else(|| std::env::var(&env).ok())?;
                Some((name.clone(), value))
            })
            .collect();
        Ok(Self {
            files,
            defined,
            overridden,
            suite: None,
            arch,
            resolved: BTreeMap::new(),
        })
    }

    /// What `${suite}` gives.
    pub(crate) fn set_suite(&mut self, suite: String) {
        self.suite = Some(suite);
    }

    /// Whether `name` is a `[vars]` entry.
    pub(crate) fn is_defined(&self, name: &str) -> bool {
        self.defined.contains_key(name)
    }

    /// Every variable's final value.
    pub(crate) fn values(&mut self) -> Result<BTreeMap<String, String>, Error> {
        let names: Vec<String> = self.defined.keys().cloned().collect();
        names
            .into_iter()
            .map(|name| Ok((name.clone(), self.var(&name, &mut Vec::new())?)))
            .collect()
    }

    fn fail(&self, file: usize, at: usize, message: String) -> Error {
        let f = &self.files[file];
        syntax(&f.path, &f.text, at, message)
    }

    /// The final value of variable `name`; `stack` holds the variables being worked out, to
    /// name a cycle.
    fn var(&mut self, name: &str, stack: &mut Vec<String>) -> Result<String, Error> {
        if let Some(v) = self.resolved.get(name).or(self.overridden.get(name)) {
            return Ok(v.clone());
        }
        let def = &self.defined[name];
        let (raw, file, span) = (def.raw.clone(), def.file, def.span.clone());
        if stack.iter().any(|s| s == name) {
            stack.push(name.to_string());
            return Err(self.fail(
                file,
                span.start,
                format!(
                    "variables refer to each other in a cycle: {}",
                    stack.join(" -> ")
                ),
            ));
        }
        stack.push(name.to_string());
        let value = self.interpolate(&raw, file, span, Scope::default(), stack)?;
        stack.pop();
        self.resolved.insert(name.to_string(), value.clone());
        Ok(value)
    }

    /// `raw` (a string value written at `span` in `file`) with its `${...}` replaced.
    pub(crate) fn interpolate(
        &mut self,
        raw: &str,
        file: usize,
        span: Range<usize>,
        scope: Scope<'_>,
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
            let source = self.files[file].text.get(span.clone()).unwrap_or_default();
            let here = span.start + source.find("${").unwrap_or(0);
            let Some(end) = after.find('}') else {
                return Err(self.fail(file, here, "`${` without a closing `}`".into()));
            };
            let name = &after[..end];
            let here = span.start + source.find(&format!("${{{name}}}")).unwrap_or(0);
            let value = if let Some((_, v)) = scope.matrix.iter().find(|(k, _)| k == name) {
                v.clone()
            } else if self.defined.contains_key(name) {
                self.var(name, stack)?
            } else {
                match name {
                    "image" => scope.image.map(str::to_string).ok_or_else(|| {
                        self.fail(
                            file,
                            here,
                            "`${image}` is only defined inside an [image.NAME] table".into(),
                        )
                    })?,
                    "suite" => self.suite.clone().ok_or_else(|| {
                        self.fail(file, here, "`${suite}` needs a [debian] suite".into())
                    })?,
                    "arch" => self.arch.clone().unwrap_or_else(|| "${arch}".into()),
                    _ => {
                        let known: BTreeSet<&str> = self
                            .defined
                            .keys()
                            .map(String::as_str)
                            .chain(scope.matrix.iter().map(|(k, _)| k.as_str()))
                            .chain(["suite", "image", "arch"])
                            .collect();
                        return Err(self.fail(
                            file,
                            here,
                            format!(
                                "undefined variable `{name}` (defined: {})",
                                known.into_iter().collect::<Vec<_>>().join(", ")
                            ),
                        ));
                    }
                }
            };
            if out.len() + value.len() > MAX_VALUE {
                return Err(self.fail(
                    file,
                    here,
                    format!("`${{{name}}}` makes this value longer than {MAX_VALUE} bytes"),
                ));
            }
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Expands every string below `value` (written in `file`) in place. Spans stay those of
    /// the strings as written, so later errors point at the spec's own text.
    pub(crate) fn expand(
        &mut self,
        file: usize,
        value: &mut Spanned<DeValue<'_>>,
        scope: Scope<'_>,
    ) -> Result<(), Error> {
        let span = value.span();
        match value.get_mut() {
            DeValue::String(s) if s.contains('$') => {
                let expanded = self.interpolate(s, file, span, scope, &mut Vec::new())?;
                *s = expanded.into();
            }
            DeValue::Array(items) => {
                for item in items.iter_mut() {
                    self.expand(file, item, scope)?;
                }
            }
            DeValue::Table(table) => {
                for (key, item) in table.iter_mut() {
                    no_variable_in_key(self.files, file, key)?;
                    self.expand(file, item, scope)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Keys stay literal: a name must read where it is defined as everyone refers to it.
pub(crate) fn no_variable_in_key(
    files: &[SourceFile],
    file: usize,
    key: &Spanned<std::borrow::Cow<'_, str>>,
) -> Result<(), Error> {
    if !key.get_ref().contains("${") {
        return Ok(());
    }
    let f = &files[file];
    Err(syntax(
        &f.path,
        &f.text,
        key.span().start,
        format!(
            "`{}`: a variable cannot name a table key (keys must read as they are)",
            key.get_ref()
        ),
    ))
}
