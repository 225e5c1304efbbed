//! DL3060: `yarn cache clean` in the RUN that ran `yarn install`.

use super::Context;
use super::leftovers::Leftovers;

pub(crate) fn rule(context: Context) -> Leftovers {
    Leftovers::new(
        context,
        "DL3060",
        "`yarn cache clean` missing after `yarn install` was run.",
        |script| {
            script.any(|c| c.is_with_any("yarn", &["install"]))
                && !script.any(|c| c.is_with_any("yarn", &["cache", "clean"]))
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn yarn_cache() {
        assert_eq!(codes("FROM a:1\nRUN yarn install\n", "DL3060"), [2]);
        assert!(codes("FROM a:1\nRUN yarn install && yarn cache clean\n", "DL3060").is_empty());
    }
}
