//! Splitting argument text into words the way BuildKit does for non-shell instructions:
//! whitespace separates words, except inside single or double quotes or after the escape
//! character.

/// Splits `text` into words, keeping quotes and escapes as written.
pub fn split_words(text: &str, escape: char) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    // Where the open quote began, to take it back as a plain character if nothing closes it
    // (hadolint does so; each quote kind can fail at most once, so this stays linear).
    let mut opened: Option<(usize, usize, String)> = None;
    let mut at = 0;
    loop {
        let Some(&c) = chars.get(at) else {
            match opened.take() {
                Some((from, count, before)) if quote.is_some() => {
                    words.truncate(count);
                    word = before;
                    word.push(chars[from]);
                    quote = None;
                    at = from + 1;
                    continue;
                }
                _ => break,
            }
        };
        at += 1;
        match quote {
            Some(q) if c == q => {
                quote = None;
                word.push(c);
            }
            Some('"') if c == escape => {
                word.push(c);
                if let Some(&next) = chars.get(at) {
                    word.push(next);
                    at += 1;
                }
            }
            Some(_) => word.push(c),
            None if c == escape => {
                word.push(c);
                if let Some(&next) = chars.get(at) {
                    word.push(next);
                    at += 1;
                }
            }
            None if c == '"' || c == '\'' => {
                opened = Some((at - 1, words.len(), word.clone()));
                quote = Some(c);
                word.push(c);
            }
            None if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            None => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A word with its quotes removed and escapes resolved.
pub fn unquote(word: &str, escape: char) -> String {
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<char> = None;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == escape => match chars.next() {
                Some(next @ ('"' | '$')) => out.push(next),
                Some(next) if next == escape => out.push(next),
                Some(next) => {
                    out.push(c);
                    out.push(next);
                }
                None => out.push(c),
            },
            Some(_) => out.push(c),
            None if c == escape => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            None if c == '"' || c == '\'' => quote = Some(c),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_quoted_spaces() {
        assert_eq!(
            split_words(r#"a "b c" 'd e' f\ g"#, '\\'),
            [r"a", r#""b c""#, "'d e'", r"f\ g"]
        );
        assert_eq!(unquote(r#""b c""#, '\\'), "b c");
        assert_eq!(unquote(r"f\ g", '\\'), "f g");
        assert_eq!(unquote(r#""say \"hi\"""#, '\\'), r#"say "hi""#);
        assert_eq!(split_words("a`  b", '`'), ["a` ", "b"]);
    }
}
