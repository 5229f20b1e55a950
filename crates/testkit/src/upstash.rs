//! A faithful stand-in for the Upstash REST API, in front of a real `redis-server`.
//!
//! It implements what Upstash documents and its official client (`@upstash/redis`) relies on:
//!
//! - auth by `Authorization: Bearer TOKEN` or the `_token` query parameter; anything else is
//!   HTTP 401 `{"error":"Unauthorized"}`;
//! - a single command as a JSON array in a `POST /` body, or in the path
//!   (`/set/foo/bar`, with a `POST` body appended as the last argument);
//! - `POST /pipeline` (a JSON array of commands; HTTP 200 with one `{"result"}` or `{"error"}`
//!   per command) and `POST /multi-exec` (the same, run as a transaction);
//! - `Upstash-Encoding: base64`: every string in a result is base64-encoded except `OK`;
//! - a failing single command is HTTP 400 `{"error": "…"}`;
//! - a read-only token refuses writes and `SCAN`/`KEYS` with `NOPERM`, as Upstash's read-only
//!   tokens do.
//!
//! `tests/upstash_client.rs` runs the official `@upstash/redis` client against it.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::redis::{encode, read_reply};
use crate::{HttpServer, Recorded, RedisServer, Reply, Resp};

/// Commands a read-only token may run (a subset of Redis' read-only commands, enough for any
/// monitor), plus `PING`.
const READ_ONLY: &[&str] = &[
    "PING",
    "GET",
    "MGET",
    "EXISTS",
    "TYPE",
    "TTL",
    "PTTL",
    "STRLEN",
    "LLEN",
    "LINDEX",
    "LRANGE",
    "LPOS",
    "HGET",
    "HMGET",
    "HGETALL",
    "HEXISTS",
    "HLEN",
    "HKEYS",
    "HVALS",
    "HSTRLEN",
    "HSCAN",
    "SCARD",
    "SISMEMBER",
    "SMEMBERS",
    "SSCAN",
    "ZCARD",
    "ZCOUNT",
    "ZRANGE",
    "ZRANGEBYSCORE",
    "ZREVRANGEBYSCORE",
    "ZREVRANGE",
    "ZSCORE",
    "ZRANK",
    "XLEN",
    "XRANGE",
    "XREVRANGE",
    "DBSIZE",
    "TIME",
    "ECHO",
    "INFO",
];

/// The stand-in; stops with the HTTP server on drop.
#[derive(Debug)]
pub struct UpstashStandIn {
    http: HttpServer,
    token: String,
    read_only_token: String,
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn to_json(reply: &Resp, b64: bool) -> serde_json::Value {
    let text = |bytes: &[u8]| {
        if b64 {
            serde_json::Value::String(base64(bytes))
        } else {
            serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned())
        }
    };
    match reply {
        Resp::Simple(s) if s == "OK" => serde_json::Value::String("OK".to_owned()),
        Resp::Simple(s) => text(s.as_bytes()),
        Resp::Bulk(b) => text(b),
        Resp::Integer(n) => serde_json::Value::from(*n),
        Resp::Nil => serde_json::Value::Null,
        Resp::Array(items) => {
            serde_json::Value::Array(items.iter().map(|i| to_json(i, b64)).collect())
        }
        Resp::Error(e) => serde_json::json!({ "error": e }),
    }
}

fn item(reply: &Resp, b64: bool) -> serde_json::Value {
    match reply {
        Resp::Error(e) => serde_json::json!({ "error": e }),
        other => serde_json::json!({ "result": to_json(other, b64) }),
    }
}

fn error(status: u16, message: &str) -> Reply {
    Reply::json(status, &serde_json::json!({ "error": message }).to_string())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn as_command(value: &serde_json::Value) -> Option<Vec<String>> {
    let items = value.as_array()?;
    if items.is_empty() {
        return None;
    }
    items
        .iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .collect()
}

fn run(port: u16, commands: &[Vec<String>]) -> std::io::Result<Vec<Resp>> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut writer = stream.try_clone()?;
    let mut request = Vec::new();
    for c in commands {
        let args: Vec<&str> = c.iter().map(String::as_str).collect();
        request.extend(encode(&args));
    }
    writer.write_all(&request)?;
    let mut reader = BufReader::new(stream);
    commands.iter().map(|_| read_reply(&mut reader)).collect()
}

fn refused(command: &[String], read_only: bool) -> Option<Resp> {
    let name = command.first()?.to_ascii_uppercase();
    (read_only && !READ_ONLY.contains(&name.as_str())).then(|| {
        Resp::Error(format!(
            "NOPERM this user has no permissions to run the '{}' command",
            name.to_ascii_lowercase()
        ))
    })
}

fn handle(req: &Recorded, port: u16, token: &str, read_only_token: &str) -> Reply {
    let (path, query) = req.url.split_once('?').unwrap_or((req.url.as_str(), ""));
    let from_query = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("_token="))
        .map(percent_decode);
    let given = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_owned)
        .or(from_query);
    let read_only = match given.as_deref() {
        Some(t) if t == token => false,
        Some(t) if t == read_only_token => true,
        _ => return error(401, "Unauthorized"),
    };
    let b64 = req
        .header("upstash-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("base64"));
    let body: Option<serde_json::Value> = serde_json::from_slice(&req.body).ok();
    match (req.method.as_str(), path) {
        ("POST", "/pipeline" | "/multi-exec") => {
            let Some(commands) = body
                .as_ref()
                .and_then(|b| b.as_array())
                .and_then(|a| a.iter().map(as_command).collect::<Option<Vec<_>>>())
            else {
                return error(400, "ERR failed to parse pipeline request");
            };
            if commands.is_empty() {
                return error(400, "ERR empty pipeline");
            }
            let transaction = path == "/multi-exec";
            if transaction
                && let Some(Resp::Error(e)) = commands.iter().find_map(|c| refused(c, read_only))
            {
                return error(400, &e);
            }
            let mut results: Vec<Option<Resp>> =
                commands.iter().map(|c| refused(c, read_only)).collect();
            let allowed: Vec<Vec<String>> = commands
                .iter()
                .zip(&results)
                .filter(|(_, r)| r.is_none())
                .map(|(c, _)| c.clone())
                .collect();
            let batch = if transaction {
                let mut b = vec![vec!["MULTI".to_owned()]];
                b.extend(allowed.iter().cloned());
                b.push(vec!["EXEC".to_owned()]);
                b
            } else {
                allowed.clone()
            };
            let replies = match run(port, &batch) {
                Ok(r) => r,
                Err(e) => return error(500, &format!("ERR backend: {e}")),
            };
            let replies: Vec<Resp> = if transaction {
                match replies.last() {
                    Some(Resp::Array(items)) => items.clone(),
                    Some(Resp::Error(e)) => return error(400, e),
                    _ => return error(400, "EXECABORT Transaction discarded"),
                }
            } else {
                replies
            };
            let mut it = replies.into_iter();
            for slot in &mut results {
                if slot.is_none() {
                    *slot = it.next();
                }
            }
            let items: Vec<serde_json::Value> = results
                .iter()
                .map(|r| item(r.as_ref().unwrap_or(&Resp::Nil), b64))
                .collect();
            Reply::json(200, &serde_json::Value::Array(items).to_string())
        }
        ("POST", "/") => match body.as_ref().and_then(as_command) {
            Some(command) => single(port, &command, read_only, b64),
            None => error(400, "ERR failed to parse command"),
        },
        ("GET" | "POST" | "PUT" | "HEAD", path) => {
            let mut command: Vec<String> = path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(percent_decode)
                .collect();
            if command.is_empty() {
                return error(400, "ERR empty command");
            }
            if req.method != "GET" && !req.body.is_empty() {
                command.push(String::from_utf8_lossy(&req.body).into_owned());
            }
            single(port, &command, read_only, b64)
        }
        _ => error(405, "Method Not Allowed"),
    }
}

fn single(port: u16, command: &[String], read_only: bool, b64: bool) -> Reply {
    if let Some(Resp::Error(e)) = refused(command, read_only) {
        return error(400, &e);
    }
    match run(port, &[command.to_vec()]) {
        Ok(mut r) => match r.pop() {
            Some(Resp::Error(e)) => error(400, &e),
            Some(reply) => Reply::json(200, &item(&reply, b64).to_string()),
            None => error(500, "ERR no reply"),
        },
        Err(e) => error(500, &format!("ERR backend: {e}")),
    }
}

impl UpstashStandIn {
    /// Serves the REST API for `redis`, with a full-access and a read-only token.
    pub fn start(redis: &RedisServer) -> UpstashStandIn {
        let port = redis.port();
        let token = format!("AX{port}full-access-token");
        let read_only_token = format!("AR{port}read-only-token");
        let (t, r) = (token.clone(), read_only_token.clone());
        let http = HttpServer::start(move |req| handle(req, port, &t, &r));
        UpstashStandIn {
            http,
            token,
            read_only_token,
        }
    }

    /// The REST URL (`UPSTASH_REDIS_REST_URL`).
    pub fn url(&self) -> String {
        self.http.url()
    }

    /// The full-access token (`UPSTASH_REDIS_REST_TOKEN`).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The read-only token.
    pub fn read_only_token(&self) -> &str {
        &self.read_only_token
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.http.requests()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"PONG"), "UE9ORw==");
    }
}
