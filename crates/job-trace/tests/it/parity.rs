//! What job-trace reads equals what BullMQ's own API returns, job by job and field by field,
//! over native Redis and the Upstash stand-in.

use opskit::redis::{Connection, Limits, Target};
use opskit_job_trace::job::{self, State};
use opskit_queue_depth::bullmq::QueueRef;
use testkit::{RedisServer, UpstashStandIn};

const KEYS: [&str; 13] = [
    "completed",
    "failed",
    "failed_once",
    "delayed_retry",
    "waiting",
    "prioritized",
    "delayed",
    "scheduled",
    "parent",
    "child_done",
    "child_pending",
    "active",
    "stalled",
];

fn int(v: &serde_json::Value) -> Option<i64> {
    v.as_i64()
}

fn check_job(lib: &str, backend: &str, key: &str, theirs: &serde_json::Value, ours: &job::Job) {
    let at = format!("{lib} over {backend}, job `{key}`");
    let state = ours.state.unwrap_or_else(|| panic!("{at}: not found"));
    assert_eq!(state.bullmq(), theirs["state"], "{at}: state");
    match key {
        "stalled" => assert_eq!(state, State::Stalled, "{at}: its worker died"),
        "active" => assert_eq!(state, State::Active, "{at}: its worker lives"),
        _ => {}
    }
    assert_eq!(ours.field("name"), theirs["name"].as_str(), "{at}: name");
    assert_eq!(
        ours.attempts_made(),
        int(&theirs["attemptsMade"]).unwrap(),
        "{at}: attemptsMade"
    );
    for field in ["timestamp", "processedOn", "finishedOn"] {
        assert_eq!(ours.int(field), int(&theirs[field]), "{at}: {field}");
    }
    assert_eq!(
        ours.field("failedReason"),
        theirs["failedReason"].as_str(),
        "{at}: failedReason"
    );
    let stack: Vec<String> = ours
        .field("stacktrace")
        .map(|s| serde_json::from_str(s).unwrap())
        .unwrap_or_default();
    let their_stack: Vec<String> = serde_json::from_value(theirs["stacktrace"].clone()).unwrap();
    assert_eq!(stack, their_stack, "{at}: stacktrace");
    let their_logs: Vec<String> = serde_json::from_value(theirs["logs"].clone()).unwrap();
    assert_eq!(ours.logs, their_logs, "{at}: getJobLogs().logs");
    assert_eq!(
        ours.log_count,
        theirs["logCount"].as_u64().unwrap(),
        "{at}: getJobLogs().count"
    );
    assert_eq!(
        ours.repeat.as_ref().map(|r| r.key.as_str()),
        theirs["repeatJobKey"].as_str(),
        "{at}: repeatJobKey"
    );
    match theirs["parent"].as_object() {
        Some(p) => {
            let parent = ours
                .parent
                .as_ref()
                .unwrap_or_else(|| panic!("{at}: no parent"));
            assert_eq!(parent.id, p["id"].as_str().unwrap(), "{at}: parent id");
            assert_eq!(
                format!("{}:{}", parent.queue.prefix, parent.queue.name),
                p["queueKey"].as_str().unwrap(),
                "{at}: parent queue"
            );
            assert_eq!(
                parent.state,
                Some(State::WaitingChildren),
                "{at}: parent state"
            );
        }
        None => assert!(
            ours.parent.is_none(),
            "{at}: a parent where BullMQ has none"
        ),
    }
    if let Some(deps) = theirs["dependencies"].as_object() {
        let keys = |relation: &str| -> Vec<String> {
            let mut k: Vec<String> = ours
                .children
                .iter()
                .filter(|c| c.relation == relation)
                .map(|c| c.queue.key(&c.id))
                .collect();
            k.sort();
            k
        };
        let mut processed: Vec<String> = deps["processed"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        processed.sort();
        let mut pending: Vec<String> = serde_json::from_value(deps["unprocessed"].clone()).unwrap();
        pending.sort();
        assert_eq!(keys("processed"), processed, "{at}: processed children");
        assert_eq!(keys("pending"), pending, "{at}: pending children");
        assert_eq!(ours.child_counts[..2], [1, 1], "{at}: child counts");
        for c in &ours.children {
            let want = if c.relation == "processed" {
                State::Completed
            } else {
                State::Waiting
            };
            assert_eq!(c.state, Some(want), "{at}: child {} state", c.id);
        }
    }
}

fn parity(lib: &str) {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let made = crate::scenario(lib, redis.port(), &dir.path().join("app.log"));
    let rest = UpstashStandIn::start(&redis);
    let targets = [
        ("native", redis.url().parse::<Target>().unwrap()),
        (
            "upstash",
            Target::Upstash {
                url: rest.url(),
                token: rest.read_only_token().to_owned(),
            },
        ),
    ];
    for (backend, target) in &targets {
        let mut conn = Connection::open(target, &Limits::default()).unwrap();
        for key in KEYS {
            let (queue, id) = made.at(key);
            let ours = job::read(&mut conn, &QueueRef::new("bull", &queue), &id, true)
                .unwrap_or_else(|e| panic!("{lib} {backend} {key}: {e}"));
            check_job(lib, backend, key, made.job(key), &ours);
        }
        let missing = job::read(
            &mut conn,
            &QueueRef::new("bull", &made.at("completed").0),
            "no-such-id",
            false,
        )
        .unwrap();
        assert_eq!(missing.state, None);
        assert!(missing.queue_exists);
    }
}

#[test]
fn bullmq6_jobs_read_as_bullmq_reads_them() {
    parity("bullmq6");
}

#[test]
fn bullmq5_jobs_read_as_bullmq_reads_them() {
    parity("bullmq5");
}
