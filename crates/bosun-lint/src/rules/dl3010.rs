//! DL3010: an archive COPYed in and then unpacked by a RUN of the same stage is what ADD is
//! for. As in hadolint 2.15: archives are named by their file name (the target's, when the
//! target is itself an archive name); only the last stage's findings are kept (each FROM
//! starts over); one finding per COPY line.

use std::collections::BTreeSet;

use bosun_dockerfile::Keyword;

use super::{Rule, copy_parts, failure, is_archive};
use crate::{Failure, Severity, Step};

pub(crate) struct Dl3010 {
    /// (COPY line, archive file name) of this stage.
    archives: BTreeSet<(usize, String)>,
    /// COPY lines whose archives a RUN unpacks.
    extracted: BTreeSet<usize>,
}

impl Dl3010 {
    pub(crate) fn new() -> Self {
        Self {
            archives: BTreeSet::new(),
            extracted: BTreeSet::new(),
        }
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

const UNPACKERS: &[&str] = &[
    "unzip",
    "gunzip",
    "bunzip2",
    "unlzma",
    "unxz",
    "zgz",
    "uncompress",
    "zcat",
    "gzcat",
];

impl Rule for Dl3010 {
    fn check(&mut self, step: &Step<'_>, _out: &mut Vec<Failure>) {
        let Step::Instruction(i, script) = step else {
            return;
        };
        match i.keyword {
            Keyword::From => {
                self.archives.clear();
                self.extracted.clear();
            }
            Keyword::Copy if i.flag("from").is_none() => {
                let Some((sources, target)) = copy_parts(i) else {
                    return;
                };
                let names: Vec<&str> = match is_archive(&target) {
                    true => vec![file_name(&target)],
                    false => sources
                        .iter()
                        .map(|s| file_name(s))
                        .filter(|s| is_archive(s))
                        .collect(),
                };
                for name in names {
                    self.archives.insert((i.line, name.to_string()));
                }
            }
            Keyword::Run => {
                let Some(script) = script else { return };
                for c in &script.commands {
                    let unpacks = UNPACKERS.contains(&c.name.as_str())
                        || (c.name == "tar"
                            && c.args().any(|a| {
                                a == "--extract"
                                    || a == "--get"
                                    || (a.starts_with('-') && a.contains('x'))
                            }));
                    if !unpacks {
                        continue;
                    }
                    let named: BTreeSet<&str> =
                        c.args_no_flags().into_iter().map(file_name).collect();
                    for (line, archive) in &self.archives {
                        if named.contains(archive.as_str()) {
                            self.extracted.insert(*line);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn finish(&mut self, out: &mut Vec<Failure>) {
        for line in &self.extracted {
            out.push(failure(
                "DL3010",
                Severity::Info,
                "Use `ADD` for extracting archives into an image",
                *line,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{codes, fires_on_line_2, holds};

    #[test]
    fn archives_copied_then_unpacked() {
        fires_on_line_2(
            "DL3010",
            &[
                "COPY x.tar.gz /tmp/\nRUN tar -xzf /tmp/x.tar.gz\n",
                "COPY x.tar.gz /tmp/\nRUN unzip /tmp/x.tar.gz\n",
                "COPY x.tgz /tmp/\nRUN zcat /tmp/x.tgz\n",
                "COPY x /tmp/y.tar\nRUN tar -xf /tmp/y.tar\n",
                "COPY [\"x.tar.gz\", \"/tmp/\"]\nRUN tar -C / -xf \"/tmp/x.tar.gz\"\n",
                "COPY a/x.tar.gz /tmp/\nRUN cd /tmp && tar --extract -f x.tar.gz\n",
            ],
        );
        holds(
            "DL3010",
            &[
                "COPY x.tar.gz /tmp/\nRUN tar xzf /tmp/x.tar.gz\n",
                "COPY x.zip /tmp/\nRUN unzip /tmp/x.zip\n",
                "COPY --from=b x.tar.gz /tmp/\nRUN tar -xf /tmp/x.tar.gz\n",
                "COPY x.tar.gz /tmp/y\nRUN tar -xf /tmp/y\n",
                "COPY x.tar.gz /tmp/\nRUN tar -xf /tmp/x.tar.gz\nFROM a:1\n",
                "COPY x.tar.gz /tmp/\nFROM a:1\nRUN tar -xf /tmp/x.tar.gz\n",
            ],
        );
        let two = "FROM a:1\nCOPY x.tar.gz a.tgz /tmp/\nRUN tar -xf x.tar.gz && tar -xf a.tgz\n";
        assert_eq!(codes(two, "DL3010"), [2]);
    }
}
