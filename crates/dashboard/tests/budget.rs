//! The history's budget: a week of one-minute samples of 50 health targets (504,000 probes)
//! and 20 queues (201,600 polls) on disk and in memory. docs/dashboard.md states the numbers
//! this measures.

use opskit::Status;
use opskit_dashboard::history::History;
use opskit_dashboard::store::{Entry, Limits, QueueCounts, Sample, Store};

#[global_allocator]
static ALLOC: testkit::PeakAlloc = testkit::PeakAlloc::new();

/// The stated budget.
const DISK_BUDGET: u64 = 24_000_000;
const MEMORY_BUDGET: usize = 8_000_000;

const TARGETS: usize = 50;
const QUEUES: usize = 20;

fn hour(t0: i64, h: i64) -> Vec<Entry> {
    let mut out = Vec::with_capacity(60 * (TARGETS + QUEUES));
    for m in 0..60 {
        let t = t0 + h * 3600 + m * 60;
        for i in 0..TARGETS {
            // Every tenth target is down for an hour a day.
            let down = i % 10 == 0 && h % 24 == 3;
            out.push(Entry {
                t,
                series: format!("health/http:service-{i:02}"),
                sample: Sample::Health {
                    status: if down { Status::Critical } else { Status::Ok },
                    down,
                    #[expect(clippy::cast_precision_loss, reason = "test latencies")]
                    latency_ms: Some(20.0 + (m % 7) as f32),
                },
            });
            if m == 0 && (h % 24 == 3 || h % 24 == 4) && i % 10 == 0 {
                out.push(Entry {
                    t,
                    series: format!("health/http:service-{i:02}"),
                    sample: Sample::Change {
                        status: if h % 24 == 3 {
                            Status::Critical
                        } else {
                            Status::Ok
                        },
                        reason: "status 503 is not one of the accepted (2xx)".to_owned(),
                    },
                });
            }
        }
        for q in 0..QUEUES {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "test counts"
            )]
            let n = (m * 3 + h) as u32;
            out.push(Entry {
                t,
                series: format!("queue/queue:jobs-{q:02}"),
                sample: Sample::Queue {
                    status: Status::Ok,
                    counts: QueueCounts {
                        depth: Some(n),
                        active: Some(4),
                        failed: Some(n / 10),
                        delayed: Some(2),
                        stalled: Some(0),
                        oldest_age_s: Some(30),
                    },
                },
            });
        }
    }
    out
}

#[test]
fn a_week_of_minutes_for_50_targets_and_20_queues_fits_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        retention_secs: 30 * 86_400,
        max_bytes: 256_000_000,
    };
    let t0 = 1_764_979_200;
    {
        let (mut store, _) = Store::open(dir.path(), limits, t0, |_| {}).unwrap();
        for h in 0..7 * 24 {
            store.append(&hour(t0, h)).unwrap();
        }
        let disk = store.bytes();
        eprintln!("disk: {disk} bytes for a week");
        assert!(disk < DISK_BUDGET, "{disk} bytes on disk");
    }
    let now = t0 + 7 * 86_400;
    let base = ALLOC.live();
    ALLOC.reset();
    let mut history = History::default();
    let mut records = 0u64;
    let (store, opened) = Store::open(dir.path(), limits, now, |e| {
        records += 1;
        history.apply(&e);
    })
    .unwrap();
    let held = ALLOC.live().saturating_sub(base);
    let peak = ALLOC.peak().saturating_sub(base);
    eprintln!(
        "memory: {held} bytes held ({} by the history's own count), {peak} bytes at the peak of reading back {records} records",
        history.heap_bytes()
    );
    assert_eq!(
        opened.records,
        records + u64::try_from(TARGETS + QUEUES).unwrap() * 7
    );
    assert!(held < MEMORY_BUDGET, "{held} bytes held");
    // Reading back holds one segment (a day) at a time on top.
    assert!(peak < MEMORY_BUDGET + 4_000_000, "{peak} bytes at the peak");
    // And what was read back is right: a day's uptime of a target down an hour a day.
    let t = &history.targets["http:service-00"];
    let day = t.uptime(now, 86_400).unwrap();
    assert!((day - 23.0 / 24.0).abs() < 0.01, "{day}");
    assert_eq!(t.incidents.len(), 7);
    assert_eq!(history.queues.len(), QUEUES);
    drop(store);
}
