//! Job data and return values for people: redacted by the core's rules, bounded in size, and
//! searched for the request and trace ids that logs share with the job.

use opskit::redact;
use serde_json::Value;

/// The longest JSON text shown for data or a return value.
pub const SHOWN_MAX: usize = 2000;
const STRING_MAX: usize = 200;
const ITEMS_MAX: usize = 20;
const DEPTH_MAX: usize = 6;

/// Whether a string value reads as a token: long, no spaces, letters and digits mixed, and a
/// secret by the core's test.
fn token_like(s: &str) -> bool {
    s.len() >= 16
        && !s.contains(char::is_whitespace)
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && !s.contains('@')
        && redact::looks_secret(s)
}

fn clean(v: &Value, key: Option<&str>, depth: usize) -> Value {
    if depth > DEPTH_MAX {
        return Value::String("…".to_owned());
    }
    match v {
        Value::String(s) => {
            if key.is_some_and(redact::name_says_secret) {
                return Value::String(redact::redact(s).to_string());
            }
            let words: Vec<String> = redact::url(s)
                .split(' ')
                .map(|w| {
                    if token_like(w) {
                        redact::redact(w).to_string()
                    } else {
                        w.to_owned()
                    }
                })
                .collect();
            Value::String(opskit::render::cut(&words.join(" "), STRING_MAX))
        }
        Value::Number(_) if key.is_some_and(redact::name_says_secret) => {
            Value::String(redact::redact(&v.to_string()).to_string())
        }
        Value::Array(items) => {
            let mut out: Vec<Value> = items
                .iter()
                .take(ITEMS_MAX)
                .map(|i| clean(i, key, depth + 1))
                .collect();
            if items.len() > ITEMS_MAX {
                out.push(Value::String(format!("… {} more", items.len() - ITEMS_MAX)));
            }
            Value::Array(out)
        }
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (i, (k, val)) in map.iter().enumerate() {
                if i == ITEMS_MAX {
                    out.insert(
                        "…".to_owned(),
                        Value::String(format!("{} more keys", map.len() - ITEMS_MAX)),
                    );
                    break;
                }
                out.insert(k.clone(), clean(val, Some(k), depth + 1));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The JSON text `raw` as it may be shown: secrets redacted, strings and arrays cut, at most
/// [`SHOWN_MAX`] characters. Text that is not JSON is shown as a redacted string.
pub fn shown(raw: &str) -> String {
    let value =
        serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
    let text = clean(&value, None, 0).to_string();
    opskit::render::cut(&text, SHOWN_MAX)
}

/// Request and trace ids in the job's data (`requestId`, `traceId`, ... at any depth up to a
/// few levels), to follow in the logs.
pub fn ids_in(raw: &str, fields: &[&str]) -> Vec<String> {
    fn walk(v: &Value, fields: &[&str], depth: usize, out: &mut Vec<String>) {
        if depth > 3 || out.len() >= 8 {
            return;
        }
        if let Value::Object(map) = v {
            for (k, val) in map {
                match val {
                    Value::String(s) if fields.contains(&k.as_str()) && s.len() <= 200 => {
                        out.push(s.clone());
                    }
                    Value::Object(_) => walk(val, fields, depth + 1, out),
                    _ => {}
                }
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_json::from_str::<Value>(raw) {
        walk(&v, fields, 0, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_and_sizes_stay_bounded() {
        let raw = r#"{"to":"a@example.com","apiKey":"sk-live-0123456789abcdefABCDEF","nested":{"password":"hunter2hunter2"},"url":"postgres://u:pw-secret-1@db:5432/app","token_like":"ghp_0123456789abcdefghijABCDEFGHIJ0123","list":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22],"text":"hello world"}"#;
        let s = shown(raw);
        for secret in [
            "sk-live-0123456789abcdefABCDEF",
            "hunter2hunter2",
            "pw-secret-1",
            "ghp_0123456789abcdefghijABCDEFGHIJ0123",
        ] {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
        assert!(
            s.contains("a@example.com") && s.contains("hello world"),
            "{s}"
        );
        assert!(s.contains("… 2 more"), "{s}");
        let big = format!("{{\"x\":\"{}\"}}", "y".repeat(100_000));
        assert!(shown(&big).chars().count() <= SHOWN_MAX);
        assert!(
            !shown("not json sk-live-0123456789abcdef0000")
                .contains("sk-live-0123456789abcdef0000")
        );
    }

    #[test]
    fn ids_are_found_in_data() {
        let ids = ids_in(
            r#"{"requestId":"req-1","meta":{"traceId":"abc123"},"n":1}"#,
            &["requestId", "traceId"],
        );
        assert_eq!(
            ids,
            ["abc123", "req-1"],
            "in key order: meta.traceId, requestId"
        );
    }
}
