//! Reading Redis, natively or through the Upstash REST API, with one pipelined request per
//! batch of commands.
//!
//! Both backends implement [`Backend`]: send a batch of commands, get one [`Value`] per
//! command back, in order, in one round trip (one TCP write and read for native Redis, one
//! HTTP request to `/pipeline` for Upstash). A command's own error (`-ERR …`) is a
//! [`Value::Error`] in its slot; a failure of the whole exchange (unreachable, refused
//! credentials, timeout, a malformed or oversized reply) is a [`RedisError`].
//!
//! ```no_run
//! use opskit::redis::{Backend, Connection, Target};
//! let target: Target = "redis://127.0.0.1:6379/0".parse()?;
//! let mut redis = Connection::open(&target, &Default::default())?;
//! let replies = redis.pipeline(&[vec!["LLEN".into(), "bull:emails:wait".into()]])?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod native;
mod resp;
mod upstash;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

pub use native::{NativeRedis, RedisUrl};
pub use resp::{MAX_REPLY_BYTES, ReplyError, parse_reply};
pub use upstash::{Upstash, decode_base64};

/// A command: its name and arguments.
pub type Command = Vec<String>;

/// One reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A missing value (`$-1`, `*-1`, JSON `null`).
    Nil,
    /// An integer.
    Int(i64),
    /// A bulk string (Upstash: a JSON string).
    Bulk(Vec<u8>),
    /// A status reply such as `OK` or `PONG`.
    Simple(String),
    /// An array.
    Array(Vec<Value>),
    /// The command's own error, such as `WRONGTYPE …` or `NOPERM …`.
    Error(String),
}

impl Value {
    /// The integer, also from a bulk string of digits (Upstash may return either).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            Value::Bulk(b) => std::str::from_utf8(b).ok()?.parse().ok(),
            Value::Simple(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// The text of a bulk or status reply (lossy UTF-8).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Bulk(b) => Some(String::from_utf8_lossy(b).into_owned()),
            Value::Simple(s) => Some(s.clone()),
            Value::Int(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The elements of an array reply.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }
}

/// Why a batch could not be read. Messages say what to check.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    /// A URL that is not a Redis or Upstash URL.
    #[error("invalid Redis URL {url}: {reason}")]
    BadUrl {
        /// The URL, password hidden.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// Could not connect.
    #[error("cannot connect to {target}: {reason}")]
    Connect {
        /// Where, password hidden.
        target: String,
        /// The system's reason.
        reason: String,
    },
    /// Credentials refused.
    #[error("{target} refused the credentials: {reason}")]
    Auth {
        /// Where.
        target: String,
        /// What the server said.
        reason: String,
    },
    /// No answer in time.
    #[error("{target} did not answer within {}s; check the network path and the server's load, or raise --timeout", timeout.as_secs_f64())]
    Timeout {
        /// Where.
        target: String,
        /// The limit that passed.
        timeout: Duration,
    },
    /// The server answered with something that is not a reply.
    #[error("{target} sent a malformed reply: {reason}")]
    Protocol {
        /// Where.
        target: String,
        /// What was wrong.
        reason: String,
    },
    /// A reply larger than the limit.
    #[error("{target} sent a reply larger than {limit} bytes; refusing to read it")]
    TooLarge {
        /// Where.
        target: String,
        /// The limit.
        limit: u64,
    },
    /// The REST API answered with an HTTP error.
    #[error("{target} answered HTTP {status}: {message}")]
    Http {
        /// Where.
        target: String,
        /// The status code.
        status: u16,
        /// The body's `error`, or what the status means.
        message: String,
    },
    /// The connection broke.
    #[error("{target}: {reason}")]
    Io {
        /// Where.
        target: String,
        /// The I/O error.
        reason: String,
    },
}

/// Timeouts and limits of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connecting (TCP and TLS, or the HTTP connect phase).
    pub connect_timeout: Duration,
    /// The whole session: connecting, every batch, the last byte read (native); each REST
    /// request gets what is left of it (Upstash).
    pub timeout: Duration,
    /// The largest reply or response body accepted.
    pub max_reply: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_reply: MAX_REPLY_BYTES,
        }
    }
}

/// Anything that can run a pipelined batch of commands.
pub trait Backend {
    /// Runs `commands` in one round trip and returns one value per command, in order.
    fn pipeline(&mut self, commands: &[Command]) -> Result<Vec<Value>, RedisError>;
    /// Round trips (native) or HTTP requests (REST) made so far.
    fn round_trips(&self) -> u64;
    /// Where this connects, with any secret hidden.
    fn describe(&self) -> String;
}

/// Where to read: a native Redis URL, or an Upstash REST URL and token.
#[derive(Clone, PartialEq, Eq)]
pub enum Target {
    /// `redis://` or `rediss://`.
    Native(RedisUrl),
    /// `https://…upstash.io` with its token.
    Upstash {
        /// The REST URL.
        url: String,
        /// The bearer token.
        token: String,
    },
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Target {
    /// Where this connects, with secrets hidden.
    pub fn describe(&self) -> String {
        match self {
            Target::Native(url) => url.to_string(),
            Target::Upstash { url, .. } => format!("Upstash REST {}", url.trim_end_matches('/')),
        }
    }
}

impl FromStr for Target {
    type Err = RedisError;

    /// `redis://…` and `rediss://…` are native; anything else needs a token, so use
    /// [`Target::Upstash`] directly for REST.
    fn from_str(s: &str) -> Result<Target, RedisError> {
        s.parse().map(Target::Native)
    }
}

/// An open connection to either backend.
#[derive(Debug)]
pub enum Connection {
    /// Native protocol.
    Native(NativeRedis),
    /// Upstash REST.
    Upstash(Upstash),
}

impl Connection {
    /// Connects (native: TCP, TLS, AUTH and SELECT; REST: nothing until the first request).
    pub fn open(target: &Target, limits: &Limits) -> Result<Connection, RedisError> {
        match target {
            Target::Native(url) => NativeRedis::connect(url, limits).map(Connection::Native),
            Target::Upstash { url, token } => {
                Upstash::new(url, token, limits).map(Connection::Upstash)
            }
        }
    }
}

impl Backend for Connection {
    fn pipeline(&mut self, commands: &[Command]) -> Result<Vec<Value>, RedisError> {
        match self {
            Connection::Native(c) => c.pipeline(commands),
            Connection::Upstash(c) => c.pipeline(commands),
        }
    }

    fn round_trips(&self) -> u64 {
        match self {
            Connection::Native(c) => c.round_trips(),
            Connection::Upstash(c) => c.round_trips(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Connection::Native(c) => c.describe(),
            Connection::Upstash(c) => c.describe(),
        }
    }
}
