//! Just enough of the POSIX/bash grammar to see which commands a RUN runs, with what
//! arguments, and whether it pipes: what hadolint's rules ask of ShellCheck's parser.
//!
//! Commands are listed in the order ShellCheck's AST walk visits them: each command before
//! the commands in its own `$(...)` or backtick substitutions, left to right. Arguments are
//! simplified as hadolint 2.15.1 does: quotes removed, parameters written `${NAME}` (`$X` and
//! `${X...}` keep what names them), and `$(...)`, `` `...` `` and `$((...))` replaced by
//! `${VAR}`. Redirections and leading
//! assignments are not arguments. Control words (`if`, `then`, `for x in ...`, `case`
//! patterns) are grammar, not commands.

/// One word after the command name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arg {
    /// The oversimplified text.
    pub(crate) text: String,
    /// Position among all words of the script (ties flags to the word they came from).
    pub(crate) id: usize,
}

/// A simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Command {
    /// The command word as written (`apt-get`, `/usr/bin/pip`).
    pub(crate) name: String,
    /// Every word after it.
    pub(crate) args: Vec<Arg>,
    /// Flags: `--name` (up to `=`) and each letter of `-abc`, with the word they came from.
    pub(crate) flags: Vec<Arg>,
    /// The command whose output a `|` feeds into this one (its index in the script).
    pub(crate) piped_from: Option<usize>,
    /// The commands of this command's own `$(...)` and backtick substitutions (indices).
    pub(crate) substituted: std::ops::Range<usize>,
}

impl Command {
    pub(crate) fn args(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|a| a.text.as_str())
    }

    pub(crate) fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f.text == flag)
    }

    pub(crate) fn has_any_flag(&self, flags: &[&str]) -> bool {
        self.flags.iter().any(|f| flags.contains(&f.text.as_str()))
    }

    pub(crate) fn has_arg(&self, arg: &str) -> bool {
        self.args().any(|a| a == arg)
    }

    /// `cmdHasArgs`: the command is `name` and one of `args` is among its words.
    pub(crate) fn is_with_any(&self, name: &str, args: &[&str]) -> bool {
        self.name == name && self.args().any(|a| args.contains(&a))
    }

    /// Words that are not flags.
    pub(crate) fn args_no_flags(&self) -> Vec<&str> {
        self.args
            .iter()
            .filter(|a| !self.flags.iter().any(|f| f.id == a.id))
            .map(|a| a.text.as_str())
            .collect()
    }

    /// `dropFlagArg`: the command without the words that are values of these flags (the word
    /// right after each such flag's word).
    pub(crate) fn drop_flag_values(&self, flags: &[&str]) -> Command {
        let drop: Vec<usize> = self
            .flags
            .iter()
            .filter(|f| flags.contains(&f.text.as_str()))
            // `--flag=value` holds its value: the next word is not it.
            .filter(|f| {
                !self
                    .args
                    .iter()
                    .any(|a| a.id == f.id && a.text.contains('='))
            })
            .filter_map(|f| self.args.iter().map(|a| a.id).filter(|&id| id > f.id).min())
            .collect();
        Command {
            name: self.name.clone(),
            args: self
                .args
                .iter()
                .filter(|a| !drop.contains(&a.id))
                .cloned()
                .collect(),
            flags: self.flags.clone(),
            piped_from: self.piped_from,
            substituted: self.substituted.clone(),
        }
    }
}

fn flags_of(args: &[Arg]) -> Vec<Arg> {
    let mut out = Vec::new();
    for a in args {
        let t = a.text.as_str();
        if t == "--" || t == "-" {
            continue;
        }
        if let Some(long) = t.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or("");
            out.push(Arg {
                text: name.to_string(),
                id: a.id,
            });
        } else if let Some(short) = t.strip_prefix('-') {
            for c in short.chars() {
                out.push(Arg {
                    text: c.to_string(),
                    id: a.id,
                });
            }
        }
    }
    out
}

/// What a script runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Script {
    /// Commands in ShellCheck's visiting order.
    pub(crate) commands: Vec<Command>,
    /// Whether a `|` (or `|&`) joins two commands.
    pub(crate) has_pipes: bool,
}

impl Script {
    pub(crate) fn parse(text: &str) -> Script {
        Script::parse_nested(text, 0)
    }

    /// The script as hadolint's rules see it: only as far as ShellCheck's parser (which
    /// hadolint reads RUN scripts with) read it.
    pub(crate) fn read(text: &str, unparsed: &crate::rules::Unparsed) -> Script {
        match unparsed.get(text) {
            None => Script::parse(text),
            Some(None) => Script::default(),
            Some(Some(at)) => Script::parse(text.get(..*at).unwrap_or(text)),
        }
    }

    /// A script found `depth` substitutions deep.
    fn parse_nested(text: &str, depth: usize) -> Script {
        let mut parser = Parser {
            chars: text.chars().collect(),
            at: 0,
            next_id: 0,
            depth,
            script: Script::default(),
            broken: false,
        };
        parser.list(Until::End);
        match parser.broken {
            true => Script::default(),
            false => parser.script,
        }
    }

    pub(crate) fn any(&self, check: impl Fn(&Command) -> bool) -> bool {
        self.commands.iter().any(check)
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.commands.iter().map(|c| c.name.as_str())
    }
}

/// Words that open or close grammar rather than name commands.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "{", "}", "!", "time",
];

/// How deep subshells and substitutions may nest before the reader gives up on a script.
/// Real scripts stay in single digits; the bound keeps hostile input from exhausting the stack.
const MAX_DEPTH: usize = 64;

/// Where a command list ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Until {
    /// The end of the text.
    End,
    /// A `)` closing a subshell (consumed).
    Paren,
    /// `;;`, `;&`, `;;&` or `esac` ending a `case` item (left for the caller).
    CaseItem,
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    next_id: usize,
    /// Subshells and substitutions around the cursor.
    depth: usize,
    script: Script,
    /// A quote was never closed: ShellCheck cannot parse the script, so hadolint sees no
    /// commands in it.
    broken: bool,
}

/// A word as the lexer read it.
struct Word {
    text: String,
    /// Nothing quoted or expanded: can be a reserved word or an assignment.
    plain: bool,
    /// It holds a parameter, command or arithmetic expansion.
    expanded: bool,
    /// Where substitutions inside it start, to parse after the command.
    substitutions: Vec<String>,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.at + n).copied()
    }

    fn skip_blanks(&mut self) {
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' || c == '\r' {
                self.at += 1;
            } else if c == '\\' && self.peek_at(1) == Some('\n') {
                self.at += 2;
            } else if c == '#' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Commands until `until`. Every turn of the loop moves the cursor: text the grammar
    /// below does not take is stepped over one character at a time.
    fn list(&mut self, until: Until) {
        // The last command of this list and whether a `|` follows it, to link pipelines.
        let mut previous: Option<usize> = None;
        let mut piped = false;
        loop {
            self.skip_blanks();
            let Some(c) = self.peek() else { return };
            if until == Until::Paren && c == ')' {
                self.at += 1;
                return;
            }
            if until == Until::CaseItem && self.at_case_item_end() {
                return;
            }
            let before = self.at;
            match c {
                '\n' | ';' | '&' => {
                    self.at += 1;
                    (previous, piped) = (None, false);
                }
                '|' => {
                    self.at += 1;
                    if self.peek() == Some('|') {
                        self.at += 1;
                        (previous, piped) = (None, false);
                    } else {
                        self.script.has_pipes = true;
                        piped = true;
                        if self.peek() == Some('&') {
                            self.at += 1;
                        }
                    }
                }
                '(' => {
                    self.at += 1;
                    if self.peek() == Some('(') {
                        // Arithmetic command: nothing runs.
                        self.skip_balanced('(', ')');
                    } else {
                        self.nested(|p| p.list(Until::Paren));
                    }
                }
                ')' => {
                    self.at += 1;
                }
                _ => {
                    if let Some(at) = self.command() {
                        if piped {
                            self.script.commands[at].piped_from = previous;
                        }
                        (previous, piped) = (Some(at), false);
                    }
                }
            }
            if self.at == before {
                self.at += 1;
            }
        }
    }

    /// Runs `read` one level deeper, or gives the script up past [`MAX_DEPTH`].
    fn nested(&mut self, read: impl FnOnce(&mut Self)) {
        if self.depth >= MAX_DEPTH {
            self.broken = true;
            self.at = self.chars.len();
            return;
        }
        self.depth += 1;
        read(self);
        self.depth -= 1;
    }

    /// `;;`, `;&`, `;;&` or the word `esac` at the cursor.
    fn at_case_item_end(&self) -> bool {
        match self.peek() {
            Some(';') => matches!(self.peek_at(1), Some(';' | '&')),
            Some('e') => {
                let word: String = self.chars[self.at..].iter().take(5).collect();
                word.starts_with("esac")
                    && word[4..]
                        .chars()
                        .next()
                        .is_none_or(|c| " \t\r\n;&|)<>".contains(c))
            }
            _ => false,
        }
    }

    /// Skips to the matching close, the opener already consumed once.
    fn skip_balanced(&mut self, open: char, close: char) {
        let mut depth = 1;
        while let Some(c) = self.peek() {
            self.at += 1;
            if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
        }
    }

    /// One simple command (or a reserved word, which is grammar); returns the index of the
    /// command it added, if any.
    fn command(&mut self) -> Option<usize> {
        let mut words: Vec<Word> = Vec::new();
        let mut substitutions = Vec::new();
        let mut assignments_done = false;
        loop {
            self.skip_blanks();
            let Some(c) = self.peek() else { break };
            if matches!(c, '\n' | ';' | '&' | '|' | ')') {
                break;
            }
            let before = self.at;
            if c == '(' {
                if words.is_empty() {
                    break;
                }
                // `name() { ...}`: a function definition; `(` after words is a syntax oddity.
                self.at += 1;
                self.skip_balanced('(', ')');
                continue;
            }
            if let Some(skip) = self.redirection() {
                self.at += skip;
                self.skip_blanks();
                let target = self.word();
                substitutions.extend(target.substitutions);
                continue;
            }
            let word = self.word();
            if self.at == before {
                break;
            }
            substitutions.extend(word.substitutions.iter().cloned());
            if !assignments_done && word.plain && is_assignment(&word.text) {
                continue;
            }
            assignments_done = true;
            if words.is_empty() && word.plain && RESERVED.contains(&word.text.as_str()) {
                // Grammar: the next word starts a command.
                continue;
            }
            if words.is_empty() && word.plain && (word.text == "for" || word.text == "select") {
                self.skip_for_header();
                return None;
            }
            if words.is_empty() && word.plain && word.text == "[[" {
                // A `[[ ... ]]` test is grammar, not a command.
                self.skip_condition();
                continue;
            }
            if words.is_empty() && word.plain && word.text == "case" {
                self.case();
                return None;
            }
            words.push(word);
        }
        let first_id = self.next_id;
        self.next_id += words.len();
        // `[ ... ]` is a test to ShellCheck (and so to hadolint), not a command.
        let added = match words.split_first() {
            Some((name, rest)) if name.plain_name() && name.text != "[" => {
                let args: Vec<Arg> = rest
                    .iter()
                    .enumerate()
                    .map(|(i, w)| Arg {
                        text: w.text.clone(),
                        id: first_id + 1 + i,
                    })
                    .collect();
                let flags = flags_of(&args);
                self.script.commands.push(Command {
                    name: name.text.clone(),
                    args,
                    flags,
                    piped_from: None,
                    substituted: 0..0,
                });
                Some(self.script.commands.len() - 1)
            }
            _ => None,
        };
        let inner_start = self.script.commands.len();
        for inner in substitutions {
            if self.depth >= MAX_DEPTH {
                self.broken = true;
                return added;
            }
            // Only this substitution's own commands: a script too deep inside it is dropped.
            let nested = Script::parse_nested(&inner, self.depth + 1);
            self.script.has_pipes |= nested.has_pipes;
            let offset = self.script.commands.len();
            self.script
                .commands
                .extend(nested.commands.into_iter().map(|mut c| {
                    c.piped_from = c.piped_from.map(|p| p + offset);
                    c.substituted = c.substituted.start + offset..c.substituted.end + offset;
                    c
                }));
        }
        if let Some(at) = added {
            self.script.commands[at].substituted = inner_start..self.script.commands.len();
        }
        added
    }

    /// Past the `]]` that closes a `[[` test.
    fn skip_condition(&mut self) {
        loop {
            self.skip_blanks();
            if self.peek().is_none() {
                return;
            }
            if matches!(
                self.peek(),
                Some('&' | '|' | '(' | ')' | '<' | '>' | '\n' | ';')
            ) {
                self.at += 1;
                continue;
            }
            if self.word_or_char().text == "]]" {
                return;
            }
        }
    }

    /// `for NAME in WORDS; do` / `for ((...)); do`: skip to `do`'s body.
    fn skip_for_header(&mut self) {
        while let Some(c) = self.peek() {
            if c == ';' || c == '\n' {
                self.at += 1;
                break;
            }
            if c == '(' {
                self.at += 1;
                self.skip_balanced('(', ')');
                continue;
            }
            let w = self.word_or_char();
            if w.text == "do" {
                return;
            }
            self.skip_blanks();
        }
    }

    /// `case WORD in PATTERN) LIST ;; ... esac`: patterns are not commands.
    fn case(&mut self) {
        // Up to `in`.
        loop {
            self.skip_blanks();
            match self.peek() {
                None => return,
                Some('\n') => self.at += 1,
                _ => {
                    if self.word_or_char().text == "in" {
                        break;
                    }
                }
            }
        }
        loop {
            // A pattern list up to `)`, or `esac`.
            loop {
                self.skip_blanks();
                match self.peek() {
                    None => return,
                    Some('\n' | ';') => self.at += 1,
                    Some(')') => {
                        self.at += 1;
                        break;
                    }
                    Some('(' | '|') => self.at += 1,
                    _ => {
                        if self.word_or_char().text == "esac" {
                            return;
                        }
                    }
                }
            }
            // Commands up to `;;` (or `;&`, `;;&`) or `esac`.
            self.nested(|p| p.list(Until::CaseItem));
            match self.peek() {
                None => return,
                Some(';') => {
                    self.at += 2;
                    if self.peek() == Some('&') {
                        self.at += 1;
                    }
                }
                _ => {
                    self.at += "esac".len();
                    return;
                }
            }
        }
    }

    /// The length of a redirection operator at the cursor (`>`, `2>>`, `&>`, `<&`, `<<<`,
    /// `<<-`...), with its file descriptor.
    fn redirection(&self) -> Option<usize> {
        let mut n = 0;
        while self.peek_at(n).is_some_and(|c| c.is_ascii_digit()) {
            n += 1;
        }
        if self.peek_at(n) == Some('&') && self.peek_at(n + 1) == Some('>') {
            n += 1;
        }
        match self.peek_at(n) {
            Some('>') => {
                n += 1;
                if matches!(self.peek_at(n), Some('>' | '|' | '&')) {
                    n += 1;
                }
                Some(n)
            }
            Some('<') => {
                n += 1;
                match self.peek_at(n) {
                    Some('<') => {
                        n += 1;
                        if matches!(self.peek_at(n), Some('<' | '-')) {
                            n += 1;
                        }
                    }
                    Some('&' | '>') => n += 1,
                    _ => {}
                }
                Some(n)
            }
            _ => None,
        }
    }

    /// One word: quotes removed, expansions as `${VAR}`.
    /// A word, or else the one character that cannot start one (`&`, `<`, ...): loops that
    /// skip text must always move on.
    fn word_or_char(&mut self) -> Word {
        let start = self.at;
        let w = self.word();
        if self.at == start && self.peek().is_some() {
            self.at += 1;
        }
        w
    }

    fn word(&mut self) -> Word {
        let mut text = String::new();
        let mut plain = true;
        let mut expanded = false;
        let mut substitutions = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>' => break,
                '\\' => {
                    self.at += 1;
                    match self.peek() {
                        Some('\n') => self.at += 1,
                        Some(next) => {
                            text.push(next);
                            self.at += 1;
                            plain = false;
                        }
                        None => {}
                    }
                }
                '\'' => {
                    plain = false;
                    self.at += 1;
                    let mut closed = false;
                    while let Some(q) = self.peek() {
                        self.at += 1;
                        if q == '\'' {
                            closed = true;
                            break;
                        }
                        text.push(q);
                    }
                    self.broken |= !closed;
                }
                '"' => {
                    plain = false;
                    self.at += 1;
                    let mut closed = false;
                    while let Some(q) = self.peek() {
                        match q {
                            '"' => {
                                self.at += 1;
                                closed = true;
                                break;
                            }
                            '\\' => {
                                self.at += 1;
                                if let Some(next) = self.peek() {
                                    if !matches!(next, '"' | '\\' | '$' | '`' | '\n') {
                                        text.push('\\');
                                    }
                                    if next != '\n' {
                                        text.push(next);
                                    }
                                    self.at += 1;
                                }
                            }
                            '$' | '`' => {
                                expanded |= self.starts_expansion();
                                if let Some(s) = self.expansion(&mut text) {
                                    substitutions.push(s);
                                }
                            }
                            _ => {
                                text.push(q);
                                self.at += 1;
                            }
                        }
                    }
                    self.broken |= !closed;
                }
                '$' | '`' => {
                    plain = false;
                    expanded |= self.starts_expansion();
                    if let Some(s) = self.expansion(&mut text) {
                        substitutions.push(s);
                    }
                }
                _ => {
                    text.push(c);
                    self.at += 1;
                }
            }
        }
        Word {
            text,
            plain,
            expanded,
            substitutions,
        }
    }

    /// Whether the `$` or `` ` `` at the cursor starts an expansion (not `$'...'` or a lone
    /// `$`).
    fn starts_expansion(&self) -> bool {
        self.peek() == Some('`')
            || self.peek_at(1).is_some_and(|c| {
                c.is_ascii_alphanumeric()
                    || matches!(c, '_' | '(' | '{' | '@' | '*' | '#' | '?' | '-' | '$' | '!')
            })
    }

    /// An expansion at the cursor (`$`, `` ` ``): appends `${VAR}` (or a lone `$`) and
    /// returns the text of a command substitution to parse.
    fn expansion(&mut self, text: &mut String) -> Option<String> {
        let c = self.peek()?;
        if c == '`' {
            self.at += 1;
            let start = self.at;
            while self.peek().is_some_and(|c| c != '`') {
                if self.peek() == Some('\\') {
                    self.at += 1;
                }
                self.at += 1;
            }
            let inner: String = self.chars[start..self.at.min(self.chars.len())]
                .iter()
                .collect();
            self.at += 1;
            text.push_str("${VAR}");
            return Some(inner);
        }
        self.at += 1; // `$`
        match self.peek() {
            Some('(') if self.peek_at(1) == Some('(') => {
                self.at += 2;
                self.skip_balanced('(', ')');
                if self.peek() == Some(')') {
                    self.at += 1;
                }
                text.push_str("${VAR}");
                None
            }
            Some('(') => {
                self.at += 1;
                let start = self.at;
                self.skip_balanced('(', ')');
                let end = self.at.saturating_sub(1).max(start);
                text.push_str("${VAR}");
                Some(self.chars[start..end].iter().collect())
            }
            // Parameters keep their names, as hadolint 2.15.1 simplifies them (its DL3033 and
            // DL3041 take `pkg-${version}` as pinned when ENV or ARG defines `version`).
            Some('{') => {
                self.at += 1;
                let start = self.at;
                self.skip_balanced('{', '}');
                let end = self.at.saturating_sub(1).max(start);
                let inner: String = self.chars[start..end].iter().collect();
                text.push_str(&format!("${{{inner}}}"));
                None
            }
            Some(c) if c.is_ascii_alphanumeric() || c == '_' => {
                let start = self.at;
                if c.is_ascii_digit() {
                    self.at += 1;
                } else {
                    while self
                        .peek()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        self.at += 1;
                    }
                }
                let name: String = self.chars[start..self.at].iter().collect();
                text.push_str(&format!("${{{name}}}"));
                None
            }
            Some(c @ ('@' | '*' | '#' | '?' | '-' | '$' | '!')) => {
                self.at += 1;
                text.push_str(&format!("${{{c}}}"));
                None
            }
            Some('\'') => {
                // $'...': ANSI-C quoting, kept as text.
                self.at += 1;
                while let Some(q) = self.peek() {
                    self.at += 1;
                    if q == '\'' {
                        break;
                    }
                    text.push(q);
                }
                None
            }
            _ => {
                text.push('$');
                None
            }
        }
    }
}

impl Word {
    /// ShellCheck names a command only when its first word is literal text.
    fn plain_name(&self) -> bool {
        !self.text.is_empty() && !self.expanded
    }
}

fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    let name = name.strip_suffix('+').unwrap_or(name);
    let name = name.split('[').next().unwrap_or(name);
    !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        Script::parse(text)
            .commands
            .into_iter()
            .map(|c| c.name)
            .collect()
    }

    #[test]
    fn commands_in_order() {
        assert_eq!(
            names("apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists/*"),
            ["apt-get", "apt-get", "rm"]
        );
        assert_eq!(
            names("echo $(date) `id -u` | tee x"),
            ["echo", "date", "id", "tee"]
        );
        assert_eq!(
            names("if [ -f x ]; then cd /x; else echo no; fi"),
            ["cd", "echo"]
        );
        assert_eq!(names("for f in a b c; do rm $f; done"), ["rm"]);
        assert_eq!(
            names("case $x in a|b) echo one ;; *) exit 1 ;; esac"),
            ["echo", "exit"]
        );
        assert_eq!(names("FOO=bar BAZ=1 make install"), ["make"]);
        assert_eq!(names("(cd /x && make) > log 2>&1"), ["cd", "make"]);
        assert_eq!(names("$CMD run"), Vec::<String>::new());
        assert_eq!(names("{ echo a; echo b; }"), ["echo", "echo"]);
        assert_eq!(names("[[ -f x && -d y ]] && echo z"), ["echo"]);
    }

    #[test]
    fn an_unclosed_quote_leaves_no_commands() {
        assert!(names("apt-get install -y foo && exec \"$@\"\", x").is_empty());
        assert!(names("echo 'a").is_empty());
        assert_eq!(names("echo \"it's\" 'a\"b'"), ["echo"]);
    }

    /// Found by the fuzzer: text that cannot start a word inside a `for` or `case` header
    /// made the parser spin.
    #[test]
    fn headers_with_operators_end() {
        for text in [
            "for clean in a\\ b & c > d; do x; done",
            "for x in a|b <c",
            "case $x in a&b) y ;; <) z ;; esac",
            "case x in >",
        ] {
            let _ = Script::parse(text);
        }
    }

    /// A subshell inside a `case` item spun the reader: the case body read commands with a
    /// loop of its own that did not know `(`. Found on two official database images.
    #[test]
    fn subshells_in_case_items() {
        assert_eq!(
            names("case \"$a\" in \n  *) ( cd /tmp && ls > out ); ;; \n  esac"),
            ["cd", "ls"]
        );
        assert_eq!(
            names(
                "case $x in a) (echo a) ;& b) { echo b; } ;;& *) (( i++ )); ( ( id ) ) ;; esac; rm x"
            ),
            ["echo", "echo", "id", "rm"]
        );
        assert_eq!(names("case $x in (a) echo a;; esac"), ["echo"]);
    }

    /// Nesting past [`MAX_DEPTH`] gives up on the script instead of the stack.
    #[test]
    fn deep_nesting_is_bounded() {
        for open in ["(", "$(", "( $("] {
            let deep = format!("{}echo{}", open.repeat(100_000), ")".repeat(100_000));
            assert!(Script::parse(&deep).commands.is_empty(), "{open}");
        }
        let fine = format!("{}echo{}", "( ".repeat(10), ")".repeat(10));
        assert_eq!(names(&fine), ["echo"]);
    }

    #[test]
    fn arguments_and_flags() {
        let s = Script::parse("pip install --no-cache-dir -qU 'flask==2.0' \"$X\" >/dev/null");
        let pip = &s.commands[0];
        assert_eq!(
            pip.args().collect::<Vec<_>>(),
            ["install", "--no-cache-dir", "-qU", "flask==2.0", "${X}"]
        );
        let flags: Vec<&str> = pip.flags.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(flags, ["no-cache-dir", "q", "U"]);
        assert_eq!(pip.args_no_flags(), ["install", "flask==2.0", "${X}"]);
        let curl = &Script::parse("curl -o out -L url").commands[0].drop_flag_values(&["o"]);
        assert_eq!(curl.args().collect::<Vec<_>>(), ["-o", "-L", "url"]);
    }

    #[test]
    fn pipes() {
        assert!(Script::parse("curl x | sh").has_pipes);
        assert!(!Script::parse("a || b").has_pipes);
        assert!(Script::parse("echo $(a | b)").has_pipes);
    }

    #[test]
    fn never_panics() {
        for text in [
            "",
            "'",
            "\"",
            "$(",
            "`",
            "${",
            "((",
            "case",
            "for",
            "a |",
            "\\",
            "$((1+",
            "<<",
            "2>",
            "case",
            "case x in",
            "case x in a)",
            "case x in a) (",
            "case x in a) ;",
            ")))",
            "esac",
            "case x in esac",
            "case (",
            "case x & in a) b;; esac",
            "[[",
            "[[ (",
            "for ((",
            "a=(",
            "f() (",
            ";;",
            ";&",
        ] {
            let _ = Script::parse(text);
        }
    }
}
