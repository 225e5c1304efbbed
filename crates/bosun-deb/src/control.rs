//! deb822 control data: the format of `Packages`, `Release`, `.sources` and `DEBIAN/control`
//! (Debian Policy §5.1). Parsing borrows from the input, so a 60 MB `Packages` file costs one
//! pass and no copies.

/// One paragraph: fields in file order, values trimmed and still folded (continuation lines
/// keep their newlines).
#[derive(Debug, Clone, Default)]
pub struct Paragraph<'a> {
    fields: Vec<(&'a str, &'a str)>,
    /// 1-based line of the paragraph's first field.
    pub line: usize,
}

impl<'a> Paragraph<'a> {
    /// The value of a field, matched case-insensitively as Policy says.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// All fields in order.
    pub fn fields(&self) -> &[(&'a str, &'a str)] {
        &self.fields
    }
}

/// A malformed line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct SyntaxError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: &'static str,
}

/// Splits deb822 text into paragraphs. `#` comment lines are skipped (allowed in `.sources`).
pub fn parse(text: &str) -> Result<Vec<Paragraph<'_>>, SyntaxError> {
    let mut out = Vec::new();
    let mut current = Paragraph::default();
    // (name, value start offset, value end offset) of the field being read
    let mut open: Option<(&str, usize, usize)> = None;
    let mut offset = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line_no = index + 1;
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            if let Some((k, s, e)) = open.take() {
                current.fields.push((k, text[s..e].trim()));
            }
            if !current.fields.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match open.as_mut() {
                Some((_, _, end)) => *end = start + line.len(),
                None => {
                    return Err(SyntaxError {
                        line: line_no,
                        message: "continuation line without a field",
                    });
                }
            }
            continue;
        }
        let Some(colon) = line.find(':') else {
            return Err(SyntaxError {
                line: line_no,
                message: "expected `Field: value`",
            });
        };
        let name = &line[..colon];
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(SyntaxError {
                line: line_no,
                message: "malformed field name",
            });
        }
        if let Some((k, s, e)) = open.take() {
            current.fields.push((k, text[s..e].trim()));
        }
        if current.fields.is_empty() {
            current.line = line_no;
        }
        open = Some((name, start + colon + 1, start + line.len()));
    }
    if let Some((k, s, e)) = open.take() {
        current.fields.push((k, text[s..e].trim()));
    }
    if !current.fields.is_empty() {
        out.push(current);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_fields_and_continuations() {
        let text =
            "Package: a\nDepends: b,\n c\n\n# comment\nPackage: d\r\nDescription: x\n .\n y\n";
        let ps = parse(text).unwrap();
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].get("depends"), Some("b,\n c"));
        assert_eq!(ps[1].get("Package"), Some("d"));
        assert_eq!(ps[1].line, 6);
        assert_eq!(ps[1].get("Description"), Some("x\n .\n y"));
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse("A: b\nnonsense\n").unwrap_err().line, 2);
        assert_eq!(parse(" leading\n").unwrap_err().line, 1);
    }
}
