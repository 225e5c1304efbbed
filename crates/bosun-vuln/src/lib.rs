//! What an image is exposed to.
//!
//! - [`updates`]: for installed Debian packages, the newer versions the mirror's suites
//!   (`-security`, `-updates`, a point release) already hold, and the CVE ids the new version's
//!   changelog names since the installed one. This needs nothing but the mirror: "fixable
//!   now", with the reason.
#![deny(missing_docs)]

pub mod updates;

/// Errors of vulnerability work.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Debian repository client failed.
    #[error(transparent)]
    Deb(#[from] bosun_deb::Error),
}
