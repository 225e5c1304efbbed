//! `bosun lock`: resolve the spec into bosun.lock; `--check` and `--why`.

use anyhow::{Context, Result, bail};
use bosun_deb::{Cache, Fetcher};
use bosun_spec::Lockfile;

use crate::cli::SpecArgs;
use crate::{ExitStatus, Printer, settings};

/// What `bosun lock` is asked to do.
#[derive(Clone, Copy)]
pub(crate) struct Mode {
    pub(crate) check: bool,
    pub(crate) update: bool,
    pub(crate) security_only: bool,
}

pub(crate) fn run(
    spec_args: &SpecArgs,
    mode: Mode,
    why: Option<&str>,
    arch: Option<&str>,
    images: crate::locking::Images<'_>,
    printer: &Printer,
) -> Result<ExitStatus> {
    let spec_path = spec_args.file.as_path();
    // `lock` reads each registry include at what its tag names now; --why explains the lock
    // as it stands, offline.
    let pins = match why {
        Some(_) => crate::specs::Pins::Locked,
        None => crate::specs::Pins::Fresh,
    };
    let spec = spec_args.load(images.registry, pins)?;
    let lock_path = bosun_spec::lock_path(spec_path);
    if let Some(package) = why {
        let lock = Lockfile::load(&lock_path)?;
        let arch = arch.unwrap_or(&spec.debian.architectures[0]);
        let Some(explained) = bosun_build::lock::explain(&lock, &spec, arch, package) else {
            bail!("`{package}` is not in {} for {arch}", lock_path.display());
        };
        for line in &explained.lines {
            printer.data(line)?;
        }
        for note in &explained.notes {
            printer.status(note);
        }
        if let Some(hint) = &explained.hint {
            printer.hint(hint);
        }
        return Ok(ExitStatus::Success);
    }
    let check = mode.check;
    let old = Lockfile::load(&lock_path).ok();
    let previous = match (mode.security_only, &old) {
        (true, Some(old)) => bosun_build::lock::Previous::Pins(old),
        (true, None) => bail!(
            "--security-only moves an existing lock: {} does not exist (run `bosun lock`)",
            lock_path.display()
        ),
        (false, Some(old)) => bosun_build::lock::Previous::Reuse(old),
        (false, None) => bosun_build::lock::Previous::None,
    };
    let lock = crate::locking::resolve_with(&spec, spec_path, images, previous, printer)?;
    if check {
        let app_changed = match &old {
            Some(c) => bosun_build::app::app_change(c, &spec, &bosun_spec::project_dir(spec_path))?,
            None => None,
        };
        return Ok(match old {
            // A lock from before the rules were recorded still holds what it should.
            Some(c)
                if c.to_toml()
                    == Lockfile {
                        resolver: c.resolver,
                        ..lock.clone()
                    }
                    .to_toml() =>
            {
                printer.status(&format!("{} is up to date", lock_path.display()));
                ExitStatus::Success
            }
            Some(c) if c.spec_hash != lock.spec_hash => {
                printer.status(&format!(
                    "{} is stale: bosun.toml changed since it was written",
                    lock_path.display()
                ));
                ExitStatus::Failure
            }
            Some(_) if let Some(why) = &app_changed => {
                printer.status(&format!("{} {why}", lock_path.display()));
                ExitStatus::Failure
            }
            Some(c) if c.changed_include(spec.includes()).is_some() => {
                printer.status(&format!(
                    "{} {}",
                    lock_path.display(),
                    bosun_build::lock::include_change(&c, &spec)
                ));
                ExitStatus::Failure
            }
            Some(c) => {
                for line in bosun_build::lock::changes(&c, &lock) {
                    printer.data(&line)?;
                }
                ExitStatus::Failure
            }
            None => {
                printer.status(&format!("{} is missing", lock_path.display()));
                ExitStatus::Failure
            }
        });
    }
    if mode.update
        && let Some(old) = &old
    {
        for line in bosun_build::lock::changes(old, &lock) {
            printer.data(&line)?;
        }
        let mirrors = settings::mirrors(&spec)?;
        let cache = Cache::new(settings::cache_dir());
        for line in bosun_build::lock::fixed_cves(old, &lock, &mirrors, &cache, &Fetcher::new())? {
            printer.data(&line)?;
        }
    }
    let count = lock.packages.len();
    let text = lock.to_toml();
    if std::fs::read_to_string(&lock_path).is_ok_and(|old| old == text) {
        printer.status(&format!(
            "{} is up to date ({count} packages)",
            lock_path.display()
        ));
        return Ok(ExitStatus::Success);
    }
    bosun_fs::write_atomic(&lock_path, text.as_bytes())
        .with_context(|| format!("cannot write {}", lock_path.display()))?;
    printer.status(&format!(
        "locked {count} packages into {}",
        lock_path.display()
    ));
    Ok(ExitStatus::Success)
}
