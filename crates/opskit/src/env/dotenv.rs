//! A `.env` parser that reads files exactly as the npm `dotenv` package does.
//!
//! Our users' apps load their environment with `dotenv`, so a checker that reads a `.env` file
//! differently (as most non-JavaScript tools do) reports on values the app never sees. This
//! parser follows dotenv's documented and observed behaviour, checked key by key against the
//! real package over a corpus of tricky files and thousands of generated ones
//! (`tests/dotenv_parity.rs`):
//!
//! - `KEY=value` and `KEY: value` (a colon and at least one space), an optional `export `
//!   prefix, keys of letters, digits, `_`, `.` and `-`;
//! - single, double and backtick quotes; a quoted value may span lines; inside double quotes
//!   only `\n` and `\r` are expanded (other backslashes stay as written); quotes are removed
//!   only when the value starts and ends with the same one;
//! - an unquoted value ends at `#` (a comment) or the end of the line, and is trimmed;
//! - CRLF and lone CR are line breaks; a byte order mark is whitespace;
//! - a key that appears twice takes its last value;
//! - lines that are not assignments are skipped.
//!
//! Nothing is ever executed or expanded here: `$(command)` and `${VAR}` are text.
//!
//! ```
//! let parsed = opskit::env::dotenv::parse("export A=1\nB=\"x\\ny\" # note\nC='multi\nline'\nA=2\n");
//! let map = parsed.map();
//! assert_eq!(map["A"], "2");
//! assert_eq!(map["B"], "x\ny");
//! assert_eq!(map["C"], "multi\nline");
//! assert_eq!((parsed.entries[1].key.as_str(), parsed.entries[1].line, parsed.entries[1].column), ("B", 2, 1));
//! ```

use std::collections::BTreeMap;

/// One assignment, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// The value as dotenv gives it to the app.
    pub value: String,
    /// The key's line, from 1.
    pub line: u32,
    /// The key's column in characters, from 1.
    pub column: u32,
    /// The quote the value was written in, if any.
    pub quote: Option<char>,
    /// The line the assignment ends on (a quoted value may span lines).
    pub end_line: u32,
}

/// A parsed file: every assignment in order, duplicates included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The assignments.
    pub entries: Vec<Entry>,
}

impl Parsed {
    /// What the app sees: each key with its last value.
    pub fn map(&self) -> BTreeMap<String, String> {
        self.entries
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect()
    }

    /// The entry that wins for `key` (the last one).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

/// JavaScript's `\s`.
fn js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// JavaScript's line terminators, where `^` and `$` match in multi-line mode.
fn line_end(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

struct Scanner<'a> {
    t: &'a [char],
}

impl Scanner<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.t.get(i).copied()
    }

    fn spaces_from(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(js_space) {
            i += 1;
        }
        i
    }

    fn line_start(&self, i: usize) -> bool {
        i == 0 || self.at(i - 1).is_some_and(line_end)
    }

    /// After a value: spaces, an optional `# comment`, then the end of a line. Returns where
    /// the match ends, trying the most spaces first as the regex engine does.
    fn tail(&self, from: usize) -> Option<usize> {
        let most = self.spaces_from(from);
        (from..=most).rev().find_map(|k| match self.at(k) {
            None => Some(k),
            Some(c) if line_end(c) => Some(k),
            Some('#') => {
                let mut e = k;
                while self.at(e).is_some_and(|c| !line_end(c)) {
                    e += 1;
                }
                Some(e)
            }
            Some(_) => None,
        })
    }

    /// A value starting at `v`, followed by the tail: (value end, match end).
    fn value(&self, v: usize) -> Option<(usize, usize)> {
        for q in ['\'', '"', '`'] {
            let a = self.spaces_from(v);
            if self.at(a) != Some(q) {
                continue;
            }
            // The body takes `\q` pairs and any other character but `q`; the greedy body stops
            // at the first unpaired quote, and backtracking can close at a paired one instead.
            let mut i = a + 1;
            let mut paired = Vec::new();
            loop {
                match (self.at(i), self.at(i + 1)) {
                    (Some('\\'), Some(n)) if n == q => {
                        paired.push(i + 1);
                        i += 2;
                    }
                    (Some(c), _) if c != q => i += 1,
                    _ => break,
                }
            }
            let greedy = (self.at(i) == Some(q)).then_some(i);
            for close in greedy.into_iter().chain(paired.into_iter().rev()) {
                if let Some(end) = self.tail(close + 1) {
                    return Some((close + 1, end));
                }
            }
        }
        let mut run = v;
        while self
            .at(run)
            .is_some_and(|c| !matches!(c, '#' | '\r' | '\n'))
        {
            run += 1;
        }
        for e in (v + 1..=run).rev() {
            if let Some(end) = self.tail(e) {
                return Some((e, end));
            }
        }
        self.tail(v).map(|end| (v, end))
    }

    /// Separator candidates after a key ending at `k`, in the order the regex tries them:
    /// `\s*=` then lazily more spaces; or `:` and at least one space, lazily.
    fn separators(&self, k: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let eq = self.spaces_from(k);
        if self.at(eq) == Some('=') {
            let mut p = eq + 1;
            out.push(p);
            while self.at(p).is_some_and(js_space) {
                p += 1;
                out.push(p);
            }
        }
        if self.at(k) == Some(':') && self.at(k + 1).is_some_and(js_space) {
            let mut p = k + 2;
            out.push(p);
            while self.at(p).is_some_and(js_space) {
                p += 1;
                out.push(p);
            }
        }
        out
    }

    /// An assignment whose match starts at line start `s`: (key start, key end, value start,
    /// value end, match end).
    fn assignment(&self, s: usize) -> Option<(usize, usize, usize, usize, usize)> {
        let k0 = self.spaces_from(s);
        let export: Vec<char> = "export".chars().collect();
        let with_export = self
            .t
            .get(k0..k0 + 6)
            .is_some_and(|w| w == export.as_slice())
            && self.at(k0 + 6).is_some_and(js_space);
        let starts = if with_export {
            vec![self.spaces_from(k0 + 6), k0]
        } else {
            vec![k0]
        };
        for k in starts {
            let mut kend = k;
            while self.at(kend).is_some_and(key_char) {
                kend += 1;
            }
            if kend == k {
                continue;
            }
            for v in self.separators(kend) {
                if let Some((vend, end)) = self.value(v) {
                    return Some((k, kend, v, vend, end));
                }
            }
        }
        None
    }
}

/// JavaScript's `String.prototype.trim`.
fn js_trim(s: &[char]) -> &[char] {
    let start = s.iter().position(|c| !js_space(*c)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|c| !js_space(*c))
        .map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// Removes a pair of quotes the way dotenv's multi-line, global replace does.
fn strip_quotes(v: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        let line_start = i == 0 || line_end(v[i - 1]);
        if line_start && matches!(v[i], '\'' | '"' | '`') {
            let q = v[i];
            let close = (i + 1..v.len())
                .rev()
                .find(|&j| v[j] == q && (j + 1 == v.len() || line_end(v[j + 1])));
            if let Some(j) = close {
                out.extend_from_slice(&v[i + 1..j]);
                i = j + 1;
                continue;
            }
        }
        out.push(v[i]);
        i += 1;
    }
    out
}

fn expand_escape(v: &[char], letter: char, to: char) -> Vec<char> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == '\\' && v.get(i + 1) == Some(&letter) {
            out.push(to);
            i += 2;
        } else {
            out.push(v[i]);
            i += 1;
        }
    }
    out
}

/// Parses `.env` text as dotenv does.
pub fn parse(source: &str) -> Parsed {
    let normalized = source.replace("\r\n", "\n").replace('\r', "\n");
    let t: Vec<char> = normalized.chars().collect();
    let sc = Scanner { t: &t };
    let mut line_of = Vec::with_capacity(t.len() + 1);
    let (mut line, mut col) = (1u32, 1u32);
    for &c in &t {
        line_of.push((line, col));
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    line_of.push((line, col));
    let mut entries = Vec::new();
    let mut pos = 0;
    while pos <= t.len() {
        let Some(s) = (pos..=t.len()).find(|&i| sc.line_start(i)) else {
            break;
        };
        match sc.assignment(s) {
            Some((k, kend, v, vend, end)) => {
                let raw = js_trim(&t[v..vend]);
                let quote = raw
                    .first()
                    .copied()
                    .filter(|c| matches!(c, '\'' | '"' | '`'));
                let mut value = strip_quotes(raw);
                if quote == Some('"') {
                    value = expand_escape(&expand_escape(&value, 'n', '\n'), 'r', '\r');
                }
                let (line, column) = line_of[k];
                let end_line = line_of[vend.saturating_sub(1).max(k)].0;
                entries.push(Entry {
                    key: t[k..kend].iter().collect(),
                    value: value.into_iter().collect(),
                    line,
                    column,
                    quote: quote.filter(|q| raw.len() >= 2 && raw.last() == Some(q)),
                    end_line,
                });
                pos = end.max(s + 1);
            }
            // Every line start up to the first non-space after `s` skips to that same place
            // (`\s*` crosses line breaks, as in the JavaScript regex), so it fails the same
            // way: going there at once keeps a run of blank lines linear, not quadratic.
            None => pos = sc.spaces_from(s).max(s + 1),
        }
    }
    Parsed { entries }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(src: &str) -> BTreeMap<String, String> {
        parse(src).map()
    }

    fn one(src: &str) -> Option<String> {
        let m = map(src);
        assert!(m.len() <= 1, "{m:?}");
        m.into_values().next()
    }

    #[test]
    fn basics() {
        assert_eq!(one("A=1"), Some("1".into()));
        assert_eq!(one("export D=1"), Some("1".into()));
        assert_eq!(map("export=1")["export"], "1");
        assert_eq!(one("A: x"), Some("x".into()));
        assert_eq!(one("A : x"), None);
        assert_eq!(one("A:x"), None);
        assert_eq!(one("A="), Some(String::new()));
        assert_eq!(one("A=   "), Some(String::new()));
        assert_eq!(one("  A  =  spaced out  "), Some("spaced out".into()));
        assert_eq!(one("not an assignment"), None);
        assert_eq!(map("A=1\nA=2")["A"], "2");
    }

    #[test]
    fn comments() {
        assert_eq!(one("A=abc#def"), Some("abc".into()));
        assert_eq!(one("A=abc # def"), Some("abc".into()));
        assert_eq!(one("A=\"abc#def\""), Some("abc#def".into()));
        assert_eq!(one("# A=1"), None);
        assert_eq!(one("A='x' # c"), Some("x".into()));
    }

    #[test]
    fn quotes() {
        assert_eq!(one("A='x'"), Some("x".into()));
        assert_eq!(one("A=`x`"), Some("x".into()));
        assert_eq!(one("A=\"x\\ny\""), Some("x\ny".into()));
        assert_eq!(
            one("A='x\\ny'"),
            Some("x\\ny".into()),
            "no escapes in single quotes"
        );
        assert_eq!(one("A=\"a\\\"b\""), Some("a\\\"b".into()), "\\\" stays");
        assert_eq!(one("A='a\\'b'"), Some("a\\'b".into()));
        assert_eq!(one("A=\"a\" b"), Some("\"a\" b".into()));
        assert_eq!(one("A=\"unterminated"), Some("\"unterminated".into()));
        assert_eq!(one("A=\"multi\nline\""), Some("multi\nline".into()));
        assert_eq!(
            one("A=\n'q'"),
            Some("q".into()),
            "a quoted value may start on the next line"
        );
    }

    #[test]
    fn line_breaks_and_bom() {
        assert_eq!(
            map("\u{feff}A=1\r\nB=2\rC=3"),
            [("A", "1"), ("B", "2"), ("C", "3")]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        );
    }

    #[test]
    fn positions() {
        let p = parse("\n\n  export KEY=1\nB=\"a\nb\"\nC=3");
        assert_eq!((p.entries[0].line, p.entries[0].column), (3, 10));
        assert_eq!((p.entries[1].line, p.entries[1].end_line), (4, 5));
        assert_eq!(p.entries[1].quote, Some('"'));
        assert_eq!(p.entries[2].line, 6);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for src in [
            "",
            "=",
            "\\",
            "'",
            "A='",
            "A=\"\\",
            "A=`\u{2028}`",
            "\u{2028}A=1\u{2029}",
            "A=\u{0}",
            "🦀=1\nA=🦀",
        ] {
            let _ = parse(src);
        }
    }
}
