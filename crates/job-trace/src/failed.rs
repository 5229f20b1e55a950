//! `job-trace QUEUE --failed`: the failed jobs of a queue grouped by the first line of their
//! failedReason, so "many jobs fail" becomes "one cause, 37 jobs".
//!
//! The failed set is scored by the time each job failed, so `--since` is one range read
//! (`ZREVRANGEBYSCORE`), newest first, at most `--limit` jobs. Each reason is read only when
//! shorter than [`REASON_MAX`] (its length is asked first), and only its first line is kept.

use std::collections::BTreeMap;

use opskit::redis::{Backend, Command, RedisError, Value};
use opskit_queue_depth::bullmq::QueueRef;

/// The longest failedReason read; a longer one is grouped as "a reason of N bytes".
pub const REASON_MAX: i64 = 16 * 1024;
/// Jobs read per request.
const BATCH: usize = 500;

/// One cause: the failed jobs whose reason's first line is the same once numbers and ids are
/// read as placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// The first line of the newest job's reason.
    pub example_reason: String,
    /// The newest job's id.
    pub example_id: String,
    /// How many jobs.
    pub count: u64,
    /// When the first and the last of them failed (ms).
    pub first_ms: i64,
    /// When the last failed.
    pub last_ms: i64,
    /// Job names and how many of each.
    pub names: BTreeMap<String, u64>,
}

/// The grouping of a queue's failed jobs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grouped {
    /// Causes, most jobs first.
    pub causes: Vec<Cause>,
    /// Jobs grouped.
    pub jobs: u64,
    /// Failed jobs in the window, whether read or not.
    pub in_window: u64,
    /// Jobs left out by `--name`.
    pub other_names: u64,
}

/// The first line of a reason with digits, hex ids and UUIDs made placeholders: the key jobs
/// are grouped by.
pub fn cause_key(first_line: &str) -> String {
    let mut out = String::with_capacity(first_line.len());
    for word in first_line.split_inclusive(|c: char| !c.is_ascii_alphanumeric() && c != '-') {
        let (body, sep) = match word.char_indices().last() {
            Some((i, c)) if !c.is_ascii_alphanumeric() && c != '-' => (&word[..i], &word[i..]),
            _ => (word, ""),
        };
        let hexish = body.len() >= 8
            && body.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
            && body.bytes().any(|b| b.is_ascii_digit());
        if hexish {
            out.push('…');
        } else {
            let mut in_digits = false;
            for c in body.chars() {
                if c.is_ascii_digit() {
                    if !in_digits {
                        out.push('#');
                    }
                    in_digits = true;
                } else {
                    in_digits = false;
                    out.push(c);
                }
            }
        }
        out.push_str(sep);
    }
    out.trim().to_owned()
}

fn cmd(parts: &[&str]) -> Command {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

/// Reads one batch of failed jobs' names and reasons and adds them to their causes.
fn group_batch(
    redis: &mut dyn Backend,
    q: &QueueRef,
    batch: &[(String, i64)],
    name: Option<&str>,
    causes: &mut BTreeMap<String, Cause>,
    out: &mut Grouped,
) -> Result<(), RedisError> {
    let mut lengths = Vec::new();
    for (id, _) in batch {
        lengths.push(cmd(&["HSTRLEN", &q.key(id), "failedReason"]));
        lengths.push(cmd(&["HSTRLEN", &q.key(id), "name"]));
    }
    let lens = redis.pipeline(&lengths)?;
    let len = |i: usize| lens.get(i).and_then(Value::as_int).unwrap_or(0);
    let mut reads = Vec::new();
    for (i, (id, _)) in batch.iter().enumerate() {
        let reason = if len(2 * i) <= REASON_MAX {
            "failedReason"
        } else {
            "timestamp"
        };
        let name = if len(2 * i + 1) <= 1024 {
            "name"
        } else {
            "timestamp"
        };
        reads.push(cmd(&["HMGET", &q.key(id), name, reason]));
    }
    let values = redis.pipeline(&reads)?;
    for (i, (id, finished)) in batch.iter().enumerate() {
        let pair = values.get(i).and_then(Value::as_array).unwrap_or_default();
        let text = |j: usize| pair.get(j).and_then(Value::as_text);
        let job_name = if len(2 * i + 1) <= 1024 {
            text(0).unwrap_or_else(|| "?".to_owned())
        } else {
            "(a name too long to read)".to_owned()
        };
        if name.is_some_and(|n| n != job_name) {
            out.other_names += 1;
            continue;
        }
        let reason = if len(2 * i) <= REASON_MAX {
            text(1).map_or_else(
                || "(no reason recorded)".to_owned(),
                |r| {
                    r.lines()
                        .next()
                        .unwrap_or_default()
                        .chars()
                        .take(500)
                        .collect()
                },
            )
        } else {
            format!("(a reason of {} bytes, not read)", len(2 * i))
        };
        let key = cause_key(&reason);
        let cause = causes.entry(key).or_insert_with(|| Cause {
            example_reason: reason,
            example_id: id.clone(),
            count: 0,
            first_ms: *finished,
            last_ms: *finished,
            names: BTreeMap::new(),
        });
        cause.count += 1;
        cause.first_ms = cause.first_ms.min(*finished);
        cause.last_ms = cause.last_ms.max(*finished);
        *cause.names.entry(job_name).or_default() += 1;
        out.jobs += 1;
    }
    Ok(())
}

/// Reads and groups the failed jobs that failed at or after `since_ms`, newest first, at most
/// `limit`; with `name`, only jobs of that name.
pub fn group(
    redis: &mut dyn Backend,
    q: &QueueRef,
    since_ms: Option<i64>,
    limit: usize,
    name: Option<&str>,
) -> Result<Grouped, RedisError> {
    let failed = q.key("failed");
    let min = since_ms.map_or_else(|| "-inf".to_owned(), |s| s.to_string());
    let first = redis.pipeline(&[
        cmd(&["ZCOUNT", &failed, &min, "+inf"]),
        cmd(&[
            "ZREVRANGEBYSCORE",
            &failed,
            "+inf",
            &min,
            "WITHSCORES",
            "LIMIT",
            "0",
            &limit.to_string(),
        ]),
    ])?;
    let in_window = first
        .first()
        .and_then(Value::as_int)
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0);
    let flat: Vec<String> = first
        .get(1)
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_text)
        .collect();
    #[expect(
        clippy::cast_possible_truncation,
        reason = "scores are integral milliseconds"
    )]
    let jobs: Vec<(String, i64)> = flat
        .chunks(2)
        .filter_map(|p| Some((p.first()?.clone(), p.get(1)?.parse::<f64>().ok()? as i64)))
        .collect();
    let mut out = Grouped {
        in_window,
        ..Grouped::default()
    };
    let mut causes: BTreeMap<String, Cause> = BTreeMap::new();
    for batch in jobs.chunks(BATCH) {
        group_batch(redis, q, batch, name, &mut causes, &mut out)?;
    }
    out.causes = causes.into_values().collect();
    out.causes
        .sort_by(|a, b| b.count.cmp(&a.count).then(b.last_ms.cmp(&a.last_ms)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_ignore_numbers_and_ids() {
        assert_eq!(
            cause_key("timeout after 3012ms"),
            cause_key("timeout after 2988ms")
        );
        assert_eq!(
            cause_key("user 5f3c9a1e-77aa-4c1b-9d2e-0123456789ab not found"),
            cause_key("user 0b8e2f4d-1111-4c1b-9d2e-abcdefabcdef not found")
        );
        assert_eq!(
            cause_key("connect ECONNREFUSED 127.0.0.1:5432"),
            "connect ECONNREFUSED #.#.#.#:#"
        );
        assert_ne!(cause_key("SMTP refused"), cause_key("SMTP timeout"));
        assert_eq!(cause_key("deadbeef00 failed"), "… failed");
        assert_eq!(cause_key("Redis-only"), "Redis-only");
    }
}
