//! What BullMQ and Bull keep in Redis, and how to count it without writing anything.
//!
//! A queue `NAME` under prefix `P` (default `bull`) lives in keys `P:NAME:<suffix>`:
//!
//! | suffix             | type | BullMQ 5 | BullMQ 6 | Bull 3/4 | holds                                   |
//! |--------------------|------|----------|----------|----------|------------------------------------------|
//! | `wait`             | list | yes      | yes      | yes      | jobs waiting (v6: also while paused)     |
//! | `paused`           | list | yes      | legacy   | yes      | jobs of a paused queue (v5, Bull)        |
//! | `active`           | list | yes      | yes      | yes      | jobs being processed                     |
//! | `prioritized`      | zset | yes      | yes      |          | waiting jobs with a priority             |
//! | `priority`         | zset |          |          | yes      | ordering only; the jobs are also in wait |
//! | `delayed`          | zset | yes      | yes      | yes      | jobs scheduled for later                 |
//! | `waiting-children` | zset | yes      | yes      |          | parents waiting for their flow children  |
//! | `completed`        | zset | yes      | yes      | yes      | finished jobs kept                       |
//! | `failed`           | zset | yes      | yes      | yes      | failed jobs kept                         |
//! | `meta`             | hash | yes      | yes      | paused   | `paused` field when paused; BullMQ: `version`, `opts.maxLenEvents` |
//! | `meta-paused`      | str  |          |          | yes      | exists while paused                      |
//! | `<id>`             | hash | yes      | yes      | yes      | the job: name, timestamp, failedReason … |
//! | `<id>:lock`        | str  | yes      | yes      | yes      | held by a live worker, with a TTL        |
//!
//! Older BullMQ releases leave a *marker* (an entry starting with `0:`) at the tail of `wait` or
//! `paused`. The libraries' own counting script pops it (a write); this module only reads and
//! leaves the marker out of the count, which gives the same number.

use opskit::redis::{Command, Value};

/// Which library wrote a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// BullMQ (any major): its `meta` hash holds `opts.maxLenEvents` or a `bullmq:` version.
    BullMq,
    /// Bull (legacy): no such `meta` (Bull 4 keeps only `paused` there).
    Bull,
}

impl Layout {
    /// `bullmq` or `bull`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Layout::BullMq => "bullmq",
            Layout::Bull => "bull",
        }
    }
}

/// A queue's place in Redis.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueRef {
    /// The key prefix, `bull` unless the app chose another.
    pub prefix: String,
    /// The queue's name.
    pub name: String,
}

impl QueueRef {
    /// A queue under a prefix.
    pub fn new(prefix: impl Into<String>, name: impl Into<String>) -> QueueRef {
        QueueRef {
            prefix: prefix.into(),
            name: name.into(),
        }
    }

    /// The key `prefix:name:suffix`.
    pub fn key(&self, suffix: &str) -> String {
        format!("{}:{}:{}", self.prefix, self.name, suffix)
    }
}

/// Counts of one queue, read from its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Counts {
    /// `wait`, markers left out.
    pub waiting: u64,
    /// `paused` list, markers left out (BullMQ 5 and Bull move waiting jobs there on pause).
    pub paused: u64,
    /// `active`.
    pub active: u64,
    /// `prioritized` (BullMQ).
    pub prioritized: u64,
    /// `delayed`.
    pub delayed: u64,
    /// `waiting-children` (BullMQ flows).
    pub waiting_children: u64,
    /// `completed`.
    pub completed: u64,
    /// `failed`.
    pub failed: u64,
}

impl Counts {
    /// Jobs waiting to be processed: waiting + paused + prioritized. Delayed jobs are not due
    /// yet and waiting-children cannot run yet, so neither is in the depth.
    pub const fn depth(&self) -> u64 {
        self.waiting + self.paused + self.prioritized
    }

    /// Each state with its count, in the order BullMQ's `getJobCounts()` names them.
    pub fn states(&self) -> [(&'static str, u64); 8] {
        [
            ("active", self.active),
            ("completed", self.completed),
            ("delayed", self.delayed),
            ("failed", self.failed),
            ("paused", self.paused),
            ("prioritized", self.prioritized),
            ("waiting", self.waiting),
            ("waiting-children", self.waiting_children),
        ]
    }
}

/// What one poll learned about a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The queue.
    pub queue: QueueRef,
    /// Which library's layout.
    pub layout: Layout,
    /// The library version BullMQ records in `meta`, if any.
    pub version: Option<String>,
    /// Whether the queue is paused.
    pub is_paused: bool,
    /// The counts.
    pub counts: Counts,
    /// The id of the oldest waiting job, if any job waits.
    pub oldest_waiting: Option<String>,
    /// Ids of active jobs (at most the sample size).
    pub active_ids: Vec<String>,
    /// Whether any of the queue's bookkeeping keys (`meta`, `id`) exists: false for a name
    /// no producer has used (often a typo).
    pub exists: bool,
}

/// How many active job ids a poll reads to check their locks.
pub const ACTIVE_SAMPLE: usize = 1000;

/// The commands of the first round for one queue, in the order [`parse_counts`] reads them.
pub fn count_commands(q: &QueueRef) -> Vec<Command> {
    let c = |parts: &[&str]| parts.iter().map(|s| (*s).to_owned()).collect::<Command>();
    let (wait, paused, active, meta) = (
        q.key("wait"),
        q.key("paused"),
        q.key("active"),
        q.key("meta"),
    );
    vec![
        c(&["LLEN", &wait]),
        c(&["LINDEX", &wait, "-1"]),
        c(&["LINDEX", &wait, "-2"]),
        c(&["LLEN", &paused]),
        c(&["LINDEX", &paused, "-1"]),
        c(&["LINDEX", &paused, "-2"]),
        c(&["LLEN", &active]),
        c(&["ZCARD", &q.key("prioritized")]),
        c(&["ZCARD", &q.key("delayed")]),
        c(&["ZCARD", &q.key("waiting-children")]),
        c(&["ZCARD", &q.key("completed")]),
        c(&["ZCARD", &q.key("failed")]),
        c(&["HEXISTS", &meta, "opts.maxLenEvents"]),
        c(&["HGET", &meta, "paused"]),
        c(&["HGET", &meta, "version"]),
        c(&["EXISTS", &q.key("meta-paused")]),
        c(&["LRANGE", &active, "0", &(ACTIVE_SAMPLE - 1).to_string()]),
        c(&["EXISTS", &q.key("id")]),
    ]
}

/// Commands per queue in the first round.
pub const COUNT_COMMANDS: usize = 18;

/// Why a queue's keys could not be read as a queue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    /// A command failed (most often WRONGTYPE: the key is not what BullMQ would store there).
    #[error("{key}: {message}")]
    Command {
        /// The key read.
        key: String,
        /// Redis' error.
        message: String,
    },
    /// A reply of the wrong kind.
    #[error("{key}: unexpected reply {reply}")]
    Unexpected {
        /// The key read.
        key: String,
        /// What came back.
        reply: String,
    },
}

fn is_marker(v: &Value) -> bool {
    v.as_text().is_some_and(|t| t.starts_with("0:"))
}

/// Reads the first round's replies for one queue (exactly [`COUNT_COMMANDS`] of them).
pub fn parse_counts(q: &QueueRef, replies: &[Value]) -> Result<Snapshot, LayoutError> {
    // The key a reply belongs to, for error messages only: built when one is needed.
    let key = |i: usize| {
        count_commands(q)
            .get(i)
            .and_then(|c| c.get(1))
            .cloned()
            .unwrap_or_default()
    };
    for (i, r) in replies.iter().enumerate() {
        if let Value::Error(message) = r {
            return Err(LayoutError::Command {
                key: key(i),
                message: message.clone(),
            });
        }
    }
    let int = |i: usize| -> Result<u64, LayoutError> {
        let v = replies.get(i).unwrap_or(&Value::Nil);
        v.as_int()
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| LayoutError::Unexpected {
                key: key(i),
                reply: format!("{v:?}"),
            })
    };
    let value = |i: usize| replies.get(i).unwrap_or(&Value::Nil);
    // A list whose tail is a marker holds one job fewer than its length.
    let list = |len_at: usize| -> Result<(u64, Option<String>), LayoutError> {
        let len = int(len_at)?;
        let (last, before) = (value(len_at + 1), value(len_at + 2));
        if is_marker(last) {
            let oldest = if len >= 2 && !is_marker(before) {
                before.as_text()
            } else {
                None
            };
            Ok((len.saturating_sub(1), oldest))
        } else {
            Ok((len, last.as_text()))
        }
    };
    let (waiting, oldest_wait) = list(0)?;
    let (paused, oldest_paused) = list(3)?;
    // Bull 4 keeps a `meta` hash too (with only `paused`); BullMQ's has its event settings
    // and, since v5, its version.
    let version = value(14).as_text();
    let has_meta = int(12)? == 1 || version.as_deref().is_some_and(|v| v.starts_with("bullmq"));
    let meta_paused = value(13)
        .as_text()
        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    let bull_paused = int(15)? == 1;
    let counts = Counts {
        waiting,
        paused,
        active: int(6)?,
        prioritized: int(7)?,
        delayed: int(8)?,
        waiting_children: int(9)?,
        completed: int(10)?,
        failed: int(11)?,
    };
    let active_ids = value(16)
        .as_array()
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_text)
        .collect();
    Ok(Snapshot {
        queue: q.clone(),
        layout: if has_meta {
            Layout::BullMq
        } else {
            Layout::Bull
        },
        version,
        is_paused: meta_paused || bull_paused,
        counts,
        // The paused list's tail is older than anything in wait when both hold jobs.
        oldest_waiting: oldest_paused.or(oldest_wait),
        active_ids,
        exists: has_meta || int(17)? == 1,
    })
}

/// The second round for one queue: the lock of each sampled active job, then the oldest
/// waiting job's `timestamp`.
pub fn detail_commands(s: &Snapshot) -> Vec<Command> {
    let mut commands: Vec<Command> = s
        .active_ids
        .iter()
        .map(|id| vec!["EXISTS".to_owned(), s.queue.key(&format!("{id}:lock"))])
        .collect();
    if let Some(id) = &s.oldest_waiting {
        commands.push(vec![
            "HGET".to_owned(),
            s.queue.key(id),
            "timestamp".to_owned(),
        ]);
    }
    commands
}

/// What the second round tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Details {
    /// Active jobs without a lock: their worker is gone.
    pub stalled: u64,
    /// When the oldest waiting job was created (ms since the epoch), if known.
    pub oldest_timestamp_ms: Option<i64>,
}

/// Reads the second round's replies for one queue.
pub fn parse_details(s: &Snapshot, replies: &[Value]) -> Details {
    let locks = &replies[..s.active_ids.len().min(replies.len())];
    let stalled = locks.iter().filter(|v| v.as_int() == Some(0)).count() as u64;
    let oldest_timestamp_ms = s
        .oldest_waiting
        .as_ref()
        .and_then(|_| replies.get(s.active_ids.len()))
        .and_then(Value::as_int);
    Details {
        stalled,
        oldest_timestamp_ms,
    }
}

/// Commands that read the `limit` most recent failed jobs' ids (first round of `failed`).
pub fn failed_ids_command(q: &QueueRef, limit: usize) -> Command {
    vec![
        "ZREVRANGE".to_owned(),
        q.key("failed"),
        "0".to_owned(),
        limit.saturating_sub(1).to_string(),
    ]
}

/// The job fields `failed` shows; never `data`, `returnvalue` or `stacktrace`. BullMQ 5+
/// stores attempts made as `atm`; Bull and older BullMQ as `attemptsMade`.
pub const FAILED_FIELDS: [&str; 7] = [
    "name",
    "attemptsMade",
    "atm",
    "timestamp",
    "processedOn",
    "finishedOn",
    "failedReason",
];

/// The command reading one failed job's shown fields.
pub fn failed_job_command(q: &QueueRef, id: &str) -> Command {
    let mut c = vec!["HMGET".to_owned(), q.key(id)];
    c.extend(FAILED_FIELDS.iter().map(|f| (*f).to_owned()));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::Bulk(s.as_bytes().to_vec())
    }

    fn replies(
        wait: (i64, Value, Value),
        paused: (i64, Value, Value),
        meta: bool,
        meta_paused: Option<&str>,
    ) -> Vec<Value> {
        vec![
            Value::Int(wait.0),
            wait.1,
            wait.2,
            Value::Int(paused.0),
            paused.1,
            paused.2,
            Value::Int(2),
            Value::Int(3),
            Value::Int(4),
            Value::Int(5),
            Value::Int(6),
            Value::Int(7),
            Value::Int(i64::from(meta)),
            meta_paused.map_or(Value::Nil, bulk),
            if meta {
                bulk("bullmq:6.7.0")
            } else {
                Value::Nil
            },
            Value::Int(0),
            Value::Array(vec![bulk("11"), bulk("12")]),
            Value::Int(1),
        ]
    }

    #[test]
    fn command_count_matches() {
        assert_eq!(
            count_commands(&QueueRef::new("bull", "q")).len(),
            COUNT_COMMANDS
        );
    }

    #[test]
    fn counts_from_replies() {
        let q = QueueRef::new("bull", "emails");
        let s = parse_counts(
            &q,
            &replies(
                (10, bulk("1"), bulk("2")),
                (0, Value::Nil, Value::Nil),
                true,
                None,
            ),
        )
        .unwrap();
        assert_eq!(s.layout, Layout::BullMq);
        assert_eq!(s.version.as_deref(), Some("bullmq:6.7.0"));
        assert!(!s.is_paused);
        assert_eq!(
            s.counts,
            Counts {
                waiting: 10,
                paused: 0,
                active: 2,
                prioritized: 3,
                delayed: 4,
                waiting_children: 5,
                completed: 6,
                failed: 7
            }
        );
        assert_eq!(s.counts.depth(), 13);
        assert_eq!(s.oldest_waiting.as_deref(), Some("1"));
        assert_eq!(s.active_ids, ["11", "12"]);
    }

    #[test]
    fn markers_are_not_jobs() {
        let q = QueueRef::new("bull", "q");
        let s = parse_counts(
            &q,
            &replies(
                (3, bulk("0:1700000000"), bulk("7")),
                (1, bulk("0:0"), Value::Nil),
                false,
                None,
            ),
        )
        .unwrap();
        assert_eq!((s.counts.waiting, s.counts.paused), (2, 0));
        assert_eq!(s.oldest_waiting.as_deref(), Some("7"));
        assert_eq!(s.layout, Layout::Bull);
        let s = parse_counts(
            &q,
            &replies(
                (1, bulk("0:5"), Value::Nil),
                (0, Value::Nil, Value::Nil),
                true,
                None,
            ),
        )
        .unwrap();
        assert_eq!((s.counts.waiting, s.oldest_waiting), (0, None));
    }

    #[test]
    fn paused_from_meta_or_bull_key() {
        let q = QueueRef::new("bull", "q");
        let s = parse_counts(
            &q,
            &replies(
                (0, Value::Nil, Value::Nil),
                (4, bulk("9"), bulk("10")),
                true,
                Some("1"),
            ),
        )
        .unwrap();
        assert!(s.is_paused);
        assert_eq!(
            (s.counts.paused, s.oldest_waiting.as_deref()),
            (4, Some("9"))
        );
        let mut r = replies(
            (0, Value::Nil, Value::Nil),
            (0, Value::Nil, Value::Nil),
            false,
            None,
        );
        r[15] = Value::Int(1);
        assert!(parse_counts(&q, &r).unwrap().is_paused);
    }

    #[test]
    fn wrong_types_are_errors_naming_the_key() {
        let q = QueueRef::new("bull", "q");
        let mut r = replies(
            (0, Value::Nil, Value::Nil),
            (0, Value::Nil, Value::Nil),
            true,
            None,
        );
        r[7] = Value::Error(
            "WRONGTYPE Operation against a key holding the wrong kind of value".into(),
        );
        let err = parse_counts(&q, &r).unwrap_err();
        assert!(
            err.to_string().starts_with("bull:q:prioritized: WRONGTYPE"),
            "{err}"
        );
        r[7] = bulk("x");
        assert!(matches!(
            parse_counts(&q, &r),
            Err(LayoutError::Unexpected { .. })
        ));
    }

    #[test]
    fn details_count_missing_locks() {
        let q = QueueRef::new("bull", "q");
        let s = parse_counts(
            &q,
            &replies(
                (1, bulk("5"), Value::Nil),
                (0, Value::Nil, Value::Nil),
                true,
                None,
            ),
        )
        .unwrap();
        let cmds = detail_commands(&s);
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[0], ["EXISTS", "bull:q:11:lock"]);
        assert_eq!(cmds[2], ["HGET", "bull:q:5", "timestamp"]);
        let d = parse_details(&s, &[Value::Int(1), Value::Int(0), bulk("1700000000000")]);
        assert_eq!(
            d,
            Details {
                stalled: 1,
                oldest_timestamp_ms: Some(1_700_000_000_000)
            }
        );
    }
}
