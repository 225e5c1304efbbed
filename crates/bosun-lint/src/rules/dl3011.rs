//! DL3011: exposed ports must be 0-65535.

use bosun_dockerfile::Keyword;

use super::{Context, Simple, simple};
use crate::Severity;

pub(crate) fn rule(context: Context) -> Simple {
    simple(
        "DL3011",
        Severity::Error,
        "Valid UNIX ports range from 0 to 65535",
        context,
        |i, c| {
            if i.keyword != Keyword::Expose {
                return true;
            }
            i.words(c.escape).iter().all(|word| {
                let port = word.split('/').next().unwrap_or("");
                port.split('-')
                    .all(|p| p.parse::<u64>().map_or(true, |n| n <= 65535))
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::codes;

    #[test]
    fn port_ranges() {
        assert_eq!(codes("FROM a:1\nEXPOSE 80 70000/tcp\n", "DL3011"), [2]);
        assert_eq!(codes("FROM a:1\nEXPOSE 8000-65536\n", "DL3011"), [2]);
        assert!(codes("FROM a:1\nEXPOSE 80/udp 443 ${PORT}\n", "DL3011").is_empty());
    }
}
