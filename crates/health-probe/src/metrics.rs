//! Conditions on a Prometheus or OpenMetrics endpoint (the worker's `/metrics`):
//!
//! - `agent_jobs_total{status="failed"} < 100`: the sum of the matching samples;
//! - `quantile(0.95, agent_job_duration_seconds{queue="agent-tasks"}) < 30`: a quantile
//!   estimated from histogram buckets, as PromQL's `histogram_quantile` does;
//! - `rate(agent_jobs_total{status="failed"}) < 0.5`: per second, between two scrapes
//!   `rate_interval_ms` apart (a counter reset counts from zero).

use opskit::probe::prometheus::{Exposition, Selector, rate};

/// What a condition measures.
#[derive(Debug, Clone)]
enum Expr {
    Sum(Selector),
    Quantile(f64, Selector),
    Rate(Selector),
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

/// A metrics condition that does not parse, cannot be measured, or does not hold: said for
/// people (`jobs_failed_total is 12`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MetricError(String);

/// `EXPR OP NUMBER`.
#[derive(Debug, Clone)]
pub struct MetricCondition {
    text: String,
    expr: Expr,
    op: Op,
    limit: f64,
}

impl MetricCondition {
    /// Parses a condition.
    pub fn parse(text: &str) -> Result<MetricCondition, MetricError> {
        Self::parse_text(text).map_err(MetricError)
    }

    fn parse_text(text: &str) -> Result<MetricCondition, String> {
        let bad = |why: &str| format!("`{text}`: {why}");
        // The operator is the last comparison outside braces and quotes.
        let bytes = text.as_bytes();
        let (mut depth, mut quoted, mut found) = (0i32, false, None);
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            match c {
                b'"' => quoted = !quoted,
                b'{' | b'(' if !quoted => depth += 1,
                b'}' | b')' if !quoted => depth -= 1,
                b'<' | b'>' | b'=' | b'!' if !quoted && depth == 0 => {
                    let two = bytes.get(i + 1) == Some(&b'=');
                    let op = match (c, two) {
                        (b'<', true) => Op::Le,
                        (b'<', false) => Op::Lt,
                        (b'>', true) => Op::Ge,
                        (b'>', false) => Op::Gt,
                        (b'=', true) => Op::Eq,
                        (b'!', true) => Op::Ne,
                        _ => return Err(bad("use <, <=, >, >=, == or !=")),
                    };
                    found = Some((i, i + 1 + usize::from(two), op));
                    i += 1 + usize::from(two);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        let (start, end, op) =
            found.ok_or_else(|| bad("expected EXPR < NUMBER (or <=, >, >=, ==, !=)"))?;
        let limit: f64 = text[end..]
            .trim()
            .parse()
            .map_err(|_| bad("the right side must be a number"))?;
        let left = text[..start].trim();
        let call = |name: &str| {
            left.strip_prefix(name)
                .and_then(|r| r.trim_start().strip_prefix('('))
                .and_then(|r| r.trim_end().strip_suffix(')'))
        };
        let expr = if let Some(args) = call("quantile") {
            let (q, sel) = args
                .split_once(',')
                .ok_or_else(|| bad("quantile(Q, METRIC)"))?;
            let q: f64 = q
                .trim()
                .parse()
                .ok()
                .filter(|q| (0.0..=1.0).contains(q))
                .ok_or_else(|| bad("the quantile is a number from 0 to 1"))?;
            Expr::Quantile(q, Selector::parse(sel).map_err(|e| bad(&e.to_string()))?)
        } else if let Some(sel) = call("rate") {
            Expr::Rate(Selector::parse(sel).map_err(|e| bad(&e.to_string()))?)
        } else {
            Expr::Sum(Selector::parse(left).map_err(|e| bad(&e.to_string()))?)
        };
        Ok(MetricCondition {
            text: text.to_owned(),
            expr,
            op,
            limit,
        })
    }

    /// The condition as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it needs a second scrape.
    pub fn needs_rate(&self) -> bool {
        matches!(self.expr, Expr::Rate(_))
    }

    /// The measured value, from one scrape (and the earlier one for a rate `seconds` before).
    pub fn measure(
        &self,
        now: &Exposition,
        before: Option<(&Exposition, f64)>,
    ) -> Result<f64, MetricError> {
        self.measure_text(now, before).map_err(MetricError)
    }

    fn measure_text(
        &self,
        now: &Exposition,
        before: Option<(&Exposition, f64)>,
    ) -> Result<f64, String> {
        match &self.expr {
            Expr::Sum(s) => now
                .sum(s)
                .ok_or_else(|| format!("no sample matches {}", s.name)),
            Expr::Quantile(q, s) => now.quantile(*q, s).ok_or_else(|| {
                format!(
                    "no histogram {}_bucket with observations and a +Inf bucket",
                    s.name
                )
            }),
            Expr::Rate(s) => {
                let (earlier, seconds) = before.ok_or("a rate needs two scrapes")?;
                let after = now
                    .sum(s)
                    .ok_or_else(|| format!("no sample matches {}", s.name))?;
                let before_value = earlier
                    .sum(s)
                    .ok_or_else(|| format!("no sample matches {} in the first scrape", s.name))?;
                rate(before_value, after, seconds)
                    .ok_or_else(|| "the two scrapes cannot give a rate".to_owned())
            }
        }
    }

    /// `Ok(value)` when the condition holds, else what was measured.
    pub fn eval(
        &self,
        now: &Exposition,
        before: Option<(&Exposition, f64)>,
    ) -> Result<f64, MetricError> {
        let v = self.measure(now, before)?;
        let ok = match self.op {
            Op::Lt => v < self.limit,
            Op::Le => v <= self.limit,
            Op::Gt => v > self.limit,
            Op::Ge => v >= self.limit,
            Op::Eq => (v - self.limit).abs() <= f64::EPSILON * v.abs().max(1.0),
            Op::Ne => (v - self.limit).abs() > f64::EPSILON * v.abs().max(1.0),
        };
        if ok {
            Ok(v)
        } else {
            Err(MetricError(format!("{} is {v}", self.text)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opskit::probe::prometheus::parse;

    const TEXT: &str = "# TYPE jobs_total counter\njobs_total{status=\"failed\"} 12\njobs_total{status=\"completed\"} 100\n# TYPE d histogram\nd_bucket{le=\"1\"} 9\nd_bucket{le=\"+Inf\"} 10\n";

    #[test]
    fn sums_quantiles_and_rates() {
        let now = parse(TEXT);
        assert_eq!(
            MetricCondition::parse(r#"jobs_total{status="failed"} < 100"#)
                .unwrap()
                .eval(&now, None),
            Ok(12.0)
        );
        assert!(
            MetricCondition::parse("jobs_total >= 200")
                .unwrap()
                .eval(&now, None)
                .is_err()
        );
        assert!(
            MetricCondition::parse("quantile(0.5, d) <= 1")
                .unwrap()
                .eval(&now, None)
                .is_ok()
        );
        let before = parse(&TEXT.replace("} 12", "} 2"));
        let c = MetricCondition::parse(r#"rate(jobs_total{status="failed"}) < 1"#).unwrap();
        assert!(c.needs_rate());
        assert_eq!(c.measure(&now, Some((&before, 5.0))), Ok(2.0));
        assert!(c.eval(&now, Some((&before, 5.0))).is_err());
        assert!(
            MetricCondition::parse("missing > 0")
                .unwrap()
                .eval(&now, None)
                .unwrap_err()
                .to_string()
                .contains("no sample")
        );
    }

    #[test]
    fn bad_conditions() {
        for bad in [
            "jobs_total",
            "jobs_total < x",
            "quantile(2, d) < 1",
            "quantile(d) < 1",
            "1bad < 2",
            "x = 1",
        ] {
            assert!(MetricCondition::parse(bad).is_err(), "{bad}");
        }
        assert!(
            MetricCondition::parse(r#"x{a=">"} > 1"#).is_ok(),
            "operators inside quotes are text"
        );
    }
}
