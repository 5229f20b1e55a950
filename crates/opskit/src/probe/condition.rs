//! Conditions on a probe's answer: status codes (`200`, `"200-299"`), and comparisons on a
//! JSON body by path (`status == "ok"`, `checks.redis == "up"`, `uptime > 60`,
//! `version matches "^2\."`, `services[0].name contains "api"`).
//!
//! ```
//! use opskit::probe::condition::JsonCondition;
//! let body: serde_json::Value = serde_json::json!({"status": "ok", "checks": {"redis": "down"}, "uptime": 42});
//! assert!(JsonCondition::parse(r#"status == "ok""#).unwrap().eval(&body).is_ok());
//! let e = JsonCondition::parse(r#"checks.redis == "up""#).unwrap().eval(&body).unwrap_err();
//! assert_eq!(e.to_string(), r#"checks.redis is "down", not == "up""#);
//! assert!(JsonCondition::parse("uptime > 60").unwrap().eval(&body).is_err());
//! ```

use serde_json::Value;

/// A condition that does not parse: what was written and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConditionError(String);

/// A condition the answer does not meet: what was found instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unmet(String);

/// A set of accepted status codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSet(Vec<(u16, u16)>);

impl StatusSet {
    /// Parses `200`, `"2xx"` or `"200-299"` items.
    pub fn parse(items: &[String]) -> Result<StatusSet, ConditionError> {
        let mut ranges = Vec::new();
        for item in items {
            let item = item.trim();
            let code = |s: &str| {
                s.trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|c| (100..=599).contains(c))
            };
            let range =
                if let Some(prefix) = item.strip_suffix("xx").or_else(|| item.strip_suffix("XX")) {
                    prefix
                        .parse::<u16>()
                        .ok()
                        .filter(|p| (1..=5).contains(p))
                        .map(|p| (p * 100, p * 100 + 99))
                } else if let Some((a, b)) = item.split_once('-') {
                    code(a).zip(code(b)).filter(|(a, b)| a <= b)
                } else {
                    code(item).map(|c| (c, c))
                };
            ranges.push(range.ok_or_else(|| {
                ConditionError(format!(
                    "`{item}` is not a status code, a range such as 200-299, or 2xx"
                ))
            })?);
        }
        if ranges.is_empty() {
            ranges.push((200, 299));
        }
        Ok(StatusSet(ranges))
    }

    /// Whether `status` is accepted.
    pub fn contains(&self, status: u16) -> bool {
        self.0.iter().any(|(a, b)| (*a..=*b).contains(&status))
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Contains,
    Matches,
}

impl Op {
    const fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Contains => "contains",
            Op::Matches => "matches",
        }
    }
}

/// `PATH OP VALUE` on a JSON body.
#[derive(Debug, Clone)]
pub struct JsonCondition {
    text: String,
    path: Vec<Step>,
    path_text: String,
    op: Op,
    value: Value,
    regex: Option<regex::Regex>,
}

fn parse_path(text: &str) -> Result<Vec<Step>, String> {
    let text = text.trim();
    let text = text
        .strip_prefix('$')
        .map_or(text, |t| t.strip_prefix('.').unwrap_or(t));
    let mut steps = Vec::new();
    for part in text.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            steps.push(Step::Key(key.to_owned()));
        }
        while !rest.is_empty() {
            let (n, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("`{part}`: unclosed ["))?;
            steps.push(Step::Index(
                n.trim()
                    .parse()
                    .map_err(|_| format!("`{part}`: [{n}] is not an index"))?,
            ));
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    if steps.is_empty() {
        return Err("empty path".to_owned());
    }
    Ok(steps)
}

impl JsonCondition {
    /// Parses `PATH OP VALUE`; VALUE is JSON (`"ok"`, `60`, `true`, `null`); `matches` takes a
    /// regex string.
    pub fn parse(text: &str) -> Result<JsonCondition, ConditionError> {
        Self::parse_text(text).map_err(ConditionError)
    }

    fn parse_text(text: &str) -> Result<JsonCondition, String> {
        let ops = [
            (" contains ", Op::Contains),
            (" matches ", Op::Matches),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            (">=", Op::Ge),
            ("<=", Op::Le),
            (">", Op::Gt),
            ("<", Op::Lt),
        ];
        let (at, token, op) = ops
            .iter()
            .filter_map(|(t, op)| text.find(t).map(|i| (i, *t, *op)))
            .min_by_key(|(i, _, _)| *i)
            .ok_or_else(|| format!("`{text}`: expected PATH OP VALUE with ==, !=, >, >=, <, <=, contains or matches"))?;
        let path_text = text[..at].trim().to_owned();
        let value_text = text[at + token.len()..].trim();
        let path = parse_path(&path_text).map_err(|e| format!("`{text}`: {e}"))?;
        let value: Value = serde_json::from_str(value_text).map_err(|_| {
            format!("`{text}`: `{value_text}` is not a JSON value (quote strings: \"ok\")")
        })?;
        let regex = match op {
            Op::Matches => Some(
                regex::Regex::new(
                    value
                        .as_str()
                        .ok_or_else(|| format!("`{text}`: matches takes a quoted regex"))?,
                )
                .map_err(|e| format!("`{text}`: {e}"))?,
            ),
            _ => None,
        };
        if matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le) && !value.is_number() {
            return Err(format!("`{text}`: {} compares numbers", op.as_str()));
        }
        Ok(JsonCondition {
            text: text.to_owned(),
            path,
            path_text,
            op,
            value,
            regex,
        })
    }

    /// The condition as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `Ok` when the body satisfies it, else what was found instead.
    pub fn eval(&self, body: &Value) -> Result<(), Unmet> {
        self.eval_text(body).map_err(Unmet)
    }

    fn eval_text(&self, body: &Value) -> Result<(), String> {
        let mut current = body;
        for step in &self.path {
            let next = match step {
                Step::Key(k) => current.get(k),
                Step::Index(i) => current.get(i),
            };
            current = next.ok_or_else(|| format!("{} is missing from the body", self.path_text))?;
        }
        let ok = match self.op {
            Op::Eq => loose_eq(current, &self.value),
            Op::Ne => !loose_eq(current, &self.value),
            Op::Gt | Op::Ge | Op::Lt | Op::Le => match (current.as_f64(), self.value.as_f64()) {
                (Some(a), Some(b)) => match self.op {
                    Op::Gt => a > b,
                    Op::Ge => a >= b,
                    Op::Lt => a < b,
                    _ => a <= b,
                },
                _ => false,
            },
            Op::Contains => match (current, &self.value) {
                (Value::String(s), Value::String(v)) => s.contains(v.as_str()),
                (Value::Array(items), v) => items.iter().any(|i| loose_eq(i, v)),
                _ => false,
            },
            Op::Matches => current
                .as_str()
                .is_some_and(|s| self.regex.as_ref().is_some_and(|r| r.is_match(s))),
        };
        if ok {
            Ok(())
        } else {
            // Cleaned before it is cut: a registered secret cut in two would no longer match
            // and its first part would be shown.
            let shown: String = crate::redact::secrets()
                .clean(&current.to_string())
                .chars()
                .take(80)
                .collect();
            Err(format!(
                "{} is {shown}, not {} {}",
                self.path_text,
                self.op.as_str(),
                self.value
            ))
        }
    }
}

/// Equality where numbers compare by value (`60 == 60.0`).
fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < f64::EPSILON * x.abs().max(y.abs()).max(1.0),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_found_value_is_cleaned_before_it_is_cut() {
        let token = "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        crate::redact::secrets().register(token);
        let body = serde_json::json!({ "status": format!("Bearer {token}") });
        let e = JsonCondition::parse("status == \"ok\"")
            .unwrap()
            .eval(&body)
            .unwrap_err()
            .to_string();
        assert!(!e.contains(&token[..20]), "{e}");
    }

    #[test]
    fn statuses() {
        let s = StatusSet::parse(&["200".into(), "301-302".into(), "5xx".into()]).unwrap();
        assert!(s.contains(200) && s.contains(302) && s.contains(503));
        assert!(!s.contains(404));
        assert!(StatusSet::parse(&[]).unwrap().contains(204));
        for bad in ["abc", "600", "302-301", "9xx"] {
            assert!(StatusSet::parse(&[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn json_conditions() {
        let body = serde_json::json!({"status": "ok", "uptime": 61.5, "tags": ["a", "b"], "services": [{"name": "api-1"}], "version": "2.4.1", "n": null});
        for ok in [
            r#"status == "ok""#,
            "uptime > 60",
            "uptime >= 61.5",
            "uptime < 100",
            r#"tags contains "b""#,
            r#"services[0].name contains "api""#,
            r#"version matches "^2\\.""#,
            r#"$.status != "down""#,
            "n == null",
        ] {
            assert!(
                JsonCondition::parse(ok).unwrap().eval(&body).is_ok(),
                "{ok}"
            );
        }
        let e = JsonCondition::parse("checks.redis == \"up\"")
            .unwrap()
            .eval(&body)
            .unwrap_err();
        assert_eq!(e.to_string(), "checks.redis is missing from the body");
        assert!(
            JsonCondition::parse("uptime > 100")
                .unwrap()
                .eval(&body)
                .is_err()
        );
        for bad in [
            "status",
            "status == ok",
            "uptime > \"x\"",
            "x matches 5",
            "x matches \"(\"",
            "a[x] == 1",
            " == 1",
        ] {
            assert!(JsonCondition::parse(bad).is_err(), "{bad}");
        }
    }
}
