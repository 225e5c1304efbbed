//! One [`Spec`] from the files it is made of: tables merged, variables expanded, matrices
//! multiplied, each table read with the position of every value in its own file.
//!
//! A table (`[debian]`, `[base.NAME]`, `[image.NAME]`) or variable is defined once. A later
//! file (the including one comes after what it includes) replaces an earlier definition only
//! when its table says `override = true`; the replacement is whole, so the table a reviewer
//! reads is the table that is built. Anything else defined twice is an error naming both
//! places.
//!
//! ```toml
//! [image.api]
//! matrix = { python = ["3.11", "3.13"], channel = ["stable", "edge"] }
//! name = "api-${python}-${channel}"       # default: api-3.11-stable, ...
//! packages = ["python${python}"]
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::lock::LockedInclude;
use crate::sources::SourceFile;
use crate::spec::{LoadOptions, Origins, Place, Spec};
use crate::vars::{Definition, Scope, Vars, no_variable_in_key};
use crate::{Error, syntax, toml_error};

/// The most images one matrix may stand for: a typo in an axis should not build thousands.
const MATRIX_LIMIT: usize = 256;

/// A table as one file defines it.
struct Table<'a> {
    file: usize,
    /// Where its name is written.
    key: Range<usize>,
    span: Range<usize>,
    entries: DeTable<'a>,
}

/// Composes the spec `files` make (the spec itself last); `set` holds `--set` values. A spec
/// that uses `${arch}` is composed once more per architecture: the spec common to all keeps
/// `${arch}` as written (what `spec show` prints), and [`Spec::for_arch`] gives each one.
pub(crate) fn compose(files: &[SourceFile], set: &BTreeMap<String, String>) -> Result<Spec, Error> {
    let mut spec = compose_for(files, set, None)?;
    if !files.iter().any(|f| f.text.contains("${arch}")) {
        return validated(files, spec);
    }
    // The common spec holds `${arch}` as written, which no check would take: each
    // architecture's spec is checked instead, and they agree on everything else.
    let common = arch_independent(&spec);
    let mut variants = BTreeMap::new();
    for arch in &spec.debian.architectures {
        let variant = validated(files, compose_for(files, set, Some(arch))?)?;
        if arch_independent(&variant) != common {
            return Err(Error::Invalid {
                path: files[files.len() - 1].path.clone(),
                message: "`${arch}` may decide what an image holds and runs (packages, exclude, copy sources, env, labels, entrypoint, cmd, workdir, healthcheck), not what is one for every architecture ([debian], image and base names, bases, tags, from, copy images, user)".into(),
            });
        }
        variants.insert(arch.clone(), variant);
    }
    spec.set_variants(variants);
    Ok(spec)
}

/// What every architecture's spec must agree on.
fn arch_independent(spec: &Spec) -> serde_json::Value {
    let images: BTreeMap<&String, serde_json::Value> = spec
        .image
        .iter()
        .map(|(name, i)| {
            let copies: Vec<(&Option<String>, &Option<String>, &String)> =
                i.copy.iter().map(|c| (&c.image, &c.step, &c.dst)).collect();
            let fixed = serde_json::json!({
                "tags": spec.tags_of(name), "from": i.from, "bases": i.bases, "copies": copies,
                "user": i.user, "init": i.init, "compression": i.compression,
                "ignore": i.ignore_file, "keep_docs": i.keep_docs, "debug": i.debug,
            });
            (name, fixed)
        })
        .collect();
    let bases: Vec<&String> = spec.base.keys().collect();
    let steps: BTreeMap<&String, &Vec<String>> =
        spec.step.iter().map(|(n, s)| (n, &s.outputs)).collect();
    serde_json::json!({ "debian": spec.debian, "images": images, "bases": bases, "steps": steps })
}

/// The spec for one architecture (`${arch}` its name), or common to all (`${arch}` kept).
fn compose_for(
    files: &[SourceFile],
    set: &BTreeMap<String, String>,
    arch: Option<&str>,
) -> Result<Spec, Error> {
    let mut defined: BTreeMap<String, Definition> = BTreeMap::new();
    let mut tables: BTreeMap<String, Table<'_>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        let doc = DeTable::parse(&f.text).map_err(|e| toml_error(&f.path, &f.text, e))?;
        let fail = |at: usize, message: String| syntax(&f.path, &f.text, at, message);
        for (key, value) in doc.into_inner() {
            no_variable_in_key(files, i, &key)?;
            let section = key.get_ref().to_string();
            match section.as_str() {
                "include" => {}
                "vars" => define_vars(files, i, value, &mut defined)?,
                "debian" => define(files, i, section, key.span(), value, &mut tables)?,
                "base" | "image" | "step" => {
                    let DeValue::Table(entries) = value.into_inner() else {
                        return Err(fail(
                            key.span().start,
                            format!("`{section}` must hold [{section}.NAME] tables"),
                        ));
                    };
                    for (name, table) in entries {
                        no_variable_in_key(files, i, &name)?;
                        let id = format!("{section}.{}", name.get_ref());
                        define(files, i, id, name.span(), table, &mut tables)?;
                    }
                }
                other => {
                    return Err(fail(
                        key.span().start,
                        format!(
                            "unknown table `{other}` (a spec has include, vars, debian, base, image and step)"
                        ),
                    ));
                }
            }
        }
    }
    let spec_file = files.len() - 1;
    let mut vars = Vars::new(files, defined, set, arch.map(str::to_string))?;
    // `${suite}` is the suite as the [debian] table gives it, its own variables expanded.
    if let Some(t) = tables.get("debian")
        && let Some(suite) = t.entries.get("suite")
        && let DeValue::String(raw) = suite.get_ref()
    {
        let value =
            vars.interpolate(raw, t.file, suite.span(), Scope::default(), &mut Vec::new())?;
        vars.set_suite(value);
    }
    let mut origins = Origins::default();
    let Some(debian) = tables.remove("debian") else {
        return Err(Error::Invalid {
            path: files[spec_file].path.clone(),
            message: "no [debian] table, here or in a file it includes".into(),
        });
    };
    let debian = read_table(
        files,
        &mut vars,
        "debian",
        debian,
        Scope::default(),
        &mut origins,
    )?;
    let mut base = BTreeMap::new();
    let mut image = BTreeMap::new();
    let mut step = BTreeMap::new();
    for (id, table) in tables {
        if let Some(name) = id.strip_prefix("base.") {
            let group = read_table(files, &mut vars, &id, table, Scope::default(), &mut origins)?;
            base.insert(name.to_string(), group);
            continue;
        }
        if let Some(name) = id.strip_prefix("step.") {
            let spec = read_table(files, &mut vars, &id, table, Scope::default(), &mut origins)?;
            step.insert(name.to_string(), spec);
            continue;
        }
        let table_name = id.strip_prefix("image.").unwrap_or(&id);
        for Variant {
            name,
            matrix,
            table,
        } in variants(files, &mut vars, table_name, table)?
        {
            if !matrix.is_empty() {
                let family = origins.matrices.entry(table_name.to_string()).or_default();
                family.push(name.clone());
            }
            if image.contains_key(&name) {
                let f = &files[table.file];
                return Err(syntax(
                    &f.path,
                    &f.text,
                    table.key.start,
                    format!("the matrix names an image `{name}`, which another table also names"),
                ));
            }
            let scope = Scope {
                image: Some(&name),
                matrix: &matrix,
            };
            let id = format!("image.{name}");
            let spec = read_table(files, &mut vars, &id, table, scope, &mut origins)?;
            image.insert(name, spec);
        }
    }
    let includes = files[..spec_file]
        .iter()
        .map(|f| LockedInclude {
            path: f.relative.clone(),
            sha256: f.sha256(),
            digest: f.remote.as_ref().map(|(_, digest, _)| digest.clone()),
        })
        .collect();
    Ok(Spec::composed(
        vars.values()?,
        debian,
        base,
        image,
        step,
        origins,
        includes,
    ))
}

/// `spec` if it passes [`Spec::validate`]; an error names the place of its table.
fn validated(files: &[SourceFile], spec: Spec) -> Result<Spec, Error> {
    let spec_file = files.len() - 1;
    spec.validate()
        .map_err(|(table, message)| spec.error_at(&table, message, &files[spec_file].path))?;
    Ok(spec)
}

/// Records the `[vars]` entries of file `i`.
fn define_vars(
    files: &[SourceFile],
    i: usize,
    value: Spanned<DeValue<'_>>,
    defined: &mut BTreeMap<String, Definition>,
) -> Result<(), Error> {
    let f = &files[i];
    let fail = |at: usize, message: String| syntax(&f.path, &f.text, at, message);
    let span = value.span();
    let DeValue::Table(mut entries) = value.into_inner() else {
        return Err(fail(span.start, "`vars` must be a table of strings".into()));
    };
    let replaces = take_override(files, i, &mut entries)?;
    for (name, value) in entries {
        no_variable_in_key(files, i, &name)?;
        let DeValue::String(raw) = value.get_ref() else {
            return Err(fail(
                value.span().start,
                format!("variable `{}` must be a string", name.get_ref()),
            ));
        };
        let earlier = defined.get(name.get_ref().as_ref());
        if let Some(earlier) = earlier
            && !replaces
        {
            return Err(fail(
                name.span().start,
                format!(
                    "variable `{}` is already defined at {}; write `override = true` in this [vars] to replace it",
                    name.get_ref(),
                    place(files, earlier.file, earlier.span.clone())
                ),
            ));
        }
        defined.insert(
            name.get_ref().to_string(),
            Definition {
                raw: raw.to_string(),
                file: i,
                span: value.span(),
            },
        );
    }
    Ok(())
}

/// Records table `id` as file `i` defines it, replacing an earlier definition only where the
/// table says `override = true`.
fn define<'a>(
    files: &[SourceFile],
    i: usize,
    id: String,
    key: Range<usize>,
    value: Spanned<DeValue<'a>>,
    tables: &mut BTreeMap<String, Table<'a>>,
) -> Result<(), Error> {
    let f = &files[i];
    let fail = |message: String| syntax(&f.path, &f.text, key.start, message);
    let span = value.span();
    let DeValue::Table(mut entries) = value.into_inner() else {
        return Err(fail(format!("[{id}] must be a table")));
    };
    let replaces = take_override(files, i, &mut entries)?;
    match (tables.get(&id), replaces) {
        (Some(earlier), false) => {
            return Err(fail(format!(
                "[{id}] is already defined at {}; write `override = true` in this table to replace it",
                place(files, earlier.file, earlier.key.clone())
            )));
        }
        (None, true) => {
            return Err(fail(format!(
                "[{id}] says `override = true`, but no file included before this one defines it"
            )));
        }
        _ => {}
    }
    tables.insert(
        id,
        Table {
            file: i,
            key,
            span,
            entries,
        },
    );
    Ok(())
}

/// Removes a table's `override` flag and says whether it was set.
fn take_override(files: &[SourceFile], i: usize, table: &mut DeTable<'_>) -> Result<bool, Error> {
    match table.remove("override") {
        None => Ok(false),
        Some(flag) => flag.get_ref().as_bool().ok_or_else(|| {
            let f = &files[i];
            syntax(
                &f.path,
                &f.text,
                flag.span().start,
                "`override` must be true or false".into(),
            )
        }),
    }
}

/// One image an `[image.NAME]` table stands for.
struct Variant<'a> {
    /// The image's name.
    name: String,
    /// The matrix's values for it (none without a matrix).
    matrix: Vec<(String, String)>,
    table: Table<'a>,
}

/// The images one `[image.NAME]` table stands for: itself, or one per combination of its
/// matrix.
fn variants<'a>(
    files: &[SourceFile],
    vars: &mut Vars<'_>,
    name: &str,
    table: Table<'a>,
) -> Result<Vec<Variant<'a>>, Error> {
    let f = &files[table.file];
    let fail = |at: usize, message: String| syntax(&f.path, &f.text, at, message);
    let Table {
        file,
        key,
        span,
        mut entries,
    } = table;
    let template = entries.remove("name");
    let Some(matrix) = entries.remove("matrix") else {
        if let Some(t) = template {
            return Err(fail(
                t.span().start,
                "`name` names the images of a matrix; this table has no `matrix`".into(),
            ));
        }
        let table = Table {
            file,
            key,
            span,
            entries,
        };
        return Ok(vec![Variant {
            name: name.to_string(),
            matrix: Vec::new(),
            table,
        }]);
    };
    let matrix_span = matrix.span();
    let DeValue::Table(axes) = matrix.into_inner() else {
        return Err(fail(
            matrix_span.start,
            "`matrix` must be a table of arrays of strings, such as { python = [\"3.11\", \"3.13\"] }".into(),
        ));
    };
    // The axes in the order they are written: that is the order of the default names.
    let mut axes: Vec<_> = axes.into_iter().collect();
    axes.sort_by_key(|(k, _)| k.span().start);
    let mut combinations: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (axis, values) in axes {
        no_variable_in_key(files, file, &axis)?;
        let axis_name = axis.get_ref().to_string();
        if vars.is_defined(&axis_name) || matches!(axis_name.as_str(), "image" | "suite") {
            return Err(fail(
                axis.span().start,
                format!(
                    "matrix variable `{axis_name}` is also a [vars] entry or a built-in; rename one"
                ),
            ));
        }
        let values_span = values.span();
        let items = match values.into_inner() {
            DeValue::Array(items) if !items.is_empty() => items,
            _ => {
                return Err(fail(
                    values_span.start,
                    format!("matrix `{axis_name}` must be a non-empty array of strings"),
                ));
            }
        };
        let mut seen: Vec<String> = Vec::new();
        for item in items.iter() {
            let DeValue::String(raw) = item.get_ref() else {
                return Err(fail(
                    item.span().start,
                    format!("matrix `{axis_name}` values must be strings"),
                ));
            };
            let value =
                vars.interpolate(raw, file, item.span(), Scope::default(), &mut Vec::new())?;
            if seen.contains(&value) {
                return Err(fail(
                    item.span().start,
                    format!("matrix `{axis_name}` lists {value:?} twice"),
                ));
            }
            seen.push(value);
        }
        combinations = combinations
            .into_iter()
            .flat_map(|c| {
                let axis_name = &axis_name;
                seen.iter().map(move |v| {
                    let mut c = c.clone();
                    c.push((axis_name.clone(), v.clone()));
                    c
                })
            })
            .collect();
        if combinations.len() > MATRIX_LIMIT {
            return Err(fail(
                matrix_span.start,
                format!("the matrix makes more than {MATRIX_LIMIT} images"),
            ));
        }
    }
    let mut out = Vec::with_capacity(combinations.len());
    for combination in combinations {
        let image = match &template {
            Some(t) => {
                let DeValue::String(raw) = t.get_ref() else {
                    return Err(fail(t.span().start, "`name` must be a string".into()));
                };
                let scope = Scope {
                    image: None,
                    matrix: &combination,
                };
                vars.interpolate(raw, file, t.span(), scope, &mut Vec::new())?
            }
            None => std::iter::once(name)
                .chain(combination.iter().map(|(_, v)| v.as_str()))
                .collect::<Vec<_>>()
                .join("-"),
        };
        let at = template.as_ref().map_or(key.start, |t| t.span().start);
        if image.is_empty()
            || !image
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        {
            return Err(fail(
                at,
                format!(
                    "the matrix names an image {image:?}: use lower-case letters, digits, `.`, `_` and `-`"
                ),
            ));
        }
        if out.iter().any(|v: &Variant| v.name == image) {
            return Err(fail(
                at,
                format!(
                    "the matrix names two images {image:?}: put every matrix variable in `name`"
                ),
            ));
        }
        let table = Table {
            file,
            key: key.clone(),
            span: span.clone(),
            entries: entries.clone(),
        };
        out.push(Variant {
            name: image,
            matrix: combination,
            table,
        });
    }
    Ok(out)
}

/// Expands and reads one table, recording where it and each package it names are written.
fn read_table<T: DeserializeOwned>(
    files: &[SourceFile],
    vars: &mut Vars<'_>,
    id: &str,
    table: Table<'_>,
    scope: Scope<'_>,
    origins: &mut Origins,
) -> Result<T, Error> {
    let Table {
        file,
        key,
        span,
        entries,
    } = table;
    let mut value = Spanned::new(span, DeValue::Table(entries));
    vars.expand(file, &mut value, scope)?;
    origins
        .tables
        .insert(id.to_string(), place(files, file, key));
    if let Some(packages) = value.get_ref().get("packages")
        && let DeValue::Array(items) = packages.get_ref()
    {
        for item in items.iter() {
            if let DeValue::String(name) = item.get_ref() {
                // A name made by variables keeps how it is written, to explain itself.
                let literal = files[file].text.get(item.span()).unwrap_or_default();
                let written = literal.contains("${").then(|| literal.to_string());
                origins.packages.insert(
                    (id.to_string(), name.to_string()),
                    (place(files, file, item.span()), written),
                );
            }
        }
    }
    let f = &files[file];
    T::deserialize(toml::de::ValueDeserializer::from(value))
        .map_err(|e| toml_error(&f.path, &f.text, e))
}

/// Where `span` of file `i` is.
fn place(files: &[SourceFile], i: usize, span: Range<usize>) -> Place {
    let f = &files[i];
    let (line, column) = f.position(span.start);
    Place {
        path: f.path.clone(),
        line,
        column,
    }
}

/// Reading a spec: its files gathered, composed, its image paths made relative.
impl Spec {
    /// Reads and validates a spec file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        Self::load_with(path, &LoadOptions::default())
    }

    /// Reads a spec file, the files it includes, and `--set` values for its variables.
    pub fn load_with(path: &Path, options: &LoadOptions) -> Result<Self, Error> {
        let text = crate::read(path)?;
        Self::parse_with(path, &text, options)
    }

    /// Parses and validates spec text; `path` names the file in errors, and its directory is
    /// where relative includes are read from.
    pub fn parse(path: &Path, text: &str) -> Result<Self, Error> {
        Self::parse_with(path, text, &LoadOptions::default())
    }

    /// Reads the includes of spec text, merges them, expands the variables (`options.set`
    /// holds `--set` values), then reads and validates the result.
    pub fn parse_with(path: &Path, text: &str, options: &LoadOptions) -> Result<Self, Error> {
        let files = crate::sources::gather(path, text.to_string(), options)?;
        let mut spec = compose(&files, &options.set)?;
        spec.localize_images(path, &options.include_roots)?;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::{LoadOptions, Spec};

    fn set(pairs: &[(&str, &str)]) -> LoadOptions {
        LoadOptions {
            set: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Default::default()
        }
    }

    fn parse(text: &str, pairs: &[(&str, &str)]) -> Result<Spec, String> {
        Spec::parse_with(Path::new("s.toml"), text, &set(pairs)).map_err(|e| e.to_string())
    }

    fn err(text: &str) -> String {
        parse(text, &[]).unwrap_err()
    }

    #[test]
    fn values_builtins_overrides_and_escapes() {
        let text = "[vars]\npy = \"3.${minor}\"\nminor = \"13\"\n[debian]\nsuite = \"trixie\"\n[image.api]\npackages = [\"python${py}\"]\ntags = [\"${image}:${suite}\", \"a:b\"]\nlabels = { x = \"$${literal}\" }\n";
        let spec = parse(text, &[]).unwrap();
        let api = &spec.image["api"];
        assert_eq!(api.packages, ["python3.13"]);
        assert_eq!(api.tags, ["api:trixie", "a:b"]);
        assert_eq!(api.labels["x"], "${literal}");
        assert_eq!(spec.vars["py"], "3.13");
        let spec = parse(text, &[("minor", "11")]).unwrap();
        assert_eq!(spec.image["api"].packages, ["python3.11"]);
        // Positions survive expansion: a shape error after a variable points at its line.
        let shape = err(
            "[vars]\na = \"x\"\n[debian]\nsuite = \"${a}\"\n[image.i]\npackages = [\"${a}\"]\nuser = 7\n",
        );
        assert!(shape.starts_with("s.toml:7:8:"), "{shape}");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        for (text, start, needle) in [
            (
                "[debian]\nsuite = \"t\"\n[image.a]\npackages = [\"x${nope}\"]\n",
                "s.toml:4:15:",
                "undefined variable `nope`",
            ),
            (
                "[vars]\na = \"${b}\"\nb = \"${a}\"\n[debian]\nsuite = \"t\"\n[image.a]\npackages = [\"${a}\"]\n",
                "s.toml:",
                "cycle: a -> b -> a",
            ),
            (
                "[debian]\nsuite = \"t\"\n[image.\"${x}\"]\npackages = [\"p\"]\n",
                "s.toml:3:8:",
                "table key",
            ),
            (
                "[debian]\nsuite = \"${image}\"\n[image.a]\npackages = [\"p\"]\n",
                "s.toml:2:10:",
                "only defined inside an [image.NAME]",
            ),
            (
                "[debian]\nsuite = \"t\"\n[image.a]\noverride = true\npackages = [\"p\"]\n",
                "s.toml:3:8:",
                "no file included before this one defines it",
            ),
            (
                "[debian]\nsuite = \"t\"\n[image.a]\nbases = [\"nope\"]\n",
                "s.toml:3:8:",
                "no [base.nope]",
            ),
            (
                "[debian]\nsuite = \"t\"\n[images.a]\npackages = [\"p\"]\n",
                "s.toml:3:2:",
                "unknown table `images`",
            ),
        ] {
            let e = err(text);
            assert!(e.starts_with(start) && e.contains(needle), "{e}");
        }
        // Variables that use each other twice over stop before they fill the memory.
        let mut laughs = String::from("[vars]\nv0 = \"lol\"\n");
        for i in 1..64 {
            laughs.push_str(&format!("v{i} = \"${{v{}}}${{v{}}}\"\n", i - 1, i - 1));
        }
        laughs.push_str("[debian]\nsuite = \"t\"\n[image.a]\npackages = [\"${v63}\"]\n");
        let e = err(&laughs);
        assert!(e.contains("longer than 1048576 bytes"), "{e}");
        let e = parse(
            "[vars]\na = \"1\"\n[debian]\nsuite = \"t\"\n",
            &[("b", "2")],
        )
        .unwrap_err();
        assert!(e.contains("--set b: there is no `b` in [vars]"), "{e}");
    }

    #[test]
    fn arch_gives_each_architecture_its_own_values() {
        let text = "[debian]\nsuite = \"t\"\narchitectures = [\"amd64\", \"arm64\"]\n[image.a]\npackages = [\"libfoo-${arch}\"]\ncopy = [{ src = \"dist/${arch}/\", dst = \"/opt\" }]\nenv = { ARCH = \"${arch}\" }\n";
        let spec = parse(text, &[]).unwrap();
        // The spec common to all keeps `${arch}`; each architecture's has its own values.
        assert_eq!(spec.image["a"].packages, ["libfoo-${arch}"]);
        let arm = spec.for_arch("arm64");
        assert_eq!(arm.image["a"].packages, ["libfoo-arm64"]);
        assert_eq!(arm.image["a"].copy[0].src, "dist/arm64/");
        assert_eq!(spec.for_arch("amd64").image["a"].env["ARCH"], "amd64");
        // What each architecture resolves is part of the lock's hash.
        let other = parse(&text.replace("libfoo-${arch}", "libfoo-amd64"), &[]).unwrap();
        assert_ne!(spec.resolution_hash(), other.resolution_hash());
        // Names, tags and inputs are one for every architecture.
        for bad in [
            "tags = [\"a:${arch}\"]",
            "from = \"docker://r.example/x-${arch}:1\"",
        ] {
            let e = err(&format!("{text}{bad}\n"));
            assert!(
                e.contains("`${arch}` may decide what an image holds"),
                "{e}"
            );
        }
    }

    #[test]
    fn matrix_makes_one_image_per_combination() {
        let text = r#"[vars]
newest = "3.13"
[debian]
suite = "trixie"
[base.core]
packages = ["base-files"]
[image.api]
matrix = { python = ["3.11", "${newest}"], channel = ["stable", "edge"] }
bases = ["core"]
packages = ["python${python}"]
labels = { channel = "${channel}", name = "${image}" }
[image.tool]
matrix = { v = ["1", "2"] }
name = "tool-v${v}"
packages = ["tool"]
"#;
        let spec = parse(text, &[]).unwrap();
        let names: Vec<&String> = spec.image.keys().collect();
        assert_eq!(
            names,
            [
                "api-3.11-edge",
                "api-3.11-stable",
                "api-3.13-edge",
                "api-3.13-stable",
                "tool-v1",
                "tool-v2"
            ]
        );
        let edge = &spec.image["api-3.13-edge"];
        assert_eq!(edge.packages, ["python3.13"]);
        assert_eq!(edge.labels["channel"], "edge");
        assert_eq!(edge.labels["name"], "api-3.13-edge");
        assert_eq!(spec.tags_of("tool-v2"), ["tool-v2:latest"]);
        // Each combination is its own group of the lock; --set moves only what it names.
        let moved = parse(text, &[("newest", "3.14")]).unwrap();
        assert_eq!(moved.image["api-3.11-edge"].packages, ["python3.11"]);
        assert_eq!(moved.image["api-3.14-edge"].packages, ["python3.14"]);
        assert!(!moved.image.contains_key("api-3.13-edge"));
        assert_eq!(
            spec.place("image.api-3.11-edge").unwrap().to_string(),
            "s.toml:7:8"
        );
        for (bad, needle) in [
            (
                "matrix = { v = [] }\npackages = [\"p\"]",
                "non-empty array of strings",
            ),
            (
                "matrix = { v = [\"1\", \"1\"] }\npackages = [\"p\"]",
                "lists \"1\" twice",
            ),
            (
                "matrix = { a = [\"1\", \"2\"], b = [\"x\"] }\nname = \"m-${b}\"\npackages = [\"p\"]",
                "names two images \"m-x\"",
            ),
            (
                "matrix = { newest = [\"1\"] }\npackages = [\"p\"]",
                "also a [vars] entry",
            ),
            ("name = \"x\"\npackages = [\"p\"]", "has no `matrix`"),
            (
                "matrix = { v = [\"A\"] }\npackages = [\"p\"]",
                "lower-case letters",
            ),
        ] {
            let e = err(&format!(
                "[vars]\nnewest = \"1\"\n[debian]\nsuite = \"t\"\n[image.m]\n{bad}\n"
            ));
            assert!(e.starts_with("s.toml:"), "{e}");
            assert!(e.contains(needle), "{bad}: {e}");
        }
    }

    /// A platform core in another directory of the same work tree, included by an app.
    fn platform(dir: &Path) {
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::create_dir_all(dir.join("platform")).unwrap();
        std::fs::create_dir_all(dir.join("apps/a")).unwrap();
        std::fs::write(
            dir.join("platform/core.toml"),
            "include = [\"debian.toml\"]\n[vars]\npython = \"3.13\"\n[base.core]\npackages = [\"base-files\", \"ca-certificates\"]\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("platform/debian.toml"),
            "[debian]\nsuite = \"trixie\"\n",
        )
        .unwrap();
    }

    fn load(path: &Path, roots: &[&Path]) -> Result<Spec, String> {
        let options = LoadOptions {
            include_roots: roots.iter().map(|r| r.to_path_buf()).collect(),
            ..Default::default()
        };
        Spec::load_with(path, &options).map_err(|e| e.to_string())
    }

    #[test]
    fn includes_merge_and_record_their_digests() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        platform(dir);
        let app = dir.join("apps/a/bosun.toml");
        let write = |text: &str| std::fs::write(&app, text).unwrap();
        write(
            "include = [\"../../platform/core.toml\"]\n[image.api]\nbases = [\"core\"]\npackages = [\"python${python}\"]\n",
        );
        let spec = load(&app, &[]).unwrap();
        assert_eq!(spec.debian.suite, "trixie");
        assert_eq!(spec.image["api"].packages, ["python3.13"]);
        let includes: Vec<&str> = spec.includes().iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            includes,
            ["../../platform/debian.toml", "../../platform/core.toml"]
        );
        assert_eq!(spec.includes()[1].sha256.len(), 64);
        let named = spec.named_by("base-files");
        assert_eq!(named[0].0, "base.core");
        assert!(
            named[0]
                .1
                .to_string()
                .ends_with("apps/a/../../platform/core.toml:5:13")
                || named[0].1.to_string().ends_with("platform/core.toml:5:13"),
            "{}",
            named[0].1
        );
        // Redefinition: an error naming both places, unless the later table says override.
        write(
            "include = [\"../../platform/core.toml\"]\n[base.core]\npackages = [\"x\"]\n[image.api]\nbases = [\"core\"]\n",
        );
        let e = load(&app, &[]).unwrap_err();
        assert!(
            e.contains("bosun.toml:2:7: [base.core] is already defined at")
                && e.contains("platform/core.toml:4:7"),
            "{e}"
        );
        write(
            "include = [\"../../platform/core.toml\"]\n[vars]\noverride = true\npython = \"3.11\"\n[base.core]\noverride = true\npackages = [\"x\"]\n[image.api]\nbases = [\"core\"]\npackages = [\"python${python}\"]\n",
        );
        let spec = load(&app, &[]).unwrap();
        assert_eq!(spec.base["core"].packages, ["x"]);
        assert_eq!(spec.image["api"].packages, ["python3.11"]);
        write(
            "include = [\"../../platform/core.toml\"]\n[vars]\npython = \"3.11\"\n[image.api]\nbases = [\"core\"]\n",
        );
        let e = load(&app, &[]).unwrap_err();
        assert!(e.contains("variable `python` is already defined at"), "{e}");
        // The same file twice in one list (here by two spellings) is refused.
        write(
            "include = [\"../../platform/core.toml\", \"../a/../../platform/core.toml\"]\n[image.api]\npackages = [\"p\"]\n",
        );
        let e = load(&app, &[]).unwrap_err();
        assert!(e.contains(":1:40: include \"../a/../../platform/core.toml\" names a file this list already includes"), "{e}");
        // Not found, a cycle, and a file outside the allowed roots.
        write("include = [\"../nope.toml\"]\n[image.api]\npackages = [\"p\"]\n");
        let e = load(&app, &[]).unwrap_err();
        assert!(
            e.starts_with(&format!(
                "{}:1:12: include \"../nope.toml\": cannot read",
                app.display()
            )) && e.contains("no such file"),
            "{e}"
        );
        std::fs::write(
            dir.join("platform/debian.toml"),
            "include = [\"core.toml\"]\n",
        )
        .unwrap();
        write("include = [\"../../platform/core.toml\"]\n[image.api]\npackages = [\"p\"]\n");
        let e = load(&app, &[]).unwrap_err();
        assert!(
            e.contains("platform/debian.toml:1:12: include \"core.toml\" makes a cycle"),
            "{e}"
        );
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("x.toml"), "[debian]\nsuite = \"t\"\n").unwrap();
        let rel = format!("{}/x.toml", outside.path().display());
        write(&format!(
            "include = [{rel:?}]\n[image.api]\npackages = [\"p\"]\n"
        ));
        let e = load(&app, &[]).unwrap_err();
        assert!(
            e.contains(":1:12: include") && e.contains("outside the allowed roots"),
            "{e}"
        );
        assert!(load(&app, &[outside.path()]).is_ok());
        // A chain of includes deeper than any layout needs is refused, not recursed into.
        for i in 0..40 {
            std::fs::write(
                dir.join(format!("platform/chain{i}.toml")),
                format!("include = [\"chain{}.toml\"]\n", i + 1),
            )
            .unwrap();
        }
        std::fs::write(dir.join("platform/chain40.toml"), "").unwrap();
        write("include = [\"../../platform/chain0.toml\"]\n[image.api]\npackages = [\"p\"]\n");
        let e = load(&app, &[]).unwrap_err();
        assert!(e.contains("includes nest more than 32 deep"), "{e}");
        // A symlink inside the tree does not widen it.
        std::os::unix::fs::symlink(outside.path(), dir.join("platform/link")).unwrap();
        write("include = [\"../../platform/link/x.toml\"]\n[image.api]\npackages = [\"p\"]\n");
        let e = load(&app, &[]).unwrap_err();
        assert!(e.contains("outside the allowed roots"), "{e}");
    }
}

#[cfg(test)]
mod robustness {
    use std::path::Path;

    use crate::Spec;

    /// Every prefix of a spec that uses every feature, and every one-byte change of it into
    /// a character the syntax cares about, is read without a panic: an error or a spec.
    #[test]
    fn damaged_specs_never_panic() {
        let text = "[vars]\nv = \"1\"\nw = \"${v}-${suite}\"\n[debian]\nsuite = \"trixie\"\narchitectures = [\"amd64\", \"arm64\"]\n[base.core]\npackages = [\"base-files\"]\n[image.api]\nmatrix = { a = [\"x\", \"${v}\"], b = [\"y\"] }\nname = \"api-${a}-${b}\"\nbases = [\"core\"]\npackages = [\"p${a}\", \"q-${arch}\"]\ncopy = [{ src = \"d/${arch}/\", dst = \"/opt\" }]\nlabels = { l = \"${image} $${no}\" }\n";
        let mut cases = 0;
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        let mut read = 0;
        for &end in &boundaries {
            read += usize::from(Spec::parse(Path::new("s.toml"), &text[..end]).is_ok());
            cases += 1;
        }
        for at in 0..text.len() {
            for c in ["$", "{", "}", "\"", "[", "]", "=", "\n", "é"] {
                let mut damaged = text.to_string();
                damaged.replace_range(at..at + 1, c);
                read += usize::from(Spec::parse(Path::new("s.toml"), &damaged).is_ok());
                cases += 1;
            }
        }
        // Both ways out are taken: some damage still reads, most is refused.
        assert!(
            cases > 3000 && read > 10 && read < cases / 2,
            "{read} of {cases}"
        );
    }
}
