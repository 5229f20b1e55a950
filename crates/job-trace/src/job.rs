//! One job as BullMQ keeps it, read without writing anything, in three pipelined rounds.
//!
//! The hash `PREFIX:QUEUE:ID` holds the job. Field names differ by version: BullMQ 5 and 6
//! write attempts made as `atm` (older releases and Bull as `attemptsMade`), attempts started
//! as `ats`, the stalled counter as `stc`, the repeat or scheduler key as `rjk`, the
//! deduplication id as `deid`, the worker's name as `pb` and a deferred failure as `defa`.
//! Beside it: `ID:lock` (held by the live worker), `ID:logs` (the `job.log()` lines) and, for a
//! flow's parent, `ID:dependencies` (pending children), `ID:processed` (completed children and
//! their return values), `ID:failed` (ignored failures) and `ID:unsuccessful` (failed children).
//!
//! The state follows BullMQ's own getState() order (completed, failed, delayed, prioritized,
//! active, wait, paused, waiting-children), and an active job whose lock is gone is stalled,
//! the rule queue-depth counts stalled jobs by.
//!
//! Every field is bounded: the first round asks each variable field's length (`HSTRLEN`), and
//! the second reads only the fields shorter than [`FIELD_MAX`], so a hash holding a 1 GB
//! failedReason costs a number, not a gigabyte.

use opskit::redis::{Backend, Command, RedisError, Value};
use opskit_queue_depth::bullmq::QueueRef;

/// The longest field read from a job's hash; a longer one is reported by its length.
pub const FIELD_MAX: i64 = 256 * 1024;
/// How many of the last `job.log()` lines are read.
pub const LOG_LINES: usize = 100;
/// How many children of a flow's parent are read, per kind.
pub const CHILDREN_MAX: usize = 50;

/// Fields whose length is asked first; their value is read only when short enough.
const VARIABLE: [&str; 10] = [
    "name",
    "opts",
    "failedReason",
    "stacktrace",
    "parent",
    "parentKey",
    "rjk",
    "defa",
    "data",
    "returnvalue",
];
/// Fields that are numbers or short ids, read at once.
const FIXED: [&str; 11] = [
    "timestamp",
    "delay",
    "priority",
    "processedOn",
    "finishedOn",
    "atm",
    "attemptsMade",
    "ats",
    "stc",
    "deid",
    "pb",
];

/// A job's state, in BullMQ's words, plus stalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// In the completed set.
    Completed,
    /// In the failed set.
    Failed,
    /// In the delayed set.
    Delayed,
    /// In the prioritized set (waiting, with a priority).
    Prioritized,
    /// In the active list, its lock held.
    Active,
    /// In the active list, its lock gone: the worker died.
    Stalled,
    /// In the wait list or the paused list.
    Waiting,
    /// A flow's parent waiting for its children.
    WaitingChildren,
    /// The hash exists but the id is in no list or set.
    Unknown,
}

impl State {
    /// The word BullMQ's getState() returns (`stalled` is active without a lock).
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Completed => "completed",
            State::Failed => "failed",
            State::Delayed => "delayed",
            State::Prioritized => "prioritized",
            State::Active => "active",
            State::Stalled => "stalled",
            State::Waiting => "waiting",
            State::WaitingChildren => "waiting-children",
            State::Unknown => "unknown",
        }
    }

    /// The state BullMQ's getState() reports for this one (it has no `stalled`).
    pub const fn bullmq(self) -> &'static str {
        match self {
            State::Stalled => "active",
            s => s.as_str(),
        }
    }
}

/// A field of the hash: absent, read, or too long to read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Field {
    /// Not in the hash.
    #[default]
    Absent,
    /// Its text.
    Text(String),
    /// Longer than [`FIELD_MAX`] bytes: not read.
    TooLong(u64),
}

impl Field {
    /// The text, if read.
    pub fn text(&self) -> Option<&str> {
        match self {
            Field::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A child of a flow's parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    /// The child's queue.
    pub queue: QueueRef,
    /// Its id.
    pub id: String,
    /// `pending`, `processed`, `failed` or `ignored`, from the parent's bookkeeping.
    pub relation: &'static str,
    /// Its name, if its hash is still there.
    pub name: Option<String>,
    /// Its state.
    pub state: Option<State>,
}

/// The parent of a child job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    /// The parent's queue.
    pub queue: QueueRef,
    /// Its id.
    pub id: String,
    /// Its name, if its hash is still there.
    pub name: Option<String>,
    /// Its state, if its hash is still there.
    pub state: Option<State>,
}

/// A job scheduler's or repeatable job's settings (`PREFIX:QUEUE:repeat:KEY`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Repeat {
    /// The key (`rjk`).
    pub key: String,
    /// `pattern` (cron), `every` (ms), `tz`, `limit`, `ic` (iterations so far), `endDate`, as
    /// stored.
    pub settings: Vec<(String, String)>,
}

/// Everything read about one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The queue.
    pub queue: QueueRef,
    /// The id.
    pub id: String,
    /// The job's state; `None` when the hash does not exist.
    pub state: Option<State>,
    /// Every field read, by name (variable fields only when short enough).
    pub fields: Vec<(&'static str, Field)>,
    /// The delayed set's score, if delayed (BullMQ 5+: due time × 4096 plus a counter).
    pub delayed_score: Option<i64>,
    /// Whether the queue is paused.
    pub queue_paused: bool,
    /// Whether the queue has any bookkeeping key (`meta` or `id`).
    pub queue_exists: bool,
    /// The last [`LOG_LINES`] `job.log()` lines, oldest first.
    pub logs: Vec<String>,
    /// How many log lines the job has in all.
    pub log_count: u64,
    /// The parent, for a child.
    pub parent: Option<Parent>,
    /// The children, for a parent (at most [`CHILDREN_MAX`] of each kind).
    pub children: Vec<Child>,
    /// How many children of each kind there are: pending, processed, failed, ignored.
    pub child_counts: [u64; 4],
    /// The repeat or scheduler settings, when the job came from one.
    pub repeat: Option<Repeat>,
}

impl Job {
    /// A field's value, if read.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, f)| f.text())
    }

    /// A field as it is: absent, read or too long.
    pub fn raw(&self, name: &str) -> &Field {
        const ABSENT: &Field = &Field::Absent;
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(ABSENT, |(_, f)| f)
    }

    /// A number field (`timestamp`, `processedOn`, ...).
    pub fn int(&self, name: &str) -> Option<i64> {
        self.field(name)?.trim().parse().ok()
    }

    /// Attempts made, whichever name the version wrote it under.
    pub fn attempts_made(&self) -> i64 {
        self.int("atm")
            .or_else(|| self.int("attemptsMade"))
            .unwrap_or(0)
    }

    /// The job's options as JSON, if read and valid.
    pub fn opts(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.field("opts")?).ok()
    }
}

/// Why a job could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Reading Redis failed.
    #[error(transparent)]
    Redis(#[from] RedisError),
    /// A key holds something BullMQ would not store there.
    #[error("{key}: {message} (not a BullMQ job)")]
    Layout {
        /// The key.
        key: String,
        /// Redis' error.
        message: String,
    },
}

fn cmd(parts: &[&str]) -> Command {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

/// The commands that find a job's state, in the order [`parse_state`] reads them.
pub fn state_commands(q: &QueueRef, id: &str) -> Vec<Command> {
    vec![
        cmd(&["ZSCORE", &q.key("completed"), id]),
        cmd(&["ZSCORE", &q.key("failed"), id]),
        cmd(&["ZSCORE", &q.key("delayed"), id]),
        cmd(&["ZSCORE", &q.key("prioritized"), id]),
        cmd(&["LPOS", &q.key("active"), id]),
        cmd(&["LPOS", &q.key("wait"), id]),
        cmd(&["LPOS", &q.key("paused"), id]),
        cmd(&["ZSCORE", &q.key("waiting-children"), id]),
        cmd(&["EXISTS", &q.key(&format!("{id}:lock"))]),
    ]
}

/// Commands in [`state_commands`].
pub const STATE_COMMANDS: usize = 9;

/// The state from [`state_commands`]' replies, in getState()'s order.
pub fn parse_state(replies: &[Value]) -> State {
    let present = |i: usize| !matches!(replies.get(i), None | Some(Value::Nil | Value::Error(_)));
    let locked = replies.get(8).and_then(Value::as_int) == Some(1);
    match (0..8).find(|&i| present(i)) {
        Some(0) => State::Completed,
        Some(1) => State::Failed,
        Some(2) => State::Delayed,
        Some(3) => State::Prioritized,
        Some(4) if locked => State::Active,
        Some(4) => State::Stalled,
        Some(5 | 6) => State::Waiting,
        Some(7) => State::WaitingChildren,
        _ => State::Unknown,
    }
}

fn first_error(keys: &[Command], replies: &[Value]) -> Result<(), ReadError> {
    for (c, r) in keys.iter().zip(replies) {
        if let Value::Error(message) = r {
            // LPOS on an old server is an unknown command, not a layout problem.
            if message.contains("unknown command") {
                continue;
            }
            return Err(ReadError::Layout {
                key: c.get(1).cloned().unwrap_or_default(),
                message: message.clone(),
            });
        }
    }
    Ok(())
}

/// `PREFIX:QUEUE:ID` split back into a queue and an id, for children keys. A queue name
/// holds no `:` (BullMQ refuses one), a prefix and an id may, so a key under the parent's own
/// prefix is split after it; another key at its first `:` after the prefix's own segments is
/// ambiguous, and is split at its second-to-last `:`.
pub fn split_job_key(key: &str, known_prefix: &str) -> Option<(QueueRef, String)> {
    if let Some(rest) = key
        .strip_prefix(known_prefix)
        .and_then(|r| r.strip_prefix(':'))
    {
        let (queue, id) = rest.split_once(':')?;
        return Some((QueueRef::new(known_prefix, queue), id.to_owned()));
    }
    let (head, id) = key.rsplit_once(':')?;
    let (prefix, queue) = head.rsplit_once(':')?;
    Some((QueueRef::new(prefix, queue), id.to_owned()))
}

/// The reads of a parent's children: pending, processed, failed and ignored, at most
/// [`CHILDREN_MAX`] of each.
fn children_commands(q: &QueueRef, id: &str) -> Vec<Command> {
    let scan_max = CHILDREN_MAX.to_string();
    vec![
        cmd(&[
            "SSCAN",
            &q.key(&format!("{id}:dependencies")),
            "0",
            "COUNT",
            &scan_max,
        ]),
        cmd(&[
            "HSCAN",
            &q.key(&format!("{id}:processed")),
            "0",
            "COUNT",
            &scan_max,
        ]),
        cmd(&[
            "ZRANGE",
            &q.key(&format!("{id}:unsuccessful")),
            "0",
            &(CHILDREN_MAX - 1).to_string(),
        ]),
        cmd(&[
            "HSCAN",
            &q.key(&format!("{id}:failed")),
            "0",
            "COUNT",
            &scan_max,
        ]),
    ]
}

/// Round 1: existence, lengths, fixed fields, state, queue flags, counts.
fn first_round(q: &QueueRef, id: &str) -> Vec<Command> {
    let key = q.key(id);
    let logs_key = q.key(&format!("{id}:logs"));
    let mut first: Vec<Command> = vec![cmd(&["EXISTS", &key])];
    first.extend(VARIABLE.iter().map(|f| cmd(&["HSTRLEN", &key, f])));
    let mut hmget = cmd(&["HMGET", &key]);
    hmget.extend(FIXED.iter().map(|f| (*f).to_owned()));
    first.push(hmget);
    first.extend(state_commands(q, id));
    first.extend([
        cmd(&["HGET", &q.key("meta"), "paused"]),
        cmd(&["EXISTS", &q.key("meta"), &q.key("id")]),
        cmd(&["LLEN", &logs_key]),
        cmd(&["SCARD", &q.key(&format!("{id}:dependencies"))]),
        cmd(&["HLEN", &q.key(&format!("{id}:processed"))]),
        cmd(&["ZCARD", &q.key(&format!("{id}:unsuccessful"))]),
        cmd(&["HLEN", &q.key(&format!("{id}:failed"))]),
    ]);
    first
}

/// Reads one job: state, fields, logs, flow and repeat settings.
pub fn read(redis: &mut dyn Backend, q: &QueueRef, id: &str, data: bool) -> Result<Job, ReadError> {
    let key = q.key(id);
    let logs_key = q.key(&format!("{id}:logs"));
    let first = first_round(q, id);
    let r1 = redis.pipeline(&first)?;
    first_error(&first, &r1)?;
    let exists = r1.first().and_then(Value::as_int) == Some(1);
    let lengths: Vec<Option<i64>> = (1..=VARIABLE.len())
        .map(|i| r1.get(i).and_then(Value::as_int))
        .collect();
    let fixed_at = 1 + VARIABLE.len();
    let fixed = r1
        .get(fixed_at)
        .and_then(Value::as_array)
        .unwrap_or_default();
    let state_at = fixed_at + 1;
    let state_replies = r1
        .get(state_at..state_at + STATE_COMMANDS)
        .unwrap_or_default();
    let rest = state_at + STATE_COMMANDS;
    let at = |i: usize| r1.get(rest + i).cloned().unwrap_or(Value::Nil);
    let queue_paused = at(0)
        .as_text()
        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    let queue_exists = at(1).as_int().unwrap_or(0) > 0;
    let log_count = at(2)
        .as_int()
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0);
    let count = |i: usize| {
        at(i)
            .as_int()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0)
    };
    let child_counts = [count(3), count(4), count(5), count(6)];
    let mut fields: Vec<(&'static str, Field)> = FIXED
        .iter()
        .zip(fixed.iter())
        .filter_map(|(n, v)| v.as_text().map(|t| (*n, Field::Text(t))))
        .collect();
    // Round 2: the variable fields short enough to read, the log lines and the children.
    let mut second: Vec<Command> = Vec::new();
    let mut wanted: Vec<&'static str> = Vec::new();
    for (name, len) in VARIABLE.iter().zip(&lengths) {
        let Some(len) = len.filter(|n| *n > 0) else {
            continue;
        };
        if !data && matches!(*name, "data" | "returnvalue") {
            continue;
        }
        if len > FIELD_MAX {
            fields.push((name, Field::TooLong(u64::try_from(len).unwrap_or(0))));
        } else {
            second.push(cmd(&["HGET", &key, name]));
            wanted.push(name);
        }
    }
    let n_fields = second.len();
    second.push(cmd(&["LRANGE", &logs_key, &format!("-{LOG_LINES}"), "-1"]));
    second.extend(children_commands(q, id));
    let delayed_score = state_replies
        .get(2)
        .and_then(Value::as_text)
        .and_then(|s| s.parse::<f64>().ok());
    let r2 = redis.pipeline(&second)?;
    first_error(&second, &r2)?;
    for (name, v) in wanted.iter().zip(&r2) {
        if let Some(t) = v.as_text() {
            fields.push((name, Field::Text(t)));
        }
    }
    let logs = r2
        .get(n_fields)
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_text)
        .collect();
    let children = children_of(q, r2.get(n_fields + 1..).unwrap_or_default());
    let state = exists.then(|| parse_state(state_replies));
    #[expect(
        clippy::cast_possible_truncation,
        reason = "scores are integral milliseconds × 4096"
    )]
    let mut job = Job {
        queue: q.clone(),
        id: id.to_owned(),
        state,
        fields,
        delayed_score: delayed_score.map(|s| s as i64),
        queue_paused,
        queue_exists,
        logs,
        log_count,
        parent: None,
        children,
        child_counts,
        repeat: None,
    };
    relatives(redis, &mut job)?;
    Ok(job)
}

/// The children named in round 2's four replies (dependencies, processed, unsuccessful,
/// failed), at most [`CHILDREN_MAX`] of each.
fn children_of(q: &QueueRef, replies: &[Value]) -> Vec<Child> {
    let scanned = |v: Option<&Value>, pairs: bool| -> Vec<String> {
        let items: Vec<String> = match v.and_then(Value::as_array) {
            // SSCAN / HSCAN: [cursor, [items]].
            Some([_, Value::Array(items)]) => items.iter().filter_map(Value::as_text).collect(),
            Some(items) => items.iter().filter_map(Value::as_text).collect(),
            None => Vec::new(),
        };
        let keys: Vec<String> = if pairs {
            items.into_iter().step_by(2).collect()
        } else {
            items
        };
        keys.into_iter().take(CHILDREN_MAX).collect()
    };
    let mut out = Vec::new();
    for (i, (relation, pairs)) in [
        ("pending", false),
        ("processed", true),
        ("failed", false),
        ("ignored", true),
    ]
    .into_iter()
    .enumerate()
    {
        for key in scanned(replies.get(i), pairs) {
            if let Some((queue, id)) = split_job_key(&key, &q.prefix) {
                out.push(Child {
                    queue,
                    id,
                    relation,
                    name: None,
                    state: None,
                });
            }
        }
    }
    out
}

/// Round 3: the parent's and children's names and states, and the repeat settings.
fn relatives(redis: &mut dyn Backend, job: &mut Job) -> Result<(), ReadError> {
    let parent = job
        .field("parent")
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .and_then(|p| {
            let id = p.get("id")?.as_str()?.to_owned();
            let queue_key = p.get("queueKey")?.as_str()?.to_owned();
            let (prefix, name) = queue_key.rsplit_once(':')?;
            Some((QueueRef::new(prefix, name), id))
        })
        .or_else(|| {
            job.field("parentKey")
                .and_then(|k| split_job_key(k, &job.queue.prefix))
        });
    let mut who: Vec<(QueueRef, String)> = job
        .children
        .iter()
        .map(|c| (c.queue.clone(), c.id.clone()))
        .collect();
    if let Some(p) = &parent {
        who.push(p.clone());
    }
    let mut commands = Vec::new();
    for (q, id) in &who {
        commands.push(cmd(&["EXISTS", &q.key(id)]));
        // A name is short; a hostile one is cut by the reply limit, and then by the renderer.
        commands.push(cmd(&["HGET", &q.key(id), "name"]));
        commands.extend(state_commands(q, id));
    }
    let rjk = job.field("rjk").map(ToOwned::to_owned);
    if let Some(k) = &rjk {
        commands.push(cmd(&["HGETALL", &job.queue.key(&format!("repeat:{k}"))]));
    }
    if commands.is_empty() {
        return Ok(());
    }
    let replies = redis.pipeline(&commands)?;
    let per = 2 + STATE_COMMANDS;
    let relative = |i: usize| -> (Option<String>, Option<State>) {
        let Some(r) = replies.get(i * per..(i + 1) * per) else {
            return (None, None);
        };
        let exists = r[0].as_int() == Some(1);
        let name = exists.then(|| r[1].as_text()).flatten();
        (name, exists.then(|| parse_state(&r[2..])))
    };
    for (i, child) in job.children.iter_mut().enumerate() {
        (child.name, child.state) = relative(i);
    }
    if let Some((queue, id)) = parent {
        let (name, state) = relative(job.children.len());
        job.parent = Some(Parent {
            queue,
            id,
            name,
            state,
        });
    }
    if let Some(key) = rjk {
        let flat: Vec<String> = replies
            .last()
            .and_then(Value::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_text)
            .collect();
        let settings = flat
            .chunks(2)
            .filter_map(|p| match p {
                [k, v]
                    if matches!(
                        k.as_str(),
                        "pattern"
                            | "every"
                            | "tz"
                            | "limit"
                            | "ic"
                            | "endDate"
                            | "startDate"
                            | "offset"
                            | "name"
                    ) =>
                {
                    Some((k.clone(), v.chars().take(200).collect()))
                }
                _ => None,
            })
            .collect();
        job.repeat = Some(Repeat { key, settings });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::Bulk(s.as_bytes().to_vec())
    }

    #[test]
    fn state_follows_getstate_order() {
        let mut r = vec![Value::Nil; STATE_COMMANDS];
        assert_eq!(parse_state(&r), State::Unknown);
        r[7] = bulk("1");
        assert_eq!(parse_state(&r), State::WaitingChildren);
        r[6] = Value::Int(0);
        assert_eq!(parse_state(&r), State::Waiting);
        r[4] = Value::Int(3);
        r[8] = Value::Int(0);
        assert_eq!(parse_state(&r), State::Stalled);
        r[8] = Value::Int(1);
        assert_eq!(parse_state(&r), State::Active);
        r[1] = bulk("1700000000000");
        assert_eq!(parse_state(&r), State::Failed);
        r[0] = bulk("1700000000000");
        assert_eq!(parse_state(&r), State::Completed);
        assert_eq!(State::Stalled.bullmq(), "active");
    }

    #[test]
    fn job_keys_split_back() {
        assert_eq!(
            split_job_key("bull:children:42", "bull"),
            Some((QueueRef::new("bull", "children"), "42".to_owned()))
        );
        assert_eq!(
            split_job_key("bull:q:repeat:abc:1700", "bull"),
            Some((QueueRef::new("bull", "q"), "repeat:abc:1700".to_owned()))
        );
        assert_eq!(
            split_job_key("{app}:q:7", "bull"),
            Some((QueueRef::new("{app}", "q"), "7".to_owned()))
        );
        assert_eq!(split_job_key("nocolon", "bull"), None);
    }
}
