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
        let chains = bosun_build::lock::why(&lock, arch, package);
        let dropped_by = bosun_build::lock::dropped_by(&lock, arch, package);
        // An app's PyPI or npm package: the chain inside its lockfile, and the lockfile.
        let app = bosun_build::app::why(&lock, arch, package);
        for (image, ecosystem, chain) in &app {
            printer.data(&format!("{ecosystem}: {}", chain.join(" -> ")))?;
            if let Some(a) = lock
                .apps
                .iter()
                .find(|a| a.image == *image && a.ecosystem == *ecosystem)
            {
                printer.status(&format!(
                    "{}: [image.{image}] takes its {ecosystem} dependencies from it",
                    a.lockfile
                ));
            }
        }
        if chains.is_empty() && !app.is_empty() {
            return Ok(ExitStatus::Success);
        }
        if chains.is_empty() && !dropped_by.is_empty() {
            printer.data(&format!(
                "`{package}` is left out: {} depend{} on it only to run maintainer scripts, which bosun never runs",
                dropped_by.join(", "),
                if dropped_by.len() == 1 { "s" } else { "" },
            ))?;
            printer.hint(&format!(
                "to install it anyway, name `{package}` in `packages` or set `include_maintainer_deps = true` in [debian]"
            ));
            return Ok(ExitStatus::Success);
        }
        if chains.is_empty() {
            bail!("`{package}` is not in {} for {arch}", lock_path.display());
        }
        for chain in &chains {
            printer.data(&chain.join(" -> "))?;
        }
        // A system library an app's native code loads (numpy's libstdc++).
        for p in lock
            .app_packages
            .iter()
            .filter(|p| p.architecture == arch && p.needs.iter().any(|n| n == package))
        {
            printer.status(&format!(
                "[image.{}] {} {} {} loads a library `{package}` ships",
                p.image, p.ecosystem, p.name, p.version
            ));
        }
        // Where the spec asks for the top of each chain, even when an include asks.
        let roots: std::collections::BTreeSet<&String> =
            chains.iter().filter_map(|c| c.first()).collect();
        for root in roots {
            let named = spec.for_arch(arch).named_by(root);
            for (table, place, written) in &named {
                let written = written
                    .map(|w| format!(" (written {w})"))
                    .unwrap_or_default();
                printer.status(&format!(
                    "{place}: [{table}] packages names `{root}`{written}"
                ));
            }
            if named.is_empty() {
                // A root no `packages` names: a setting of the spec added it.
                for group in lock
                    .groups
                    .iter()
                    .filter(|g| g.architecture == arch && g.packages.contains(root))
                {
                    if let Some(why) = bosun_build::lock::implicit_root(&group.name, root) {
                        printer.status(&format!(
                            "[{}] {why}",
                            bosun_build::lock::table_of(&group.name)
                        ));
                    }
                }
            }
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
