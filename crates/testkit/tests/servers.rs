//! testkit's own tests: the servers start, serve, run in parallel without clashing, and leave
//! nothing behind, as root and as a normal user.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test on unexpected errors"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use testkit::{HttpServer, PostgresServer, RedisServer, Reply, Resp, is_root, process_alive};

#[test]
fn redis_starts_and_serves() {
    let redis = RedisServer::start();
    assert_eq!(
        redis.command(&["SET", "greeting", "hello"]),
        Resp::Simple("OK".into())
    );
    assert_eq!(
        redis.command(&["GET", "greeting"]).as_text().as_deref(),
        Some("hello")
    );
    assert_eq!(
        redis
            .command(&["LPUSH", "bull:emails:wait", "1", "2", "3"])
            .as_int(),
        Some(3)
    );
    let info = redis.command(&["INFO", "server"]).as_text().unwrap();
    assert!(
        info.contains(&format!("tcp_port:{}", redis.port())),
        "{info}"
    );
    assert_eq!(redis.url(), format!("redis://127.0.0.1:{}/0", redis.port()));
}

#[test]
fn redis_with_a_password_refuses_anonymous_clients() {
    let redis = RedisServer::start_with(Some("s3cret-pw"), &[]);
    assert_eq!(
        redis.command(&["PING"]),
        Resp::Simple("PONG".into()),
        "authenticated client"
    );
    let mut raw = std::net::TcpStream::connect(("127.0.0.1", redis.port())).unwrap();
    std::io::Write::write_all(&mut raw, b"*1\r\n$4\r\nPING\r\n").unwrap();
    let mut reader = std::io::BufReader::new(raw);
    let mut line = String::new();
    std::io::BufRead::read_line(&mut reader, &mut line).unwrap();
    assert!(line.starts_with("-NOAUTH"), "{line}");
    assert!(redis.url().starts_with("redis://:s3cret-pw@127.0.0.1:"));
}

#[test]
fn postgres_starts_and_serves() {
    let pg = PostgresServer::start();
    pg.psql("CREATE TABLE jobs (id serial PRIMARY KEY, name text NOT NULL)")
        .unwrap();
    pg.psql("INSERT INTO jobs (name) VALUES ('a'), ('b'), ('c')")
        .unwrap();
    assert_eq!(pg.psql("SELECT count(*) FROM jobs").unwrap(), "3");
    assert_eq!(pg.psql("SHOW port").unwrap(), pg.port().to_string());
    let err = pg.psql("SELECT * FROM missing").unwrap_err();
    assert!(err.contains("relation \"missing\" does not exist"), "{err}");
    assert!(
        pg.url("postgres")
            .ends_with(&format!("@127.0.0.1:{}/postgres", pg.port()))
    );
    assert!(pg.bin_dir().join("pg_dump").is_file());
}

#[test]
fn postgres_requires_the_password_over_tcp() {
    let pg = PostgresServer::start();
    let out = Command::new("psql")
        .args([
            "-X",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-p",
            &pg.port().to_string(),
            "-c",
            "SELECT 1",
        ])
        .env("PGPASSWORD", "wrong")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password authentication failed"));
}

fn uid_of(pid: u32) -> u32 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn postgres_runs_unprivileged() {
    let pg = PostgresServer::start();
    let uid = uid_of(pg.pid());
    if is_root() {
        assert_eq!(uid, 65534, "as root, postgres must run as nobody");
    } else {
        assert_eq!(
            uid,
            uid_of(std::process::id()),
            "as a normal user, postgres runs as that user"
        );
    }
}

/// Processes whose command line mentions `needle` (PostgreSQL's backends carry no data dir in
/// their command line, so the postmaster's pid is checked as their parent too).
fn processes_mentioning(needle: &str, parent: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let parent_pid: u32 = stat
            .rsplit_once(')')
            .and_then(|(_, r)| r.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0);
        if (String::from_utf8_lossy(&cmdline).contains(needle) || parent_pid == parent)
            && process_alive(pid)
        {
            found.push(pid);
        }
    }
    found
}

#[test]
fn servers_leave_no_process_or_directory_behind() {
    let redis = RedisServer::start();
    let pg = PostgresServer::start();
    let (redis_pid, redis_dir) = (redis.pid(), redis.dir().to_owned());
    let (pg_pid, pg_dir) = (pg.pid(), pg.dir().to_owned());
    // Open a session so the postmaster has a backend child while it runs.
    assert_eq!(pg.psql("SELECT 42").unwrap(), "42");
    assert!(process_alive(redis_pid) && process_alive(pg_pid));
    assert!(!processes_mentioning(&pg_dir.to_string_lossy(), pg_pid).is_empty());
    drop(redis);
    drop(pg);
    assert!(
        !process_alive(redis_pid),
        "redis-server {redis_pid} still runs"
    );
    assert!(!process_alive(pg_pid), "postgres {pg_pid} still runs");
    assert_eq!(
        processes_mentioning(&pg_dir.to_string_lossy(), pg_pid),
        Vec::<u32>::new()
    );
    assert!(
        !redis_dir.exists(),
        "{} was not removed",
        redis_dir.display()
    );
    assert!(!pg_dir.exists(), "{} was not removed", pg_dir.display());
}

#[test]
fn servers_run_in_parallel_without_clashing() {
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let redis = RedisServer::start();
                redis.command(&["SET", "who", &i.to_string()]);
                std::thread::sleep(std::time::Duration::from_millis(50));
                assert_eq!(
                    redis.command(&["GET", "who"]).as_text(),
                    Some(i.to_string())
                );
                assert_eq!(
                    redis.command(&["DBSIZE"]).as_int(),
                    Some(1),
                    "a server saw another test's keys"
                );
                redis.port()
            })
        })
        .collect();
    let pg_handles: Vec<_> = (0..2)
        .map(|i| {
            std::thread::spawn(move || {
                let pg = PostgresServer::start();
                pg.psql(&format!("CREATE TABLE t{i} (x int)")).unwrap();
                let tables = pg.psql("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'").unwrap();
                assert_eq!(tables, format!("t{i}"));
                pg.port()
            })
        })
        .collect();
    let mut ports: Vec<u16> = handles
        .into_iter()
        .chain(pg_handles)
        .map(|h| h.join().unwrap())
        .collect();
    let before = ports.len();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), before, "two servers shared a port");
}

#[test]
fn http_stand_in_records_and_answers() {
    let server = HttpServer::start(|req| {
        if req.header("authorization") == Some("Bearer tok") {
            Reply::json(200, r#"[{"result":"PONG"}]"#)
        } else {
            Reply::json(401, r#"{"error":"Unauthorized"}"#)
        }
    });
    let answer = |auth: &str| {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        let body = r#"[["PING"]]"#;
        let request = format!(
            "POST /pipeline HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
        let mut response = String::new();
        std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
        response
    };
    let ok = answer("Bearer tok");
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    assert!(ok.ends_with(r#"[{"result":"PONG"}]"#), "{ok}");
    assert!(answer("Bearer nope").starts_with("HTTP/1.1 401"));
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].url.as_str()),
        ("POST", "/pipeline")
    );
    assert_eq!(seen[0].text(), r#"[["PING"]]"#);
}

#[test]
fn a_missing_binary_says_how_to_install_it() {
    let err = testkit::find_binary(
        "redis-server",
        &[PathBuf::from("/nonexistent")],
        "apt-get install redis-server",
    )
    .unwrap_err();
    assert!(err.contains("redis-server was not found"), "{err}");
    assert!(err.contains("apt-get install redis-server"), "{err}");
    assert!(err.contains("scripts/test.sh"), "{err}");
}

/// The body of the normal-user test; run directly by a normal user, or as `nobody` by
/// [`servers_start_as_a_normal_user`] when the suite runs as root.
#[test]
#[ignore = "run by servers_start_as_a_normal_user under an unprivileged uid"]
fn inner_servers_as_normal_user() {
    assert!(!is_root(), "this body must run unprivileged");
    let redis = RedisServer::start();
    assert_eq!(redis.command(&["PING"]), Resp::Simple("PONG".into()));
    let pg = PostgresServer::start();
    assert_eq!(pg.psql("SELECT current_user").unwrap(), "postgres");
    assert_eq!(uid_of(pg.pid()), uid_of(std::process::id()));
    println!("normal-user servers ok");
}

#[test]
fn servers_start_as_a_normal_user() {
    if !is_root() {
        inner_servers_as_normal_user();
        return;
    }
    // Copy this test binary somewhere `nobody` can read, and run the body as `nobody`.
    let dir = tempfile::Builder::new()
        .prefix("opskit-asuser-")
        .tempdir_in("/tmp")
        .unwrap();
    let exe = dir.path().join("servers-test");
    std::fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    set_mode(dir.path(), 0o755);
    set_mode(&exe, 0o755);
    let out = {
        use std::os::unix::process::CommandExt;
        Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "inner_servers_as_normal_user",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("HOME", "/tmp")
            .current_dir("/tmp")
            .uid(65534)
            .gid(65534)
            .output()
            .unwrap()
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && stdout.contains("normal-user servers ok")
            && stdout.contains("1 passed"),
        "as nobody: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}
