//! The environment of `cargo xtask bench queue-depth`: a real redis-server and the Upstash REST
//! stand-in in front of it, with 1, 10 and 100 BullMQ-shaped queues under the prefixes `b1`,
//! `b10` and `b100`. Prints one JSON line with the addresses, then serves until stdin closes.

use std::io::Write;

fn fill(redis: &testkit::RedisServer, prefix: &str, queues: usize) {
    for q in 0..queues {
        let key = |suffix: &str| format!("{prefix}:q{q}:{suffix}");
        let ids: Vec<String> = (1..=50).map(|i| i.to_string()).collect();
        let mut lpush = vec!["LPUSH".to_owned(), key("wait")];
        lpush.extend(ids.iter().cloned());
        redis.command(&lpush.iter().map(String::as_str).collect::<Vec<_>>());
        for id in &ids[..5] {
            redis.command(&[
                "HSET",
                &key(id),
                "name",
                "job",
                "timestamp",
                "1795700000000",
                "data",
                "{}",
            ]);
        }
        redis.command(&["RPUSH", &key("active"), "51", "52"]);
        redis.command(&["SET", &key("51:lock"), "token", "PX", "600000"]);
        redis.command(&["ZADD", &key("prioritized"), "5", "53"]);
        redis.command(&["ZADD", &key("delayed"), "9", "54"]);
        redis.command(&["ZADD", &key("completed"), "1", "55", "2", "56"]);
        redis.command(&["ZADD", &key("failed"), "3", "57"]);
        redis.command(&[
            "HSET",
            &key("meta"),
            "opts.maxLenEvents",
            "10000",
            "version",
            "bullmq:6.7.0",
        ]);
        redis.command(&["SET", &key("id"), "57"]);
    }
}

fn main() {
    let redis = testkit::RedisServer::start();
    for n in [1, 10, 100] {
        fill(&redis, &format!("b{n}"), n);
    }
    let rest = testkit::UpstashStandIn::start(&redis);
    let line = serde_json::json!({
        "redis": redis.url(),
        "port": redis.port(),
        "rest": rest.url(),
        "token": rest.token(),
    });
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    drop(out);
    // Serve until the harness closes stdin.
    testkit::wait_for_stdin_eof();
}
