//! `bosun init`: write a starter spec (the same files as `examples/`).

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::cli::Template;
use crate::{ExitStatus, Printer};

const PYTHON_SPEC: &str = include_str!("../../../../examples/python/bosun.toml");
const PYTHON_MAIN: &str = include_str!("../../../../examples/python/app/main.py");
const PYTHON_IGNORE: &str = include_str!("../../../../examples/python/.dockerignore");
const STATIC_SPEC: &str = include_str!("../../../../examples/static/bosun.toml");
const FLASK_SPEC: &str = include_str!("../../../../examples/flask/bosun.toml");
const FLASK_PROJECT: &str = include_str!("../../../../examples/flask/pyproject.toml");
const FLASK_MAIN: &str = include_str!("../../../../examples/flask/app/main.py");
const EXPRESS_SPEC: &str = include_str!("../../../../examples/express/bosun.toml");
const EXPRESS_PACKAGE: &str = include_str!("../../../../examples/express/package.json");
const EXPRESS_SERVER: &str = include_str!("../../../../examples/express/server.js");
const EXPRESS_IGNORE: &str = include_str!("../../../../examples/express/.dockerignore");
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
        Template::Flask => (
            FLASK_SPEC,
            &[
                ("pyproject.toml", FLASK_PROJECT),
                ("app/main.py", FLASK_MAIN),
                (".dockerignore", PYTHON_IGNORE),
            ],
        ),
        Template::Express => (
            EXPRESS_SPEC,
            &[
                ("package.json", EXPRESS_PACKAGE),
                ("server.js", EXPRESS_SERVER),
                (".dockerignore", EXPRESS_IGNORE),
            ],
        ),
    };
    // Editors that read `#:schema` (the TOML language servers) complete and check the spec
    // from the first keystroke.
    let spec = format!("#:schema ./{SCHEMA}\n{spec}");
    let schema = serde_json::to_string_pretty(&bosun_spec::json_schema())? + "\n";
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
    // The app's own lockfile comes from its own tool, with the exact pins written here.
    match template {
        Template::Flask => printer.hint("next: `uv lock`, then `bosun build`"),
        Template::Express => {
            printer.hint("next: `npm install --package-lock-only`, then `bosun build`")
        }
        _ => {}
    }
    Ok(ExitStatus::Success)
}
