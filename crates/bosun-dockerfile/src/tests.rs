use super::*;

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
    assert_eq!(run.args, Args::Shell("echo a   b".into()));
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
        Args::Shell("apt-get update   && apt-get install -y curl   && true".into())
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
