//! `bosun init`: write a starter spec (the same files as `examples/`).

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::cli::Template;
use crate::{ExitStatus, Printer};

const PYTHON_SPEC: &str = include_str!("../../../../examples/python/bosun.toml");
const PYTHON_MAIN: &str = include_str!("../../../../examples/python/app/main.py");
const PYTHON_IGNORE: &str = include_str!("../../../../examples/python/.dockerignore");
const STATIC_SPEC: &str = include_str!("../../../../examples/static/bosun.toml");

pub(crate) fn run(template: Template, dir: &Path, printer: &Printer) -> Result<ExitStatus> {
    let files: &[(&str, &str)] = match template {
        Template::Python => &[
            ("bosun.toml", PYTHON_SPEC),
            ("app/main.py", PYTHON_MAIN),
            (".dockerignore", PYTHON_IGNORE),
        ],
        Template::Static => &[("bosun.toml", STATIC_SPEC)],
    };
    for (name, _) in files {
        let path = dir.join(name);
        if path.exists() {
            bail!("{} already exists; not overwriting it", path.display());
        }
    }
    for (name, text) in files {
        let path = dir.join(name);
        bosun_fs::write_atomic(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        printer.status(&format!("wrote {}", path.display()));
    }
    Ok(ExitStatus::Success)
}
