//! `bosun login` / `bosun logout`: credentials in containers' auth file, checked first.

use anyhow::{Context, Result, bail};
use bosun_registry::{Credential, auth};

use crate::cli::RegistryArgs;
use crate::{ExitStatus, Printer, settings};

pub(crate) fn login(
    registry: &str,
    username: Option<&str>,
    password_stdin: bool,
    args: &RegistryArgs,
    printer: &Printer,
) -> Result<ExitStatus> {
    let key = registry_key(registry)?;
    let Some(username) = username else {
        bail!("give the user name with --username (the password comes from standard input)");
    };
    if !password_stdin && !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        bail!("pass --password-stdin to read the password from a pipe");
    }
    let password = settings::read_password(&format!("password for {username}@{key}: "))?;
    let client = settings::registry_client(args)?;
    let host = key.split('/').next().unwrap_or(&key);
    let credential = Credential::Basic {
        username: username.to_string(),
        password: password.clone(),
    };
    client
        .check_login(host, credential)
        .with_context(|| format!("login to {key} failed"))?;
    let file = args.authfile.clone().unwrap_or_else(auth::login_file);
    auth::store(&file, &key, username, &password)?;
    printer.status(&format!(
        "login succeeded: {key} (saved in {})",
        file.display()
    ));
    Ok(ExitStatus::Success)
}

pub(crate) fn logout(
    registry: &str,
    authfile: Option<std::path::PathBuf>,
    printer: &Printer,
) -> Result<ExitStatus> {
    let key = registry_key(registry)?;
    let file = authfile.unwrap_or_else(auth::login_file);
    match auth::remove(&file, &key)? {
        true => printer.status(&format!(
            "removed the credentials of {key} from {}",
            file.display()
        )),
        false => bail!("not logged in to {key} (no entry in {})", file.display()),
    }
    Ok(ExitStatus::Success)
}

/// `docker://host/ns` or `https://host/` as people paste them, reduced to `host[/ns]`.
fn registry_key(text: &str) -> Result<String> {
    let key = text
        .trim_start_matches("docker://")
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    if key.is_empty() || key.contains(['@', ' ']) {
        bail!("{text:?} is not a registry (HOST[:PORT][/NAMESPACE])");
    }
    Ok(key.to_string())
}
