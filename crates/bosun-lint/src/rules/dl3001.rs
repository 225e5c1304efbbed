//! DL3001: commands that make no sense in a container build.

use super::{RunCheck, run_check};
use crate::Severity;

// The message names `ifconfig` too, but hadolint 2.15 does not report it.
const POINTLESS: &[&str] = &[
    "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
];

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3001",
        Severity::Info,
        "For some bash commands it makes no sense running them in a Docker container like `ssh`, `vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`",
        |script| !script.names().any(|n| POINTLESS.contains(&n)),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn pointless_commands() {
        assert_eq!(codes("FROM a:1\nRUN service nginx start\n", "DL3001"), [2]);
        assert!(codes("FROM a:1\nRUN echo ps\n", "DL3001").is_empty());
    }
}
