//! DL3009: delete the apt lists in the RUN that fetched them.

use super::Context;
use super::leftovers::Leftovers;

pub(crate) fn rule(context: Context) -> Leftovers {
    Leftovers::new(
        context,
        "DL3009",
        "Delete the apt lists (/var/lib/apt/lists) after installing something",
        |script| {
            let update = script.any(|c| {
                ["apt-get", "apt", "aptitude"]
                    .iter()
                    .any(|tool| c.is_with_any(tool, &["update"]))
            });
            let cleanup = script.any(|c| c.is_with_any("rm", &["-rf", "/var/lib/apt/lists/*"]));
            update && !cleanup
        },
        |mounts| {
            let under = |dir: &str| mounts.iter().any(|m| m.starts_with(dir));
            under("/var/lib/apt/lists") || (under("/var/lib/apt") && under("/var/cache/apt"))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn lists_left_behind() {
        assert_eq!(
            codes(
                "FROM a:1\nRUN apt-get update && apt-get install -y x\n",
                "DL3009"
            ),
            [2]
        );
        assert!(codes("FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n", "DL3009").is_empty());
        // A build stage nobody builds on does not ship its lists.
        assert!(
            codes(
                "FROM a:1 AS build\nRUN apt-get update\nFROM b:1\nCOPY --from=build /x /x\n",
                "DL3009"
            )
            .is_empty()
        );
        assert_eq!(
            codes(
                "FROM a:1 AS base\nRUN apt-get update\nFROM base\n",
                "DL3009"
            ),
            [2]
        );
        assert_eq!(codes("FROM a:1\nRUN aptitude update\n", "DL3009"), [2]);
    }

    /// A cache or tmpfs mount on the lists (or on both apt directories) keeps them out.
    #[test]
    fn cache_mounts() {
        let fires = |flags: &str| {
            codes(
                &format!("FROM a:1\nRUN {flags} apt-get update && apt-get install -y x\n"),
                "DL3009",
            ) == [2]
        };
        assert!(!fires("--mount=type=cache,target=/var/lib/apt/lists"));
        assert!(!fires("--mount=type=tmpfs,dst=/var/lib/apt/lists"));
        assert!(!fires(
            "--mount=type=cache,target=/var/lib/apt --mount=type=cache,target=/var/cache/apt"
        ));
        assert!(fires("--mount=type=cache,target=/var/cache/apt"));
        assert!(fires("--mount=type=bind,target=/var/lib/apt/lists"));
        assert!(fires(
            "--mount=type=cache,source=/var/lib/apt/lists,target=/x"
        ));
    }
}
