//! Every environment variable bosun reads, in one place.

/// Archive root of the Debian mirror (overrides the spec and the apt sources).
pub const BOSUN_DEBIAN_MIRROR: &str = "BOSUN_DEBIAN_MIRROR";
/// Archive root of the Debian security mirror.
pub const BOSUN_DEBIAN_SECURITY_MIRROR: &str = "BOSUN_DEBIAN_SECURITY_MIRROR";
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
/// Set to anything to hide progress bars.
pub const BOSUN_NO_PROGRESS: &str = "BOSUN_NO_PROGRESS";
/// Tests: a missing peer tool fails instead of skipping.
pub const BOSUN_REQUIRE_PEERS: &str = "BOSUN_REQUIRE_PEERS";
/// Fixed timestamp for layers and configs (default: derived from the lockfile).
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";
