//! The history in memory: what the pages and the JSON API are drawn from, rebuilt from the
//! store at start and kept up to date by every round.
//!
//! Memory is bounded by the shape of the data, not by how often the monitors run: per health
//! target one bucket per minute for the last 24 hours (latency and up/down counts) and one per
//! hour for the last 30 days (uptime), per queue the last numbers of each minute for 24 hours,
//! and at most [`MAX_INCIDENTS`] incidents per target.

use std::collections::{BTreeMap, VecDeque};

use opskit::Status;

use crate::store::{Entry, QueueCounts, Sample};

/// Minutes of detail kept: the charts' window.
pub const MINUTES: i64 = 24 * 60;
/// Hours of uptime kept: the longest uptime window.
pub const HOURS: i64 = 30 * 24;
/// Incidents kept per target.
pub const MAX_INCIDENTS: usize = 100;

/// One minute of a health target.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Minute {
    /// Unix minute (seconds / 60).
    pub minute: i64,
    /// Probes.
    pub probes: u16,
    /// Probes while the damped state was up.
    pub up: u16,
    /// Sum of the latencies measured.
    pub latency_sum: f32,
    /// Latencies measured.
    pub latencies: u16,
    /// The slowest.
    pub latency_max: f32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[expect(
    clippy::struct_field_names,
    reason = "the hour an hour's bucket counts"
)]
struct Hour {
    hour: i64,
    probes: u32,
    up: u32,
}

/// A time the target was down, from the flap-damped history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Incident {
    /// When it went down (unix seconds).
    pub start: i64,
    /// When it came back; `None` while it is down.
    pub end: Option<i64>,
    /// The probe's words when it went down.
    pub reason: String,
}

/// A health target's history.
#[derive(Debug, Clone, Default)]
pub struct TargetHistory {
    minutes: VecDeque<Minute>,
    hours: VecDeque<Hour>,
    /// Newest last.
    pub incidents: VecDeque<Incident>,
    /// The damped state after the last probe.
    pub down: bool,
    /// The last probe: time, status and latency.
    pub last: Option<(i64, Status, Option<f32>)>,
}

/// A queue's history.
#[derive(Debug, Clone, Default)]
pub struct QueueHistory {
    /// The last numbers of each minute, oldest first.
    pub minutes: VecDeque<(i64, QueueCounts)>,
    /// The last poll.
    pub last: Option<(i64, Status, QueueCounts)>,
}

/// The colour of a row of the overview and when it last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowState {
    /// The status.
    pub status: Status,
    /// Why, in words.
    pub reason: String,
    /// When it took this status (unix seconds).
    pub since: i64,
}

/// Everything the pages show over time.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// By target name.
    pub targets: BTreeMap<String, TargetHistory>,
    /// By queue (check) name.
    pub queues: BTreeMap<String, QueueHistory>,
    /// The last change of each series (`health/NAME`, `queue/NAME`, `row/NAME`).
    pub rows: BTreeMap<String, RowState>,
}

impl History {
    /// Takes one entry, from the store at start or from a round.
    pub fn apply(&mut self, e: &Entry) {
        match &e.sample {
            Sample::Health {
                status,
                down,
                latency_ms,
            } => {
                if let Some(name) = e.series.strip_prefix("health/") {
                    let t = self.targets.entry(name.to_owned()).or_default();
                    t.sample(e.t, *status, *down, *latency_ms);
                }
            }
            Sample::Queue { status, counts } => {
                if let Some(name) = e.series.strip_prefix("queue/") {
                    let q = self.queues.entry(name.to_owned()).or_default();
                    q.sample(e.t, *status, *counts);
                }
            }
            Sample::Change { status, reason } => {
                self.rows.insert(
                    e.series.clone(),
                    RowState {
                        status: *status,
                        reason: reason.clone(),
                        since: e.t,
                    },
                );
                if let Some(name) = e.series.strip_prefix("health/") {
                    let t = self.targets.entry(name.to_owned()).or_default();
                    t.change(e.t, *status, reason);
                }
            }
        }
    }

    /// Heap bytes held (capacity, not length: what the allocator gave), for the budget.
    pub fn heap_bytes(&self) -> usize {
        let strings = |i: &VecDeque<Incident>| i.iter().map(|x| x.reason.capacity()).sum::<usize>();
        let targets: usize = self
            .targets
            .iter()
            .map(|(k, t)| {
                k.capacity()
                    + t.minutes.capacity() * size_of::<Minute>()
                    + t.hours.capacity() * size_of::<Hour>()
                    + t.incidents.capacity() * size_of::<Incident>()
                    + strings(&t.incidents)
                    + size_of::<TargetHistory>()
            })
            .sum();
        let queues: usize = self
            .queues
            .iter()
            .map(|(k, q)| {
                k.capacity()
                    + q.minutes.capacity() * size_of::<(i64, QueueCounts)>()
                    + size_of::<QueueHistory>()
            })
            .sum();
        let rows: usize = self
            .rows
            .iter()
            .map(|(k, r)| k.capacity() + r.reason.capacity() + size_of::<RowState>())
            .sum();
        targets + queues + rows
    }
}

impl TargetHistory {
    fn sample(&mut self, t: i64, status: Status, down: bool, latency: Option<f32>) {
        let minute = t.div_euclid(60);
        let hour = t.div_euclid(3600);
        let up = u16::from(!down);
        match self.minutes.back_mut() {
            Some(m) if m.minute >= minute => {
                m.probes = m.probes.saturating_add(1);
                m.up = m.up.saturating_add(up);
                add_latency(m, latency);
            }
            _ => {
                let mut m = Minute {
                    minute,
                    probes: 1,
                    up,
                    ..Minute::default()
                };
                add_latency(&mut m, latency);
                self.minutes.push_back(m);
            }
        }
        while self
            .minutes
            .front()
            .is_some_and(|m| m.minute <= minute - MINUTES)
        {
            self.minutes.pop_front();
        }
        match self.hours.back_mut() {
            Some(h) if h.hour >= hour => {
                h.probes += 1;
                h.up += u32::from(up);
            }
            _ => self.hours.push_back(Hour {
                hour,
                probes: 1,
                up: u32::from(up),
            }),
        }
        while self.hours.front().is_some_and(|h| h.hour <= hour - HOURS) {
            self.hours.pop_front();
        }
        self.down = down;
        self.last = Some((t, status, latency));
    }

    fn change(&mut self, t: i64, status: Status, reason: &str) {
        let open = self.incidents.back().is_some_and(|i| i.end.is_none());
        let down = matches!(status, Status::Critical | Status::Unknown);
        if down && !open {
            self.incidents.push_back(Incident {
                start: t,
                end: None,
                reason: reason.to_owned(),
            });
            if self.incidents.len() > MAX_INCIDENTS {
                self.incidents.pop_front();
            }
        } else if !down
            && open
            && let Some(i) = self.incidents.back_mut()
        {
            i.end = Some(t);
        }
    }

    /// The share of probes, 0 to 1, for which the target was up (flap-damped) in the last
    /// `secs` before `now`; `None` without probes in that window. Windows of a day or less
    /// count by the minute, longer ones by the hour.
    pub fn uptime(&self, now: i64, secs: i64) -> Option<f64> {
        let (probes, up) = if secs <= MINUTES * 60 {
            let from = (now - secs).div_euclid(60);
            self.minutes
                .iter()
                .filter(|m| m.minute > from)
                .fold((0u64, 0u64), |(n, u), m| {
                    (n + u64::from(m.probes), u + u64::from(m.up))
                })
        } else {
            let from = (now - secs).div_euclid(3600);
            self.hours
                .iter()
                .filter(|h| h.hour > from)
                .fold((0u64, 0u64), |(n, u), h| {
                    (n + u64::from(h.probes), u + u64::from(h.up))
                })
        };
        #[expect(clippy::cast_precision_loss, reason = "probe counts as a ratio")]
        (probes > 0).then(|| up as f64 / probes as f64)
    }

    /// The minutes of the last 24 hours, oldest first.
    pub fn minutes(&self) -> impl Iterator<Item = &Minute> {
        self.minutes.iter()
    }
}

fn add_latency(m: &mut Minute, latency: Option<f32>) {
    if let Some(l) = latency {
        m.latency_sum += l;
        m.latencies = m.latencies.saturating_add(1);
        m.latency_max = m.latency_max.max(l);
    }
}

impl QueueHistory {
    fn sample(&mut self, t: i64, status: Status, counts: QueueCounts) {
        let minute = t.div_euclid(60);
        match self.minutes.back_mut() {
            Some((m, c)) if *m >= minute => *c = counts,
            _ => self.minutes.push_back((minute, counts)),
        }
        while self
            .minutes
            .front()
            .is_some_and(|(m, _)| *m <= minute - MINUTES)
        {
            self.minutes.pop_front();
        }
        self.last = Some((t, status, counts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(h: &mut History, t: i64, down: bool) {
        h.apply(&Entry {
            t,
            series: "health/web".into(),
            sample: Sample::Health {
                status: if down { Status::Critical } else { Status::Ok },
                down,
                latency_ms: Some(20.0),
            },
        });
    }

    fn change(h: &mut History, t: i64, status: Status) {
        h.apply(&Entry {
            t,
            series: "health/web".into(),
            sample: Sample::Change {
                status,
                reason: "connection refused".into(),
            },
        });
    }

    #[test]
    fn uptime_counts_damped_probes_per_window() {
        let mut h = History::default();
        let t0 = 1_764_979_200;
        // Ten days of a probe a minute, down for the last 144 minutes (10% of a day).
        for i in 0..(10 * 1440) {
            probe(&mut h, t0 + i * 60, i >= 10 * 1440 - 144);
        }
        let now = t0 + 10 * 1440 * 60 - 60;
        let t = &h.targets["web"];
        let day = t.uptime(now, 86_400).unwrap();
        assert!((day - 0.9).abs() < 0.002, "{day}");
        let week = t.uptime(now, 7 * 86_400).unwrap();
        assert!(
            (week - (1.0 - 144.0 / (7.0 * 1440.0))).abs() < 0.002,
            "{week}"
        );
        assert_eq!(t.minutes().count(), 1440);
        assert!(t.uptime(now, 30 * 86_400).unwrap() > week);
    }

    #[test]
    fn incidents_open_and_close_on_changes() {
        let mut h = History::default();
        change(&mut h, 100, Status::Critical);
        change(&mut h, 160, Status::Critical);
        change(&mut h, 400, Status::Ok);
        change(&mut h, 900, Status::Critical);
        let incidents: Vec<_> = h.targets["web"].incidents.iter().cloned().collect();
        assert_eq!(incidents.len(), 2);
        assert_eq!((incidents[0].start, incidents[0].end), (100, Some(400)));
        assert_eq!((incidents[1].start, incidents[1].end), (900, None));
        assert_eq!(h.rows["health/web"].since, 900);
    }
}
