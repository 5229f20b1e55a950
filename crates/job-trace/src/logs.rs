//! Log correlation: the lines of JSON or key=value logs that name a job, from files of any
//! size, in bounded memory.
//!
//! A line is read only up to [`MAX_LINE`] bytes (a longer one is skipped and counted), and is
//! parsed only when it holds one of the ids as bytes ([`memchr::memmem`]), so most lines of a
//! big log cost one substring search. A parsed line matches when one of its id fields
//! ([`DEFAULT_ID_FIELDS`] and `id_fields` of `[job-trace]`) holds one of the ids:
//! job-id fields (`jobId`, `job.id`, `job_id`, `bullmqJobId`) the job's id, and only when a
//! `queue` field, if the line has one, names the job's queue; request and trace fields
//! (`requestId`, `traceId`, `trace_id`, ...) any id being followed. A matched line's request
//! and trace ids join the followed ids (the frontend's request that enqueued the job shares
//! its `requestId`), and a file is read a second time when the first pass learned new ids.
//! Only matched lines are kept, at most `max_lines` in all.
//!
//! Shapes, told apart per line:
//!
//! | shape    | how it is told                                 | time           | level            | message   | service |
//! |----------|------------------------------------------------|----------------|------------------|-----------|---------|
//! | pino     | numeric `level`, numeric `time`                | `time` (ms)    | 10…60 → trace…fatal | `msg`  | `name`, `service` |
//! | bunyan   | numeric `level`, `v`, string `time`            | `time` (ISO)   | 10…60            | `msg`     | `name`  |
//! | winston  | string `level`, `message`                      | `timestamp`    | `level`          | `message` | `service` |
//! | railway  | `severity`, or `attributes` beside `message`   | `timestamp`    | `severity`/`level` | `message` | `service` |
//! | vercel   | `deploymentId`/`projectId`, or `source` lambda/edge/… | `timestamp` (ms) | `level`  | `message` | `source` |
//! | keyvalue | `key=value` pairs (logfmt)                     | `time`/`ts`    | `level`          | `msg`     | `service` |
//!
//! A platform's line whose `message` is itself a JSON log line (Railway and Vercel wrap what
//! the app printed) is read through: its fields are the app's.

use std::io::{BufRead, Read, Seek};

use memchr::memmem;
use serde_json::Value;

/// The longest line read; longer lines are skipped (and counted).
pub const MAX_LINE: usize = 1024 * 1024;
/// The most ids followed at once (the job's id and the request and trace ids learned).
pub const MAX_IDS: usize = 16;
/// Fields that name the job, as dotted paths.
pub const JOB_ID_FIELDS: [&str; 5] = ["jobId", "job.id", "job_id", "bullmqJobId", "job"];
/// Request and trace fields.
pub const TRACE_ID_FIELDS: [&str; 6] = [
    "requestId",
    "request_id",
    "traceId",
    "trace_id",
    "reqId",
    "req.id",
];
/// Every id field looked at by default.
pub const DEFAULT_ID_FIELDS: [&str; 11] = [
    "jobId",
    "job.id",
    "job_id",
    "bullmqJobId",
    "job",
    "requestId",
    "request_id",
    "traceId",
    "trace_id",
    "reqId",
    "req.id",
];

/// A log's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shape {
    /// pino.
    Pino,
    /// bunyan.
    Bunyan,
    /// winston's JSON format.
    Winston,
    /// `railway logs --json`.
    Railway,
    /// `vercel logs --json` and log drains.
    Vercel,
    /// Another JSON object per line.
    Json,
    /// `key=value` pairs.
    KeyValue,
}

impl Shape {
    /// Its name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Shape::Pino => "pino",
            Shape::Bunyan => "bunyan",
            Shape::Winston => "winston",
            Shape::Railway => "railway",
            Shape::Vercel => "vercel",
            Shape::Json => "json",
            Shape::KeyValue => "key=value",
        }
    }
}

/// A matched line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The source's name (its path, or `stdin`).
    pub source: String,
    /// The line's number in the source, from 1.
    pub line: u64,
    /// When, if the line says.
    pub time_ms: Option<i64>,
    /// Its level, as a word.
    pub level: Option<String>,
    /// The service or logger name.
    pub service: Option<String>,
    /// The message, bounded.
    pub message: String,
    /// Its shape (the app's, when a platform wrapped it: `vercel+pino`).
    pub shape: String,
    /// The id field that matched and its value.
    pub matched_by: (String, String),
}

/// What reading one source did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceStats {
    /// The source's name.
    pub source: String,
    /// Lines read (in the first pass).
    pub lines: u64,
    /// Bytes read (in the first pass).
    pub bytes: u64,
    /// Lines that matched.
    pub matched: u64,
    /// Matched lines not kept (over `max_lines`).
    pub dropped: u64,
    /// Lines over [`MAX_LINE`], skipped.
    pub too_long: u64,
    /// Lines that were not UTF-8 (read with replacement characters).
    pub not_utf8: u64,
    /// Passes made (2 when the first learned new ids and the source could be read again).
    pub passes: u32,
    /// The shapes of the matched lines.
    pub shapes: Vec<String>,
}

/// What correlation is looking for.
#[derive(Debug, Clone)]
pub struct Matcher {
    job_id: String,
    queue: String,
    ids: Vec<String>,
    fields: Vec<String>,
}

impl Matcher {
    /// A matcher for a job (`queue`, `job_id`), also following `extra_ids` (trace ids found
    /// in the job's data), with `extra_fields` as more id fields.
    pub fn new(
        queue: &str,
        job_id: &str,
        extra_ids: &[String],
        extra_fields: &[String],
    ) -> Matcher {
        let mut m = Matcher {
            job_id: job_id.to_owned(),
            queue: queue.to_owned(),
            ids: vec![job_id.to_owned()],
            fields: DEFAULT_ID_FIELDS.iter().map(|s| (*s).to_owned()).collect(),
        };
        for f in extra_fields {
            if !m.fields.contains(f) {
                m.fields.push(f.clone());
            }
        }
        for id in extra_ids {
            m.follow(id);
        }
        m
    }

    /// The ids followed.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Follows one more id (ignored past [`MAX_IDS`], and for ids too short to be one).
    pub fn follow(&mut self, id: &str) -> bool {
        if id.len() < 4 || self.ids.iter().any(|i| i == id) || self.ids.len() >= MAX_IDS {
            return false;
        }
        self.ids.push(id.to_owned());
        true
    }

    fn is_job_field(field: &str) -> bool {
        JOB_ID_FIELDS.contains(&field)
    }
}

/// A parsed line: its fields as JSON (key=value lines become an object of strings).
struct Parsed {
    fields: Value,
    shape: Shape,
    inner: Option<(Value, Shape)>,
}

fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    if let Some(direct) = v.get(path) {
        return Some(direct);
    }
    let mut cur = v;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur)
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn shape_of(v: &Value) -> Shape {
    let has = |k: &str| v.get(k).is_some();
    let level_num = v.get("level").is_some_and(Value::is_number);
    if has("deploymentId") || has("projectId") {
        return Shape::Vercel;
    }
    if let Some(src) = v.get("source").and_then(Value::as_str)
        && matches!(
            src,
            "lambda" | "edge" | "static" | "build" | "external" | "redirect" | "firewall"
        )
        && has("message")
    {
        return Shape::Vercel;
    }
    if level_num && has("v") && v.get("time").is_some_and(Value::is_string) {
        return Shape::Bunyan;
    }
    if level_num && v.get("time").is_some_and(Value::is_number) {
        return Shape::Pino;
    }
    if has("severity") && has("message") || has("attributes") && has("message") {
        return Shape::Railway;
    }
    if v.get("level").is_some_and(Value::is_string) && has("message") {
        return Shape::Winston;
    }
    Shape::Json
}

/// `key=value key2="a b"` pairs; `None` when the line has none.
fn key_values(line: &str) -> Option<Value> {
    let mut map = serde_json::Map::new();
    let mut rest = line;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let Some(eq) = rest.find('=') else { break };
        let key = &rest[..eq];
        if key.is_empty() || key.contains(char::is_whitespace) {
            // Skip a word that is not a pair.
            rest = rest.find(char::is_whitespace).map_or("", |i| &rest[i..]);
            continue;
        }
        let after = &rest[eq + 1..];
        let (value, next) = if let Some(q) = after.strip_prefix('"') {
            let mut end = None;
            let mut escaped = false;
            for (i, c) in q.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = Some(i);
                        break;
                    }
                    _ => escaped = false,
                }
            }
            match end {
                Some(i) => (q[..i].replace("\\\"", "\""), &q[i + 1..]),
                None => (q.to_owned(), ""),
            }
        } else {
            let i = after.find(char::is_whitespace).unwrap_or(after.len());
            (after[..i].to_owned(), &after[i..])
        };
        map.insert(key.to_owned(), Value::String(value));
        rest = next;
    }
    (!map.is_empty()).then_some(Value::Object(map))
}

fn parse(line: &str) -> Option<Parsed> {
    let t = line.trim();
    if t.starts_with('{') {
        let fields: Value = serde_json::from_str(t).ok()?;
        if !fields.is_object() {
            return None;
        }
        let shape = shape_of(&fields);
        let inner = fields
            .get("message")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|m| m.starts_with('{'))
            .and_then(|m| serde_json::from_str::<Value>(m).ok())
            .filter(Value::is_object)
            .map(|v| {
                let s = shape_of(&v);
                (v, s)
            });
        return Some(Parsed {
            fields,
            shape,
            inner,
        });
    }
    key_values(t).map(|fields| Parsed {
        fields,
        shape: Shape::KeyValue,
        inner: None,
    })
}

fn level_word(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(
            match n.as_u64()? {
                0..=10 => "trace",
                11..=20 => "debug",
                21..=30 => "info",
                31..=40 => "warn",
                41..=50 => "error",
                _ => "fatal",
            }
            .to_owned(),
        ),
        Value::String(s) => Some(s.to_ascii_lowercase()),
        _ => None,
    }
}

fn time_of(v: &Value) -> Option<i64> {
    for key in ["time", "timestamp", "ts", "@timestamp", "date"] {
        match v.get(key) {
            Some(Value::Number(n)) => {
                let x = n.as_f64()?;
                // Seconds (with a fraction) or milliseconds since the epoch.
                #[expect(clippy::cast_possible_truncation, reason = "epoch times fit i64")]
                return Some(if x < 1e11 {
                    (x * 1000.0) as i64
                } else {
                    x as i64
                });
            }
            Some(Value::String(s)) => {
                if let Some(ms) = opskit::time::parse_rfc3339_ms(s) {
                    return Some(ms);
                }
                if let Ok(n) = s.parse::<i64>() {
                    return Some(if n < 100_000_000_000 { n * 1000 } else { n });
                }
            }
            _ => {}
        }
    }
    None
}

fn text_of(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| v.get(*k).and_then(scalar))
        .filter(|s| !s.is_empty())
}

impl Matcher {
    /// The id field and value of `v` that make it the job's, if any.
    fn matches(&self, v: &Value) -> Option<(String, String)> {
        for field in &self.fields {
            let Some(value) = lookup(v, field).and_then(scalar) else {
                continue;
            };
            if Matcher::is_job_field(field) {
                let queue = ["queue", "queueName", "job.queue"]
                    .iter()
                    .find_map(|q| lookup(v, q).and_then(scalar));
                if value == self.job_id && queue.is_none_or(|q| q == self.queue) {
                    return Some((field.clone(), value));
                }
            } else if self.ids.contains(&value) {
                return Some((field.clone(), value));
            }
        }
        None
    }

    /// The request and trace ids of a matched line.
    fn learned(&self, v: &Value) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| !Matcher::is_job_field(f))
            .filter_map(|f| lookup(v, f).and_then(scalar))
            .collect()
    }
}

/// A line as read: its bytes, or the fact that it was too long to keep.
enum Line<'a> {
    Text(&'a [u8]),
    TooLong,
}

/// Reads lines of at most [`MAX_LINE`] bytes; a longer one is skipped whole and reported as
/// [`Line::TooLong`] in its place.
struct Lines<R> {
    inner: R,
    buf: Vec<u8>,
}

impl<R: BufRead> Lines<R> {
    /// The next line, `None` at the end. The bytes read are added to `bytes`.
    fn next_line(&mut self, bytes: &mut u64) -> std::io::Result<Option<Line<'_>>> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > MAX_LINE + 1 {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.inner.consume(take);
            *bytes += take as u64;
            if done {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        if too_long {
            return Ok(Some(Line::TooLong));
        }
        Ok(Some(Line::Text(&self.buf)))
    }
}

/// The kept form of a matched line.
fn line_of(
    name: &str,
    number: u64,
    text: &str,
    app: &Value,
    outer: &Value,
    shape: String,
    matched_by: (String, String),
) -> LogLine {
    let message = text_of(app, &["msg", "message", "event"])
        .or_else(|| text_of(outer, &["msg", "message"]))
        .unwrap_or_else(|| text.trim().to_owned());
    LogLine {
        source: name.to_owned(),
        line: number,
        time_ms: time_of(app).or_else(|| time_of(outer)),
        level: ["level", "severity"]
            .iter()
            .find_map(|k| app.get(*k).or_else(|| outer.get(*k)))
            .and_then(level_word),
        service: text_of(app, &["service", "name", "logger", "svc"])
            .or_else(|| text_of(outer, &["service", "serviceName", "source"])),
        message: opskit::render::cut(&message, 1000),
        shape,
        matched_by,
    }
}

/// What one pass over a source works with.
struct Pass<'a> {
    name: &'a str,
    matcher: &'a mut Matcher,
    /// Lines matched by an earlier pass.
    seen: &'a mut std::collections::BTreeSet<u64>,
    out: &'a mut Vec<LogLine>,
    max_lines: usize,
    stats: &'a mut SourceStats,
    /// The first pass counts lines, bytes and faults; the second does not count them again.
    first: bool,
}

/// One pass over a source: every matched line not in `seen`; true when it learned new ids.
fn pass<R: BufRead>(reader: R, p: &mut Pass<'_>) -> std::io::Result<bool> {
    let Pass {
        name,
        matcher,
        seen,
        out,
        max_lines,
        stats,
        first,
    } = p;
    let (name, max_lines, first) = (*name, *max_lines, *first);
    let mut lines = Lines {
        inner: reader,
        buf: Vec::with_capacity(8192),
    };
    let mut learned_any = false;
    let mut bytes = 0;
    let mut number = 0u64;
    let mut finders: Vec<memmem::Finder<'static>> = matcher
        .ids()
        .iter()
        .map(|id| memmem::Finder::new(id.as_bytes()).into_owned())
        .collect();
    while let Some(line) = lines.next_line(&mut bytes)? {
        number += 1;
        let Line::Text(raw) = line else {
            if first {
                stats.too_long += 1;
            }
            continue;
        };
        if seen.contains(&number) || !finders.iter().any(|f| f.find(raw).is_some()) {
            continue;
        }
        let text = if let Ok(t) = std::str::from_utf8(raw) {
            std::borrow::Cow::Borrowed(t)
        } else {
            if first {
                stats.not_utf8 += 1;
            }
            String::from_utf8_lossy(raw)
        };
        let Some(parsed) = parse(&text) else {
            continue;
        };
        let (app, app_shape) = parsed
            .inner
            .as_ref()
            .map_or((&parsed.fields, parsed.shape), |(v, s)| (v, *s));
        let Some(matched_by) = matcher
            .matches(app)
            .or_else(|| matcher.matches(&parsed.fields))
            .or_else(|| {
                parsed
                    .fields
                    .get("attributes")
                    .and_then(|a| matcher.matches(a))
            })
        else {
            continue;
        };
        seen.insert(number);
        stats.matched += 1;
        for id in matcher
            .learned(app)
            .into_iter()
            .chain(matcher.learned(&parsed.fields))
        {
            if matcher.follow(&id) {
                learned_any = true;
                finders.push(memmem::Finder::new(id.as_bytes()).into_owned());
            }
        }
        let shape = match &parsed.inner {
            Some(_) => format!("{}+{}", parsed.shape.as_str(), app_shape.as_str()),
            None => parsed.shape.as_str().to_owned(),
        };
        if !stats.shapes.contains(&shape) {
            stats.shapes.push(shape.clone());
        }
        if out.len() >= max_lines {
            stats.dropped += 1;
            continue;
        }
        out.push(line_of(
            name,
            number,
            &text,
            app,
            &parsed.fields,
            shape,
            matched_by,
        ));
    }
    if first {
        stats.lines = number;
        stats.bytes = bytes;
    }
    Ok(learned_any)
}

/// Where log lines come from.
#[derive(Debug)]
pub enum Input {
    /// A file, which can be read twice.
    File(std::path::PathBuf),
    /// A stream read once (stdin).
    Stream(String, Box<dyn ReadDebug>),
}

/// `Read` that can be debug-printed.
pub trait ReadDebug: Read + std::fmt::Debug {}
impl<T: Read + std::fmt::Debug> ReadDebug for T {}

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {error}")]
pub struct SourceError {
    /// The source.
    pub source_name: String,
    /// Why.
    pub error: std::io::Error,
}

/// Reads one source: its matched lines (appended to `out`, up to `max_lines` in all) and its
/// stats. `matcher` learns the ids it finds, for the next sources.
pub fn correlate(
    input: Input,
    matcher: &mut Matcher,
    out: &mut Vec<LogLine>,
    max_lines: usize,
) -> Result<SourceStats, SourceError> {
    let mut seen = std::collections::BTreeSet::new();
    let (name, mut file, stream) = match input {
        Input::File(path) => (path.display().to_string(), Some(path), None),
        Input::Stream(name, reader) => (name, None, Some(reader)),
    };
    let wrap = |error| SourceError {
        source_name: name.clone(),
        error,
    };
    let mut stats = SourceStats {
        source: name.clone(),
        passes: 1,
        ..SourceStats::default()
    };
    let mut p = Pass {
        name: &name,
        matcher,
        seen: &mut seen,
        out,
        max_lines,
        stats: &mut stats,
        first: true,
    };
    let capacity = 256 * 1024;
    if let Some(reader) = stream {
        // A stream is read once.
        pass(std::io::BufReader::with_capacity(capacity, reader), &mut p).map_err(wrap)?;
    } else if let Some(path) = file.take() {
        let mut f = std::fs::File::open(&path).map_err(wrap)?;
        let learned =
            pass(std::io::BufReader::with_capacity(capacity, &mut f), &mut p).map_err(wrap)?;
        if learned {
            f.rewind().map_err(wrap)?;
            p.first = false;
            p.stats.passes = 2;
            pass(std::io::BufReader::with_capacity(capacity, &mut f), &mut p).map_err(wrap)?;
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, queue: &str, id: &str) -> (Vec<LogLine>, SourceStats, Vec<String>) {
        let mut m = Matcher::new(queue, id, &[], &["tenantJob".to_owned()]);
        let mut out = Vec::new();
        let stats = correlate(
            Input::Stream("t".into(), Box::new(std::io::Cursor::new(text.to_owned()))),
            &mut m,
            &mut out,
            100,
        )
        .unwrap();
        (out, stats, m.ids().to_vec())
    }

    #[test]
    fn shapes_are_told_apart_and_read() {
        let text = concat!(
            r#"{"level":50,"time":1795748400123,"pid":1,"hostname":"w","name":"worker","jobId":"42","queue":"emails","msg":"send failed"}"#,
            "\n",
            r#"{"name":"api","hostname":"h","pid":2,"level":30,"msg":"queued","time":"2026-11-27T03:00:00.000Z","v":0,"job":{"id":"42"}}"#,
            "\n",
            r#"{"level":"warn","message":"retrying","timestamp":"2026-11-27T03:00:01Z","service":"worker","job_id":42}"#,
            "\n",
            r#"{"timestamp":"2026-11-27T03:00:02Z","message":"{\"level\":30,\"time\":1795748402000,\"jobId\":\"42\",\"msg\":\"inner\"}","severity":"info"}"#,
            "\n",
            r#"{"id":"x","message":"enqueued","timestamp":1795748399000,"source":"lambda","projectId":"p","level":"info","bullmqJobId":"42"}"#,
            "\n",
            "time=2026-11-27T03:00:03Z level=error msg=\"job 42 gave up\" jobId=42 service=worker\n",
            r#"{"level":30,"time":1795748400123,"jobId":"42","queue":"reports","msg":"another queue's job 42"}"#,
            "\n",
            r#"{"level":30,"time":1795748400123,"jobId":"420","msg":"job 420"}"#,
            "\n",
            "not a log line with 42 in it\n",
        );
        let (lines, stats, _) = run(text, "emails", "42");
        let shapes: Vec<&str> = lines.iter().map(|l| l.shape.as_str()).collect();
        assert_eq!(
            shapes,
            [
                "pino",
                "bunyan",
                "winston",
                "railway+pino",
                "vercel",
                "key=value"
            ]
        );
        assert_eq!(lines[0].level.as_deref(), Some("error"));
        assert_eq!(lines[0].service.as_deref(), Some("worker"));
        assert_eq!(lines[0].time_ms, Some(1_795_748_400_123));
        assert_eq!(lines[1].time_ms, Some(1_795_748_400_000));
        assert_eq!(lines[2].matched_by, ("job_id".to_owned(), "42".to_owned()));
        assert_eq!(lines[3].message, "inner");
        assert_eq!(lines[4].service.as_deref(), Some("lambda"));
        assert_eq!(lines[5].message, "job 42 gave up");
        assert_eq!(lines[5].level.as_deref(), Some("error"));
        assert_eq!(stats.lines, 9);
        assert_eq!(stats.matched, 6);
    }

    #[test]
    fn request_ids_are_followed_and_files_read_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        std::fs::write(
            &path,
            concat!(
                r#"{"level":30,"time":1,"requestId":"req-abc-123","msg":"POST /api/send"}"#,
                "\n",
                r#"{"level":30,"time":2,"jobId":"7","requestId":"req-abc-123","msg":"processing"}"#,
                "\n",
                r#"{"level":30,"time":3,"requestId":"req-other-9","msg":"unrelated"}"#,
                "\n",
            ),
        )
        .unwrap();
        let mut m = Matcher::new("q", "7", &[], &[]);
        let mut out = Vec::new();
        let stats = correlate(Input::File(path), &mut m, &mut out, 100).unwrap();
        assert_eq!(stats.passes, 2);
        let mut found: Vec<u64> = out.iter().map(|l| l.line).collect();
        found.sort_unstable();
        assert_eq!(found, [1, 2]);
        assert_eq!(m.ids(), ["7", "req-abc-123"]);
    }

    #[test]
    fn long_lines_and_bad_bytes_are_counted_not_fatal() {
        let mut text = "x".repeat(MAX_LINE + 10);
        text.push('\n');
        text.push_str("{\"jobId\":\"42\",\"msg\":\"ok \u{fffd}\"}\n");
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"{\"jobId\":\"42\",\"msg\":\"bad \xff\"}\n");
        let mut m = Matcher::new("q", "42", &[], &[]);
        let mut out = Vec::new();
        let stats = correlate(
            Input::Stream("s".into(), Box::new(std::io::Cursor::new(bytes))),
            &mut m,
            &mut out,
            1,
        )
        .unwrap();
        assert_eq!(
            (stats.too_long, stats.not_utf8, stats.matched, stats.dropped),
            (1, 1, 2, 1)
        );
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn configured_fields_count() {
        let (lines, _, _) = run("{\"tenantJob\":\"abcd-1\",\"msg\":\"x\"}\n", "q", "zzzz");
        assert!(lines.is_empty());
        let mut m = Matcher::new(
            "q",
            "zzzz",
            &["abcd-1".to_owned()],
            &["tenantJob".to_owned()],
        );
        let mut out = Vec::new();
        correlate(
            Input::Stream(
                "s".into(),
                Box::new(std::io::Cursor::new(
                    b"{\"tenantJob\":\"abcd-1\",\"msg\":\"x\"}\n".to_vec(),
                )),
            ),
            &mut m,
            &mut out,
            10,
        )
        .unwrap();
        assert_eq!(out.len(), 1);
    }
}
