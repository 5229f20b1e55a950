//! Discovery (SCAN, never KEYS) and polling: one pipelined batch for every queue's counts, and
//! one more for locks and the oldest job, whatever the number of queues.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use opskit::redis::{Backend, Command, RedisError, Value};

use crate::bullmq::{self, Details, LayoutError, QueueRef, Snapshot};

/// Why discovery failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// Reading failed.
    #[error(transparent)]
    Redis(#[from] RedisError),
    /// The server refused SCAN (Upstash read-only tokens do).
    #[error(
        "finding queues needs SCAN, which this connection may not run ({0}); name the queues with --queue NAME (or `queues` in opskit.toml)"
    )]
    ScanRefused(String),
    /// An unexpected SCAN reply.
    #[error("unexpected SCAN reply: {0}")]
    BadScan(String),
}

/// The most SCAN calls one discovery makes; with COUNT 1000 that walks 10 million keys.
pub const MAX_SCAN_CALLS: usize = 10_000;

/// Finds queues under each prefix: keys `PREFIX:NAME:meta` (BullMQ) and `PREFIX:NAME:id`
/// (both libraries), with SCAN. Both patterns advance in the same pipelined call.
pub fn discover(
    backend: &mut dyn Backend,
    prefixes: &[String],
) -> Result<Vec<QueueRef>, DiscoveryError> {
    let mut found = BTreeSet::new();
    for prefix in prefixes {
        let suffixes = ["meta", "id"];
        let mut cursors: Vec<Option<String>> = vec![Some("0".to_owned()); suffixes.len()];
        let mut calls = 0;
        while cursors.iter().any(Option::is_some) && calls < MAX_SCAN_CALLS {
            calls += 1;
            let active: Vec<usize> = (0..suffixes.len())
                .filter(|&i| cursors[i].is_some())
                .collect();
            let commands: Vec<Command> = active
                .iter()
                .map(|&i| {
                    let pattern = format!("{}:*:{}", glob_escape(prefix), suffixes[i]);
                    vec![
                        "SCAN".into(),
                        cursors[i].clone().unwrap_or_default(),
                        "MATCH".into(),
                        pattern,
                        "COUNT".into(),
                        "1000".into(),
                    ]
                })
                .collect();
            let replies = backend.pipeline(&commands)?;
            if let Some(e) = auth_failure(backend, &replies) {
                return Err(e.into());
            }
            for (&i, reply) in active.iter().zip(replies) {
                let (next, keys) = match reply {
                    Value::Error(e) => return Err(DiscoveryError::ScanRefused(e)),
                    Value::Array(items) if items.len() == 2 => {
                        let next = items[0]
                            .as_text()
                            .ok_or_else(|| DiscoveryError::BadScan(format!("{:?}", items[0])))?;
                        let keys: Vec<String> = items[1]
                            .as_array()
                            .unwrap_or_default()
                            .iter()
                            .filter_map(Value::as_text)
                            .collect();
                        (next, keys)
                    }
                    other => return Err(DiscoveryError::BadScan(format!("{other:?}"))),
                };
                for key in keys {
                    if let Some(name) = queue_name(&key, prefix, suffixes[i]) {
                        found.insert(QueueRef::new(prefix.clone(), name));
                    }
                }
                cursors[i] = (next != "0").then_some(next);
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// Escapes SCAN's glob characters in a prefix.
fn glob_escape(s: &str) -> String {
    s.chars().fold(String::new(), |mut out, c| {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
        out
    })
}

fn queue_name(key: &str, prefix: &str, suffix: &str) -> Option<String> {
    let name = key
        .strip_prefix(prefix)?
        .strip_prefix(':')?
        .strip_suffix(suffix)?
        .strip_suffix(':')?;
    (!name.is_empty()).then(|| name.to_owned())
}

/// A server that wants credentials answers every command with `NOAUTH`; that is a failure
/// of the connection, not of a queue.
fn auth_failure(backend: &dyn Backend, replies: &[Value]) -> Option<RedisError> {
    replies.iter().find_map(|r| match r {
        Value::Error(e) if e.starts_with("NOAUTH") || e.starts_with("WRONGPASS") => {
            Some(RedisError::Auth {
                target: backend.describe(),
                reason: format!("{e}; put the password in the URL (redis://:PASSWORD@host)"),
            })
        }
        _ => None,
    })
}

/// One queue's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueResult {
    /// Read.
    Read {
        /// Counts and more.
        snapshot: Snapshot,
        /// Locks and the oldest job, when the second round ran.
        details: Details,
    },
    /// The keys were not a queue's.
    Broken {
        /// The queue.
        queue: QueueRef,
        /// What was wrong.
        error: LayoutError,
    },
}

/// The result of one poll.
#[derive(Debug, Clone)]
pub struct Poll {
    /// One result per queue, in the order asked.
    pub queues: Vec<QueueResult>,
    /// Round trips (native) or requests (REST) this poll made.
    pub round_trips: u64,
    /// How long it took.
    pub duration: Duration,
}

/// Polls `queues`: one batch for all counts, then (with `details`) one batch for active jobs'
/// locks and the oldest waiting jobs' timestamps.
pub fn poll(
    backend: &mut dyn Backend,
    queues: &[QueueRef],
    details: bool,
) -> Result<Poll, RedisError> {
    let started = Instant::now();
    let before = backend.round_trips();
    let commands: Vec<Command> = queues.iter().flat_map(bullmq::count_commands).collect();
    let replies = if commands.is_empty() {
        Vec::new()
    } else {
        backend.pipeline(&commands)?
    };
    if let Some(e) = auth_failure(backend, &replies) {
        return Err(e);
    }
    let mut parsed = Vec::with_capacity(queues.len());
    for (q, chunk) in queues.iter().zip(replies.chunks(bullmq::COUNT_COMMANDS)) {
        parsed.push(bullmq::parse_counts(q, chunk).map_err(|e| (q.clone(), e)));
    }
    let mut detail_replies: Vec<Vec<Value>> = vec![Vec::new(); parsed.len()];
    if details {
        let per_queue: Vec<Vec<Command>> = parsed
            .iter()
            .map(|r| r.as_ref().map(bullmq::detail_commands).unwrap_or_default())
            .collect();
        let all: Vec<Command> = per_queue.iter().flatten().cloned().collect();
        if !all.is_empty() {
            let mut replies = backend.pipeline(&all)?.into_iter();
            for (slot, cmds) in detail_replies.iter_mut().zip(&per_queue) {
                *slot = replies.by_ref().take(cmds.len()).collect();
            }
        }
    }
    let queues = parsed
        .into_iter()
        .zip(detail_replies)
        .map(|(r, d)| match r {
            Ok(snapshot) => {
                let details = bullmq::parse_details(&snapshot, &d);
                QueueResult::Read { snapshot, details }
            }
            Err((queue, error)) => QueueResult::Broken { queue, error },
        })
        .collect();
    Ok(Poll {
        queues,
        round_trips: backend.round_trips() - before,
        duration: started.elapsed(),
    })
}

/// One failed job, as `queue-depth failed` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedJob {
    /// The job id.
    pub id: String,
    /// The job's name.
    pub name: Option<String>,
    /// Attempts made.
    pub attempts: Option<i64>,
    /// Created (ms since the epoch).
    pub created_ms: Option<i64>,
    /// Failed (ms since the epoch).
    pub finished_ms: Option<i64>,
    /// The first line of `failedReason`.
    pub reason: Option<String>,
}

/// Reads the `limit` most recent failed jobs of a queue in two round trips.
pub fn failed_jobs(
    backend: &mut dyn Backend,
    q: &QueueRef,
    limit: usize,
) -> Result<Vec<FailedJob>, RedisError> {
    let ids_reply = backend.pipeline(&[bullmq::failed_ids_command(q, limit)])?;
    let ids: Vec<String> = match ids_reply.first() {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_text).collect(),
        Some(Value::Error(e)) => {
            return Err(RedisError::Protocol {
                target: backend.describe(),
                reason: format!("{}: {e}", q.key("failed")),
            });
        }
        _ => Vec::new(),
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let commands: Vec<Command> = ids
        .iter()
        .map(|id| bullmq::failed_job_command(q, id))
        .collect();
    let replies = backend.pipeline(&commands)?;
    Ok(ids
        .into_iter()
        .zip(replies)
        .map(|(id, reply)| {
            let fields = reply.as_array().map(<[Value]>::to_vec).unwrap_or_default();
            let text = |i: usize| fields.get(i).and_then(Value::as_text);
            let int = |i: usize| fields.get(i).and_then(Value::as_int);
            FailedJob {
                id,
                name: text(0),
                attempts: int(1).or_else(|| int(2)),
                created_ms: int(3),
                finished_ms: int(5),
                reason: text(6).map(|r| {
                    r.lines()
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .take(300)
                        .collect()
                }),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_keys() {
        assert_eq!(
            queue_name("bull:emails:meta", "bull", "meta").as_deref(),
            Some("emails")
        );
        assert_eq!(
            queue_name("bull:a:b:id", "bull", "id").as_deref(),
            Some("a:b")
        );
        assert_eq!(queue_name("bull::id", "bull", "id"), None);
        assert_eq!(queue_name("other:x:id", "bull", "id"), None);
        assert_eq!(queue_name("bullx:x:id", "bull", "id"), None);
    }

    #[test]
    fn prefixes_are_glob_escaped() {
        assert_eq!(glob_escape("my*app[1]"), "my\\*app\\[1\\]");
    }
}
