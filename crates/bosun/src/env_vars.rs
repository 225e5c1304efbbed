//! Every environment variable bosun reads, in one place.

/// Archive root of the Debian mirror (overrides the spec and the apt sources).
pub const BOSUN_DEBIAN_MIRROR: &str = "BOSUN_DEBIAN_MIRROR";
/// Archive root of the Debian security mirror.
pub const BOSUN_DEBIAN_SECURITY_MIRROR: &str = "BOSUN_DEBIAN_SECURITY_MIRROR";
/// Snapshot archive root for locked packages the mirror has dropped (`""`: none).
pub const BOSUN_DEBIAN_SNAPSHOT: &str = "BOSUN_DEBIAN_SNAPSHOT";
/// OpenPGP keyring that signs the archive (overridden by the spec's `keyring`).
pub const BOSUN_KEYRING: &str = "BOSUN_KEYRING";
/// Root directory whose `etc/apt` is read to find mirrors (default `/`).
pub const BOSUN_APT_ROOT: &str = "BOSUN_APT_ROOT";
/// Root directory whose `etc/containers` holds registries.conf (default `/`).
pub const BOSUN_CONTAINERS_ROOT: &str = "BOSUN_CONTAINERS_ROOT";
/// The store directory (`--store` overrides it).
pub const BOSUN_STORE: &str = "BOSUN_STORE";
/// The download cache directory.
pub const BOSUN_CACHE_DIR: &str = "BOSUN_CACHE_DIR";
/// The vulnerability database directory (`--db` overrides it).
pub const BOSUN_DB: &str = "BOSUN_DB";
/// Where `bosun db update` downloads the Security Tracker's JSON export from.
pub const BOSUN_TRACKER_URL: &str = "BOSUN_TRACKER_URL";
/// The root of the OSV exports `bosun db update` downloads.
pub const BOSUN_OSV_URL: &str = "BOSUN_OSV_URL";
/// Days after which `bosun scan` warns that the database is old.
pub const BOSUN_DB_MAX_AGE: &str = "BOSUN_DB_MAX_AGE";
/// Seconds one ShellCheck run of `bosun lint` may take.
pub const BOSUN_SHELLCHECK_TIMEOUT: &str = "BOSUN_SHELLCHECK_TIMEOUT";
/// The most bytes the user's shared layer cache keeps (`0` turns it off).
pub const BOSUN_LAYER_CACHE_MAX: &str = "BOSUN_LAYER_CACHE_MAX";
/// The public key a vulnerability database copy from a registry must be signed with.
pub const BOSUN_DB_KEY: &str = "BOSUN_DB_KEY";
/// The public key the baseline policy checks signatures with (`bosun policy check` without
/// a policy file).
pub const BOSUN_POLICY_KEY: &str = "BOSUN_POLICY_KEY";
/// The password of a private key (`bosun keygen`, `bosun sign`).
pub const BOSUN_PASSWORD: &str = "BOSUN_PASSWORD";
/// cosign's name for it, read when `BOSUN_PASSWORD` is not set.
pub const COSIGN_PASSWORD: &str = "COSIGN_PASSWORD";
/// Set to anything to hide progress bars.
pub const BOSUN_NO_PROGRESS: &str = "BOSUN_NO_PROGRESS";
/// Tests: a missing peer tool fails instead of skipping.
pub const BOSUN_REQUIRE_PEERS: &str = "BOSUN_REQUIRE_PEERS";
/// uv's default package index (read for Python app dependencies a lockfile gives no URL).
pub const UV_DEFAULT_INDEX: &str = "UV_DEFAULT_INDEX";
/// uv's older name for it.
pub const UV_INDEX_URL: &str = "UV_INDEX_URL";
/// pip's package index.
pub const PIP_INDEX_URL: &str = "PIP_INDEX_URL";
/// pip's configuration file, read before the user's and the machine's.
pub const PIP_CONFIG_FILE: &str = "PIP_CONFIG_FILE";
/// npm's registry (for tarballs a `package-lock.json` gives no URL).
pub const NPM_CONFIG_REGISTRY: &str = "NPM_CONFIG_REGISTRY";
/// npm's user configuration file (default `~/.npmrc`).
pub const NPM_CONFIG_USERCONFIG: &str = "NPM_CONFIG_USERCONFIG";
/// Fixed timestamp for layers and configs (default: derived from the lockfile).
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";
