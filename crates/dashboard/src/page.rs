//! The HTML pages: rendered on the server from the [`api`] views, readable without
//! JavaScript (every chart has its table), with one nonce'd script that draws the charts as
//! inline SVG from the page's JSON block and refreshes the page.
//!
//! Every value that comes from outside (names, reasons, failure texts) goes through [`Esc`];
//! markup is only ever a literal of this file.

use std::fmt::{self, Write as _};

use std::collections::BTreeMap;

use serde::Serialize;

use crate::api::{self, BackupsView, Overview, QueueView, TargetView, UptimeView, at};

/// Seconds between refreshes of an open page.
pub const REFRESH_SECS: u32 = 30;

const STYLE: &str = include_str!("../assets/style.css");
const SCRIPT: &str = include_str!("../assets/app.js");

/// One chart of a page's data block, as `assets/app.js` draws it.
#[derive(Debug, Serialize)]
struct Chart {
    unit: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    bars: bool,
    series: Vec<Line>,
}

/// One line of a chart: `[t, value]` points, `null` where there is no value.
#[derive(Debug, Serialize)]
struct Line {
    name: &'static str,
    points: Vec<(i64, Option<f64>)>,
}

/// A page's data block: its charts by the id of their `<figure>`.
#[derive(Debug, Default, Serialize)]
struct Data {
    charts: BTreeMap<String, Chart>,
}

/// Text escaped for HTML content and attribute values.
#[derive(Debug, Clone, Copy)]
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            match c {
                '&' => f.write_str("&amp;")?,
                '<' => f.write_str("&lt;")?,
                '>' => f.write_str("&gt;")?,
                '"' => f.write_str("&quot;")?,
                '\'' => f.write_str("&#39;")?,
                c if c.is_control() && c != '\n' && c != '\t' => {
                    write!(f, "\\u{{{:x}}}", u32::from(c))?;
                }
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// Which page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// `/`.
    Overview,
    /// `/targets`.
    Targets,
    /// `/queues`.
    Queues,
    /// `/backups`.
    Backups,
}

/// What a page is made of.
#[derive(Debug)]
pub struct Page<'a> {
    /// The title.
    pub title: &'a str,
    /// The nonce of this response's script and style.
    pub nonce: &'a str,
    /// The public page: no navigation to the private views.
    pub public: bool,
    /// Now (unix seconds).
    pub now: i64,
}

/// `12m`, `3h05m`, `2d04h`.
pub fn duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// `2026-12-06 01:23 UTC`.
fn when(t: i64) -> String {
    let text = at(t);
    text.get(..16)
        .map_or(text.clone(), |s| format!("{} UTC", s.replace('T', " ")))
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}%"))
}

fn num(v: Option<u32>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

impl Page<'_> {
    fn head(&self, out: &mut String, view: View) {
        let name = match view {
            View::Overview => "Overview",
            View::Targets => "Health",
            View::Queues => "Queues",
            View::Backups => "Backups",
        };
        let _ = write!(
            out,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"color-scheme\" content=\"light dark\"><meta name=\"referrer\" content=\"no-referrer\"><link rel=\"icon\" href=\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%232f6fdb'/%3E%3C/svg%3E\"><title>{} · {}</title><style nonce=\"{}\">{STYLE}</style><noscript><meta http-equiv=\"refresh\" content=\"{REFRESH_SECS}\"></noscript></head>\n<body data-view=\"{}\"><header><h1>{}</h1>",
            Esc(name),
            Esc(self.title),
            Esc(self.nonce),
            name.to_ascii_lowercase(),
            Esc(self.title),
        );
        if !self.public {
            out.push_str("<nav aria-label=\"views\">");
            for (v, href, label) in [
                (View::Overview, "/", "Overview"),
                (View::Targets, "/targets", "Health"),
                (View::Queues, "/queues", "Queues"),
                (View::Backups, "/backups", "Backups"),
            ] {
                let current = if v == view {
                    " aria-current=\"page\""
                } else {
                    ""
                };
                let _ = write!(out, "<a href=\"{href}\"{current}>{label}</a>");
            }
            out.push_str("</nav>");
        }
        let _ = write!(
            out,
            "<p class=\"updated\">Updated <time datetime=\"{}\">{}</time> · refreshes every {REFRESH_SECS}s</p></header>\n<main>",
            Esc(&at(self.now)),
            Esc(&when(self.now))
        );
    }

    fn foot(&self, out: &mut String, data: &Data, api: &str) {
        let _ = write!(
            out,
            "</main>\n<footer>opskit serve {} · <a href=\"{api}\">JSON</a></footer>\n<script type=\"application/json\" id=\"opskit-data\" nonce=\"{}\">{}</script>\n<script nonce=\"{}\">{SCRIPT}</script>\n</body></html>\n",
            env!("CARGO_PKG_VERSION"),
            Esc(self.nonce),
            api::json(data),
            Esc(self.nonce),
        );
    }

    /// The overview; on the public page with the uptime table.
    pub fn overview(&self, o: &Overview, uptime: &[UptimeView]) -> String {
        let mut out = String::with_capacity(8 * 1024);
        self.head(&mut out, View::Overview);
        let banner = match o.colour {
            "green" => "All systems operational",
            "amber" => "Some systems degraded",
            _ => "Some systems down",
        };
        let _ = write!(
            out,
            "<p class=\"banner {}\" role=\"status\">{banner}</p>",
            o.colour
        );
        if let Some(e) = &o.history_error {
            let _ = write!(
                out,
                "<p class=\"banner amber\">The history is not being written: {}</p>",
                Esc(e)
            );
        }
        out.push_str("<ul class=\"services\">");
        for s in &o.services {
            let _ = write!(
                out,
                "<li class=\"service {c}\" data-status=\"{st}\"><span class=\"dot\" aria-hidden=\"true\"></span><div><h2>{n}</h2><p class=\"state\">{st}</p><p class=\"reason\">{r}</p>",
                c = s.colour,
                st = s.status,
                n = Esc(&s.name),
                r = Esc(&s.reason),
            );
            if let Some(t) = s.since {
                let _ = write!(
                    out,
                    "<p class=\"since\">since <time datetime=\"{}\">{}</time> ({} ago)</p>",
                    Esc(&at(t)),
                    Esc(&when(t)),
                    duration(self.now - t)
                );
            }
            out.push_str("</div></li>");
        }
        if o.services.is_empty() {
            out.push_str("<li class=\"service grey\"><div><h2>Starting</h2><p class=\"reason\">the first checks are running</p></div></li>");
        }
        out.push_str("</ul>");
        if !uptime.is_empty() {
            out.push_str("<section><h2>Uptime</h2><div class=\"scroll\"><table class=\"uptime\"><thead><tr><th>Service</th><th>24 hours</th><th>7 days</th><th>30 days</th></tr></thead><tbody>");
            for u in uptime {
                let _ = write!(
                    out,
                    "<tr><td><span class=\"dot {}\" aria-hidden=\"true\"></span>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    u.colour,
                    Esc(&u.name),
                    pct(u.uptime.day),
                    pct(u.uptime.week),
                    pct(u.uptime.month)
                );
            }
            out.push_str("</tbody></table></div></section>");
        }
        self.foot(&mut out, &Data::default(), "/api/v1/overview");
        out
    }

    /// `/targets`.
    pub fn targets(&self, targets: &[TargetView]) -> String {
        let mut out = String::with_capacity(64 * 1024);
        self.head(&mut out, View::Targets);
        let mut data = Data::default();
        if targets.is_empty() {
            out.push_str("<p class=\"empty\">No health targets: add [[health-probe.targets]] to opskit.toml.</p>");
        }
        for (i, t) in targets.iter().enumerate() {
            let id = format!("latency-{i}");
            let _ = write!(
                out,
                "<section class=\"target {c}\" id=\"target-{i}\" data-target=\"{n}\"><h2><span class=\"dot\" aria-hidden=\"true\"></span>{n} <span class=\"state\">{st}</span></h2><p class=\"reason\">{r}</p>",
                c = t.colour,
                st = t.status,
                n = Esc(&t.name),
                r = Esc(&t.reason)
            );
            let _ = write!(
                out,
                "<dl class=\"stats\"><div><dt>Uptime 24h</dt><dd>{}</dd></div><div><dt>7 days</dt><dd>{}</dd></div><div><dt>30 days</dt><dd>{}</dd></div><div><dt>Latency</dt><dd>{}</dd></div></dl>",
                pct(t.uptime.day),
                pct(t.uptime.week),
                pct(t.uptime.month),
                t.latency_ms
                    .map_or_else(|| "–".to_owned(), |l| format!("{l:.0} ms"))
            );
            let _ = write!(
                out,
                "<figure class=\"chart\" data-chart=\"{id}\"><figcaption>Latency, last 24 hours (ms)</figcaption></figure>"
            );
            let line = |name, f: fn(&api::LatencyPoint) -> Option<f64>| Line {
                name,
                points: t.latency.iter().map(|p| (p.t, f(p))).collect(),
            };
            data.charts.insert(
                id,
                Chart {
                    unit: "ms",
                    bars: false,
                    series: vec![line("mean", |p| p.avg_ms), line("slowest", |p| p.max_ms)],
                },
            );
            out.push_str("<details class=\"data\" open><summary>Latency by hour (table)</summary><div class=\"scroll\"><table><thead><tr><th>Hour</th><th>Mean</th><th>Slowest</th><th>Up</th></tr></thead><tbody>");
            for (hour, mean, max, up) in hourly(&t.latency) {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1}%</td></tr>",
                    Esc(&when(hour)),
                    mean.map_or_else(|| "–".to_owned(), |v| format!("{v:.0} ms")),
                    max.map_or_else(|| "–".to_owned(), |v| format!("{v:.0} ms")),
                    up * 100.0
                );
            }
            out.push_str("</tbody></table></div></details>");
            out.push_str("<h3>Incidents</h3>");
            if t.incidents.is_empty() {
                out.push_str("<p class=\"empty\">No incidents in the history.</p>");
            } else {
                out.push_str("<div class=\"scroll\"><table class=\"incidents\"><thead><tr><th>Down</th><th>Recovered</th><th>Duration</th><th>Reason</th></tr></thead><tbody>");
                for inc in &t.incidents {
                    let _ = write!(
                        out,
                        "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        if inc.ongoing { "ongoing" } else { "closed" },
                        Esc(&when(inc.start)),
                        inc.end.map_or_else(|| "ongoing".to_owned(), when),
                        duration(inc.duration_s),
                        Esc(&inc.reason)
                    );
                }
                out.push_str("</tbody></table></div>");
            }
            out.push_str("</section>");
        }
        self.foot(&mut out, &data, "/api/v1/targets");
        out
    }

    /// `/queues`.
    pub fn queues(&self, queues: &[QueueView]) -> String {
        let mut out = String::with_capacity(32 * 1024);
        self.head(&mut out, View::Queues);
        let mut data = Data::default();
        if queues.is_empty() {
            out.push_str("<p class=\"empty\">No queues read yet: queue-depth runs with [queue-depth] of opskit.toml, or REDIS_URL.</p>");
        }
        for (i, q) in queues.iter().enumerate() {
            let id = format!("queue-{i}");
            let n = &q.now;
            let _ = write!(
                out,
                "<section class=\"queue {c}\" id=\"queue-{i}\" data-queue=\"{name}\"><h2><span class=\"dot\" aria-hidden=\"true\"></span>{name} <span class=\"state\">{st}</span></h2><p class=\"reason\">{r}</p><dl class=\"stats\"><div><dt>Depth</dt><dd data-k=\"depth\">{}</dd></div><div><dt>Active</dt><dd data-k=\"active\">{}</dd></div><div><dt>Failed</dt><dd data-k=\"failed\">{}</dd></div><div><dt>Delayed</dt><dd data-k=\"delayed\">{}</dd></div><div><dt>Stalled</dt><dd data-k=\"stalled\">{}</dd></div><div><dt>Oldest waiting</dt><dd data-k=\"oldest\">{}</dd></div></dl>",
                num(n.depth),
                num(n.active),
                num(n.failed),
                num(n.delayed),
                num(n.stalled),
                n.oldest_age_s
                    .map_or_else(|| "–".to_owned(), |s| duration(i64::from(s))),
                c = q.colour,
                st = q.status,
                name = Esc(&q.name),
                r = Esc(&q.reason),
            );
            let _ = write!(
                out,
                "<figure class=\"chart\" data-chart=\"{id}\"><figcaption>Jobs, last 24 hours</figcaption></figure>"
            );
            let line = |name, f: fn(&api::QueuePoint) -> Option<u32>| Line {
                name,
                points: q
                    .series
                    .iter()
                    .map(|p| (p.t, f(p).map(f64::from)))
                    .collect(),
            };
            data.charts.insert(
                id,
                Chart {
                    unit: "jobs",
                    bars: false,
                    series: vec![
                        line("depth", |p| p.counts.depth),
                        line("active", |p| p.counts.active),
                        line("failed", |p| p.counts.failed),
                        line("delayed", |p| p.counts.delayed),
                    ],
                },
            );
            out.push_str("<details class=\"data\" open><summary>Jobs by hour (table)</summary><div class=\"scroll\"><table><thead><tr><th>Hour</th><th>Depth</th><th>Active</th><th>Failed</th><th>Delayed</th></tr></thead><tbody>");
            let mut last_hour = None;
            for p in q.series.iter().rev() {
                let hour = p.t.div_euclid(3600) * 3600;
                if last_hour == Some(hour) {
                    continue;
                }
                last_hour = Some(hour);
                let c = &p.counts;
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    Esc(&when(p.t)),
                    num(c.depth),
                    num(c.active),
                    num(c.failed),
                    num(c.delayed)
                );
            }
            out.push_str(
                "</tbody></table></div></details><h3>Top failure causes, last 24 hours</h3>",
            );
            if q.causes.is_empty() {
                out.push_str("<p class=\"empty\">No failed jobs in the last 24 hours.</p>");
            } else {
                out.push_str("<div class=\"scroll\"><table class=\"causes\"><thead><tr><th>Jobs</th><th>Cause (first line of failedReason)</th><th>Job names</th><th>Last</th></tr></thead><tbody>");
                for c in &q.causes {
                    let names = c
                        .names
                        .iter()
                        .map(|(k, v)| format!("{k} ×{v}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td class=\"cause\">{}</td><td>{}</td><td>{}</td></tr>",
                        c.count,
                        Esc(&c.reason),
                        Esc(&names),
                        Esc(&when(c.last_ms.div_euclid(1000)))
                    );
                }
                out.push_str("</tbody></table></div>");
            }
            out.push_str("</section>");
        }
        self.foot(&mut out, &data, "/api/v1/queues");
        out
    }

    /// `/backups`.
    pub fn backups(&self, b: &BackupsView) -> String {
        let mut out = String::with_capacity(16 * 1024);
        self.head(&mut out, View::Backups);
        if !b.monitored {
            out.push_str(
                "<p class=\"empty\">Backups are not monitored: add [db-backup] to opskit.toml.</p>",
            );
        }
        let _ = write!(
            out,
            "<section class=\"backups {}\"><h2><span class=\"dot\" aria-hidden=\"true\"></span>Backups <span class=\"state\">{}</span></h2><p class=\"reason\">{}</p><dl class=\"stats\">",
            b.colour,
            b.status,
            Esc(&b.reason)
        );
        let newest = match (&b.newest_verified, b.newest_verified_age_s) {
            (Some(p), Some(age)) => format!("{} ago · {}", duration(age), size(p.bytes)),
            _ => "none".to_owned(),
        };
        let verify = b.last_verify.as_ref().map_or_else(
            || "never".to_owned(),
            |v| {
                let result = if v.ok { "passed" } else { "FAILED" };
                let error = v
                    .error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default();
                format!("{result} ({}) at {}{error}", v.level, v.at)
            },
        );
        let _ = write!(
            out,
            "<div><dt>Newest verified backup</dt><dd data-k=\"newest\">{}</dd></div><div><dt>Last verification</dt><dd data-k=\"verify\">{}</dd></div><div><dt>Backups</dt><dd>{}</dd></div></dl>",
            Esc(&newest),
            Esc(&verify),
            b.backups.len()
        );
        out.push_str("<figure class=\"chart\" data-chart=\"backup-size\"><figcaption>Backup size (MB), by backup</figcaption></figure>");
        #[expect(clippy::cast_precision_loss, reason = "sizes as chart values")]
        let points = b
            .backups
            .iter()
            .map(|p| {
                (
                    p.started,
                    Some((p.bytes as f64 / 1e6 * 1000.0).round() / 1000.0),
                )
            })
            .collect();
        let mut data = Data::default();
        data.charts.insert(
            "backup-size".to_owned(),
            Chart {
                unit: "MB",
                bars: true,
                series: vec![Line {
                    name: "size",
                    points,
                }],
            },
        );
        out.push_str("<details class=\"data\" open><summary>Backups (table)</summary><div class=\"scroll\"><table><thead><tr><th>Started</th><th>Database</th><th>Size</th><th>Verified</th></tr></thead><tbody>");
        for p in b.backups.iter().rev() {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                Esc(&when(p.started)),
                Esc(&p.database),
                size(p.bytes),
                match p.verified {
                    Some(true) => "passed",
                    Some(false) => "failed",
                    None => "no",
                }
            );
        }
        out.push_str("</tbody></table></div></details></section>");
        self.foot(&mut out, &data, "/api/v1/backups");
        out
    }
}

fn size(bytes: u64) -> String {
    opskit_db_backup::archive::human_size(bytes)
}

/// Latency points by hour, newest first: (hour, mean, slowest, share up).
fn hourly(points: &[api::LatencyPoint]) -> Vec<(i64, Option<f64>, Option<f64>, f64)> {
    let mut hours: std::collections::BTreeMap<i64, (f64, u32, f64, f64, u32)> =
        std::collections::BTreeMap::new();
    for p in points {
        let e = hours.entry(p.t.div_euclid(3600) * 3600).or_default();
        if let Some(a) = p.avg_ms {
            e.0 += a;
            e.1 += 1;
        }
        e.2 = e.2.max(p.max_ms.unwrap_or(0.0));
        e.3 += p.up;
        e.4 += 1;
    }
    hours
        .into_iter()
        .rev()
        .map(|(h, (sum, n, max, up, steps))| {
            (
                h,
                (n > 0).then(|| sum / f64::from(n)),
                (n > 0).then_some(max),
                up / f64::from(steps.max(1)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        assert_eq!(
            Esc("<script>alert('x')</script> & \"q\"").to_string(),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(Esc("a\u{1b}[31mb").to_string(), "a\\u{1b}[31mb");
    }

    #[test]
    fn durations_read_short() {
        assert_eq!(duration(42), "42s");
        assert_eq!(duration(125), "2m");
        assert_eq!(duration(3 * 3600 + 5 * 60), "3h05m");
        assert_eq!(duration(2 * 86_400 + 4 * 3600), "2d04h");
    }
}
