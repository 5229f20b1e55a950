//! The Upstash REST API: a batch is one `POST /pipeline`.
//!
//! Requests carry `Authorization: Bearer TOKEN` and `Upstash-Encoding: base64`, so string
//! results come back base64-encoded and binary job data cannot break the JSON. The response is
//! a JSON array with one `{"result": …}` or `{"error": "…"}` per command. HTTP errors are
//! mapped to what to check: 401/403 the token, 429 the plan's limits, 5xx Upstash itself.

use std::fmt;

use super::{Backend, Command, Limits, RedisError, Value};

/// A client for one Upstash database.
pub struct Upstash {
    base: String,
    token: String,
    agent: ureq::Agent,
    limits: Limits,
    deadline: crate::deadline::Deadline,
    requests: u64,
}

impl fmt::Debug for Upstash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upstash")
            .field("url", &self.base)
            .field("requests", &self.requests)
            .finish_non_exhaustive()
    }
}

pub use crate::encoding::decode_base64;

/// A JSON result with base64-encoded strings, as Upstash sends it, to a [`Value`]. `OK` is
/// sent unencoded; a string that is not valid base64 is kept as it is (the official client
/// does the same).
fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null | serde_json::Value::Object(_) => Value::Nil,
        serde_json::Value::Bool(b) => Value::Int(i64::from(*b)),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Bulk(n.to_string().into_bytes()), Value::Int),
        serde_json::Value::String(s) if s == "OK" => Value::Simple("OK".to_owned()),
        serde_json::Value::String(s) => {
            Value::Bulk(decode_base64(s).unwrap_or_else(|| s.clone().into_bytes()))
        }
        serde_json::Value::Array(items) => Value::Array(items.iter().map(from_json).collect()),
    }
}

impl Upstash {
    /// A client for the REST URL (`https://….upstash.io`) with its token. Its requests share
    /// one deadline of `limits.timeout` from now: each gets what is left of it.
    pub fn new(url: &str, token: &str, limits: &Limits) -> Result<Upstash, RedisError> {
        let base = url.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(RedisError::BadUrl {
                url: base,
                reason: "an Upstash REST URL starts with https:// (UPSTASH_REDIS_REST_URL, not the redis:// URL)".to_owned(),
            });
        }
        if token.trim().is_empty() {
            return Err(RedisError::Auth {
                target: format!("Upstash REST {base}"),
                reason: "the token is empty; set UPSTASH_REDIS_REST_TOKEN".to_owned(),
            });
        }
        let agent = crate::http::agent(&crate::http::HttpOptions {
            timeout: limits.timeout,
            connect_timeout: limits.connect_timeout,
            max_body: limits.max_reply,
        });
        crate::redact::secrets().register(token.trim());
        Ok(Upstash {
            base,
            token: token.trim().to_owned(),
            agent,
            limits: *limits,
            deadline: crate::deadline::Deadline::new(limits.timeout, limits.connect_timeout),
            requests: 0,
        })
    }

    fn target(&self) -> String {
        format!("Upstash REST {}", self.base)
    }

    fn http_error(&self, status: u16, body: &[u8]) -> RedisError {
        let said = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned));
        let said = said.map(|s| crate::redact::scrub(&s, &self.token));
        let target = self.target();
        match status {
            401 | 403 => RedisError::Auth {
                target,
                reason: format!(
                    "HTTP {status}{}; check UPSTASH_REDIS_REST_TOKEN (a read-only token is enough for queue-depth)",
                    said.map(|s| format!(" ({s})")).unwrap_or_default()
                ),
            },
            429 => RedisError::Http {
                target,
                status,
                message: format!(
                    "rate limited{}; wait, or raise the plan's request limit",
                    said.map(|s| format!(" ({s})")).unwrap_or_default()
                ),
            },
            500..=599 => RedisError::Http {
                target,
                status,
                message: format!(
                    "Upstash server error{}; retry later, and check status.upstash.com",
                    said.map(|s| format!(" ({s})")).unwrap_or_default()
                ),
            },
            _ => RedisError::Http {
                target,
                status,
                message: said.unwrap_or_else(|| "unexpected response".to_owned()),
            },
        }
    }

    fn transport_error(&self, e: ureq::Error) -> RedisError {
        let target = self.target();
        match e {
            ureq::Error::Timeout(_) => RedisError::Timeout {
                target,
                timeout: self.limits.timeout,
            },
            ureq::Error::BodyExceedsLimit(_) => RedisError::TooLarge {
                target,
                limit: self.limits.max_reply,
            },
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => RedisError::Connect {
                target,
                reason: e.to_string(),
            },
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
                RedisError::Timeout {
                    target,
                    timeout: self.limits.timeout,
                }
            }
            other => RedisError::Io {
                target,
                reason: crate::redact::scrub(&other.to_string(), &self.token),
            },
        }
    }
}

impl Backend for Upstash {
    fn pipeline(&mut self, commands: &[Command]) -> Result<Vec<Value>, RedisError> {
        let body = serde_json::to_vec(commands).map_err(|e| RedisError::Protocol {
            target: self.target(),
            reason: e.to_string(),
        })?;
        self.requests += 1;
        let request = self.agent.post(format!("{}/pipeline", self.base));
        let response = crate::http::bounded(request, &self.deadline)
            .header("Authorization", format!("Bearer {}", self.token))
            .header("Upstash-Encoding", "base64")
            .header("Content-Type", "application/json")
            .send(&body[..]);
        let mut response = response.map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(self.limits.max_reply)
            .read_to_vec()
            .map_err(|e| self.transport_error(e))?;
        if status != 200 {
            return Err(self.http_error(status, &bytes));
        }
        let parsed: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| RedisError::Protocol {
                target: self.target(),
                reason: format!("the response is not JSON ({e})"),
            })?;
        let items = parsed.as_array().ok_or_else(|| RedisError::Protocol {
            target: self.target(),
            reason: "a pipeline response must be a JSON array".to_owned(),
        })?;
        if items.len() != commands.len() {
            return Err(RedisError::Protocol {
                target: self.target(),
                reason: format!("{} results for {} commands", items.len(), commands.len()),
            });
        }
        items
            .iter()
            .map(|item| match (item.get("error"), item.get("result")) {
                (Some(serde_json::Value::String(e)), _) => Ok(Value::Error(e.clone())),
                (_, Some(result)) => Ok(from_json(result)),
                // `{"result": null}` may be sent as `{}` by some proxies; anything else is wrong.
                _ if item.as_object().is_some_and(serde_json::Map::is_empty) => Ok(Value::Nil),
                _ => Err(RedisError::Protocol {
                    target: self.target(),
                    reason: format!("unexpected item {item}"),
                }),
            })
            .collect()
    }

    fn round_trips(&self) -> u64 {
        self.requests
    }

    fn describe(&self) -> String {
        self.target()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_known_values() {
        assert_eq!(decode_base64("").unwrap(), b"");
        assert_eq!(decode_base64("Zg==").unwrap(), b"f");
        assert_eq!(decode_base64("Zm8=").unwrap(), b"fo");
        assert_eq!(decode_base64("Zm9v").unwrap(), b"foo");
        assert_eq!(decode_base64("Zm9vYg").unwrap(), b"foob");
        assert_eq!(decode_base64("MDoxNzAw").unwrap(), b"0:1700");
        assert!(decode_base64("Zm9v!").is_none());
        assert!(decode_base64("Z").is_none());
        assert!(decode_base64("Zg===").is_none());
    }

    #[test]
    fn json_results_decode_like_the_official_client() {
        let v: serde_json::Value =
            serde_json::from_str(r#"["OK", 5, null, "Zm9v", ["YQ==", 2], "not base64!"]"#).unwrap();
        assert_eq!(
            from_json(&v),
            Value::Array(vec![
                Value::Simple("OK".into()),
                Value::Int(5),
                Value::Nil,
                Value::Bulk(b"foo".to_vec()),
                Value::Array(vec![Value::Bulk(b"a".to_vec()), Value::Int(2)]),
                Value::Bulk(b"not base64!".to_vec()),
            ])
        );
    }

    #[test]
    fn refuses_a_redis_url_or_an_empty_token() {
        assert!(matches!(
            Upstash::new("redis://x", "t", &Limits::default()),
            Err(RedisError::BadUrl { .. })
        ));
        assert!(matches!(
            Upstash::new("https://x.upstash.io", " ", &Limits::default()),
            Err(RedisError::Auth { .. })
        ));
    }
}
