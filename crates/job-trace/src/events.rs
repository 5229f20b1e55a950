//! The job's entries in the queue's event stream, `PREFIX:QUEUE:events`.
//!
//! BullMQ appends one stream entry per event (`event added jobId 42 name send`, `event
//! active jobId 42 prev waiting`, `event failed jobId 42 failedReason … attemptsMade 1`, ...)
//! and trims the stream to about 10 000 entries (`streams.events.maxLen`). An entry's id is its
//! time in milliseconds. This reads the stream newest first, a page at a time, and stops at the
//! job's creation time or after [`MAX_ENTRIES`], so a busy queue costs a bounded read.

use opskit::redis::{Backend, Command, RedisError, Value};
use opskit_queue_depth::bullmq::QueueRef;

/// Entries read per request.
pub const PAGE: usize = 1000;
/// The most entries read in all (the default stream length is 10 000).
pub const MAX_ENTRIES: usize = 20_000;

/// One event of the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// When (the stream entry's id).
    pub time_ms: i64,
    /// `added`, `active`, `failed`, ...
    pub event: String,
    /// The entry's other fields, except `event` and `jobId`; values of `returnvalue` and
    /// `data` only when asked for.
    pub fields: Vec<(String, String)>,
}

/// What reading the stream found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Events {
    /// The job's events, oldest first.
    pub events: Vec<Event>,
    /// Entries read.
    pub scanned: usize,
    /// Whether the read stopped at [`MAX_ENTRIES`] before reaching the job's creation.
    pub truncated: bool,
}

fn entry_time(id: &str) -> Option<i64> {
    id.split('-').next()?.parse().ok()
}

/// Reads the job's events; `since_ms` is the job's creation time when known.
pub fn read(
    redis: &mut dyn Backend,
    q: &QueueRef,
    id: &str,
    since_ms: Option<i64>,
    data: bool,
) -> Result<Events, RedisError> {
    let key = q.key("events");
    let mut out = Events::default();
    let mut end = "+".to_owned();
    loop {
        let command: Command = vec![
            "XREVRANGE".to_owned(),
            key.clone(),
            end.clone(),
            "-".to_owned(),
            "COUNT".to_owned(),
            PAGE.to_string(),
        ];
        let reply = redis.pipeline(&[command])?;
        let entries = match reply.first() {
            Some(Value::Array(entries)) => entries.clone(),
            // No stream (Bull keeps none) or not a stream: no events to add.
            _ => return Ok(out),
        };
        let mut last_id = None;
        let mut reached_start = false;
        for entry in &entries {
            let Some([entry_id, Value::Array(kv)]) = entry.as_array() else {
                continue;
            };
            let Some(entry_id) = entry_id.as_text() else {
                continue;
            };
            out.scanned += 1;
            let time_ms = entry_time(&entry_id).unwrap_or(0);
            if since_ms.is_some_and(|s| time_ms < s - 1000) {
                reached_start = true;
                break;
            }
            last_id = Some(entry_id);
            let pairs: Vec<(String, String)> = kv
                .chunks(2)
                .filter_map(|p| Some((p.first()?.as_text()?, p.get(1)?.as_text()?)))
                .collect();
            if !pairs.iter().any(|(k, v)| k == "jobId" && v == id) {
                continue;
            }
            let event = pairs
                .iter()
                .find(|(k, _)| k == "event")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let fields = pairs
                .into_iter()
                .filter(|(k, _)| k != "event" && k != "jobId")
                .filter(|(k, _)| data || !matches!(k.as_str(), "returnvalue" | "data"))
                .map(|(k, v)| (k, v.chars().take(2000).collect()))
                .collect();
            out.events.push(Event {
                time_ms,
                event,
                fields,
            });
        }
        match last_id {
            Some(last) if !reached_start && entries.len() == PAGE => {
                if out.scanned >= MAX_ENTRIES {
                    out.truncated = true;
                    break;
                }
                end = format!("({last}");
            }
            _ => break,
        }
    }
    out.events.reverse();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_are_times() {
        assert_eq!(entry_time("1700000000123-0"), Some(1_700_000_000_123));
        assert_eq!(entry_time("junk"), None);
    }
}
