//! DL3041: pin dnf package versions (and module streams).

use super::Context;
use super::rpm::{self, PinRule};

pub(crate) fn rule(context: Context) -> PinRule {
    PinRule {
        code: "DL3041",
        message: "Specify version with `dnf install -y <package>-<version>`.",
        // `dnf group install` names groups, which have no versions (yum's groups are not
        // exempt in hadolint 2.15: see DL3033).
        tool: |c| rpm::is_dnf(c) && !c.has_arg("group"),
        context,
        defined: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN dnf install -y foo\n", "DL3041"), [2]);
        assert!(codes("FROM a:1\nRUN dnf module install -y nodejs:20\n", "DL3041").is_empty());
        assert_eq!(
            codes(
                "FROM a:1\nRUN microdnf module install -y nodejs\n",
                "DL3041"
            ),
            [2]
        );
        assert_eq!(
            codes("FROM a:1\nRUN dnf install -y epel-release\n", "DL3041"),
            [2]
        );
        assert!(codes("FROM a:1\nRUN microdnf install -y jq-1.6\n", "DL3041").is_empty());
        assert!(
            codes(
                "FROM a:1\nRUN dnf group install -y \"Dev Tools\"\n",
                "DL3041"
            )
            .is_empty()
        );
    }

    /// hadolint 2.15.1's DL3041Spec: a version in a variable ENV (this stage, or the stage it
    /// is built from) or ARG (anywhere) defines is a pin.
    #[test]
    fn versions_in_variables() {
        let run = "RUN dnf -y install git-core-${version}\n";
        let ok = [
            format!("FROM a:1\nENV version=2.51.0-2.fc42\n{run}"),
            "FROM a:1\nARG version=2.51.0-2.fc42\nRUN dnf -y install git-core-$version\n"
                .to_string(),
            format!("FROM f:42 AS build\nARG version=2.51.0-2.fc42\nFROM f:42\n{run}"),
            format!("FROM f:42 AS build\nENV version=2.51.0-2.fc42\nFROM build\n{run}"),
            "FROM a:1\nENV version=1\nRUN microdnf -y install git-core-${version}\n".to_string(),
        ];
        for file in ok {
            assert!(codes(&file, "DL3041").is_empty(), "{file}");
        }
        assert_eq!(
            codes(
                &format!("FROM f:42 AS build\nENV version=2\nFROM f:42\n{run}"),
                "DL3041"
            ),
            [4]
        );
        assert_eq!(codes(&format!("FROM a:1\n{run}"), "DL3041"), [2]);
    }
}
