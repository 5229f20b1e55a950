//! docs/RUNBOOK.md cannot rot: every opskit command in its shell blocks runs, in order, against
//! the example platform (a copy of examples/agent-platform with its own opskit.toml) on real
//! servers: redis-server with a queue made by the real BullMQ, PostgreSQL, and stand-ins for
//! the frontend's and worker's HTTP endpoints and for Slack. The platform is healthy, so every
//! command must exit 0: a renamed flag, a wrong target name or a stale path fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

use testkit::{
    HttpServer, PostgresServer, RedisServer, Reply, SENTRY_API_TOKEN, SentryApiStandIn,
    SlackStandIn, StoredEvent,
};

const TOOLS: [&str; 6] = [
    "health-probe",
    "queue-depth",
    "db-backup",
    "predeploy",
    "notify",
    "job-trace",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The opskit commands of the fenced `sh` blocks of a Markdown file, in order.
pub fn commands(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in markdown.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = !in_sh && t == "```sh";
            continue;
        }
        if in_sh
            && TOOLS
                .iter()
                .any(|tool| t.starts_with(&format!("{tool} ")) || t == *tool)
        {
            out.push(t.to_owned());
        }
    }
    out
}

/// The example without its installed packages, which are linked instead of copied.
fn copy_example(to: &Path) {
    let from = root().join("examples/agent-platform");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cd '{}' && tar --exclude=./node_modules --exclude=./backups --exclude=./.opskit --exclude='*/.next' -cf - . | (cd '{}' && tar -xf -)",
            from.display(),
            to.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let modules = from.join("node_modules");
    assert!(
        modules.join("bullmq").is_dir() && modules.join("typescript").is_dir(),
        "the example's npm packages are missing: run `npm ci` in examples/agent-platform (scripts/test.sh does it)"
    );
    std::os::unix::fs::symlink(&modules, to.join("node_modules")).unwrap();
}

/// Adds `n` `run-agent` jobs to the example's `agent-tasks` queue with the real BullMQ of the
/// example (resolved from `dir`, which holds or links its node_modules).
pub fn enqueue(dir: &Path, redis_url: &str, n: u32) {
    let node = Command::new("node")
        .current_dir(dir)
        .env("REDIS_URL", redis_url)
        .env("JOBS", n.to_string())
        .args([
            "-e",
            "const { Queue } = require('bullmq');\
             const q = new Queue('agent-tasks', { connection: { url: process.env.REDIS_URL } });\
             (async () => { for (let i = 0; i < Number(process.env.JOBS); i++) await q.add('run-agent', { i }); await q.close(); })()\
               .catch((e) => { console.error(e); process.exit(1); });",
        ])
        .output()
        .unwrap();
    assert!(
        node.status.success(),
        "{}",
        String::from_utf8_lossy(&node.stderr)
    );
}

/// Builds every binary, so the commands run the code of this tree.
/// Jobs 1 to 42 (BullMQ refuses integer custom ids, so 42 is reached by adding jobs), the
/// last being the runbook's example id, processed by a real BullMQ worker that logs through a pino
/// child logger per job (as the example's worker does) into `worker.ndjson`.
fn process_job_42(dir: &Path, redis_url: &str) {
    let node = Command::new("node")
        .current_dir(dir)
        .env("REDIS_URL", redis_url)
        .args([
            "-e",
            "const { Queue, Worker } = require('bullmq'); const { pino } = require('pino');\
             const logger = pino({ base: { service: 'worker' } }, pino.destination({ dest: 'worker.ndjson', sync: true }));\
             const connection = { url: process.env.REDIS_URL, maxRetriesPerRequest: null };\
             (async () => {\
               const q = new Queue('agent-tasks', { connection });\
               for (let i = 1; i <= 42; i++) await q.add('run-agent', { requestId: 'req-' + i });\
               await new Promise((resolve, reject) => {\
                 const w = new Worker('agent-tasks', async (job) => {\
                   const log = logger.child({ jobId: job.id, queue: job.queueName, requestId: job.data.requestId });\
                   log.info('job started'); log.info('job completed'); return 'ok';\
                 }, { connection });\
                 w.on('completed', (job) => { if (job.id === '42') w.close().then(resolve); });\
                 w.on('failed', (_job, e) => reject(e));\
               });\
               await q.close();\
             })().catch((e) => { console.error(e); process.exit(1); });",
        ])
        .output()
        .unwrap();
    assert!(
        node.status.success(),
        "{}",
        String::from_utf8_lossy(&node.stderr)
    );
}

/// Sentry's API, holding one event of job 42 for the runbook's `--sentry-org acme` step.
fn sentry_with_job_42() -> SentryApiStandIn {
    SentryApiStandIn::start(
        "acme",
        "worker",
        vec![StoredEvent {
            issue: "4501".to_owned(),
            short_id: "WORKER-1A".to_owned(),
            title: "Error: OpenRouter 429".to_owned(),
            level: "warning".to_owned(),
            date: "2026-11-27T03:00:00.800Z".to_owned(),
            tags: vec![("job_id".to_owned(), "42".to_owned())],
            trace: "1".repeat(32),
        }],
    )
}

/// The frontend's and the worker's health endpoints, both healthy.
fn app_servers() -> (HttpServer, HttpServer) {
    let frontend = HttpServer::start(|r| match r.url.as_str() {
        "/api/health" => Reply::json(200, r#"{"status":"ok","checks":{"db":"up","redis":"up"}}"#),
        _ => Reply::new(404, "not found"),
    });
    let worker = HttpServer::start(|r| {
        match r.url.as_str() {
        "/health" => Reply::json(200, r#"{"status":"ok","queue":"agent-tasks"}"#),
        "/metrics" => Reply::new(
            200,
            "# HELP nodejs_eventloop_lag_seconds Lag of event loop in seconds.\n# TYPE nodejs_eventloop_lag_seconds gauge\nnodejs_eventloop_lag_seconds 0.002\n# HELP agent_jobs_total Jobs processed.\n# TYPE agent_jobs_total counter\nagent_jobs_total{status=\"completed\"} 42\n",
        )
        .header("Content-Type", "text/plain; version=0.0.4"),
        _ => Reply::new(404, "not found"),
    }
    });
    (frontend, worker)
}

fn binaries() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root())
        .args(["build", "--workspace", "--bins", "--quiet"])
        .status()
        .unwrap();
    assert!(status.success(), "cargo build --workspace --bins failed");
    Path::new(env!("CARGO_BIN_EXE_notify"))
        .parent()
        .unwrap()
        .to_owned()
}

#[test]
fn every_runbook_command_runs_against_the_example_platform() {
    let markdown = std::fs::read_to_string(root().join("docs/RUNBOOK.md")).unwrap();
    let steps = commands(&markdown);
    assert!(
        steps.len() >= 20,
        "only {} commands: {steps:?}",
        steps.len()
    );
    for tool in TOOLS {
        assert!(
            steps.iter().any(|s| s.starts_with(tool)),
            "the runbook never runs {tool}"
        );
    }
    let bin = binaries();

    let work = tempfile::tempdir().unwrap();
    let app = work.path();
    copy_example(app);

    // The queue, made by the real BullMQ of the example's worker.
    let redis = RedisServer::start();
    process_job_42(app, &redis.url());
    enqueue(app, &redis.url(), 5);
    let sentry = sentry_with_job_42();

    // The services' endpoints, healthy.
    let (frontend, worker) = app_servers();
    let pg = PostgresServer::start();
    pg.psql("CREATE DATABASE app").unwrap();
    pg.psql_in("app", "CREATE TABLE agents (id serial PRIMARY KEY, name text); INSERT INTO agents (name) SELECT 'a' || g FROM generate_series(1, 50) g")
        .unwrap();
    pg.psql("CREATE DATABASE restored").unwrap();
    let slack = SlackStandIn::start(false);

    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let db = pg.url("app");
    let env: Vec<(&str, String)> = vec![
        ("PATH", path),
        ("REDIS_URL", redis.url()),
        ("FRONTEND_URL", frontend.url()),
        ("WORKER_URL", worker.url()),
        ("DATABASE_URL", db.clone()),
        ("SUPABASE_DB_URL", db),
        ("NEW_DATABASE_URL", pg.url("restored")),
        ("SLACK_WEBHOOK_URL", slack.webhook_url()),
        ("SENTRY_URL", sentry.url()),
        ("SENTRY_AUTH_TOKEN", SENTRY_API_TOKEN.to_owned()),
        ("NO_COLOR", "1".to_owned()),
        ("XDG_STATE_HOME", app.join(".state").display().to_string()),
    ];
    let sh = |command: &str| {
        let mut c = Command::new("sh");
        c.arg("-c").arg(command).current_dir(app);
        for var in [
            "OPSKIT_FORMAT",
            "OPSKIT_CONFIG",
            "GITHUB_ACTIONS",
            "SENTRY_DSN",
            "SENTRY_ORG",
            "SENTRY_PROJECT",
        ] {
            c.env_remove(var);
        }
        for (k, v) in &env {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    // The nightly job has run: there is a backup to check.
    let setup = sh("db-backup run");
    assert_eq!(
        setup.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&setup.stdout)
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));

    for step in &steps {
        let out = sh(step);
        assert_eq!(
            out.status.code(),
            Some(0),
            "`{step}` exited {:?} on a healthy platform:\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(slack.messages().len(), 1, "notify test reached Slack");
    assert!(
        !sentry.requests().is_empty(),
        "job-trace --sentry-org asked Sentry's API"
    );
    assert!(
        std::fs::read_dir(app.join("backups")).unwrap().count() >= 4,
        "two backups with their manifests"
    );
}
