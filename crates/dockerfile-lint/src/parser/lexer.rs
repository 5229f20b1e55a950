//! From text to logical lines: parser directives, comments, line continuations with the active
//! escape character, and heredoc bodies. One pass over the lines; nothing is looked at twice,
//! so time is linear in the size of the file.

use super::heredoc::{self, Marker};
use super::{Comment, Directives, Heredoc, ParseError};

/// One instruction's text before it is split into keyword, flags and arguments.
#[derive(Debug)]
pub(super) struct Logical {
    /// 1-based line of the keyword.
    pub line: u32,
    /// 1-based column of the keyword.
    pub column: u32,
    /// The last line the instruction spans (heredoc terminators included).
    pub end_line: u32,
    /// The text, continuations joined (escape character and newline removed), comment lines
    /// inside the continuation dropped.
    pub text: String,
    /// Heredoc bodies read after the instruction.
    pub heredocs: Vec<Heredoc>,
    /// A blank line inside the continuation (BuildKit's NoEmptyContinuation).
    pub empty_continuation: bool,
}

/// What the lexer found.
#[derive(Debug, Default)]
pub(super) struct Lexed {
    pub directives: Directives,
    pub logical: Vec<Logical>,
    pub comments: Vec<Comment>,
    pub errors: Vec<ParseError>,
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

fn column_of(line: &str, trimmed: &str) -> u32 {
    let indent = &line[..line.len() - trimmed.len()];
    u32::try_from(indent.chars().count() + 1).unwrap_or(u32::MAX)
}

/// `# key=value` at the top of the file.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim_start().strip_prefix('#')?;
    let (key, value) = rest.split_once('=')?;
    let key = key.trim();
    if key.is_empty()
        || !key.starts_with(|c: char| c.is_ascii_alphabetic())
        || !key.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    Some((key.to_ascii_lowercase(), value.trim().to_owned()))
}

/// Splits a physical line into its content and whether it continues on the next line.
fn continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    match trimmed.strip_suffix(escape) {
        Some(content) => (content, true),
        None => (line, false),
    }
}

fn is_heredoc_instruction(text: &str) -> bool {
    let keyword = text.split_ascii_whitespace().next().unwrap_or("");
    let keyword = if keyword.eq_ignore_ascii_case("ONBUILD") {
        text.split_ascii_whitespace().nth(1).unwrap_or("")
    } else {
        keyword
    };
    ["RUN", "COPY", "ADD"]
        .iter()
        .any(|k| keyword.eq_ignore_ascii_case(k))
}

#[expect(
    clippy::too_many_lines,
    reason = "one pass over the lines: directives, continuations and heredocs share the cursor"
)]
pub(super) fn lex(text: &str) -> Lexed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    // A final newline does not start an empty last line.
    let n = if text.ends_with('\n') {
        lines.len() - 1
    } else {
        lines.len()
    };
    let mut out = Lexed::default();
    let mut escape = '\\';
    let mut i = 0;

    // Parser directives: only before the first comment, blank line or instruction.
    while i < n {
        let Some((key, value)) = directive(lines[i]) else {
            break;
        };
        let seen = match key.as_str() {
            "syntax" => out.directives.syntax.replace(value.clone()).is_some(),
            "check" => out.directives.check.replace(value.clone()).is_some(),
            "escape" => {
                let seen = out.directives.escape_set;
                out.directives.escape_set = true;
                match value.as_str() {
                    "\\" => escape = '\\',
                    "`" => escape = '`',
                    _ => out.errors.push(ParseError {
                        line: line_no(i),
                        column: 1,
                        message: format!(
                            "invalid escape directive `{value}`: the escape character must be \\ or `"
                        ),
                    }),
                }
                seen
            }
            // An unknown directive is a comment, and ends the directives.
            _ => break,
        };
        if seen {
            out.errors.push(ParseError {
                line: line_no(i),
                column: 1,
                message: format!("the `{key}` parser directive is given twice"),
            });
        }
        out.comments.push(Comment {
            line: line_no(i),
            text: lines[i].trim_start()[1..].trim().to_owned(),
        });
        i += 1;
        out.directives.lines += 1;
    }
    out.directives.escape = escape;

    while i < n {
        let line = lines[i];
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            i += 1;
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            out.comments.push(Comment {
                line: line_no(i),
                text: comment.trim().to_owned(),
            });
            i += 1;
            continue;
        }
        let start = i;
        let column = column_of(line, trimmed);
        let mut logical = String::new();
        let mut current = trimmed;
        let mut empty_continuation = false;
        loop {
            let (content, continues) = continuation(current, escape);
            logical.push_str(content);
            if !continues {
                break;
            }
            i += 1;
            while i < n && {
                let t = lines[i].trim_start();
                empty_continuation |= t.is_empty();
                t.is_empty() || t.starts_with('#')
            } {
                i += 1;
            }
            if i >= n {
                break;
            }
            current = lines[i];
        }
        let mut end = i.min(n.saturating_sub(1));
        i += 1;
        let mut heredocs = Vec::new();
        if is_heredoc_instruction(&logical) {
            for marker in heredoc::markers(&logical) {
                let body_start = i;
                let mut body = String::new();
                let mut terminated = false;
                while i < n {
                    let l = lines[i];
                    i += 1;
                    if heredoc::is_terminator(&marker, l) {
                        terminated = true;
                        break;
                    }
                    body.push_str(heredoc::body_line(&marker, l));
                    body.push('\n');
                }
                end = i.saturating_sub(1).max(end);
                if !terminated {
                    out.errors.push(ParseError {
                        line: line_no(start),
                        column,
                        message: format!(
                            "the heredoc <<{} is never terminated: add a line `{}`",
                            marker.delimiter, marker.delimiter
                        ),
                    });
                }
                let Marker {
                    delimiter,
                    chomp,
                    quoted,
                } = marker;
                heredocs.push(Heredoc {
                    delimiter,
                    chomp,
                    quoted,
                    body,
                    line: line_no(body_start),
                });
            }
        }
        out.logical.push(Logical {
            line: line_no(start),
            column,
            end_line: line_no(end),
            text: logical,
            heredocs,
            empty_continuation,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_stop_at_the_first_other_line() {
        let l = lex("# syntax=docker/dockerfile:1\n# escape=`\n\n# check=skip=all\nFROM a\n");
        assert_eq!(l.directives.syntax.as_deref(), Some("docker/dockerfile:1"));
        assert_eq!(l.directives.escape, '`');
        assert_eq!(l.directives.check, None);
        assert_eq!(l.logical.len(), 1);
    }

    #[test]
    fn continuation_skips_comments_and_blank_lines() {
        let l = lex("RUN a \\\n# note\n\n  && b \\  \n  && c\nCMD x\n");
        assert_eq!(l.logical[0].text, "RUN a   && b   && c");
        assert_eq!((l.logical[0].line, l.logical[0].end_line), (1, 5));
        assert!(l.logical[0].empty_continuation);
        assert_eq!(l.logical[1].line, 6);
        assert!(!l.logical[1].empty_continuation);
    }

    #[test]
    fn backtick_escape() {
        let l = lex("# escape=`\nRUN dir c:\\ `\n  && echo\n");
        assert_eq!(l.logical[0].text, "RUN dir c:\\   && echo");
    }

    #[test]
    fn several_heredocs_then_an_instruction() {
        let l = lex("COPY <<A <<-B /x/\na\nA\n\tb\n\tB\nRUN x\n");
        assert_eq!(l.logical.len(), 2);
        assert_eq!(l.logical[0].heredocs[0].body, "a\n");
        assert_eq!(l.logical[0].heredocs[1].body, "b\n");
        assert_eq!(l.logical[0].end_line, 5);
        assert_eq!(l.logical[1].line, 6);
    }

    #[test]
    fn unterminated_heredoc_is_an_error() {
        let l = lex("RUN <<EOF\necho\n");
        assert_eq!(l.errors.len(), 1);
        assert!(l.errors[0].message.contains("never terminated"));
    }

    #[test]
    fn bom_crlf_and_columns() {
        let l = lex("\u{feff}FROM a\r\n  run b\r\n");
        assert_eq!(l.logical[0].text, "FROM a");
        assert_eq!(l.logical[1].column, 3);
    }
}
