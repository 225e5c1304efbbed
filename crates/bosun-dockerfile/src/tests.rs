use super::*;

/// Each text is refused as a Dockerfile.
fn refused(texts: &[&str]) {
    for text in texts {
        assert!(Dockerfile::parse(text).is_err(), "{text}");
    }
}

/// Each text parses.
fn accepted(texts: &[&str]) {
    for text in texts {
        assert!(Dockerfile::parse(text).is_ok(), "{text}");
    }
}

fn only(text: &str) -> Instruction {
    let file = Dockerfile::parse(text).unwrap();
    let mut all: Vec<Instruction> = file.instructions().cloned().collect();
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

#[test]
fn directives_come_first_and_set_the_escape() {
    let file = Dockerfile::parse(
        "# syntax=docker/dockerfile:1\n# escape=`\n# check=skip=all\nFROM scratch\nRUN echo a `\n  b\n",
    )
    .unwrap();
    assert_eq!(file.escape, '`');
    assert_eq!(file.directive("syntax"), Some("docker/dockerfile:1"));
    assert_eq!(file.directive("check"), Some("skip=all"));
    let run = file.instructions().nth(1).unwrap();
    // The indent of a continued line counts as one space, as hadolint joins lines.
    assert_eq!(run.args, Args::Shell("echo a  b".into()));
    assert_eq!((run.line, run.end_line), (5, 6));
    // After anything else, a directive-looking line is a comment.
    let file = Dockerfile::parse("FROM scratch\n# escape=`\n").unwrap();
    assert_eq!(file.escape, '\\');
    assert!(matches!(file.items[1], Item::Comment { line: 2, .. }));
}

#[test]
fn continuations_skip_comments_and_blank_lines() {
    let file = Dockerfile::parse(
        "FROM debian:12\nRUN apt-get update \\\n  # a comment\n\n  && apt-get install -y curl \\  \n  && true\nUSER app\n",
    )
    .unwrap();
    let all: Vec<&Instruction> = file.instructions().collect();
    assert_eq!(all[1].line, 2);
    assert_eq!(all[1].end_line, 6);
    assert_eq!(
        all[1].args,
        Args::Shell("apt-get update  && apt-get install -y curl  && true".into())
    );
    assert_eq!(all[2].line, 7);
}

#[test]
fn exec_and_shell_forms() {
    assert_eq!(
        only(r#"CMD ["python3", "-m", "app"]"#).args,
        Args::Exec(vec!["python3".into(), "-m".into(), "app".into()])
    );
    // Not valid JSON: shell form, as BuildKit does.
    assert_eq!(
        only("CMD [python3, app]").args,
        Args::Shell("[python3, app]".into())
    );
    assert_eq!(only("cmd echo hi").keyword, Keyword::Cmd);
}

#[test]
fn flags_lead_the_arguments() {
    let copy = only("COPY --from=build --chown=app:app --link src/ /app/");
    assert_eq!(copy.flag("from"), Some("build"));
    assert_eq!(copy.flag("chown"), Some("app:app"));
    assert_eq!(copy.flag("link"), Some(""));
    assert_eq!(copy.words('\\'), ["src/", "/app/"]);
    let run = only("RUN --mount=type=cache,target=/root/.cache --network=none pip install x");
    assert_eq!(run.flag("mount"), Some("type=cache,target=/root/.cache"));
    assert_eq!(run.args, Args::Shell("pip install x".into()));
    let from = only("FROM --platform=$BUILDPLATFORM golang:1.22 AS build");
    assert_eq!(from.flag("platform"), Some("$BUILDPLATFORM"));
    assert_eq!(from.words('\\'), ["golang:1.22", "AS", "build"]);
    // ENV values are not flags.
    assert!(only("ENV --x=1").flags.is_empty());
}

#[test]
fn heredocs() {
    let file = Dockerfile::parse(
        "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nCOPY <<-'CONF' /etc/app.conf\n\tkey=value\n\tCONF\nUSER app\n",
    )
    .unwrap();
    let all: Vec<&Instruction> = file.instructions().collect();
    let run = all[1];
    assert_eq!((run.line, run.end_line), (2, 5));
    assert_eq!(run.heredocs[0].name, "EOF");
    assert_eq!(
        run.heredocs[0].body,
        "apt-get update\napt-get install -y curl\n"
    );
    let copy = all[2];
    assert!(copy.heredocs[0].strip_tabs && copy.heredocs[0].quoted);
    assert_eq!(copy.heredocs[0].body, "key=value\n");
    assert_eq!(all[3].line, 9);
    // Two in one line.
    let two = Dockerfile::parse("RUN <<A cat - <<B\na\nA\nb\nB\n").unwrap();
    let run = two.instructions().next().unwrap();
    assert_eq!(run.heredocs.len(), 2);
    assert_eq!(run.heredocs[1].body, "b\n");
}

#[test]
fn malformed_input_names_line_and_column() {
    let err = Dockerfile::parse("FROM debian\n  FOO bar\n").unwrap_err();
    assert_eq!((err.line, err.column), (2, 3));
    assert!(err.message.contains("unknown instruction: FOO"), "{err}");
    let err = Dockerfile::parse("FROM debian\nRUN <<EOF\necho\n").unwrap_err();
    assert!(err.message.contains("unterminated heredoc"), "{err}");
    let err = Dockerfile::parse("# escape=x\nFROM a\n").unwrap_err();
    assert_eq!(err.line, 1);
    let err = Dockerfile::parse("FROM a\nEXPOSE 80 # web\n").unwrap_err();
    assert!(err.message.contains("invalid port \"#\""), "{err}");
    assert!(Dockerfile::parse("FROM a\nEXPOSE 80/tcp 8000-8010/udp ${PORT}\n").is_ok());
    let err = Dockerfile::parse("FROM a\nRUN\n").unwrap_err();
    assert_eq!(err.line, 2);
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        "\n",
        "\\",
        "RUN \\",
        "RUN \\\n",
        "#",
        "# escape=`",
        "FROM a\nRUN <<",
        "RUN <<-",
        "\u{feff}FROM a",
        "FROM a\r\nRUN b\r\n",
        "RUN [\"a\"",
        "COPY --",
        "COPY --=x a b",
    ] {
        let _ = Dockerfile::parse(text);
    }
}

#[test]
fn flags_are_checked_per_instruction() {
    refused(&[
        "FROM --foo=bar a:1\n",
        "FROM a:1\nCOPY --user=me x /y\n",
        "FROM a:1\nADD --from=a x /y\n",
        "FROM a:1\nADD --parents x /y\n",
        "FROM a:1\nHEALTHCHECK --interval CMD x\n",
        "FROM a:1\nONBUILD COPY --user=me x /y\n",
        "FROM a:1\nONBUILD\n",
    ]);
    // RUN takes an unknown flag as its script; COPY takes a bare one as a path.
    let run = &only("RUN --foo=bar echo\n");
    assert!(run.flags.is_empty());
    assert_eq!(run.args, Args::Shell("--foo=bar echo".into()));
    let copy = &only("COPY --link --chown x /y\n");
    assert_eq!(copy.flags.len(), 1);
    assert_eq!(copy.args, Args::Shell("--chown x /y".into()));
}

#[test]
fn env_and_label_pairs_are_checked() {
    refused(&[
        "ENV PATH\n",
        "LABEL a\n",
        "ENV a=1 b\n",
        "ENV a='x\\'y''\n",
        "ENV a=\"x\n",
        "LABEL a=1 B=c d\n",
    ]);
    accepted(&[
        "ENV PATH x y\n",
        "ENV a x'y\n",
        "ENV a= b=2\n",
        "LABEL a=\"b c\" d=e\n",
        "ENV a=1 b c\n",
        "ENV a=1 \\\n# note\nRUN echo\n",
    ]);
}

#[test]
fn an_escape_on_the_last_line_without_a_newline_stays() {
    assert_eq!(only("RUN echo \\").args, Args::Shell("echo \\".into()));
    assert_eq!(only("RUN echo \\\n").args, Args::Shell("echo".into()));
}

#[test]
fn an_unclosed_quote_is_a_plain_character() {
    assert_eq!(
        split_words("\"a b 'c d' e", '\\'),
        ["\"a", "b", "'c d'", "e"]
    );
}

#[test]
fn exec_form_reads_lists_as_hadolint_does() {
    let words = |t: &str| match only(t).args {
        Args::Exec(w) => Some(w),
        Args::Shell(_) => None,
    };
    assert_eq!(
        words("CMD [\"a\", \"b c\"]\n"),
        Some(vec!["a".into(), "b c".into()])
    );
    assert_eq!(words("CMD []\n"), Some(vec![]));
    assert_eq!(
        words("CMD [ \"\\u0041\\n\", \"\\$x\" ]\n"),
        Some(vec!["A\n".into(), "\\$x".into()])
    );
    for shell in [
        "CMD [\"a\\\\\"]\n",
        "CMD [\"a\" \"b\"]\n",
        "CMD [a]\n",
        "CMD [\"a\",]\n",
        "CMD [\"a\"\n",
    ] {
        assert_eq!(words(shell), None, "{shell}");
    }
}

#[test]
fn a_list_followed_by_text_is_refused() {
    assert!(Dockerfile::parse("CMD [\"a\"] x\n").is_err());
    assert!(Dockerfile::parse("CMD [\"a\"] # no comment here\n").is_err());
    assert!(Dockerfile::parse("CMD [\"a\"]  \n").is_ok());
}

#[test]
fn healthcheck_is_none_or_a_command() {
    refused(&[
        "HEALTHCHECK CMD\n",
        "HEALTHCHECK foo\n",
        "HEALTHCHECK NONE x\n",
        "HEALTHCHECK --interval=5s CMD\n",
    ]);
    accepted(&[
        "HEALTHCHECK NONE\n",
        "HEALTHCHECK cmd x\n",
        "HEALTHCHECK CMD []\n",
        "HEALTHCHECK --retries=3 CMD [\"/app\", \"-h\"]\n",
    ]);
}

/// FROM is `IMAGE [AS NAME]`: a templated or malformed line is refused (BuildKit refuses it
/// too), on its own line, as hadolint does.
#[test]
fn from_takes_an_image_and_a_name() {
    refused(&[
        "FROM debian:12 extra words\n",
        "FROM {{ base }} AS x y\n",
        "FROM a AS\n",
        "FROM a b\n",
        "FROM a AS b c\n",
    ]);
    accepted(&[
        "FROM a\n",
        "FROM a as b\n",
        "FROM --platform=$BUILDPLATFORM a:1 AS b\n",
        "FROM a:1 AS b # a comment\n",
        "FROM $BASE AS b\n",
    ]);
    let e = Dockerfile::parse("FROM a:1\nRUN x\nFROM b:1 c\n").unwrap_err();
    assert_eq!(e.line, 3);
}
