//! Command-line types (clap only).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Build minimal, reproducible container images from Debian packages.
#[derive(Debug, Parser)]
#[command(name = "bosun", version, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
}

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Store directory [default: $XDG_DATA_HOME/bosun]
    #[arg(long, global = true, env = "BOSUN_STORE")]
    pub(crate) store: Option<PathBuf>,
    /// Show only results and errors
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// More detail on stderr (repeat for debug logs)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Never draw progress bars
    #[arg(long, global = true)]
    pub(crate) no_progress: bool,
}

/// How registries are reached (for every command that reads or writes `docker://` images).
#[derive(Debug, Clone, Default, Args)]
pub(crate) struct RegistryArgs {
    /// Require HTTPS and verified certificates (`--tls-verify=false` allows plain HTTP and
    /// unverified TLS) [default: true, unless registries.conf marks the registry insecure]
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true", require_equals = true, help_heading = "Registry")]
    pub(crate) tls_verify: Option<bool>,
    /// Directory of *.crt (CAs), *.cert and *.key (client certificate) for registries
    /// [default: the host's directory in containers' certs.d]
    #[arg(long, value_name = "DIR", help_heading = "Registry")]
    pub(crate) cert_dir: Option<PathBuf>,
    /// Auth file to read and write [default: REGISTRY_AUTH_FILE, then containers' and docker's]
    #[arg(long, value_name = "FILE", help_heading = "Registry")]
    pub(crate) authfile: Option<PathBuf>,
    /// Credentials as USER[:PASSWORD] (without a password, it is read from standard input)
    #[arg(long, value_name = "USER[:PASSWORD]", help_heading = "Registry")]
    pub(crate) creds: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// For people
    Table,
    /// For programs
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Template {
    /// A Python app on a shared core (python3, CA certificates, tzdata)
    Python,
    /// Static binaries: base-files, CA certificates, tzdata, netbase
    Static,
    /// A Flask web app whose PyPI packages come from its uv.lock (run `uv lock` first)
    Flask,
    /// An Express web app whose npm packages come from its package-lock.json (run `npm
    /// install --package-lock-only` first)
    Express,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Write a starter bosun.toml
    Init {
        /// Which starter
        #[arg(value_enum, default_value = "python")]
        template: Template,
        /// Directory to write into
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Resolve the spec's packages into bosun.lock
    Lock {
        #[command(flatten)]
        spec: SpecArgs,
        /// Do not write; exit 1 when bosun.lock is stale or newer versions exist
        #[arg(long, conflicts_with = "why")]
        check: bool,
        /// Explain why a package is in the lockfile (offline)
        #[arg(long, value_name = "PACKAGE")]
        why: Option<String>,
        /// Architecture for --why [default: the first in the spec]
        #[arg(long, requires = "why")]
        arch: Option<String>,
        /// Move the lock to the newest versions (what a plain `bosun lock` does) and print
        /// each change with the CVE ids its changelog names
        #[arg(long, conflicts_with_all = ["why", "check"])]
        update: bool,
        /// With --update: move only packages a -security suite has a newer version of (and
        /// take the new dependencies those bring); everything else keeps its locked version
        #[arg(long, requires = "update")]
        security_only: bool,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Build the spec's images into the store
    Build(BuildArgs),
    /// List images in the store
    Images {
        /// List a registry repository's tags instead (docker://HOST/REPO); with --disk, the
        /// images to report on (same forms as inspect) instead of the store's
        #[arg(value_name = "REPOSITORY|IMAGE")]
        references: Vec<String>,
        /// What sharing saves: each image's bytes split into blobs shared with other images and
        /// blobs only it has, and the real total against the sum of image sizes
        #[arg(long)]
        disk: bool,
        /// Output format
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Remove names from the store (blobs go at the next gc), or delete images from a
    /// registry (docker://HOST/REPO@DIGEST, or :TAG for the manifest it points at)
    Rm {
        /// Names to remove
        #[arg(required = true)]
        names: Vec<String>,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Delete blobs no name refers to
    Gc,
    /// Copy an image between any two of: a store name (store:NAME), docker://HOST/REPO[:TAG|@DIGEST],
    /// oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:NAME:TAG]
    #[command(alias = "export")]
    Copy(CopyArgs),
    /// Pin FROM and COPY --from images of Dockerfiles to their digests (name:tag@sha256:...)
    Pin {
        /// Dockerfiles to pin
        #[arg(required = true, value_name = "DOCKERFILE")]
        files: Vec<String>,
        /// Change nothing; exit 1 when an image is unpinned or a pinned tag moved
        #[arg(long)]
        check: bool,
        /// Also re-pin images whose tag moved since they were pinned
        #[arg(long, conflicts_with = "check")]
        update: bool,
        /// Output format
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Save credentials for a registry in the auth file (containers' auth.json)
    Login {
        /// The registry (HOST[:PORT], or HOST/NAMESPACE for credentials of one namespace)
        registry: String,
        /// User name
        #[arg(short, long)]
        username: Option<String>,
        /// Read the password from standard input
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        options: RegistryArgs,
    },
    /// Remove a registry's credentials from the auth file
    Logout {
        /// The registry, as given to login
        registry: String,
        /// Auth file to change [default: the one login writes]
        #[arg(long, value_name = "FILE")]
        authfile: Option<std::path::PathBuf>,
    },
    /// What is inside an image: sizes, layers, efficiency (dive-compatible), findings, secrets
    Inspect(InspectArgs),
    /// What differs between two images: config, layers, files, packages (exit 1 when any)
    Diff(DiffArgs),
    /// What packages an image holds: an SBOM (SPDX 2.3 or CycloneDX 1.6 JSON) or a table
    Sbom(SbomArgs),
    /// What an image is exposed to: known vulnerabilities (Debian Security Tracker, OSV) with
    /// Debian's verdict on each, and the updates its mirror already has (exit 1 with --fail-on)
    Scan(ScanArgs),
    /// Write a cosign-compatible key pair (ECDSA P-256; the private key encrypted as cosign
    /// does, with the password from BOSUN_PASSWORD, COSIGN_PASSWORD or a prompt)
    Keygen {
        /// Write PREFIX.key and PREFIX.pub
        #[arg(long, default_value = "cosign", value_name = "PREFIX")]
        output_key_prefix: String,
        /// Replace existing files
        #[arg(long)]
        force: bool,
    },
    /// Sign an image by digest, where cosign looks: the sha256-<hex>.sig tag in a registry,
    /// an artifact about the image in the store (carried by copy)
    Sign(SignArgs),
    /// Check an image's signatures against a public key (exit 1 when none is valid)
    Verify(VerifyArgs),
    /// Check an image's attestations (SLSA provenance, SBOMs) against a public key and print
    /// their statements (exit 1 when none is valid)
    VerifyAttestation(VerifyAttestationArgs),
    /// Gate images on a policy (signatures, provenance, vulnerabilities, non-root, ...):
    /// a line per rule, exit 1 when an enforced rule fails
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// The vulnerability database scan reads: download it, or say what it holds
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Lint Dockerfiles: hadolint's rules, flags, configuration and formats
    Lint(LintArgs),
    /// bosun.toml itself: its JSON Schema, for editors
    Spec {
        #[command(subcommand)]
        command: SpecCommand,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum SpecCommand {
    /// Print the JSON Schema of bosun.toml (save it beside the spec and start the spec with
    /// `#:schema ./bosun.schema.json`: TOML language servers then complete and check it)
    Schema,
    /// Print the spec as bosun reads it: includes merged, variables expanded, matrices
    /// multiplied, defaults filled in
    Show {
        #[command(flatten)]
        spec: SpecArgs,
        /// Output format
        #[arg(long, value_enum, default_value = "toml")]
        format: ShowFormat,
        /// The spec of one architecture, ${arch} expanded [default: common to all, ${arch} kept]
        #[arg(long, value_name = "ARCH")]
        arch: Option<String>,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Push spec files to a registry as one OCI artifact, for other specs to include as
    /// docker://HOST/REPO:TAG#FILE (prints the artifact's digest)
    Push {
        /// Where to: docker://HOST/REPO:TAG
        target: String,
        /// The files, each named by its file name in the artifact
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        registry: RegistryArgs,
    },
}

/// How `spec show` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowFormat {
    /// TOML, as a spec is written
    Toml,
    /// JSON
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// For people
    Table,
    /// For programs
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub(crate) enum FailOn {
    /// Any finding
    Info,
    /// Warnings and errors
    Warning,
    /// Errors only (secrets)
    Error,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    #[command(flatten)]
    pub(crate) spec: SpecArgs,
    /// Images to build [default: all]
    pub(crate) images: Vec<String>,
    /// Fail instead of re-locking when bosun.lock is missing or stale
    #[arg(long)]
    pub(crate) locked: bool,
    /// Build only shard I of N (1-based), for a CI matrix or indexed Jobs: a stable subset
    /// of the images, chosen by each image's name alone, so an image keeps its shard as the
    /// spec grows
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub(crate) shard: Option<(u64, u64)>,
    /// Print the names of the images the build would build (after --shard), one per line,
    /// and build nothing
    #[arg(long)]
    pub(crate) list: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub(crate) format: Format,
    /// Push every built image to this repository after the build, tagged with each of its
    /// tags (docker://HOST/NAMESPACE; an image `api:1` goes to HOST/NAMESPACE/api:1)
    #[arg(long, value_name = "docker://REPO")]
    pub(crate) push: Option<String>,
    /// Build every layer anew, taking none from a layer cache (what is built is still
    /// recorded): a rebuild that shows the image is reproducible
    #[arg(long, conflicts_with = "cache_from")]
    pub(crate) no_cache: bool,
    /// Take layers from this registry-held layer cache when the store lacks them (no .deb
    /// is fetched and nothing compressed for them)
    #[arg(long, value_name = "docker://REF")]
    pub(crate) cache_from: Option<String>,
    /// Write every built layer to this registry-held layer cache after the build
    #[arg(long, value_name = "docker://REF")]
    pub(crate) cache_to: Option<String>,
    /// Sign every built image with --key, and attest its SLSA provenance and SBOMs (cosign's
    /// formats; pushed beside it with --push)
    #[arg(long, requires = "key")]
    pub(crate) sign: bool,
    /// The private key to sign with: a file, or env://VAR
    #[arg(long, value_name = "KEY")]
    pub(crate) key: Option<String>,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CopyArgs {
    /// Source image
    pub(crate) source: String,
    /// Destination
    pub(crate) destination: String,
    /// Copy one platform of a multi-platform image, e.g. linux/arm64 [default: from a store
    /// or layout, every platform; from a registry, the host's; docker-archive holds one]
    #[arg(long, conflicts_with = "all")]
    pub(crate) platform: Option<bosun_oci::model::Platform>,
    /// Copy every platform of a multi-platform image from a registry
    #[arg(long)]
    pub(crate) all: bool,
    /// Keep the digests (bosun never recompresses unless asked, so this only refuses
    /// --dest-compress)
    #[arg(long, conflicts_with = "dest_compress")]
    pub(crate) preserve_digests: bool,
    /// Recompress every layer for the destination (changes the layer and manifest digests)
    #[arg(long, value_enum)]
    pub(crate) dest_compress: Option<Compress>,
    /// Write the digest of what was copied to this file
    #[arg(long, value_name = "FILE")]
    pub(crate) digestfile: Option<PathBuf>,
    /// Also copy the artifacts about the image (the SBOMs its build wrote) to an oci: or
    /// oci-archive: destination, as referrers (skopeo and podman then need the image's name
    /// to read it, since the layout holds more than one manifest)
    #[arg(long)]
    pub(crate) artifacts: bool,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Compress {
    /// zstd (level 3)
    Zstd,
    /// gzip (level 6)
    Gzip,
}

#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// The image (same forms as inspect), or an SPDX or CycloneDX JSON file
    pub(crate) image: String,
    /// The Debian suite the image is built from [default: its os-release VERSION_CODENAME]
    #[arg(long)]
    pub(crate) suite: Option<String>,
    /// Platform of a multi-platform image, e.g. linux/arm64 [default: the host's]
    #[arg(long)]
    pub(crate) platform: Option<bosun_oci::model::Platform>,
    /// Exit 1 when a reported finding is this bad, or (`fixable`, `outdated`) when the fix or
    /// any update is there to take
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<ScanFailOn>,
    /// Also report what Debian rates unimportant and the advisories that do not affect the
    /// installed versions
    #[arg(long)]
    pub(crate) all: bool,
    /// Leave out vulnerabilities that have no fixed version yet
    #[arg(long)]
    pub(crate) ignore_unfixed: bool,
    /// Ignore file: [[ignore]] rules with id or package, reason and expires
    /// [default: bosun-ignore.toml in the current directory, if there is one]
    #[arg(long, value_name = "FILE")]
    pub(crate) ignore_file: Option<PathBuf>,
    /// OpenVEX document whose not_affected and fixed statements take findings out (repeatable)
    #[arg(long, value_name = "FILE")]
    pub(crate) vex: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) db: DbArgs,
    /// Warn when the database is older than this many days
    #[arg(long, value_name = "DAYS", default_value_t = 5, env = crate::env_vars::BOSUN_DB_MAX_AGE)]
    pub(crate) max_db_age: u32,
    /// With a severity `--fail-on`, pass when no advisory database was read (or it is older
    /// than --max-db-age) instead of failing: the gate then checks nothing
    #[arg(long)]
    pub(crate) allow_missing_db: bool,
    /// Read nothing from the network: the database only, no mirror updates
    #[arg(long)]
    pub(crate) offline: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub(crate) format: ReportFormat,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ScanFailOn {
    /// A reported vulnerability rated critical
    Critical,
    /// ... rated high or worse
    High,
    /// ... rated medium or worse
    Medium,
    /// ... rated low or worse
    Low,
    /// A vulnerability with a fixed version, a security update, or an update whose
    /// changelog names a CVE
    Fixable,
    /// Any newer version in the mirror
    Outdated,
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// The image: a store name or docker://HOST/REPO[:TAG|@DIGEST]
    pub(crate) image: String,
    /// The private key: a file, or env://VAR
    #[arg(long, value_name = "KEY")]
    pub(crate) key: String,
    /// Annotation to sign with the image (repeatable)
    #[arg(short = 'a', long = "annotation", value_name = "KEY=VALUE")]
    pub(crate) annotations: Vec<String>,
    /// Write a Sigstore bundle (cosign 3's default form), found through the referrers API,
    /// instead of the sha256-<hex>.sig tag
    #[arg(long)]
    pub(crate) bundle: bool,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The image: a store name or docker://HOST/REPO[:TAG|@DIGEST]
    pub(crate) image: String,
    /// The public key: a file, or env://VAR
    #[arg(long, value_name = "KEY")]
    pub(crate) key: String,
    /// Output format (json: the verified payloads, as cosign prints them)
    #[arg(long, value_enum, default_value = "table")]
    pub(crate) format: Format,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyAttestationArgs {
    /// The image: a store name or docker://HOST/REPO[:TAG|@DIGEST]
    pub(crate) image: String,
    /// The public key: a file, or env://VAR
    #[arg(long, value_name = "KEY")]
    pub(crate) key: String,
    /// The predicate attested
    #[arg(long = "type", value_enum, default_value = "slsaprovenance")]
    pub(crate) kind: AttestationType,
    /// Output format (json: the verified statements)
    #[arg(long, value_enum, default_value = "table")]
    pub(crate) format: Format,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AttestationType {
    /// SLSA provenance v1
    Slsaprovenance,
    /// An SPDX document
    Spdxjson,
    /// A CycloneDX document
    Cyclonedx,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Check images against a policy file
    #[command(after_long_help = concat!(
        "A complete policy file (examples/policy.toml):\n\n",
        include_str!("../../../examples/policy.toml")
    ))]
    Check(Box<PolicyArgs>),
    /// Write bosun's baseline policy (what check applies without a policy file) to edit
    Init {
        /// The file to write
        #[arg(long, short, value_name = "FILE", default_value = "policy.toml")]
        output: PathBuf,
        /// Also require a valid signature by this public key (a file, or env://VAR)
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
        /// Replace an existing file
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct PolicyArgs {
    /// Images (same forms as inspect), or Kubernetes manifests (*.yaml)
    #[arg(required = true)]
    pub(crate) images: Vec<String>,
    /// The policy file [default: policy.toml when there is one, else bosun's baseline:
    /// digest, non-root, no-shell, no-secrets and the Kubernetes checks]
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// With the baseline (no policy file): also require a valid signature by this public key
    /// (a file, or env://VAR)
    #[arg(long, value_name = "KEY", env = crate::env_vars::BOSUN_POLICY_KEY)]
    pub(crate) key: Option<String>,
    /// Platform of a multi-platform image, e.g. linux/arm64 [default: the host's]
    #[arg(long)]
    pub(crate) platform: Option<bosun_oci::model::Platform>,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub(crate) format: ReportFormat,
    #[command(flatten)]
    pub(crate) db: DbArgs,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    /// The database directory [default: vuln-db-v1 in the cache directory], or a copy in a
    /// registry (docker://REF, as `bosun db push` makes it)
    #[arg(long, value_name = "DIR|docker://REF", env = crate::env_vars::BOSUN_DB)]
    pub(crate) db: Option<String>,
    /// The public key a database copy from a registry must be signed with (a file, or
    /// env://VAR)
    #[arg(long, value_name = "KEY", env = crate::env_vars::BOSUN_DB_KEY)]
    pub(crate) db_key: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Download the Debian Security Tracker's export and OSV's exports and index them
    Update {
        #[command(flatten)]
        db: DbArgs,
        /// The tracker's JSON export
        #[arg(long, value_name = "URL", env = crate::env_vars::BOSUN_TRACKER_URL,
              default_value = bosun_vuln::db::DEFAULT_TRACKER_URL)]
        tracker_url: String,
        /// The root of OSV's exports (<URL>/<ECOSYSTEM>/all.zip)
        #[arg(long, value_name = "URL", env = crate::env_vars::BOSUN_OSV_URL,
              default_value = bosun_vuln::db::DEFAULT_OSV_URL)]
        osv_url: String,
        /// The OSV ecosystems to fetch [default: all four]
        #[arg(long = "ecosystem", value_enum, value_name = "ECOSYSTEM")]
        ecosystems: Vec<OsvEcosystem>,
        /// Copy the database `bosun db push` published there instead of downloading the
        /// sources (checked with --db-key when given): for machines without internet
        #[arg(long, value_name = "docker://REF")]
        from: Option<String>,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Say what the database holds and how old it is
    Status {
        #[command(flatten)]
        db: DbArgs,
        /// Output format
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Publish the database as an OCI artifact, for `db update --from` and `--db docker://REF`
    /// on machines that cannot reach the sources (the same database gives the same digest)
    Push {
        /// Where: docker://HOST/REPO:TAG
        target: String,
        #[command(flatten)]
        db: DbArgs,
        /// Sign the copy with this private key (a file, or env://VAR), as `bosun sign` does
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
        #[command(flatten)]
        registry: RegistryArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OsvEcosystem {
    /// Python
    Pypi,
    /// npm
    Npm,
    /// Go
    Go,
    /// Rust (crates.io)
    Crates,
}

#[derive(Debug, Args)]
pub(crate) struct SbomArgs {
    /// The image (same forms as inspect)
    pub(crate) image: String,
    /// Output format
    #[arg(short, long, value_enum, default_value = "table")]
    pub(crate) output: SbomFormat,
    /// Write the document to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub(crate) file: Option<PathBuf>,
    /// Platform of a multi-platform image, e.g. linux/arm64 [default: the host's]
    #[arg(long)]
    pub(crate) platform: Option<bosun_oci::model::Platform>,
    /// Catalogue the image's files even when the store holds the SBOM its build wrote
    #[arg(long)]
    pub(crate) catalog: bool,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SbomFormat {
    /// SPDX 2.3 JSON
    SpdxJson,
    /// CycloneDX 1.6 JSON
    CyclonedxJson,
    /// bosun's own JSON (the catalog as found)
    Json,
    /// For people
    Table,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The image: a store name, docker://HOST/REPO[:TAG|@DIGEST], oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:NAME:TAG]
    pub(crate) image: String,
    /// Platform of a multi-platform image, e.g. linux/arm64 [default: the host's]
    #[arg(long)]
    pub(crate) platform: Option<bosun_oci::model::Platform>,
    /// Explore the image in the terminal: layers, the file tree as of each (added, modified,
    /// removed), bytes by owner, wasted space, findings (`?` for keys)
    #[arg(short, long, conflicts_with_all = ["format", "ci"])]
    pub(crate) interactive: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub(crate) format: InspectFormat,
    /// Gate on dive's rules: exit 1 when one fails
    #[arg(long)]
    pub(crate) ci: bool,
    /// dive CI rules file [default: .dive-ci when present]
    #[arg(long, value_name = "FILE")]
    pub(crate) ci_config: Option<PathBuf>,
    /// Lowest allowable image efficiency (0-1), or "disabled"
    #[arg(long = "lowestEfficiency", value_name = "RATIO")]
    pub(crate) lowest_efficiency: Option<String>,
    /// Highest allowable wasted bytes (e.g. 20MB), or "disabled"
    #[arg(long = "highestWastedBytes", value_name = "SIZE")]
    pub(crate) highest_wasted_bytes: Option<String>,
    /// Highest allowable share of wasted bytes in the user layers (0-1), or "disabled"
    #[arg(long = "highestUserWastedPercent", value_name = "RATIO")]
    pub(crate) highest_user_wasted_percent: Option<String>,
    /// Exit 1 when a finding of this severity or worse is reported
    #[arg(long, value_enum)]
    pub(crate) fail_on: Option<FailOn>,
    /// Do not search layers for secrets
    #[arg(long)]
    pub(crate) no_secrets: bool,
    /// Also hash uncompressed layers and check them against their diff ids (compressed ones
    /// always are); plain layers are otherwise walked header to header
    #[arg(long)]
    pub(crate) verify: bool,
    /// Report files hidden by a later layer from this size up (e.g. 1MiB)
    #[arg(long, value_name = "SIZE", default_value = "1MiB")]
    pub(crate) waste_threshold: String,
    /// What takes the space: bytes per package (Debian, Python, npm; unowned files by
    /// directory), per directory, or per layer and package
    #[arg(long, value_enum, value_name = "WHAT")]
    pub(crate) by: Option<SizeBy>,
    /// Rows of the --by table
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub(crate) top: usize,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

/// What `inspect` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InspectFormat {
    /// For people
    Table,
    /// For programs
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// One self-contained page (no network): a zoomable treemap of layer, owner, directory
    /// and file sizes, and the same numbers as tables
    Html,
}

/// How `--by` splits an image's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SizeBy {
    /// Debian packages, Python distributions, npm packages, and unowned files by directory
    Owner,
    /// Directories, down to three levels
    Dir,
    /// Each layer, and the packages in it
    Layer,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The first image (same forms as inspect)
    pub(crate) a: String,
    /// The second image
    pub(crate) b: String,
    /// Platform of multi-platform images, e.g. linux/arm64 [default: the host's]
    #[arg(long)]
    pub(crate) platform: Option<bosun_oci::model::Platform>,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub(crate) format: Format,
    /// Also compare modification times (to find why two builds are not bit-for-bit identical)
    #[arg(long)]
    pub(crate) times: bool,
    /// Compare config and layers only, without reading the layers
    #[arg(long)]
    pub(crate) no_files: bool,
    /// Also say which packages (and unowned directories) grew, shrank, appeared or went, in
    /// bytes
    #[arg(long, value_enum, value_name = "WHAT")]
    pub(crate) by: Option<DiffBy>,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

/// How `diff --by` explains a size change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiffBy {
    /// Debian packages, Python distributions, npm packages, and unowned files by directory
    Owner,
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Dockerfiles to lint; `-` reads standard input
    #[arg(required = true, value_name = "DOCKERFILE")]
    pub(crate) files: Vec<String>,
    /// Path to the configuration file [default: .hadolint.yaml where hadolint finds it]
    #[arg(short = 'c', long, value_name = "FILENAME")]
    pub(crate) config: Option<PathBuf>,
    /// The file path printed in checkstyle, codeclimate, gitlab_codeclimate, sonarqube and junit reports
    #[arg(long, value_name = "FILEPATHINREPORT")]
    pub(crate) file_path_in_report: Option<String>,
    /// Write the report to this file
    #[arg(short = 'o', long, value_name = "OUTPUT")]
    pub(crate) output: Option<PathBuf>,
    /// Exit 0 whatever is found
    #[arg(long)]
    pub(crate) no_fail: bool,
    /// Do not colorize tty output
    #[arg(long)]
    pub(crate) no_color: bool,
    /// tty, json, checkstyle, codeclimate, gitlab_codeclimate, gnu, codacy, sonarqube, sarif or junit [default: tty]
    #[arg(short = 'f', long, value_name = "FORMAT")]
    pub(crate) format: Option<String>,
    /// Make RULECODE an error
    #[arg(long, value_name = "RULECODE")]
    pub(crate) error: Vec<String>,
    /// Make RULECODE a warning
    #[arg(long, value_name = "RULECODE")]
    pub(crate) warning: Vec<String>,
    /// Make RULECODE info
    #[arg(long, value_name = "RULECODE")]
    pub(crate) info: Vec<String>,
    /// Make RULECODE style
    #[arg(long, value_name = "RULECODE")]
    pub(crate) style: Vec<String>,
    /// Ignore RULECODE (replaces the configuration file's list)
    #[arg(long, value_name = "RULECODE")]
    pub(crate) ignore: Vec<String>,
    /// A registry FROM may name
    #[arg(long, value_name = "REGISTRY")]
    pub(crate) trusted_registry: Vec<String>,
    /// A label the image must have, as label:format
    #[arg(long, value_name = "LABELSCHEMA")]
    pub(crate) require_label: Vec<String>,
    /// Allow no labels but the required ones
    #[arg(long)]
    pub(crate) strict_labels: bool,
    /// Report findings that `# hadolint ignore=` pragmas would hide
    #[arg(long)]
    pub(crate) disable_ignore_pragma: bool,
    /// Exit 1 only for findings this severe or worse: error, warning, info, style, ignore, none [default: info]
    #[arg(short = 't', long, value_name = "THRESHOLD")]
    pub(crate) failure_threshold: Option<String>,
    /// hadolint's rules only, reports that name hadolint: a strict drop-in
    #[arg(long)]
    pub(crate) hadolint_only: bool,
    /// Kill a ShellCheck run after SECONDS and report its scripts as BL1010 (shell checks
    /// skipped) instead of waiting
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0,
          env = crate::env_vars::BOSUN_SHELLCHECK_TIMEOUT)]
    pub(crate) shellcheck_timeout: f64,
}

#[derive(Debug, Args)]
pub(crate) struct SpecArgs {
    /// The spec
    #[arg(short = 'f', long = "file", default_value = "bosun.toml")]
    pub(crate) file: PathBuf,
    /// Give a [vars] entry this value (over BOSUN_VAR_<NAME> and the spec); repeatable
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = parse_set)]
    pub(crate) set: Vec<(String, String)>,
    /// Let `include` read files below DIR too (besides the spec's git work tree, and
    /// BOSUN_INCLUDE_ROOTS); repeatable
    #[arg(long = "include-root", value_name = "DIR")]
    pub(crate) include_roots: Vec<PathBuf>,
}

fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("{text}: give I/N with 1 <= I <= N, such as 2/3");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n) = (
        i.parse::<u64>().map_err(|_| bad())?,
        n.parse::<u64>().map_err(|_| bad())?,
    );
    match (1..=n).contains(&i) {
        true => Ok((i, n)),
        false => Err(bad()),
    }
}

fn parse_set(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not NAME=VALUE"))?;
    Ok((name.to_string(), value.to_string()))
}
