//! DL3040: clean the dnf cache in the RUN that installs.

use super::rpm;
use super::{RunCheck, run_check};
use crate::Severity;

/// The subcommands that fill dnf's cache, as hadolint 2.15 lists them.
const INSTALLS: &[&str] = &[
    "install",
    "in",
    "upgrade",
    "up",
    "upgrade-minimal",
    "up-min",
    "reinstall",
    "rei",
];

pub(crate) fn rule() -> RunCheck {
    run_check(
        "DL3040",
        Severity::Warning,
        "`dnf clean all` missing after dnf command.",
        |script| {
            // Each tool on its own: its first install, then a clean by it (or an `rm -rf`).
            ["dnf", "microdnf"].iter().all(|tool| {
                rpm::cleaned_after_install(
                    script,
                    |c| c.is_with_any(tool, INSTALLS),
                    |c| {
                        c.is_with_any(tool, &["clean", "all"])
                            || c.is_with_any("rm", &["-rf", "/var/cache/libdnf5*"])
                    },
                )
            })
        },
    )
    // dnf5 keeps its cache in libdnf5: a cache or tmpfs mount there keeps it out.
    .unless_cached(|mounts| {
        mounts
            .iter()
            .any(|m| m.contains(".cache/libdnf5") || m.contains("/var/cache/libdnf5"))
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN dnf install -y foo-1\n", "DL3040"), [2]);
        assert!(
            codes(
                "FROM a:1\nRUN dnf install -y foo-1 && rm -rf /var/cache/dnf\n",
                "DL3040"
            )
            .is_empty()
        );
        // Probed with hadolint 2.15.1.
        assert!(
            codes(
                "FROM a:1\nRUN --mount=type=cache,target=/var/cache/libdnf5 dnf -y install git-core-2.51.0\n",
                "DL3040"
            )
            .is_empty()
        );
        for fires in [
            "dnf -y up-min",
            "dnf in -y foo-1",
            "dnf upgrade -y",
            "microdnf clean all && dnf install -y foo-1",
            "microdnf install -y foo-1 && dnf clean all",
            "dnf install -y foo-1 && rm -f /var/cache/dnf/*",
        ] {
            assert_eq!(
                codes(&format!("FROM a:1\nRUN {fires}\n"), "DL3040"),
                [2],
                "{fires}"
            );
        }
    }
}
