//! DL3033: pin yum package versions (and module streams).

use super::Context;
use super::rpm::PinRule;

pub(crate) fn rule(context: Context) -> PinRule {
    PinRule {
        code: "DL3033",
        message: "Specify version with `yum install -y <package>-<version>`.",
        tool: |c| c.name == "yum",
        context,
        defined: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn fires_and_holds() {
        assert_eq!(codes("FROM a:1\nRUN yum install -y httpd\n", "DL3033"), [2]);
        for pinned in [
            "httpd-2.4 ./x-1.rpm",
            "openssl-1:1.1.1k",
            "gcc-c++-1.1.1",
            "a-1.2-b",
        ] {
            let file = format!("FROM a:1\nRUN yum install -y {pinned}\n");
            assert!(codes(&file, "DL3033").is_empty(), "{pinned}");
        }
        for loose in ["epel-rpm-macros", "x.rpm", "foo-v1", "foo_1.2", "foo-+1"] {
            let file = format!("FROM a:1\nRUN yum install -y {loose}\n");
            assert_eq!(codes(&file, "DL3033"), [2], "{loose}");
        }
        assert_eq!(
            codes("FROM a:1\nRUN yum module install -y nodejs\n", "DL3033"),
            [2]
        );
        assert!(codes("FROM a:1\nRUN yum module install -y nodejs:9\n", "DL3033").is_empty());
    }
}
