//! Heredocs (`RUN <<EOF`, `COPY <<-"EOF" /app/x`): where their markers stand in an
//! instruction, and reading their bodies from the lines that follow it.
//!
//! BuildKit reads a heredoc where a word starts with `<<` (not `<<<`, a here-string), in RUN,
//! COPY and ADD. `<<-` strips leading tabs from the body and the terminator; a quoted delimiter
//! (`<<'EOF'`, `<<"EOF"`) only switches off expansion in the body, so the body is read the same
//! way. Several heredocs in one instruction are read one after the other.

/// One heredoc marker found in an instruction's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// The terminator word.
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped.
    pub chomp: bool,
    /// The delimiter was quoted (no expansion in the body).
    pub quoted: bool,
}

/// The heredoc markers of `text`, in order. Markers inside quotes are not markers.
pub fn markers(text: &str) -> Vec<Marker> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == b'\\' && q == b'"' {
                i += 1;
            } else if c == q {
                quote = None;
            }
            i += 1;
        } else {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'\'' || c == b'"' {
                quote = Some(c);
                i += 1;
                continue;
            }
            let word_start = i == 0 || bytes[i - 1].is_ascii_whitespace();
            if c == b'<' && word_start && bytes.get(i + 1) == Some(&b'<') {
                if bytes.get(i + 2) == Some(&b'<') {
                    i += 3;
                    continue;
                }
                let (marker, next) = marker_at(text, i + 2);
                if let Some(m) = marker {
                    out.push(m);
                }
                i = next;
                continue;
            }
            i += 1;
        }
    }
    out
}

/// Reads a marker's delimiter starting at byte `i` (just past `<<`).
fn marker_at(text: &str, mut i: usize) -> (Option<Marker>, usize) {
    let bytes = text.as_bytes();
    let chomp = bytes.get(i) == Some(&b'-');
    if chomp {
        i += 1;
    }
    let quote = match bytes.get(i) {
        Some(&q @ (b'\'' | b'"')) => {
            i += 1;
            Some(q)
        }
        _ => None,
    };
    let start = i;
    while i < bytes.len() {
        let c = bytes[i];
        let stop = match quote {
            Some(q) => c == q,
            None => c.is_ascii_whitespace() || b";|&<>()\"'".contains(&c),
        };
        if stop {
            break;
        }
        i += 1;
    }
    let delimiter = &text[start..i];
    if quote.is_some() && i < bytes.len() {
        i += 1;
    }
    if delimiter.is_empty() {
        return (None, i.max(start));
    }
    (
        Some(Marker {
            delimiter: delimiter.to_owned(),
            chomp,
            quoted: quote.is_some(),
        }),
        i,
    )
}

/// Whether `line` ends the heredoc of `marker`.
pub fn is_terminator(marker: &Marker, line: &str) -> bool {
    let line = if marker.chomp {
        line.trim_start_matches('\t')
    } else {
        line
    };
    line == marker.delimiter
}

/// A body line as the heredoc delivers it.
pub fn body_line<'a>(marker: &Marker, line: &'a str) -> &'a str {
    if marker.chomp {
        line.trim_start_matches('\t')
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delims(text: &str) -> Vec<(String, bool, bool)> {
        markers(text)
            .into_iter()
            .map(|m| (m.delimiter, m.chomp, m.quoted))
            .collect()
    }

    #[test]
    fn finds_markers_of_every_shape() {
        assert_eq!(delims("<<EOF"), [("EOF".into(), false, false)]);
        assert_eq!(delims("<<-EOT bash"), [("EOT".into(), true, false)]);
        assert_eq!(delims("<<'EOF' /x"), [("EOF".into(), false, true)]);
        assert_eq!(
            delims("<<\"A\" <<B /dir/"),
            [("A".into(), false, true), ("B".into(), false, false)]
        );
        assert_eq!(delims("python3 <<EOF"), [("EOF".into(), false, false)]);
    }

    #[test]
    fn ignores_here_strings_quotes_and_glued_operators() {
        assert!(markers("cat <<< hi").is_empty());
        assert!(markers("echo '<<EOF'").is_empty());
        assert!(markers("echo \"a <<EOF\"").is_empty());
        assert!(markers("cat<<EOF").is_empty());
        assert!(markers("<<").is_empty());
        assert!(markers("<<'").is_empty());
    }

    #[test]
    fn terminators() {
        let m = markers("<<-EOF").remove(0);
        assert!(is_terminator(&m, "\t\tEOF"));
        assert!(!is_terminator(&m, "  EOF"));
        assert_eq!(body_line(&m, "\tx"), "x");
        let m = markers("<<EOF").remove(0);
        assert!(!is_terminator(&m, "\tEOF"));
    }
}
