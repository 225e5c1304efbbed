//! One module per subcommand.

mod build;
mod copy;
mod db;
mod diff;
mod disk;
mod init;
mod inspect;
mod lint;
mod lock;
mod login;
mod pin;
mod policy;
mod sbom;
mod scan;
mod sign;
mod spec;
mod store;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::{ExitStatus, Printer, settings};

pub(crate) fn run(cli: Cli, printer: &Printer) -> Result<ExitStatus> {
    let store_dir = settings::store_dir(cli.global.store.as_deref());
    match cli.command {
        Command::Init { template, dir } => init::run(template, &dir, printer),
        Command::Lock {
            spec,
            check,
            why,
            arch,
            update,
            security_only,
            registry,
        } => lock::run(
            &spec,
            lock::Mode {
                check,
                update,
                security_only,
            },
            why.as_deref(),
            arch.as_deref(),
            crate::locking::Images {
                store_dir: &store_dir,
                registry: &registry,
            },
            printer,
        ),
        Command::Build(args) => build::run(&args, &store_dir, printer),
        Command::Images {
            references,
            disk: true,
            format,
            registry,
        } => disk::run(&store_dir, &references, format, &registry, printer),
        Command::Images {
            references,
            format,
            registry,
            ..
        } => match &references[..] {
            [] => store::images(&store_dir, format, printer),
            [repository] => store::tags(repository, format, &registry, printer),
            _ => anyhow::bail!(
                "images lists one repository's tags at a time (or, with --disk, reports on several images)"
            ),
        },
        Command::Rm { names, registry } => store::rm(&store_dir, &names, &registry, printer),
        Command::Gc => store::gc(&store_dir, printer),
        Command::Copy(args) => copy::run(&store_dir, &args, printer),
        Command::Login {
            registry,
            username,
            password_stdin,
            options,
        } => login::login(
            &registry,
            username.as_deref(),
            password_stdin,
            &options,
            printer,
        ),
        Command::Pin {
            files,
            check,
            update,
            format,
            registry,
        } => pin::run(&files, check, update, format, &registry, printer),
        Command::Logout { registry, authfile } => login::logout(&registry, authfile, printer),
        Command::Inspect(args) => inspect::run(&store_dir, &args, printer),
        Command::Diff(args) => diff::run(&store_dir, &args, printer),
        Command::Sbom(args) => sbom::run(&store_dir, &args, printer),
        Command::Scan(args) => scan::run(&store_dir, &args, printer),
        Command::Db { command } => db::run(&command, printer),
        Command::Spec { command } => match command {
            crate::cli::SpecCommand::Schema => spec::schema(printer),
            crate::cli::SpecCommand::Show {
                spec,
                format,
                arch,
                registry,
            } => spec::show(&spec, &registry, format, arch.as_deref(), printer),
            crate::cli::SpecCommand::Push {
                target,
                files,
                registry,
            } => spec::push(&target, &files, &registry, printer),
        },
        Command::Policy {
            command: crate::cli::PolicyCommand::Check(args),
        } => policy::check(&store_dir, &args, printer),
        Command::Policy {
            command: crate::cli::PolicyCommand::Init { output, key, force },
        } => policy::init(&output, key.as_deref(), force, printer),
        Command::Keygen {
            output_key_prefix,
            force,
        } => sign::keygen(&output_key_prefix, force, printer),
        Command::Sign(args) => sign::sign(&store_dir, &args, printer),
        Command::Verify(args) => sign::verify(&store_dir, &args, printer),
        Command::VerifyAttestation(args) => sign::verify_attestation(&store_dir, &args, printer),
        Command::Lint(args) => lint::run(&store_dir, &args, printer),
    }
}
