//! The scanning engine: one Aho-Corasick pass over a file for every rule's keywords, then only
//! the rules whose keywords were seen run their patterns, on the lines around the keywords.
//!
//! ```
//! use opskit_secret_scan::engine::Engine;
//! let engine = Engine::new(&opskit_secret_scan::rules::all()).unwrap();
//! let hits = engine.scan("app.ts", b"const a = 1;\nconst b = 'no secret here';\n");
//! assert!(hits.is_empty());
//! ```

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use opskit::report::Severity;
use regex::bytes::Regex;

use crate::precision::{is_placeholder, looks_fake};
use crate::rules::{Candidate, Confidence, Rule, Scope};

/// At most this many bytes either side of a keyword are searched when its line is longer
/// (minified code), so one long line cannot make a rule's pattern run over megabytes.
const WINDOW: usize = 1024;

/// A secret found in a file.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The rule that found it.
    pub rule: &'static Rule,
    /// The secret itself. Never print it: redact it.
    pub secret: String,
    /// Byte range of the secret in the file.
    pub span: Range<usize>,
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
    /// The rule's confidence for this match.
    pub confidence: Confidence,
    /// The rule's severity, a level lower for a low-confidence match in a `.d.ts` file, a
    /// document or a comment.
    pub severity: Severity,
    /// How the secret was encoded where it stands, when it was decoded to be found
    /// (`base64 in a Kubernetes Secret`).
    pub via: Option<&'static str>,
}

struct Compiled {
    rule: &'static Rule,
    /// Compiled on the first file whose keywords call for the rule: a short run (one
    /// Dockerfile, one staged file) pays only for the rules it needs.
    patterns: std::sync::OnceLock<Vec<Regex>>,
}

fn compile(rule: &'static Rule) -> Result<Vec<Regex>, PatternError> {
    rule.patterns
        .iter()
        .map(|p| {
            regex::bytes::RegexBuilder::new(p)
                .size_limit(20 << 20)
                .build()
                .map_err(|e| PatternError {
                    code: rule.code,
                    reason: e.to_string(),
                })
        })
        .collect()
}

impl Compiled {
    fn patterns(&self) -> &[Regex] {
        // The registry's patterns compile (Engine::compile_all is tested); a broken one
        // would only ever match nothing.
        self.patterns
            .get_or_init(|| compile(self.rule).unwrap_or_default())
    }
}

/// A compiled rule set. Build it once and share it between threads (it is `Sync`).
pub struct Engine {
    rules: Vec<Compiled>,
    prefilter: AhoCorasick,
    /// For each keyword, the rules that listed it.
    keyword_rules: Vec<Vec<usize>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.len())
            .field("keywords", &self.keyword_rules.len())
            .finish_non_exhaustive()
    }
}

/// A rule's pattern that does not compile (a bug in the registry, or a bad custom rule).
#[derive(Debug, thiserror::Error)]
#[error("rule {code}: pattern does not compile: {reason}")]
pub struct PatternError {
    /// The rule.
    pub code: &'static str,
    /// The regex error.
    pub reason: String,
}

impl Engine {
    /// Builds the keyword prefilter; each rule's patterns are compiled when a file first
    /// needs them ([`Engine::compile_all`] compiles them all now).
    pub fn new(rules: &[&'static Rule]) -> Result<Engine, PatternError> {
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut compiled = Vec::with_capacity(rules.len());
        for (index, &rule) in rules.iter().enumerate() {
            compiled.push(Compiled {
                rule,
                patterns: std::sync::OnceLock::new(),
            });
            for kw in rule.keywords {
                let kw = kw.to_ascii_lowercase();
                if let Some(i) = keywords.iter().position(|k| *k == kw) {
                    keyword_rules[i].push(index);
                } else {
                    keywords.push(kw);
                    keyword_rules.push(vec![index]);
                }
            }
        }
        // A full DFA: an overlapping search cannot use the SIMD prefilters, so the automaton
        // walks every byte, and a DFA does that with one table lookup per byte (the default,
        // a contiguous NFA, follows failure links; it was 83% of a scan's time on 390 MB of
        // npm packages). About 200 keywords make a DFA of a few MiB, built once.
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&keywords)
            .map_err(|e| PatternError {
                code: "keywords",
                reason: e.to_string(),
            })?;
        Ok(Engine {
            rules: compiled,
            prefilter,
            keyword_rules,
        })
    }

    /// Compiles every rule's patterns now; the first that does not compile is the error.
    pub fn compile_all(&self) -> Result<(), PatternError> {
        for c in &self.rules {
            let patterns = compile(c.rule)?;
            let _ = c.patterns.set(patterns);
        }
        Ok(())
    }

    /// How many rules the engine runs.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Scans one file's bytes. `path` is only used for context (some rules judge by the file
    /// type). Hits are sorted by position, overlapping matches resolved, placeholders and
    /// obvious fakes dropped. Suppression pragmas are applied by the caller.
    pub fn scan(&self, path: &str, data: &[u8]) -> Vec<Hit> {
        let mut matches = self.prefilter.find_overlapping_iter(data).peekable();
        // Most files hold no keyword at all: they cost the one pass and nothing else.
        if matches.peek().is_none() {
            return Vec::new();
        }
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let mut windows: Vec<Vec<Range<usize>>> = vec![Vec::new(); self.rules.len()];
        let mut whole_file = vec![false; self.rules.len()];
        let mut last_line: Option<Range<usize>> = None;
        for m in matches {
            let line = match &last_line {
                Some(l) if l.start <= m.start() && m.end() <= l.end => l.clone(),
                _ => {
                    let l = line_around(data, m.start(), m.end());
                    last_line = Some(l.clone());
                    l
                }
            };
            for &r in &self.keyword_rules[m.pattern().as_usize()] {
                let rule = self.rules[r].rule;
                if !rule.files.is_empty() && !rule.files.contains(&name) {
                    continue;
                }
                if rule.scope == Scope::File {
                    whole_file[r] = true;
                    continue;
                }
                let window = match rule.window {
                    Some(narrow) => match narrow(data, m.range(), line.clone()) {
                        Some(w) => w,
                        None => continue,
                    },
                    None => line.clone(),
                };
                if windows[r].last() != Some(&window) {
                    windows[r].push(window);
                }
            }
        }
        let mut lines = LineIndex::default();
        let mut hits = Vec::new();
        for (r, compiled) in self.rules.iter().enumerate() {
            let ranges = if whole_file[r] {
                std::iter::once(0..data.len()).collect()
            } else {
                merge(std::mem::take(&mut windows[r]))
            };
            for range in ranges {
                for pattern in compiled.patterns() {
                    collect(
                        compiled.rule,
                        pattern,
                        path,
                        data,
                        range.clone(),
                        &mut lines,
                        &mut hits,
                    );
                }
            }
        }
        resolve_overlaps(hits)
    }
}

fn collect(
    rule: &'static Rule,
    pattern: &Regex,
    path: &str,
    data: &[u8],
    range: Range<usize>,
    lines: &mut LineIndex,
    hits: &mut Vec<Hit>,
) {
    let hay = &data[range.clone()];
    for caps in pattern.captures_iter(hay) {
        let Some(m) = caps.name("s").or_else(|| caps.get(0)) else {
            continue;
        };
        let Ok(secret) = std::str::from_utf8(m.as_bytes()) else {
            continue;
        };
        let span = range.start + m.start()..range.start + m.end();
        let multiline = rule.scope == Scope::File;
        if is_placeholder(secret) || looks_fake(secret, multiline) {
            continue;
        }
        let line_range = line_around(data, span.start, span.start);
        let line_text = String::from_utf8_lossy(&data[line_range.clone()]);
        let name = caps
            .name("n")
            .and_then(|n| std::str::from_utf8(n.as_bytes()).ok());
        let quoted = caps.name("q").is_some_and(|q| !q.is_empty());
        let candidate = Candidate {
            secret,
            name,
            quoted,
            line: &line_text,
            path,
            file: data,
            at: span.start,
        };
        if let Some(validate) = rule.validate
            && !validate(&candidate)
        {
            continue;
        }
        let (line, column) = lines.position(data, span.start);
        // A password on a command line in the docs that talks to this machine is a local
        // default (`redis-cli -a localdev123`), not a deployed credential.
        let confidence = if rule.code == "SEC071"
            && crate::precision::is_doc(path)
            && crate::precision::targets_local_host(&line_text)
        {
            Confidence::Low
        } else {
            rule.confidence
        };
        // A value found by its name alone, in a type declaration, a document or a comment, is
        // far more often an example than a deployed credential: it drops a level.
        let before = &data[line_range.start..span.start];
        let severity = if confidence == Confidence::Low
            && (crate::precision::is_doc(path)
                || path.ends_with(".d.ts")
                || crate::precision::in_comment(before))
        {
            match rule.severity {
                Severity::Error => Severity::Warning,
                _ => Severity::Note,
            }
        } else {
            rule.severity
        };
        hits.push(Hit {
            rule,
            secret: secret.to_owned(),
            span,
            line,
            column,
            confidence,
            severity,
            via: None,
        });
    }
}

/// A value cut by the window's edge is read on to its end, up to this many bytes more.
const MAX_VALUE_TAIL: usize = 64 << 10;

/// The line holding `start..end`, cut to [`WINDOW`] bytes either side on very long lines. A
/// cut never falls inside a value: where the window ends in the middle of a run of token
/// characters (a long key on a minified line), it is carried to the run's end, so a keyword's
/// secret is read whole however long the line.
fn line_around(data: &[u8], start: usize, end: usize) -> Range<usize> {
    let floor = start.saturating_sub(WINDOW);
    let ceil = (end + WINDOW).min(data.len());
    let from = memchr::memrchr(b'\n', &data[floor..start]).map_or(floor, |i| floor + i + 1);
    let to = if let Some(i) = memchr::memchr(b'\n', &data[end..ceil]) {
        end + i
    } else {
        let limit = (ceil + MAX_VALUE_TAIL).min(data.len());
        data[ceil..limit]
            .iter()
            .position(|&b| b.is_ascii_whitespace() || b"\"'`,;<>".contains(&b))
            .map_or(limit, |i| ceil + i)
    };
    from..to
}

/// Sorted, merged ranges (windows from neighbouring keywords overlap).
fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Where a more specific rule and a less specific one matched the same text, only the more
/// specific one is kept (provider over context over generic, then higher confidence), and the
/// same secret found twice by one rule is reported once.
fn resolve_overlaps(mut hits: Vec<Hit>) -> Vec<Hit> {
    let rank = |h: &Hit| (h.rule.kind, h.confidence);
    hits.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then_with(|| rank(b).cmp(&rank(a)))
            .then_with(|| a.rule.code.cmp(b.rule.code))
    });
    let mut keep = vec![true; hits.len()];
    for i in 0..hits.len() {
        for j in i + 1..hits.len() {
            if hits[j].span.start >= hits[i].span.end {
                break;
            }
            // Overlapping: drop the weaker one.
            let (weaker, _) = if rank(&hits[j]) > rank(&hits[i]) {
                (i, j)
            } else {
                (j, i)
            };
            keep[weaker] = false;
        }
    }
    let mut out: Vec<Hit> = hits
        .into_iter()
        .zip(keep)
        .filter_map(|(h, k)| k.then_some(h))
        .collect();
    out.dedup_by(|a, b| a.rule.code == b.rule.code && a.span == b.span);
    out
}

/// Line starts, built on the first position asked for (most files have no hit), then shared by
/// every later one.
#[derive(Default)]
pub(crate) struct LineIndex {
    starts: Option<Vec<usize>>,
}

impl LineIndex {
    /// Line (from 1) and column (in characters, from 1) of a byte offset of `data`.
    pub(crate) fn position(&mut self, data: &[u8], offset: usize) -> (u32, u32) {
        let starts = self.starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', data).map(|i| i + 1))
                .collect()
        });
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        let column = String::from_utf8_lossy(&data[start..offset])
            .chars()
            .count()
            + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }
}
