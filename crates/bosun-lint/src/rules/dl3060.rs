//! DL3060: `yarn cache clean` in the RUN that ran `yarn install`.

use super::Context;
use super::leftovers::Leftovers;

pub(crate) fn rule(context: Context) -> Leftovers {
    Leftovers::new(
        context,
        "DL3060",
        "`yarn cache clean` missing after `yarn install` was run.",
        |script| {
            // A clean counts only after the first install (so hadolint 2.15 decides).
            let install = script
                .commands
                .iter()
                .position(|c| c.is_with_any("yarn", &["install"]));
            let clean = script
                .commands
                .iter()
                .rposition(|c| c.is_with_any("yarn", &["cache", "clean"]));
            install.is_some() && clean < install
        },
        |mounts| mounts.iter().any(|m| m.contains(".cache/yarn")),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn yarn_cache() {
        assert_eq!(codes("FROM a:1\nRUN yarn install\n", "DL3060"), [2]);
        assert!(codes("FROM a:1\nRUN yarn install && yarn cache clean\n", "DL3060").is_empty());
        assert_eq!(
            codes("FROM a:1\nRUN yarn cache clean && yarn install\n", "DL3060"),
            [2]
        );
        assert!(
            codes(
                "FROM a:1\nRUN yarn install a && yarn cache clean && yarn install b\n",
                "DL3060"
            )
            .is_empty()
        );
        assert!(
            codes(
                "FROM a:1\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n",
                "DL3060"
            )
            .is_empty()
        );
    }
}
