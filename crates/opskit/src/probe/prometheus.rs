//! The Prometheus text exposition format (0.0.4) and OpenMetrics 1.0, read into families of
//! samples, plus what conditions need: selecting a sample by name and labels, estimating a
//! quantile from histogram buckets (Prometheus' `histogram_quantile`), and a counter's rate
//! between two scrapes.
//!
//! The parser never fails and never panics: a line it cannot read becomes a [`ParseError`] and
//! the rest of the exposition is still read.
//!
//! ```
//! use opskit::probe::prometheus::{parse, Selector};
//! let text = "# TYPE jobs_duration_seconds histogram\n\
//! jobs_duration_seconds_bucket{le=\"1\"} 90\n\
//! jobs_duration_seconds_bucket{le=\"5\"} 100\n\
//! jobs_duration_seconds_bucket{le=\"+Inf\"} 100\n";
//! let exposition = parse(text);
//! let p95 = exposition.quantile(0.95, &Selector::parse("jobs_duration_seconds").unwrap()).unwrap();
//! assert!((p95 - 3.0).abs() < 1e-9);
//! ```

use std::collections::BTreeMap;

/// A metric family's type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MetricType {
    /// Only goes up (resets to 0 on restart).
    Counter,
    /// Goes up and down.
    Gauge,
    /// Cumulative buckets, `_sum` and `_count`.
    Histogram,
    /// OpenMetrics' gauge histogram.
    GaugeHistogram,
    /// Quantiles, `_sum` and `_count`.
    Summary,
    /// OpenMetrics' stateset.
    StateSet,
    /// OpenMetrics' info.
    Info,
    /// No `# TYPE` line, `untyped` or `unknown`.
    #[default]
    Untyped,
}

impl MetricType {
    fn parse(s: &str) -> Option<MetricType> {
        Some(match s {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "gaugehistogram" => MetricType::GaugeHistogram,
            "summary" => MetricType::Summary,
            "stateset" => MetricType::StateSet,
            "info" => MetricType::Info,
            "untyped" | "unknown" => MetricType::Untyped,
            _ => return None,
        })
    }
}

/// An OpenMetrics exemplar: `# {trace_id="abc"} 0.67 1700000000.1`.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    /// Its labels.
    pub labels: Vec<(String, String)>,
    /// Its value.
    pub value: f64,
    /// Its timestamp in seconds.
    pub timestamp: Option<f64>,
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The sample's own name (`http_requests_total`, `x_bucket`).
    pub name: String,
    /// Labels, in the order written, values unescaped.
    pub labels: Vec<(String, String)>,
    /// The value (`+Inf`, `-Inf` and `NaN` included).
    pub value: f64,
    /// The timestamp as written: milliseconds in the Prometheus format, seconds in OpenMetrics.
    pub timestamp: Option<f64>,
    /// OpenMetrics exemplar.
    pub exemplar: Option<Exemplar>,
    /// 1-based line.
    pub line: u32,
}

impl Sample {
    /// A label's value.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A metric family: `# HELP`, `# TYPE`, `# UNIT` and its samples.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Family {
    /// The family's name (`jobs_duration_seconds` for its `_bucket`, `_sum`, `_count`).
    pub name: String,
    /// Its type.
    pub kind: MetricType,
    /// `# HELP`, unescaped.
    pub help: Option<String>,
    /// `# UNIT` (OpenMetrics).
    pub unit: Option<String>,
    /// Its samples.
    pub samples: Vec<Sample>,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// What is wrong.
    pub message: String,
}

/// A parsed exposition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposition {
    /// The families, in the order they first appear.
    pub families: Vec<Family>,
    /// Lines that could not be read.
    pub errors: Vec<ParseError>,
    /// OpenMetrics' `# EOF` was seen.
    pub eof: bool,
}

const SUFFIXES: &[&str] = &[
    "_bucket", "_count", "_sum", "_total", "_created", "_gcount", "_gsum", "_info",
];

/// Parses text in the Prometheus or OpenMetrics format.
pub fn parse(text: &str) -> Exposition {
    let mut out = Exposition::default();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if out.eof {
            out.errors.push(ParseError {
                line: line_no,
                message: "text after # EOF".to_owned(),
            });
            break;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim_start();
            if comment == "EOF" {
                out.eof = true;
                continue;
            }
            let mut parts = comment.splitn(3, ' ');
            let (keyword, name, rest) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
            );
            if !matches!(keyword, "HELP" | "TYPE" | "UNIT") || name.is_empty() {
                continue; // an ordinary comment
            }
            let f = family(&mut out, &mut index, name);
            match keyword {
                "HELP" => f.help = Some(unescape(rest, false)),
                "UNIT" => f.unit = Some(rest.to_owned()),
                _ => match MetricType::parse(rest.trim()) {
                    Some(t) => f.kind = t,
                    None => out.errors.push(ParseError {
                        line: line_no,
                        message: format!("unknown metric type `{}`", rest.trim()),
                    }),
                },
            }
            continue;
        }
        match sample(line, line_no) {
            Ok(s) => {
                let family_name = family_of(&s.name, &index);
                family(&mut out, &mut index, &family_name).samples.push(s);
            }
            Err(message) => out.errors.push(ParseError {
                line: line_no,
                message,
            }),
        }
    }
    out
}

fn family<'a>(
    out: &'a mut Exposition,
    index: &mut BTreeMap<String, usize>,
    name: &str,
) -> &'a mut Family {
    let i = *index.entry(name.to_owned()).or_insert_with(|| {
        out.families.push(Family {
            name: name.to_owned(),
            ..Family::default()
        });
        out.families.len() - 1
    });
    &mut out.families[i]
}

/// The family a sample belongs to: its name, or its name without a known suffix when a family
/// of that name was declared.
fn family_of(sample: &str, index: &BTreeMap<String, usize>) -> String {
    if index.contains_key(sample) {
        return sample.to_owned();
    }
    SUFFIXES
        .iter()
        .find_map(|s| {
            sample
                .strip_suffix(s)
                .filter(|base| index.contains_key(*base))
        })
        .unwrap_or(sample)
        .to_owned()
}

fn unescape(s: &str, quotes: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') | None => out.push('\\'),
            Some('"') if quotes => out.push('"'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

fn is_name_char(c: char, first: bool) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':' || (!first && c.is_ascii_digit())
}

/// Reads `{a="x",b="y"}` at the start of `s`; returns the labels and the rest.
/// Label pairs in the order written.
type Labels = Vec<(String, String)>;

fn labels(s: &str) -> Result<(Labels, &str), String> {
    let mut rest = s.strip_prefix('{').ok_or("expected `{`")?;
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix('}') {
            return Ok((out, r));
        }
        let end = rest
            .find(|c: char| !is_name_char(c, false))
            .unwrap_or(rest.len());
        if end == 0 {
            return Err(format!(
                "expected a label name at `{}`",
                rest.chars().take(20).collect::<String>()
            ));
        }
        let name = &rest[..end];
        rest = rest[end..]
            .trim_start()
            .strip_prefix('=')
            .ok_or_else(|| format!("expected `=` after label {name}"))?;
        rest = rest
            .trim_start()
            .strip_prefix('"')
            .ok_or_else(|| format!("label {name}: the value must be quoted"))?;
        let mut value_end = None;
        let mut escaped = false;
        for (i, c) in rest.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    value_end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let value_end =
            value_end.ok_or_else(|| format!("label {name}: the value is not closed"))?;
        out.push((name.to_owned(), unescape(&rest[..value_end], true)));
        rest = rest[value_end + 1..].trim_start();
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
        } else if !rest.starts_with('}') {
            return Err(format!("expected `,` or `}}` after label {name}"));
        }
    }
}

fn number(s: &str) -> Result<f64, String> {
    match s {
        "+Inf" | "Inf" | "+inf" | "inf" => Ok(f64::INFINITY),
        "-Inf" | "-inf" => Ok(f64::NEG_INFINITY),
        "NaN" | "nan" => Ok(f64::NAN),
        _ => s
            .parse::<f64>()
            .map_err(|_| format!("`{s}` is not a number")),
    }
}

fn sample(line: &str, line_no: u32) -> Result<Sample, String> {
    let end = line
        .find(|c: char| !is_name_char(c, false))
        .unwrap_or(line.len());
    let name = &line[..end];
    if name.is_empty() || !name.starts_with(|c: char| is_name_char(c, true)) {
        return Err(format!(
            "not a sample: `{}`",
            line.chars().take(40).collect::<String>()
        ));
    }
    let mut rest = &line[end..];
    let mut label_list = Vec::new();
    if rest.starts_with('{') {
        let (l, r) = labels(rest)?;
        label_list = l;
        rest = r;
    }
    let (main, exemplar_text) = match rest.split_once(" # ") {
        Some((m, e)) => (m, Some(e)),
        None => (rest, None),
    };
    let mut fields = main.split_whitespace();
    let value = number(
        fields
            .next()
            .ok_or_else(|| format!("{name} has no value"))?,
    )?;
    let timestamp = fields.next().map(number).transpose()?;
    if fields.next().is_some() {
        return Err(format!("{name}: unexpected text after the timestamp"));
    }
    let exemplar = exemplar_text
        .map(|e| -> Result<Exemplar, String> {
            let (l, r) = labels(e.trim_start())?;
            let mut f = r.split_whitespace();
            let value = number(f.next().ok_or("the exemplar has no value")?)?;
            let timestamp = f.next().map(number).transpose()?;
            Ok(Exemplar {
                labels: l,
                value,
                timestamp,
            })
        })
        .transpose()?;
    Ok(Sample {
        name: name.to_owned(),
        labels: label_list,
        value,
        timestamp,
        exemplar,
        line: line_no,
    })
}

/// How a label is matched.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// `=`
    Equal(String),
    /// `!=`
    NotEqual(String),
    /// `=~` (whole value)
    Regex(regex::Regex),
    /// `!~`
    NotRegex(regex::Regex),
}

/// A sample selector in PromQL's shape: `name{label="v",other!="x",code=~"5.."}`.
#[derive(Debug, Clone)]
pub struct Selector {
    /// The metric name.
    pub name: String,
    /// Label matchers.
    pub matchers: Vec<(String, Matcher)>,
}

/// A selector that does not parse: what was written and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SelectorError(String);

impl Selector {
    /// Parses a selector.
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        Self::parse_text(text).map_err(SelectorError)
    }

    fn parse_text(text: &str) -> Result<Selector, String> {
        let text = text.trim();
        let end = text.find('{').unwrap_or(text.len());
        let name = text[..end].trim();
        if name.is_empty()
            || !name
                .chars()
                .enumerate()
                .all(|(i, c)| is_name_char(c, i == 0))
        {
            return Err(format!("`{text}` does not start with a metric name"));
        }
        let mut matchers = Vec::new();
        if end < text.len() {
            let inner = text[end + 1..]
                .strip_suffix('}')
                .ok_or_else(|| format!("`{text}`: missing `}}`"))?;
            for part in split_matchers(inner) {
                let part = part.trim();
                if part.is_empty() {
                    continue;
                }
                let (label, op, value) = ["!=", "=~", "!~", "="]
                    .iter()
                    .find_map(|op| part.split_once(op).map(|(l, v)| (l.trim(), *op, v.trim())))
                    .ok_or_else(|| format!("`{part}`: use label=\"value\", !=, =~ or !~"))?;
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .ok_or_else(|| format!("`{part}`: quote the value"))?;
                let value = unescape(value, true);
                let regex = |v: &str| {
                    regex::Regex::new(&format!("^(?:{v})$")).map_err(|e| format!("`{part}`: {e}"))
                };
                let m = match op {
                    "=" => Matcher::Equal(value),
                    "!=" => Matcher::NotEqual(value),
                    "=~" => Matcher::Regex(regex(&value)?),
                    _ => Matcher::NotRegex(regex(&value)?),
                };
                matchers.push((label.to_owned(), m));
            }
        }
        Ok(Selector {
            name: name.to_owned(),
            matchers,
        })
    }

    /// Whether a sample matches (its name exactly, and every matcher; a missing label is "").
    pub fn matches(&self, s: &Sample) -> bool {
        s.name == self.name
            && self.matchers.iter().all(|(label, m)| {
                let v = s.label(label).unwrap_or("");
                match m {
                    Matcher::Equal(x) => v == x,
                    Matcher::NotEqual(x) => v != x,
                    Matcher::Regex(r) => r.is_match(v),
                    Matcher::NotRegex(r) => !r.is_match(v),
                }
            })
    }
}

/// Splits `a="x,y",b="z"` at the commas outside quotes.
fn split_matchers(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

impl Exposition {
    /// Every sample the selector matches.
    pub fn select<'a>(&'a self, selector: &'a Selector) -> impl Iterator<Item = &'a Sample> + 'a {
        self.families
            .iter()
            .flat_map(|f| f.samples.iter())
            .filter(|s| selector.matches(s))
    }

    /// The sum of the matching samples' values (`None` when nothing matches), like PromQL's
    /// `sum(selector)`.
    pub fn sum(&self, selector: &Selector) -> Option<f64> {
        let mut it = self.select(selector).peekable();
        it.peek()?;
        Some(it.map(|s| s.value).sum())
    }

    /// The `q` quantile (0..=1) of a histogram: its `NAME_bucket` samples matching the
    /// selector's labels, summed per `le` across series, as `histogram_quantile(q,
    /// sum by (le) (NAME_bucket{...}))` computes it.
    pub fn quantile(&self, q: f64, selector: &Selector) -> Option<f64> {
        let buckets_selector = Selector {
            name: format!("{}_bucket", selector.name),
            matchers: selector.matchers.clone(),
        };
        let mut by_le: Vec<(f64, f64)> = Vec::new();
        for s in self.select(&buckets_selector) {
            let le = number(s.label("le")?).ok()?;
            match by_le.iter_mut().find(|(l, _)| l.total_cmp(&le).is_eq()) {
                Some((_, c)) => *c += s.value,
                None => by_le.push((le, s.value)),
            }
        }
        histogram_quantile(q, &mut by_le)
    }
}

/// Prometheus' `histogram_quantile` over cumulative `(upper bound, count)` buckets: linear
/// interpolation inside the bucket the rank falls in; the lowest bucket starts at 0 (or at its
/// bound when that is negative); a rank in the `+Inf` bucket gives the highest finite bound.
/// `None` without an `+Inf` bucket or observations, or for q outside 0..=1 (NaN).
pub fn histogram_quantile(q: f64, buckets: &mut [(f64, f64)]) -> Option<f64> {
    if !(0.0..=1.0).contains(&q) {
        return None;
    }
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Counts must not decrease (scrapes of different moments can break that); Prometheus
    // repairs it the same way.
    let mut max = 0.0f64;
    for b in buckets.iter_mut() {
        max = max.max(b.1);
        b.1 = max;
    }
    let &(last_le, total) = buckets.last()?;
    if last_le < f64::INFINITY || buckets.len() < 2 || total <= 0.0 || total.is_nan() {
        return None;
    }
    let rank = q * total;
    let i = buckets.iter().position(|b| b.1 >= rank)?;
    if i == buckets.len() - 1 {
        return Some(buckets[buckets.len() - 2].0);
    }
    let (upper, count) = buckets[i];
    let (lower, below) = if i == 0 {
        (if upper <= 0.0 { upper } else { 0.0 }, 0.0)
    } else {
        buckets[i - 1]
    };
    if i == 0 && upper <= 0.0 {
        return Some(upper);
    }
    let in_bucket = count - below;
    if in_bucket <= 0.0 {
        return Some(upper);
    }
    Some(lower + (upper - lower) * ((rank - below) / in_bucket))
}

/// A counter's per-second rate between two scrapes `seconds` apart; a lower second value is a
/// restart (the counter reset), and then the second value itself is the increase, as PromQL's
/// `rate` treats resets.
pub fn rate(before: f64, after: f64, seconds: f64) -> Option<f64> {
    if seconds <= 0.0 || !before.is_finite() || !after.is_finite() {
        return None;
    }
    let increase = if after >= before {
        after - before
    } else {
        after
    };
    Some(increase / seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKER: &str = r#"# HELP process_cpu_user_seconds_total Total user CPU time spent in seconds.
# TYPE process_cpu_user_seconds_total counter
process_cpu_user_seconds_total 0.123456

# HELP nodejs_eventloop_lag_seconds Lag of event loop in seconds.
# TYPE nodejs_eventloop_lag_seconds gauge
nodejs_eventloop_lag_seconds 0.004
# HELP agent_jobs_total Jobs processed, by queue and outcome.
# TYPE agent_jobs_total counter
agent_jobs_total{queue="agent-tasks",status="completed"} 1200
agent_jobs_total{queue="agent-tasks",status="failed"} 12
# HELP agent_job_duration_seconds Job duration.
# TYPE agent_job_duration_seconds histogram
agent_job_duration_seconds_bucket{le="0.5",queue="agent-tasks"} 600
agent_job_duration_seconds_bucket{le="1",queue="agent-tasks"} 900
agent_job_duration_seconds_bucket{le="5",queue="agent-tasks"} 1180
agent_job_duration_seconds_bucket{le="+Inf",queue="agent-tasks"} 1212
agent_job_duration_seconds_sum{queue="agent-tasks"} 1500.5
agent_job_duration_seconds_count{queue="agent-tasks"} 1212
# TYPE rpc_latency summary
rpc_latency{quantile="0.99"} NaN
rpc_latency_sum 12 1700000000000
rpc_latency_count 3
weird{path="C:\\dir\"quoted\"\nnext",empty=""} -Inf
"#;

    #[test]
    fn reads_a_prom_client_exposition() {
        let e = parse(WORKER);
        assert!(e.errors.is_empty(), "{:?}", e.errors);
        let names: Vec<&str> = e.families.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "process_cpu_user_seconds_total",
                "nodejs_eventloop_lag_seconds",
                "agent_jobs_total",
                "agent_job_duration_seconds",
                "rpc_latency",
                "weird"
            ]
        );
        let hist = &e.families[3];
        assert_eq!((hist.kind, hist.samples.len()), (MetricType::Histogram, 6));
        let failed = Selector::parse(r#"agent_jobs_total{status="failed"}"#).unwrap();
        assert_eq!(e.sum(&failed), Some(12.0));
        let all = Selector::parse(r#"agent_jobs_total{status=~"completed|failed",queue!="other"}"#)
            .unwrap();
        assert_eq!(e.sum(&all), Some(1212.0));
        assert!(e.families[4].samples[0].value.is_nan());
        assert_eq!(
            e.families[4].samples[1].timestamp,
            Some(1_700_000_000_000.0)
        );
        let w = &e.families[5].samples[0];
        assert_eq!(w.label("path"), Some("C:\\dir\"quoted\"\nnext"));
        assert!(w.value.is_infinite() && w.value.is_sign_negative());
    }

    #[test]
    fn quantiles_like_prometheus() {
        let e = parse(WORKER);
        let s = Selector::parse("agent_job_duration_seconds").unwrap();
        // rank 0.5 * 1212 = 606: in (0.5, 1], 6 of its 300 into it.
        assert!((e.quantile(0.5, &s).unwrap() - (0.5 + 0.5 * 6.0 / 300.0)).abs() < 1e-9);
        // rank 0.95 * 1212 = 1151.4: in (1, 5], 251.4 of 280 into it.
        assert!((e.quantile(0.95, &s).unwrap() - (1.0 + 4.0 * 251.4 / 280.0)).abs() < 1e-9);
        // rank 0.99 * 1212 = 1199.88: in the +Inf bucket: the highest finite bound.
        assert_eq!(e.quantile(0.99, &s), Some(5.0));
        assert_eq!(e.quantile(1.5, &s), None);
        assert_eq!(
            histogram_quantile(0.5, &mut [(1.0, 5.0)]),
            None,
            "no +Inf bucket"
        );
        assert_eq!(
            histogram_quantile(0.5, &mut [(1.0, 0.0), (f64::INFINITY, 0.0)]),
            None,
            "no observations"
        );
        assert_eq!(
            histogram_quantile(0.5, &mut [(f64::INFINITY, 4.0), (1.0, 6.0)]),
            Some(0.5),
            "non-monotonic counts are repaired"
        );
    }

    #[test]
    fn openmetrics_exemplars_units_and_eof() {
        let text = "# TYPE http_requests counter\n# UNIT http_requests requests\nhttp_requests_total{code=\"200\"} 10 1700000000.5 # {trace_id=\"abc\"} 1.0 1700000000.1\nhttp_requests_created 1699999000\n# EOF\n";
        let e = parse(text);
        assert!(e.eof && e.errors.is_empty(), "{:?}", e.errors);
        let f = &e.families[0];
        assert_eq!(
            (f.kind, f.unit.as_deref(), f.samples.len()),
            (MetricType::Counter, Some("requests"), 2)
        );
        let ex = f.samples[0].exemplar.as_ref().unwrap();
        assert_eq!(
            (ex.labels[0].1.as_str(), ex.value, ex.timestamp),
            ("abc", 1.0, Some(1_700_000_000.1))
        );
        assert_eq!(parse("# EOF\nx 1\n").errors.len(), 1);
    }

    #[test]
    fn bad_lines_are_errors_not_panics() {
        let e = parse(
            "ok 1\n{broken 1\nx{a=b} 1\nx{a=\"b} 1\nx 1 2 3\nx abc\n# TYPE y sideways\nz 2\n",
        );
        assert_eq!(e.errors.len(), 6, "{:?}", e.errors);
        assert_eq!(e.families.iter().map(|f| f.samples.len()).sum::<usize>(), 2);
        for text in [
            "{",
            "x{",
            "x{a",
            "x{a=",
            "x{a=\"",
            "x{a=\"\\",
            "x 1 # {",
            "x 1 # {a=\"b\"}",
            "\u{0}",
            "é 1",
            "x{é=\"1\"} 1",
        ] {
            let _ = parse(text);
        }
    }

    #[test]
    fn arbitrary_text_never_panics() {
        let alphabet: Vec<char> =
            "ab_:{}=\",#\\ \n\t0123456789.+-eInfNaTYPEHELPUNITEOFé\u{0}\u{feff}le\"quantile"
                .chars()
                .collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut text = String::new();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for _ in 0..x % 80 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                text.push(alphabet[usize::try_from(x % alphabet.len() as u64).unwrap()]);
            }
            let e = parse(&text);
            let s = Selector {
                name: "a".to_owned(),
                matchers: Vec::new(),
            };
            let _ = (e.quantile(0.9, &s), e.sum(&s));
        }
    }

    #[test]
    fn selectors_and_rates() {
        assert!(Selector::parse("up").is_ok());
        assert!(Selector::parse("1up").is_err());
        assert!(Selector::parse("up{job=unquoted}").is_err());
        assert!(Selector::parse("up{job=~\"(\"}").is_err());
        let s = Selector::parse(r#"x{a="1,2"}"#).unwrap();
        assert!(matches!(&s.matchers[0].1, Matcher::Equal(v) if v == "1,2"));
        assert_eq!(rate(100.0, 160.0, 60.0), Some(1.0));
        assert_eq!(
            rate(100.0, 30.0, 10.0),
            Some(3.0),
            "a reset counts from zero"
        );
        assert_eq!(rate(1.0, 2.0, 0.0), None);
    }
}
