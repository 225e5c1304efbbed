//! A Dockerfile parser that keeps line numbers: parser directives (`# syntax=`, `# escape=`,
//! `# check=`), line continuations with either escape character, comments and blank lines
//! inside continuations, heredocs (`RUN <<EOF`, `COPY <<EOF /dst`, `<<-`, quoted
//! delimiters), exec (JSON) and shell forms, and `--flag[=value]` options. It follows what
//! BuildKit accepts; malformed input is an error naming the line and column.

pub mod pin;
mod words;

pub use words::{split_words, unquote};

use std::fmt;

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// Parser directives at the top, in order.
    pub directives: Vec<Directive>,
    /// The escape character (`\` unless `# escape=` says otherwise).
    pub escape: char,
    /// Comments and instructions in file order.
    pub items: Vec<Item>,
}

/// `# name=value` at the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape`, `check`.
    pub name: String,
    /// The value, trimmed.
    pub value: String,
    /// 1-based line.
    pub line: usize,
}

/// A comment line or an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A `#` line outside an instruction: its text after the `#`, and its line.
    Comment {
        /// 1-based line.
        line: usize,
        /// What follows the `#`.
        text: String,
    },
    /// An instruction.
    Instruction(Instruction),
}

/// The instruction keywords BuildKit knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    /// `ADD`
    Add,
    /// `ARG`
    Arg,
    /// `CMD`
    Cmd,
    /// `COPY`
    Copy,
    /// `ENTRYPOINT`
    Entrypoint,
    /// `ENV`
    Env,
    /// `EXPOSE`
    Expose,
    /// `FROM`
    From,
    /// `HEALTHCHECK`
    Healthcheck,
    /// `LABEL`
    Label,
    /// `MAINTAINER`
    Maintainer,
    /// `ONBUILD`
    Onbuild,
    /// `RUN`
    Run,
    /// `SHELL`
    Shell,
    /// `STOPSIGNAL`
    Stopsignal,
    /// `USER`
    User,
    /// `VOLUME`
    Volume,
    /// `WORKDIR`
    Workdir,
}

impl Keyword {
    /// Every keyword, alphabetically.
    pub const ALL: [Keyword; 18] = [
        Keyword::Add,
        Keyword::Arg,
        Keyword::Cmd,
        Keyword::Copy,
        Keyword::Entrypoint,
        Keyword::Env,
        Keyword::Expose,
        Keyword::From,
        Keyword::Healthcheck,
        Keyword::Label,
        Keyword::Maintainer,
        Keyword::Onbuild,
        Keyword::Run,
        Keyword::Shell,
        Keyword::Stopsignal,
        Keyword::User,
        Keyword::Volume,
        Keyword::Workdir,
    ];

    /// The keyword as written in upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::Add => "ADD",
            Keyword::Arg => "ARG",
            Keyword::Cmd => "CMD",
            Keyword::Copy => "COPY",
            Keyword::Entrypoint => "ENTRYPOINT",
            Keyword::Env => "ENV",
            Keyword::Expose => "EXPOSE",
            Keyword::From => "FROM",
            Keyword::Healthcheck => "HEALTHCHECK",
            Keyword::Label => "LABEL",
            Keyword::Maintainer => "MAINTAINER",
            Keyword::Onbuild => "ONBUILD",
            Keyword::Run => "RUN",
            Keyword::Shell => "SHELL",
            Keyword::Stopsignal => "STOPSIGNAL",
            Keyword::User => "USER",
            Keyword::Volume => "VOLUME",
            Keyword::Workdir => "WORKDIR",
        }
    }

    /// Parses a keyword, any case.
    pub fn parse(word: &str) -> Option<Keyword> {
        Keyword::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(word))
    }

    /// Whether the instruction takes `[ "exec", "form" ]` arguments.
    fn has_exec_form(self) -> bool {
        matches!(
            self,
            Keyword::Run
                | Keyword::Cmd
                | Keyword::Entrypoint
                | Keyword::Shell
                | Keyword::Copy
                | Keyword::Add
                | Keyword::Volume
        )
    }

    /// Whether `--name[=value]` options may lead the arguments.
    fn has_flags(self) -> bool {
        matches!(
            self,
            Keyword::From | Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Healthcheck
        )
    }

    /// Whether heredocs may follow the instruction line.
    fn has_heredocs(self) -> bool {
        matches!(self, Keyword::Run | Keyword::Copy | Keyword::Add)
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `--name` or `--name=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Without the dashes.
    pub name: String,
    /// After the `=`, unquoted.
    pub value: Option<String>,
}

/// An instruction's arguments after its flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// `["a", "b"]`.
    Exec(Vec<String>),
    /// Anything else, as written (continuations joined, leading and trailing space trimmed).
    Shell(String),
}

impl Args {
    /// The arguments as one string: the shell text, or the exec words joined by spaces.
    pub fn text(&self) -> String {
        match self {
            Args::Exec(words) => words.join(" "),
            Args::Shell(text) => text.clone(),
        }
    }
}

/// A here-document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word.
    pub name: String,
    /// `<<-`: leading tabs are stripped from the body.
    pub strip_tabs: bool,
    /// The delimiter was quoted: no expansion in the body.
    pub quoted: bool,
    /// The body, every line ending in a newline.
    pub body: String,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// 1-based line the instruction starts on.
    pub line: usize,
    /// 1-based last line (continuations and heredocs included).
    pub end_line: usize,
    /// What it is.
    pub keyword: Keyword,
    /// Leading options.
    pub flags: Vec<Flag>,
    /// The arguments.
    pub args: Args,
    /// Here-documents, in the order their delimiters appear.
    pub heredocs: Vec<Heredoc>,
    /// Everything after the keyword, continuations joined (flags included).
    pub text: String,
}

impl Instruction {
    /// The value of `--name`, `Some("")` for a bare `--name`.
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_deref().unwrap_or(""))
    }

    /// The arguments split into words (quotes removed): exec words as they are.
    pub fn words(&self, escape: char) -> Vec<String> {
        match &self.args {
            Args::Exec(words) => words.clone(),
            Args::Shell(text) => split_words(text, escape)
                .into_iter()
                .map(|w| unquote(&w, escape))
                .collect(),
        }
    }
}

/// Malformed input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column} {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl Dockerfile {
    /// Parses Dockerfile text.
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        Parser::new(text).parse()
    }

    /// The instructions, in order.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.items.iter().filter_map(|item| match item {
            Item::Instruction(i) => Some(i),
            Item::Comment { .. } => None,
        })
    }

    /// The value of a parser directive.
    pub fn directive(&self, name: &str) -> Option<&str> {
        self.directives
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.value.as_str())
    }
}

struct Parser<'a> {
    lines: Vec<&'a str>,
    at: usize,
    escape: char,
}

fn error(line: usize, column: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        column,
        message: message.into(),
    }
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Self {
            lines: text
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .collect(),
            at: 0,
            escape: '\\',
        }
    }

    fn parse(mut self) -> Result<Dockerfile, ParseError> {
        let directives = self.directives()?;
        let mut items = Vec::new();
        while self.at < self.lines.len() {
            let line = self.lines[self.at];
            let trimmed = line.trim();
            if trimmed.is_empty() {
                self.at += 1;
            } else if let Some(text) = trimmed.strip_prefix('#') {
                items.push(Item::Comment {
                    line: self.at + 1,
                    text: text.to_string(),
                });
                self.at += 1;
            } else {
                items.push(Item::Instruction(self.instruction()?));
            }
        }
        Ok(Dockerfile {
            directives,
            escape: self.escape,
            items,
        })
    }

    /// `# name=value` lines before anything else; the first other line ends them.
    fn directives(&mut self) -> Result<Vec<Directive>, ParseError> {
        let mut out: Vec<Directive> = Vec::new();
        while let Some(line) = self.lines.get(self.at) {
            let Some(body) = line.trim_start().strip_prefix('#') else {
                break;
            };
            let Some((name, value)) = body.split_once('=') else {
                break;
            };
            let name = name.trim();
            if name.is_empty()
                || !name.chars().all(|c| c.is_ascii_alphanumeric())
                || !name.starts_with(|c: char| c.is_ascii_alphabetic())
            {
                break;
            }
            let name = name.to_ascii_lowercase();
            let value = value.trim().to_string();
            if !matches!(name.as_str(), "syntax" | "escape" | "check") {
                break;
            }
            if out.iter().any(|d| d.name == name) {
                return Err(error(
                    self.at + 1,
                    1,
                    format!("only one {name} parser directive can be used"),
                ));
            }
            if name == "escape" {
                self.escape = match value.as_str() {
                    "\\" => '\\',
                    "`" => '`',
                    other => {
                        return Err(error(
                            self.at + 1,
                            1,
                            format!("invalid escape token {other:?}: must be ` or \\"),
                        ));
                    }
                };
            }
            out.push(Directive {
                name,
                value,
                line: self.at + 1,
            });
            self.at += 1;
        }
        Ok(out)
    }

    /// One instruction from the current line: continuations, then heredoc bodies.
    fn instruction(&mut self) -> Result<Instruction, ParseError> {
        let start = self.at;
        let first = self.lines[start];
        let indent = first.len() - first.trim_start().len();
        let body = first.trim_start();
        let word_end = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
        let word = &body[..word_end];
        let keyword = Keyword::parse(word).ok_or_else(|| {
            error(
                start + 1,
                indent + 1,
                format!("unknown instruction: {word}"),
            )
        })?;
        // Join continuation lines: a line ending in the escape character (trailing blanks
        // allowed) continues on the next line that is not blank or a comment. The last line
        // of a file with no final newline does not continue: its escape stays, as in
        // hadolint. Like hadolint, the indent of a continued line counts as one space.
        let mut text = String::new();
        let mut current = &body[word_end..];
        let mut continued = false;
        let mut open_end = false;
        loop {
            let stripped = current.trim_end();
            if continued && current.starts_with([' ', '\t']) {
                text.push(' ');
                current = current.trim_start_matches([' ', '\t']);
            }
            continued = true;
            match stripped.strip_suffix(self.escape) {
                Some(_) if self.at + 1 == self.lines.len() => {
                    // Kept whole, blanks too: ShellCheck has something to say about them.
                    text.push_str(current);
                    open_end = true;
                    break;
                }
                Some(_) => {
                    let stripped = current.trim_end();
                    let head = &stripped[..stripped.len() - self.escape.len_utf8()];
                    text.push_str(head);
                    self.at += 1;
                    while self
                        .lines
                        .get(self.at)
                        .is_some_and(|l| l.trim().is_empty() || is_comment(l))
                    {
                        self.at += 1;
                    }
                    match self.lines.get(self.at) {
                        Some(next) => current = next,
                        None => break,
                    }
                }
                _ => {
                    text.push_str(current);
                    break;
                }
            }
        }
        let end_line = self.at.min(self.lines.len() - 1) + 1;
        self.at += 1;
        let text = match open_end {
            true => text.trim_start().to_string(),
            false => text.trim().to_string(),
        };
        if text.is_empty() {
            return Err(error(
                start + 1,
                indent + 1,
                format!("{keyword} requires at least one argument"),
            ));
        }
        let (flags, rest) = if keyword.has_flags() {
            parse_flags(keyword, &text, self.escape)
                .map_err(|message| error(start + 1, indent + 1, message))?
        } else {
            (Vec::new(), text.as_str())
        };
        let list = keyword.has_exec_form().then(|| exec_form(rest)).flatten();
        // hadolint refuses a list followed by more text; BuildKit would run it as shell.
        if keyword.has_exec_form()
            && list.is_none()
            && let Some(end) = rest.rfind(']')
            && exec_form(&rest[..=end]).is_some()
        {
            return Err(error(start + 1, indent + 1, "text after the argument list"));
        }
        let args = list.map_or_else(|| Args::Shell(rest.to_string()), Args::Exec);
        if keyword == Keyword::Onbuild && !rest.is_empty() {
            // The trigger is an instruction of its own, held to the same rules. A chain of
            // ONBUILDs is peeled in a loop rather than by recursion: only its last link has
            // anything else to check.
            let mut trigger = rest;
            while let Some((word, after)) = trigger.split_once(char::is_whitespace)
                && word.eq_ignore_ascii_case("ONBUILD")
                && !after.trim().is_empty()
            {
                trigger = after.trim_start();
            }
            let mut inner = Parser {
                lines: vec![trigger],
                at: 0,
                escape: self.escape,
            };
            inner
                .instruction()
                .map_err(|e| error(start + 1, indent + 1, e.message))?;
        }
        if keyword == Keyword::From {
            // `IMAGE` or `IMAGE AS NAME` (a `#` word starts a comment, as hadolint reads it);
            // anything else, such as a templated `FROM {{ base }}`, BuildKit refuses too.
            let words: Vec<String> = split_words(rest, self.escape)
                .into_iter()
                .take_while(|w| !w.starts_with('#'))
                .collect();
            let valid = match words.as_slice() {
                [_] => true,
                [_, r#as, _] => r#as.eq_ignore_ascii_case("as"),
                _ => false,
            };
            if !valid {
                return Err(error(
                    start + 1,
                    indent + 1,
                    "FROM takes an image and optionally `AS name`",
                ));
            }
        }
        if keyword == Keyword::Healthcheck {
            // `NONE` alone, or `CMD` and a command.
            let (first, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let valid = match first.to_ascii_uppercase().as_str() {
                "NONE" => after.trim().is_empty(),
                "CMD" => !after.trim().is_empty(),
                _ => false,
            };
            if !valid {
                return Err(error(
                    start + 1,
                    indent + 1,
                    "HEALTHCHECK: write NONE, or CMD and a command",
                ));
            }
        }
        if matches!(keyword, Keyword::Env | Keyword::Label) {
            check_pairs(rest, self.escape)
                .map_err(|message| error(start + 1, indent + 1, format!("{keyword}: {message}")))?;
        }
        if keyword == Keyword::Expose {
            check_ports(rest, self.escape).map_err(|word| {
                error(
                    start + 1,
                    indent + 1,
                    format!("EXPOSE: invalid port {word:?}"),
                )
            })?;
        }
        let mut instruction = Instruction {
            line: start + 1,
            end_line,
            keyword,
            flags,
            args,
            heredocs: Vec::new(),
            text: text.clone(),
        };
        if keyword.has_heredocs() && matches!(instruction.args, Args::Shell(_)) {
            for (name, strip_tabs, quoted) in heredoc_markers(rest, self.escape) {
                let opened = self.at;
                let mut body = String::new();
                loop {
                    let Some(line) = self.lines.get(self.at) else {
                        return Err(error(
                            opened,
                            1,
                            format!("unterminated heredoc: no line `{name}` closes it"),
                        ));
                    };
                    self.at += 1;
                    let line = if strip_tabs {
                        line.trim_start_matches('\t')
                    } else {
                        line
                    };
                    if line == name {
                        break;
                    }
                    body.push_str(line);
                    body.push('\n');
                }
                instruction.end_line = self.at;
                instruction.heredocs.push(Heredoc {
                    name,
                    strip_tabs,
                    quoted,
                    body,
                });
            }
        }
        Ok(instruction)
    }
}

/// Every EXPOSE word is `PORT[-PORT][/PROTOCOL]` or holds a variable; returns the first
/// that is not.
fn check_ports(text: &str, escape: char) -> Result<(), String> {
    for word in split_words(text, escape) {
        let plain = unquote(&word, escape);
        if plain.contains('$') {
            continue;
        }
        let (ports, protocol) = match plain.split_once('/') {
            Some((p, proto)) => (p, Some(proto)),
            None => (plain.as_str(), None),
        };
        let numeric = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        let ports_ok = match ports.split_once('-') {
            Some((a, b)) => numeric(a) && numeric(b),
            None => numeric(ports),
        };
        let protocol_ok = protocol.is_none_or(|p| {
            ["tcp", "udp", "sctp"]
                .iter()
                .any(|known| p.eq_ignore_ascii_case(known))
        });
        if !(ports_ok && protocol_ok) {
            return Err(plain);
        }
    }
    Ok(())
}

/// Leading `--name[=value]` words; returns them and the rest of the text.
/// ENV and LABEL: `NAME=VALUE` words with every quote closed (a quote-escape closes nothing,
/// in single quotes too, as hadolint reads them), and perhaps a last `NAME VALUE...`.
fn check_pairs(text: &str, escape: char) -> Result<(), String> {
    let mut words: Vec<(String, bool)> = Vec::new();
    let (mut word, mut has_eq, mut quote) = (String::new(), false, None::<char>);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(_) if c == escape => {
                chars.next();
            }
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == escape => {
                chars.next();
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push((std::mem::take(&mut word), has_eq));
                }
                has_eq = false;
                continue;
            }
            None => has_eq |= c == '=',
        }
        word.push(c);
    }
    let open = quote.is_some();
    if !word.is_empty() {
        words.push((word, has_eq));
    }
    // Pairs, then perhaps one `NAME VALUE...` that takes the rest (hadolint reads it so).
    for (at, (word, has_eq)) in words.iter().enumerate() {
        match (has_eq, at + 1 < words.len()) {
            (true, _) => {}
            (false, true) => return Ok(()),
            (false, false) if at == 0 => return Err(format!("{word} has no value")),
            (false, false) => return Err(format!("{word} is not NAME=VALUE")),
        }
    }
    match open {
        true => Err("a quote is not closed".into()),
        false => Ok(()),
    }
}

/// Which flags an instruction takes: (name, whether a bare `--name` is allowed).
fn known_flags(keyword: Keyword) -> &'static [(&'static str, bool)] {
    match keyword {
        Keyword::From => &[("platform", false)],
        Keyword::Run => &[("mount", false), ("network", false), ("security", false)],
        Keyword::Copy => &[
            ("from", false),
            ("chown", false),
            ("chmod", false),
            ("exclude", false),
            ("link", true),
            ("parents", true),
        ],
        Keyword::Add => &[
            ("checksum", false),
            ("chown", false),
            ("chmod", false),
            ("exclude", false),
            ("link", true),
            ("keep-git-dir", true),
            ("unpack", true),
        ],
        Keyword::Healthcheck => &[
            ("interval", false),
            ("timeout", false),
            ("start-period", false),
            ("start-interval", false),
            ("retries", false),
        ],
        _ => &[],
    }
}

/// The leading `--flag[=value]` words. Where a word starting with `--` is not one of the
/// instruction's flags, hadolint's parser decides: RUN takes it (and the rest) as its
/// script, COPY as a path unless it has a value, and FROM, ADD and HEALTHCHECK refuse it.
fn parse_flags(keyword: Keyword, text: &str, escape: char) -> Result<(Vec<Flag>, &str), String> {
    let known = known_flags(keyword);
    let mut flags = Vec::new();
    let mut rest = text;
    loop {
        let trimmed = rest.trim_start();
        if !trimmed.starts_with("--") {
            return Ok((flags, trimmed));
        }
        let Some(word) = split_words(trimmed, escape).into_iter().next() else {
            return Ok((flags, trimmed));
        };
        let body = &word[2..];
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(unquote(v, escape))),
            None => (body.to_string(), None),
        };
        let valid = known
            .iter()
            .any(|(n, bare)| *n == name && (value.is_some() || *bare));
        if !valid {
            let refused = match keyword {
                Keyword::Run => false,
                Keyword::Copy => value.is_some() && !name.is_empty(),
                _ => true,
            };
            return match refused {
                true => Err(format!("invalid flag: --{name}")),
                false => Ok((flags, trimmed)),
            };
        }
        flags.push(Flag { name, value });
        rest = &trimmed[word.len()..];
    }
}

/// `["a", "b"]` as words, when the text is a list of strings the way hadolint reads one:
/// JSON's escapes, and a backslash before any other character kept as written (`"\$x"`).
fn exec_form(text: &str) -> Option<Vec<String>> {
    let t = text.trim();
    // hadolint's reader ends no string at `\\"` (BuildKit does); so that rules see what
    // hadolint sees, such a list is shell form here too.
    if t.contains("\\\\\"") {
        return None;
    }
    let mut chars = t.strip_prefix('[')?.chars().peekable();
    let mut words = Vec::new();
    while chars.next_if(|c| c.is_whitespace()).is_some() {}
    if chars.next_if_eq(&']').is_some() {
        return chars.next().is_none().then_some(words);
    }
    loop {
        if chars.next()? != '"' {
            return None;
        }
        let mut word = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => word.push('\n'),
                    't' => word.push('\t'),
                    'r' => word.push('\r'),
                    'b' => word.push('\u{8}'),
                    'f' => word.push('\u{c}'),
                    'u' => {
                        let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                        let code = u32::from_str_radix(&hex, 16).ok()?;
                        word.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    c @ ('"' | '\\' | '/') => word.push(c),
                    c => {
                        word.push('\\');
                        word.push(c);
                    }
                },
                c => word.push(c),
            }
        }
        words.push(word);
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next()? {
            ']' => return chars.next().is_none().then_some(words),
            ',' => while chars.next_if(|c| c.is_whitespace()).is_some() {},
            _ => return None,
        }
    }
}

/// Heredoc markers in an instruction's text: `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`.
fn heredoc_markers(text: &str, escape: char) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    for word in split_words(text, escape) {
        if word.starts_with(['"', '\'']) {
            continue;
        }
        let mut rest = word.as_str();
        // A marker may follow a redirection or command in the same word (`cat<<EOF`).
        while let Some(at) = rest.find("<<") {
            let after = &rest[at + 2..];
            let (strip_tabs, after) = match after.strip_prefix('-') {
                Some(a) => (true, a),
                None => (false, after),
            };
            let quoted = after.starts_with(['"', '\'']);
            let name = unquote(after, escape);
            let name: String = name
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
                .collect();
            if !name.is_empty() {
                out.push((name, strip_tabs, quoted));
            }
            rest = after;
        }
    }
    out
}

#[cfg(test)]
mod tests;
