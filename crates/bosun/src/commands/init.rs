//! `bosun init`: write a starter spec (the same files as `examples/`).

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::cli::Template;
use crate::{ExitStatus, Printer};

const PYTHON_SPEC: &str = include_str!("../../../../examples/python/bosun.toml");
const PYTHON_MAIN: &str = include_str!("../../../../examples/python/app/main.py");
const PYTHON_IGNORE: &str = include_str!("../../../../examples/python/.dockerignore");
const STATIC_SPEC: &str = include_str!("../../../../examples/static/bosun.toml");
/// The JSON Schema written beside a new spec.
const SCHEMA: &str = "bosun.schema.json";

pub(crate) fn run(template: Template, dir: &Path, printer: &Printer) -> Result<ExitStatus> {
    let (spec, others): (&str, &[(&str, &str)]) = match template {
        Template::Python => (
            PYTHON_SPEC,
            &[
                ("app/main.py", PYTHON_MAIN),
                (".dockerignore", PYTHON_IGNORE),
            ],
        ),
        Template::Static => (STATIC_SPEC, &[]),
    };
    // Editors that read `#:schema` (the TOML language servers) complete and check the spec
    // from the first keystroke.
    let spec = format!("#:schema ./{SCHEMA}\n{spec}");
    let schema = super::spec::schema_text()? + "\n";
    let files: Vec<(&str, &str)> = [("bosun.toml", spec.as_str())]
        .into_iter()
        .chain(others.iter().copied())
        .chain([(SCHEMA, schema.as_str())])
        .collect();
    for (name, _) in &files {
        let path = dir.join(name);
        if path.exists() {
            bail!("{} already exists; not overwriting it", path.display());
        }
    }
    for (name, text) in &files {
        let path = dir.join(name);
        bosun_fs::write_atomic(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        printer.status(&format!("wrote {}", path.display()));
    }
    Ok(ExitStatus::Success)
}
