//! Keys named on the command line, and their passwords from the environment or the terminal.

use std::io::IsTerminal;

use bosun_sign::key::{PasswordError, PrivateKey};

use crate::env_vars::{BOSUN_PASSWORD, COSIGN_PASSWORD};

/// The key's password: `BOSUN_PASSWORD`, else `COSIGN_PASSWORD`, else asked on the terminal
/// (twice for a new key).
pub(crate) fn password(new_key: bool) -> Result<String, PasswordError> {
    for var in [BOSUN_PASSWORD, COSIGN_PASSWORD] {
        if let Ok(p) = std::env::var(var) {
            return Ok(p);
        }
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "the private key's password: set {BOSUN_PASSWORD} (or {COSIGN_PASSWORD}); there is no terminal to ask on"
        )
        .into());
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map_err(|e| PasswordError::from(format!("cannot read the password: {e}")))
    };
    let first = ask("Password for the private key: ")?;
    if new_key && ask("Again: ")? != first {
        return Err("the passwords differ".into());
    }
    Ok(first)
}

/// The private key `--key` names, its password asked for only when it is encrypted.
pub(crate) fn private(name: &str) -> Result<PrivateKey, bosun_sign::Error> {
    PrivateKey::load(name, || password(false))
}
