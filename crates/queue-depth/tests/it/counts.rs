//! opskit's counts equal the libraries' own getJobCounts(), state by state.

use opskit::redis::{Connection, Limits, Target};
use opskit_queue_depth::bullmq::{Layout, QueueRef};
use opskit_queue_depth::poll::{self, QueueResult};
use testkit::RedisServer;

fn field(counts: &opskit_queue_depth::bullmq::Counts, state: &str) -> u64 {
    counts
        .states()
        .iter()
        .find(|(s, _)| *s == state)
        .map_or_else(|| panic!("unknown state {state}"), |(_, n)| *n)
}

fn assert_parity(lib: &str, layout: Layout) {
    let redis = RedisServer::start();
    let filled = crate::fill(lib, redis.port());
    let target: Target = redis.url().parse().unwrap();
    let mut conn = Connection::open(&target, &Limits::default()).unwrap();
    let found = poll::discover(&mut conn, &["bull".to_owned(), "myapp".to_owned()]).unwrap();
    let expected: Vec<String> = filled
        .library
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    for key in &expected {
        let (prefix, name) = key.split_once(':').unwrap();
        assert!(
            found.contains(&QueueRef::new(prefix, name)),
            "{lib}: discovery missed {key}; found {found:?}"
        );
    }
    let before = conn_round_trips(&conn);
    let result = poll::poll(&mut conn, &found, true).unwrap();
    assert_eq!(
        result.round_trips, 2,
        "{lib}: a poll is one batch for counts and one for details"
    );
    assert_eq!(conn_round_trips(&conn) - before, 2);
    for item in &result.queues {
        let QueueResult::Read { snapshot, details } = item else {
            panic!("{lib}: {item:?}")
        };
        let key = format!("{}:{}", snapshot.queue.prefix, snapshot.queue.name);
        let Some(theirs) = filled.library.get(&key) else {
            continue;
        };
        for (state, n) in theirs["counts"].as_object().unwrap() {
            assert_eq!(
                field(&snapshot.counts, state),
                n.as_u64().unwrap(),
                "{lib} {key}: `{state}` differs from getJobCounts()"
            );
        }
        assert_eq!(
            snapshot.is_paused,
            theirs["paused"].as_bool().unwrap(),
            "{lib} {key}: paused flag"
        );
        assert_eq!(snapshot.layout, layout, "{lib} {key}");
        assert!(snapshot.exists);
        if snapshot.queue.name.starts_with("main-") {
            assert_eq!(
                details.stalled, 1,
                "{lib} {key}: one worker died holding a job"
            );
            let ts = details.oldest_timestamp_ms.unwrap();
            let age_ms = i64::try_from(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis(),
            )
            .unwrap()
                - ts;
            assert!(
                (0..120_000).contains(&age_ms),
                "{lib}: oldest job age {age_ms} ms"
            );
        }
    }
}

fn conn_round_trips(c: &Connection) -> u64 {
    opskit::redis::Backend::round_trips(c)
}

#[test]
fn bullmq5_counts_match_get_job_counts() {
    assert_parity("bullmq5", Layout::BullMq);
}

#[test]
fn bullmq6_counts_match_get_job_counts() {
    assert_parity("bullmq6", Layout::BullMq);
}

#[test]
fn bull_counts_match_get_job_counts() {
    assert_parity("bull", Layout::Bull);
}

#[test]
fn monitoring_needs_nothing_but_read_commands() {
    // An ACL user that may only run read commands: any write (or script) would be refused
    // with NOPERM and fail the poll.
    let redis = RedisServer::start();
    let _filled = crate::fill("bullmq6", redis.port());
    let acl = redis.command(&[
        "ACL",
        "SETUSER",
        "reader",
        "on",
        ">reader-pw",
        "~*",
        "-@all",
        "+@read",
        "+@connection",
    ]);
    assert_eq!(acl.as_text().as_deref(), Some("OK"));
    let target: Target = format!("redis://reader:reader-pw@127.0.0.1:{}/0", redis.port())
        .parse()
        .unwrap();
    let mut conn = Connection::open(&target, &Limits::default()).unwrap();
    let queues = poll::discover(&mut conn, &["bull".to_owned()]).unwrap();
    assert!(queues.len() >= 3, "{queues:?}");
    let result = poll::poll(&mut conn, &queues, true).unwrap();
    for item in &result.queues {
        assert!(matches!(item, QueueResult::Read { .. }), "{item:?}");
    }
    let jobs = poll::failed_jobs(&mut conn, &QueueRef::new("bull", "main-bullmq6"), 5).unwrap();
    assert_eq!(jobs.len(), 2);
    // And the same user is really refused a write.
    let mut probe = Connection::open(&target, &Limits::default()).unwrap();
    let reply =
        opskit::redis::Backend::pipeline(&mut probe, &[vec!["SET".into(), "x".into(), "y".into()]])
            .unwrap();
    assert!(
        matches!(&reply[0], opskit::redis::Value::Error(e) if e.starts_with("NOPERM")),
        "{reply:?}"
    );
}

#[test]
fn failed_jobs_show_the_reason_not_the_data() {
    let redis = RedisServer::start();
    let _filled = crate::fill("bullmq5", redis.port());
    let target: Target = redis.url().parse().unwrap();
    let mut conn = Connection::open(&target, &Limits::default()).unwrap();
    let jobs = poll::failed_jobs(&mut conn, &QueueRef::new("bull", "main-bullmq5"), 10).unwrap();
    assert_eq!(jobs.len(), 2);
    for j in &jobs {
        assert_eq!(j.name.as_deref(), Some("boom"));
        assert_eq!(j.attempts, Some(2));
        let reason = j.reason.as_deref().unwrap();
        assert!(reason.starts_with("boom "), "{reason}");
        assert!(
            !reason.contains("second line"),
            "only the first line: {reason}"
        );
        assert!(j.finished_ms >= j.created_ms);
    }
}
