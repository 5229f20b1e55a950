//! The environment of `cargo xtask bench db-backup`: a real PostgreSQL with two databases of
//! an application's shape (accounts, events with JSONB, text and bytea), `small` (about 33 MB)
//! and `large` (about 290 MB), so the benchmark can show that db-backup's memory does not grow
//! with the database. Writes the URL to `url` and a password file `pgpass` in the directory
//! given as the first argument, prints one JSON line with their paths and the sizes, then
//! serves until stdin closes.

use std::io::Write;

/// Rows of `events` per database; each row is about 230 bytes on disk with its index.
fn load(pg: &testkit::PostgresServer, db: &str, events: u64) {
    pg.psql(&format!("CREATE DATABASE {db}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let accounts = events / 100;
    pg.psql_in(
        db,
        &format!(
            "CREATE TABLE accounts (id uuid PRIMARY KEY, email text NOT NULL, plan text NOT NULL, created_at timestamptz NOT NULL);
             INSERT INTO accounts SELECT md5('a' || i)::uuid, 'user' || i || '@example.com', (ARRAY['free', 'pro', 'team'])[1 + i % 3], timestamptz '2026-01-01' + i * interval '1 minute' FROM generate_series(1, {accounts}) i;
             CREATE TABLE events (
                 id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                 account uuid NOT NULL REFERENCES accounts (id),
                 kind text NOT NULL,
                 payload jsonb NOT NULL,
                 note text,
                 digest bytea,
                 amount numeric(12, 2),
                 created_at timestamptz NOT NULL
             );
             INSERT INTO events (account, kind, payload, note, digest, amount, created_at)
             SELECT md5('a' || (1 + i % {accounts}))::uuid,
                    (ARRAY['job.created', 'job.completed', 'job.failed', 'login', 'invoice.paid'])[1 + i % 5],
                    jsonb_build_object('job', i, 'queue', 'agents', 'attempt', i % 3, 'model', 'openrouter/auto', 'tokens', i % 4096, 'trace', md5(i::text)),
                    CASE WHEN i % 4 = 0 THEN 'retry after ' || (i % 60) || ' s: upstream returned 429 Too Many Requests' END,
                    decode(md5('d' || i), 'hex'),
                    (i % 100000) / 100.0,
                    timestamptz '2026-06-01' + i * interval '1 second'
             FROM generate_series(1, {events}) i"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    pg.psql_in(db, "VACUUM ANALYZE")
        .unwrap_or_else(|e| panic!("{e}"));
}

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".to_owned()));
    let pg = testkit::PostgresServer::start();
    load(&pg, "small", 80_000);
    load(&pg, "large", 900_000);
    let size = |db: &str| {
        pg.psql(&format!("SELECT pg_database_size('{db}')"))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let url = dir.join("url");
    std::fs::write(&url, pg.url("large")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("url-small"), pg.url("small")).unwrap_or_else(|e| panic!("{e}"));
    let pgpass = dir.join("pgpass");
    std::fs::write(
        &pgpass,
        format!("127.0.0.1:{}:*:postgres:{}\n", pg.port(), pg.password()),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    #[expect(clippy::unwrap_used, reason = "a bench helper")]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let line = serde_json::json!({
        "port": pg.port(),
        "bin": pg.bin_dir(),
        "small_bytes": size("small"),
        "large_bytes": size("large"),
    });
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    drop(out);
    // Serve until the harness closes stdin.
    testkit::wait_for_stdin_eof();
}
