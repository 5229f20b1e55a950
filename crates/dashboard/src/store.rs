//! The history on disk: a directory of append-only segment files of small binary records.
//!
//! Why our own format and not SQLite or an embedded key-value store: the history is a log of
//! samples that is only ever appended to and read back whole at start, and bounded by deleting
//! its oldest part. A segment log does exactly that with no dependency and no compaction:
//!
//! - every record is framed `length (u32) | payload | CRC-32 of both`, so a record torn by a
//!   crash or a full disk is found at start and cut off; the records before it stay;
//! - a segment holds at most one UTC day and at most 1/16 of the size budget; a new one starts
//!   at each start of the process, so nothing written before is ever rewritten;
//! - the bound is kept by deleting whole segments: those wholly older than the retention, then
//!   the oldest while the directory is over its size budget (never the one being written);
//! - a lock file keeps a second `opskit serve` off the same directory.
//!
//! A health sample is 25 bytes on disk, so a week of one-minute samples of 50 targets is
//! 12.6 MB (see the `history_budget` test). Series are named by strings (`health/frontend`),
//! written once per segment and referred to by a 16-bit id after that.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use opskit::Status;

const MAGIC: &[u8; 8] = b"OPSKHIST";
const VERSION: u32 = 1;
const HEADER: usize = 16;
/// The largest record payload read back: anything longer is damage, not a record.
const MAX_PAYLOAD: usize = 4096;
/// The longest reason kept in a change record.
pub const MAX_REASON: usize = 400;
const EXTENSION: &str = "ohist";

/// How much history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Samples older than this are deleted (by whole segments).
    pub retention_secs: i64,
    /// The directory's size budget in bytes.
    pub max_bytes: u64,
}

/// A queue's numbers at one poll; `None` where the poll did not read it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct QueueCounts {
    /// Waiting + paused + prioritized.
    pub depth: Option<u32>,
    /// Being processed.
    pub active: Option<u32>,
    /// In the failed set.
    pub failed: Option<u32>,
    /// Delayed (not due yet).
    pub delayed: Option<u32>,
    /// Active with an expired lock.
    pub stalled: Option<u32>,
    /// Seconds since the oldest waiting job was created.
    pub oldest_age_s: Option<u32>,
}

/// What a record holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// One probe of a health target: its status, whether the damped state is down, and the
    /// latency.
    Health {
        /// The probe's status.
        status: Status,
        /// The flap-damped state.
        down: bool,
        /// The probe's duration.
        latency_ms: Option<f32>,
    },
    /// One poll of a queue.
    Queue {
        /// The queue check's status.
        status: Status,
        /// The numbers.
        counts: QueueCounts,
    },
    /// A row of the overview changed colour (a health target went down or up, a queue turned
    /// amber), with the reason in words.
    Change {
        /// The new status.
        status: Status,
        /// Why.
        reason: String,
    },
}

/// A sample of a series at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Unix seconds.
    pub t: i64,
    /// The series: `health/NAME`, `queue/NAME`, `row/NAME`.
    pub series: String,
    /// What was seen.
    pub sample: Sample,
}

/// Why the history cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file of the directory cannot be read or written.
    #[error("history {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Another process holds the directory.
    #[error(
        "history {0} is in use by another `opskit serve` (its LOCK file is locked); give each server its own --history directory"
    )]
    Locked(PathBuf),
    /// A segment that is not ours.
    #[error(
        "history {0} is not an opskit history segment (bad magic or version); move it out of the history directory"
    )]
    Foreign(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What opening found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Opened {
    /// Records read back.
    pub records: u64,
    /// Segments read.
    pub segments: usize,
    /// Damaged bytes cut off the end of segments (a crash during a write), by segment.
    pub cut: Vec<(PathBuf, u64)>,
    /// Segments deleted by the retention or the size budget.
    pub deleted: usize,
}

#[derive(Debug)]
struct Segment {
    start: i64,
    path: PathBuf,
    bytes: u64,
}

/// The open history: the segments on disk and the one being written.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    limits: Limits,
    segments: Vec<Segment>,
    current: Option<(File, HashMap<String, u16>, i64)>,
    _lock: File,
}

impl Store {
    /// Opens (and creates) the directory, reads every segment back in order into `replay`,
    /// cuts damaged tails off, and applies the limits.
    pub fn open(
        dir: &Path,
        limits: Limits,
        now: i64,
        mut replay: impl FnMut(Entry),
    ) -> Result<(Store, Opened), StoreError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let lock_path = dir.join("LOCK");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Locked(dir.to_owned()));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        let mut segments = list(dir)?;
        let mut opened = Opened::default();
        for seg in &mut segments {
            let (records, good) = read_segment(&seg.path, &mut replay)?;
            opened.records += records;
            opened.segments += 1;
            if good < seg.bytes {
                // A torn tail: cut it, so the next start reads the same records.
                let f = OpenOptions::new()
                    .write(true)
                    .open(&seg.path)
                    .map_err(io(&seg.path))?;
                f.set_len(good).map_err(io(&seg.path))?;
                f.sync_all().map_err(io(&seg.path))?;
                opened.cut.push((seg.path.clone(), seg.bytes - good));
                seg.bytes = good;
            }
        }
        let mut store = Store {
            dir: dir.to_owned(),
            limits,
            segments,
            current: None,
            _lock: lock,
        };
        opened.deleted = store.prune(now)?;
        Ok((store, opened))
    }

    /// The directory's size on disk (segments only).
    pub fn bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.bytes).sum()
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends entries (in time order) and syncs them to disk.
    pub fn append(&mut self, entries: &[Entry]) -> Result<(), StoreError> {
        let mut buf = Vec::new();
        for e in entries {
            let day = e.t.div_euclid(86_400);
            let full = self
                .segments
                .last()
                .is_some_and(|s| s.bytes + buf.len() as u64 > self.limits.max_bytes / 16);
            let roll = match &self.current {
                None => true,
                Some((_, _, start)) => start.div_euclid(86_400) != day || full,
            };
            if roll {
                self.flush(&mut buf)?;
                self.roll(e.t)?;
                self.prune(e.t)?;
            }
            let Some((_, ids, _)) = &mut self.current else {
                continue;
            };
            let id = if let Some(id) = ids.get(&e.series) {
                *id
            } else {
                {
                    let Ok(id) = u16::try_from(ids.len()) else {
                        continue;
                    };
                    ids.insert(e.series.clone(), id);
                    frame(&mut buf, &name_payload(e.t, id, &e.series));
                    id
                }
            };
            frame(&mut buf, &payload(e.t, id, &e.sample));
        }
        self.flush(&mut buf)
    }

    fn flush(&mut self, buf: &mut Vec<u8>) -> Result<(), StoreError> {
        if buf.is_empty() {
            return Ok(());
        }
        let (Some((file, _, _)), Some(seg)) = (&mut self.current, self.segments.last_mut()) else {
            return Ok(());
        };
        file.write_all(buf).map_err(io(&seg.path))?;
        file.sync_data().map_err(io(&seg.path))?;
        seg.bytes += buf.len() as u64;
        buf.clear();
        Ok(())
    }

    fn roll(&mut self, t: i64) -> Result<(), StoreError> {
        // Names sort by start time; a second segment in the same second gets the next one.
        let mut start = t.max(self.segments.last().map_or(i64::MIN, |s| s.start + 1));
        if start < 0 {
            start = 0;
        }
        let path = self.dir.join(format!("{start:012}.{EXTENSION}"));
        let mut file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)
            .map_err(io(&path))?;
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&VERSION.to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        file.write_all(&header).map_err(io(&path))?;
        file.sync_all().map_err(io(&path))?;
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        self.segments.push(Segment {
            start,
            path,
            bytes: HEADER as u64,
        });
        self.current = Some((file, HashMap::new(), start));
        Ok(())
    }

    /// Deletes the segments the limits no longer allow; returns how many.
    fn prune(&mut self, now: i64) -> Result<usize, StoreError> {
        let mut deleted = 0;
        let keep_from = now - self.limits.retention_secs;
        let writing = self.current.as_ref().map(|(_, _, s)| *s);
        loop {
            let older_than_retention =
                self.segments.len() > 1 && self.segments[1].start <= keep_from;
            let over_budget = self.segments.len() > 1 && self.bytes() > self.limits.max_bytes;
            if !(older_than_retention || over_budget) || Some(self.segments[0].start) == writing {
                break;
            }
            let seg = self.segments.remove(0);
            std::fs::remove_file(&seg.path).map_err(io(&seg.path))?;
            deleted += 1;
        }
        Ok(deleted)
    }
}

fn list(dir: &Path) -> Result<Vec<Segment>, StoreError> {
    let mut segments = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(EXTENSION) {
            continue;
        }
        let Some(start) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.parse::<i64>().ok())
        else {
            continue;
        };
        let bytes = entry.metadata().map_err(io(&path))?.len();
        segments.push(Segment { start, path, bytes });
    }
    segments.sort_by_key(|s| s.start);
    Ok(segments)
}

fn frame(buf: &mut Vec<u8>, payload: &[u8]) {
    let start = buf.len();
    #[expect(
        clippy::cast_possible_truncation,
        reason = "payloads are at most MAX_PAYLOAD bytes"
    )]
    buf.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    buf.extend_from_slice(payload);
    let crc = crc32fast::hash(&buf[start..]);
    buf.extend_from_slice(&crc.to_le_bytes());
}

const TAG_NAME: u8 = 1;
const TAG_HEALTH: u8 = 2;
const TAG_QUEUE: u8 = 3;
const TAG_CHANGE: u8 = 4;

fn head(tag: u8, t: i64, id: u16) -> Vec<u8> {
    let mut p = Vec::with_capacity(32);
    p.push(tag);
    p.extend_from_slice(&t.to_le_bytes());
    p.extend_from_slice(&id.to_le_bytes());
    p
}

fn name_payload(t: i64, id: u16, name: &str) -> Vec<u8> {
    let mut p = head(TAG_NAME, t, id);
    p.extend_from_slice(truncate(name, 1024).as_bytes());
    p
}

fn status_byte(s: Status) -> u8 {
    match s {
        Status::Ok => 0,
        Status::Warning => 1,
        Status::Critical => 2,
        Status::Unknown => 3,
    }
}

fn status_of(b: u8) -> Option<Status> {
    Some(match b {
        0 => Status::Ok,
        1 => Status::Warning,
        2 => Status::Critical,
        3 => Status::Unknown,
        _ => return None,
    })
}

fn payload(t: i64, id: u16, sample: &Sample) -> Vec<u8> {
    match sample {
        Sample::Health {
            status,
            down,
            latency_ms,
        } => {
            let mut p = head(TAG_HEALTH, t, id);
            p.push(status_byte(*status));
            p.push(u8::from(*down));
            p.extend_from_slice(&latency_ms.unwrap_or(f32::NAN).to_le_bytes());
            p
        }
        Sample::Queue { status, counts } => {
            let mut p = head(TAG_QUEUE, t, id);
            p.push(status_byte(*status));
            for v in [
                counts.depth,
                counts.active,
                counts.failed,
                counts.delayed,
                counts.stalled,
                counts.oldest_age_s,
            ] {
                p.extend_from_slice(&v.unwrap_or(u32::MAX).to_le_bytes());
            }
            p
        }
        Sample::Change { status, reason } => {
            let mut p = head(TAG_CHANGE, t, id);
            p.push(status_byte(*status));
            p.extend_from_slice(truncate(reason, MAX_REASON).as_bytes());
            p
        }
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Reads a segment: the records before the first damaged one, and the offset where the good
/// part ends.
fn read_segment(path: &Path, replay: &mut impl FnMut(Entry)) -> Result<(u64, u64), StoreError> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(io(path))?;
    if bytes.len() < HEADER {
        // A segment cut before its header was written holds nothing.
        return Ok((0, 0));
    }
    if &bytes[..8] != MAGIC || bytes[8..12] != VERSION.to_le_bytes() {
        return Err(StoreError::Foreign(path.to_owned()));
    }
    let mut names: HashMap<u16, String> = HashMap::new();
    let mut at = HEADER;
    let mut records = 0;
    while let Some((payload, next)) = record(&bytes, at) {
        if let Some(entry) = decode(payload, &mut names) {
            replay(entry);
        }
        records += 1;
        at = next;
    }
    Ok((records, at as u64))
}

fn record(bytes: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let len = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
    if len > MAX_PAYLOAD {
        return None;
    }
    let end = at.checked_add(4 + len)?;
    let payload = bytes.get(at + 4..end)?;
    let crc = u32::from_le_bytes(bytes.get(end..end + 4)?.try_into().ok()?);
    (crc32fast::hash(&bytes[at..end]) == crc).then_some((payload, end + 4))
}

fn u32_at(p: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(p.get(at..at + 4)?.try_into().ok()?))
}

fn decode(p: &[u8], names: &mut HashMap<u16, String>) -> Option<Entry> {
    let tag = *p.first()?;
    let t = i64::from_le_bytes(p.get(1..9)?.try_into().ok()?);
    let id = u16::from_le_bytes(p.get(9..11)?.try_into().ok()?);
    let rest = p.get(11..)?;
    if tag == TAG_NAME {
        names.insert(id, String::from_utf8_lossy(rest).into_owned());
        return None;
    }
    let series = names.get(&id)?.clone();
    let status = status_of(*rest.first()?)?;
    let sample = match tag {
        TAG_HEALTH => {
            let latency = f32::from_le_bytes(rest.get(2..6)?.try_into().ok()?);
            Sample::Health {
                status,
                down: *rest.get(1)? == 1,
                latency_ms: latency.is_finite().then_some(latency),
            }
        }
        TAG_QUEUE => {
            let v = |i: usize| u32_at(rest, 1 + 4 * i).filter(|v| *v != u32::MAX);
            Sample::Queue {
                status,
                counts: QueueCounts {
                    depth: v(0),
                    active: v(1),
                    failed: v(2),
                    delayed: v(3),
                    stalled: v(4),
                    oldest_age_s: v(5),
                },
            }
        }
        TAG_CHANGE => Sample::Change {
            status,
            reason: String::from_utf8_lossy(&rest[1..]).into_owned(),
        },
        _ => return None,
    };
    Some(Entry { t, series, sample })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            retention_secs: 30 * 86_400,
            max_bytes: 1 << 30,
        }
    }

    fn health(t: i64, name: &str, down: bool) -> Entry {
        Entry {
            t,
            series: format!("health/{name}"),
            sample: Sample::Health {
                status: if down { Status::Critical } else { Status::Ok },
                down,
                latency_ms: Some(12.5),
            },
        }
    }

    fn read_all(dir: &Path, now: i64) -> (Vec<Entry>, Opened) {
        let mut seen = Vec::new();
        let (_, opened) = Store::open(dir, limits(), now, |e| seen.push(e)).unwrap();
        (seen, opened)
    }

    #[test]
    fn entries_come_back_in_order_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = 1_764_979_200;
        let written = vec![
            health(t0, "frontend", false),
            Entry {
                t: t0,
                series: "queue/emails".into(),
                sample: Sample::Queue {
                    status: Status::Warning,
                    counts: QueueCounts {
                        depth: Some(600),
                        active: Some(4),
                        failed: Some(2),
                        delayed: Some(0),
                        stalled: None,
                        oldest_age_s: Some(310),
                    },
                },
            },
            Entry {
                t: t0 + 60,
                series: "row/backups".into(),
                sample: Sample::Change {
                    status: Status::Critical,
                    reason: "newest backup is 27h old".into(),
                },
            },
            health(t0 + 86_400, "frontend", true),
        ];
        {
            let (mut store, _) = Store::open(dir.path(), limits(), t0, |_| {}).unwrap();
            store.append(&written[..3]).unwrap();
            store.append(&written[3..]).unwrap();
        }
        let (seen, opened) = read_all(dir.path(), t0 + 86_400);
        assert_eq!(seen, written);
        // One segment per UTC day.
        assert_eq!(opened.segments, 2);
        assert!(opened.cut.is_empty());
    }

    #[test]
    fn a_torn_tail_is_cut_and_the_records_before_it_stay() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = 1_764_979_200;
        {
            let (mut store, _) = Store::open(dir.path(), limits(), t0, |_| {}).unwrap();
            store
                .append(&[health(t0, "a", false), health(t0 + 1, "a", false)])
                .unwrap();
        }
        let seg = list(dir.path()).unwrap().remove(0);
        let len = std::fs::metadata(&seg.path).unwrap().len();
        // A crash in the middle of the second record.
        let f = OpenOptions::new().write(true).open(&seg.path).unwrap();
        f.set_len(len - 5).unwrap();
        let (seen, opened) = read_all(dir.path(), t0);
        assert_eq!(seen, vec![health(t0, "a", false)]);
        assert_eq!(opened.cut.len(), 1);
        // A flipped bit is caught by the checksum the same way.
        let mut bytes = std::fs::read(&seg.path).unwrap();
        let last = bytes.len() - 6;
        bytes[last] ^= 0x40;
        std::fs::write(&seg.path, bytes).unwrap();
        let (seen, _) = read_all(dir.path(), t0);
        assert!(seen.is_empty());
    }

    #[test]
    fn old_segments_go_and_the_size_budget_holds() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = 1_764_979_200;
        let small = Limits {
            retention_secs: 3 * 86_400,
            max_bytes: 64 * 1024,
        };
        let (mut store, _) = Store::open(dir.path(), small, t0, |_| {}).unwrap();
        for day in 0..10 {
            for i in 0..200 {
                store
                    .append(&[health(t0 + day * 86_400 + i * 60, "frontend", false)])
                    .unwrap();
            }
        }
        assert!(store.bytes() <= small.max_bytes, "{}", store.bytes());
        drop(store);
        let mut first = i64::MAX;
        let (_, _) = Store::open(dir.path(), small, t0 + 9 * 86_400, |e| {
            first = first.min(e.t);
        })
        .unwrap();
        assert!(first >= t0 + 6 * 86_400, "kept samples from {first}");
    }

    #[test]
    fn a_second_server_on_the_same_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Store::open(dir.path(), limits(), 0, |_| {}).unwrap();
        let second = Store::open(dir.path(), limits(), 0, |_| {});
        assert!(matches!(second, Err(StoreError::Locked(_))), "{second:?}");
    }

    #[test]
    fn a_foreign_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("000000000001.ohist"),
            b"not a history segment at all",
        )
        .unwrap();
        let err = Store::open(dir.path(), limits(), 0, |_| {}).unwrap_err();
        assert!(
            err.to_string().contains("not an opskit history segment"),
            "{err}"
        );
    }
}
