//! Back up, restore into a fresh database, compare every row; the Supabase preset and its modes.

use super::*;

/// Every user table of a database: `schema.name`.
fn tables(pg: &PostgresServer, db: &str) -> Vec<String> {
    pg.psql_in(
        db,
        "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1",
    )
    .unwrap()
    .lines()
    .map(str::to_owned)
    .collect()
}

/// A table's row count and the MD5 of all its rows' text, sorted: equal digests mean equal rows.
fn digest(pg: &PostgresServer, db: &str, table: &str) -> String {
    pg.psql_in(
        db,
        &format!(
            "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '-') FROM ONLY {table} t"
        ),
    )
    .unwrap()
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one server for the whole story: each step builds on the one before"
)]
fn backup_restore_verify_and_compare_every_row() {
    let pg = server_with_app();
    let work = tempfile::tempdir().unwrap();
    let record = work.path().join("record.log");
    let bins = wrappers(pg.bin_dir(), "");
    let record_s = record.to_str().unwrap();
    let app_url = pg.url("app");
    let env = [("APP_DB", app_url.as_str()), ("RECORD", record_s)];
    let bin = bins.path().to_str().unwrap();
    let out = run(
        work.path(),
        &[
            "run",
            "--url",
            "APP_DB",
            "--dir",
            "b",
            "--content-hash",
            "--pg-bin",
            bin,
            "-f",
            "json",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let found = archives(&work.path().join("b"));
    assert_eq!(found.len(), 1, "{found:?}");
    let archive = &found[0];
    assert!(archive.to_string_lossy().ends_with(".dump.zst"));

    // The password never stood on a command line; it came from a private password file.
    let log = std::fs::read_to_string(&record).unwrap();
    assert!(log.contains("pg_dump --format=custom"), "{log}");
    assert!(!log.contains(pg.password()), "{log}");
    assert!(
        log.contains("PGPASSFILE mode 600 PGPASSWORD=unset"),
        "{log}"
    );
    assert!(!text(&out).contains(pg.password()));

    // The manifest: versions, checksum, counts taken in the dump's snapshot.
    let m = manifest(archive);
    assert_eq!(m["tool"], "opskit db-backup");
    assert_eq!(m["database"], "app");
    assert!(m["server_version"].as_str().unwrap().starts_with("15"));
    assert!(
        m["dumper"].as_str().unwrap().starts_with("pg_dump 15"),
        "{m}"
    );
    assert_eq!(m["consistent_counts"], true);
    assert_eq!(m["compression"], "zstd");
    assert_eq!(m["verification"]["level"], "list");
    let sha = Command::new("sha256sum").arg(archive).output().unwrap();
    let sha = String::from_utf8_lossy(&sha.stdout);
    assert_eq!(sha.split_whitespace().next().unwrap(), m["sha256"]);
    let rows = |name: &str| {
        m["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| {
                format!(
                    "{}.{}",
                    t["schema"].as_str().unwrap(),
                    t["name"].as_str().unwrap()
                ) == name
            })
            .map(|t| t["rows"].as_u64().unwrap())
    };
    assert_eq!(rows("public.jobs"), Some(30_000));
    assert_eq!(rows("auth.users"), Some(2000));
    assert_eq!(rows("public.profiles"), Some(2000));
    assert_eq!(rows("public.audit_log"), Some(300));
    assert_eq!(rows("storage.objects"), Some(3000));
    assert_eq!(rows("public.edge_cases"), Some(4));
    let all = tables(&pg, "app");
    assert_eq!(m["tables"].as_array().unwrap().len(), all.len(), "{all:?}");

    // See: issue 19. Into a database that does not exist yet: the error says to create it.
    let missing_url = pg.url("not_created_yet");
    let a = archive.to_str().unwrap();
    let out = run(
        work.path(),
        &["restore", a, "--into", "MISSING"],
        &[("MISSING", missing_url.as_str())],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("create it first") && text(&out).contains("not_created_yet"),
        "{}",
        text(&out)
    );

    // Restore into a fresh database and compare every table's rows exactly.
    pg.psql("CREATE DATABASE restored").unwrap();
    let restored_url = pg.url("restored");
    let env2 = [("TARGET", restored_url.as_str())];
    let a = archive.to_str().unwrap();
    let out = run(work.path(), &["restore", a, "--into", "TARGET"], &env2);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("public.jobs") && text(&out).contains("30000 rows"),
        "{}",
        text(&out)
    );
    assert_eq!(tables(&pg, "restored"), all);
    for t in &all {
        assert_eq!(digest(&pg, "app", t), digest(&pg, "restored", t), "{t}");
    }
    // Sequences, the identity column, the view, the enum, the trigger all came back.
    assert_eq!(
        pg.psql_in("restored", "SELECT last_value FROM public.invoice_number")
            .unwrap(),
        "4242"
    );
    assert_eq!(
        pg.psql_in(
            "restored",
            "INSERT INTO public.jobs (agent_id) VALUES (1) RETURNING id"
        )
        .unwrap(),
        "30001"
    );
    assert_eq!(
        pg.psql_in("restored", "SELECT sum(n) FROM public.job_stats")
            .unwrap(),
        "30001"
    );
    assert_eq!(
        pg.psql_in(
            "restored",
            "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum"
        )
        .unwrap(),
        "waiting,active,completed,failed"
    );
    pg.psql_in(
        "restored",
        "UPDATE public.jobs SET status = 'failed' WHERE id = 1",
    )
    .unwrap();
    assert_eq!(
        pg.psql_in("restored", "SELECT count(*) FROM public.audit_log")
            .unwrap(),
        "301"
    );

    // A second restore into the same database is refused; --force replaces.
    let again = run(work.path(), &["restore", a, "--into", "TARGET"], &env2);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    assert!(
        text(&again).contains("DB301") && text(&again).contains("refused"),
        "{}",
        text(&again)
    );
    let dry = run(
        work.path(),
        &["restore", a, "--into", "TARGET", "--force", "--dry-run"],
        &env2,
    );
    assert_eq!(dry.status.code(), Some(0), "{}", text(&dry));
    assert!(text(&dry).contains("would restore"), "{}", text(&dry));
    assert_eq!(
        pg.psql_in("restored", "SELECT count(*) FROM public.audit_log")
            .unwrap(),
        "301"
    );
    let forced = run(
        work.path(),
        &["restore", a, "--into", "TARGET", "--force"],
        &env2,
    );
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    assert_eq!(
        pg.psql_in("restored", "SELECT count(*) FROM public.audit_log")
            .unwrap(),
        "300"
    );

    // verify --restore-into: a scratch database, every table's count and content hash.
    let admin = pg.url("postgres");
    let env3 = [("SCRATCH", admin.as_str())];
    let out = run(
        work.path(),
        &["verify", a, "--restore-into", "SCRATCH"],
        &env3,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("content hash matches"),
        "{}",
        text(&out)
    );
    assert_eq!(manifest(archive)["verification"]["level"], "restore");
    let left = pg
        .psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'opskit_verify%'")
        .unwrap();
    assert_eq!(left, "0", "the scratch database is dropped");

    // A changed row is caught by the content hash, not only the count.
    pg.psql_in(
        "app",
        "UPDATE public.edge_cases SET t = 'changed' WHERE id = 2",
    )
    .unwrap();
    let env4 = [("SCRATCH", admin.as_str()), ("SRC", app_url.as_str())];
    let out = run(
        work.path(),
        &[
            "verify",
            a,
            "--restore-into",
            "SCRATCH",
            "--source",
            "SRC",
            "-f",
            "json",
        ],
        &env4,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("DB205") && text(&out).contains("public.edge_cases"),
        "{}",
        text(&out)
    );

    // list and check see it.
    let out = run(work.path(), &["list", "--dir", "b"], &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the last verify failed: {}",
        text(&out)
    );
    assert!(text(&out).contains(archive.file_name().unwrap().to_str().unwrap()));
    assert!(
        text(&out).contains("FAILED verification (restore)"),
        "{}",
        text(&out)
    );
    let out = run(
        work.path(),
        &["check", "--dir", "b", "--max-age", "1h", "-f", "nagios"],
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "the last verify failed: {}",
        text(&out)
    );
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one server for the whole story: each step builds on the one before"
)]
fn supabase_preset_keeps_the_users_schemas_and_says_what_they_need() {
    let pg = server_with_app();
    let work = tempfile::tempdir().unwrap();
    let url = pg.url("app");
    let env = [("SUPABASE_DB_URL", url.as_str())];
    let out = run(
        work.path(),
        &["run", "--preset", "supabase", "--dir", "full", "-f", "json"],
        &env,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "references are warnings: {}",
        text(&out)
    );
    let t = text(&out);
    assert!(
        t.contains("DB110") && t.contains("auth.users") && t.contains("auth.uid()"),
        "{t}"
    );
    assert!(t.contains("extensions.citext"), "{t}");
    assert!(
        t.contains("DB111") && t.contains("on_auth_user_created"),
        "{t}"
    );
    let archive = archives(&work.path().join("full")).remove(0);
    let m = manifest(&archive);
    let excluded: Vec<&str> = m["excluded_schemas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for s in [
        "auth",
        "storage",
        "extensions",
        "realtime",
        "supabase_migrations",
        "pg_*",
    ] {
        assert!(excluded.contains(&s), "{s} in {excluded:?}");
    }
    assert!(
        m["tables"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["schema"] == "public"),
        "{m}"
    );
    let list = toc(&pg, &archive);
    assert!(list.contains("TABLE DATA public jobs"), "{list}");
    assert!(
        !list.contains(" auth ") && !list.contains(" storage "),
        "{list}"
    );

    // As warned: without auth.users the dump does not restore, and the failed restore leaves
    // nothing behind (one transaction).
    pg.psql("CREATE DATABASE plain").unwrap();
    let plain = pg.url("plain");
    let out = run(
        work.path(),
        &["restore", archive.to_str().unwrap(), "--into", "PLAIN"],
        &[("PLAIN", plain.as_str())],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("rolled back"), "{}", text(&out));
    assert_eq!(
        pg.psql_in(
            "plain",
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        )
        .unwrap(),
        "0"
    );

    // References acknowledged: a clean run.
    let out = run(
        work.path(),
        &[
            "run",
            "--preset",
            "supabase",
            "--dir",
            "ack",
            "--allow-references",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // One successful Supabase-preset run with these flags into `dir`; its archive.
    let preset = |flags: &[&str], dir: &str| {
        let mut args = vec!["run", "--preset", "supabase", "--dir", dir];
        args.extend_from_slice(flags);
        let out = run(work.path(), &args, &env);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        archives(&work.path().join(dir)).remove(0)
    };

    // Schema only: what a bare `supabase db dump` writes, no rows.
    let archive = preset(&["--schema-only", "--allow-references"], "schema");
    assert!(archive.to_string_lossy().ends_with("-schema-only.dump.zst"));
    let list = toc(&pg, &archive);
    assert!(
        list.contains("TABLE public jobs") && !list.contains("TABLE DATA"),
        "{list}"
    );

    // Data only keeps auth and storage rows (for moving to a new project), not the services'
    // migration tables.
    let archive = preset(&["--data-only", "--allow-references"], "data");
    let list = toc(&pg, &archive);
    assert!(
        list.contains("TABLE DATA auth users") && list.contains("TABLE DATA storage objects"),
        "{list}"
    );
    assert!(
        !list.contains("schema_migrations") && !list.contains("storage migrations"),
        "{list}"
    );
    assert!(
        !list.contains("CREATE") && !list.contains(" TABLE public"),
        "{list}"
    );

    // Roles only: plain SQL, Supabase's reserved roles commented out, the user's kept.
    let archive = preset(&["--roles-only"], "roles");
    assert!(
        archive.to_string_lossy().ends_with("-roles-only.sql.zst"),
        "{archive:?}"
    );
    let sql = decompressed(&archive);
    assert!(
        sql.lines()
            .any(|l| l.starts_with("CREATE ROLE \"app_reader\"")),
        "{sql}"
    );
    assert!(
        sql.contains("-- reserved by Supabase: CREATE ROLE \"anon\""),
        "{sql}"
    );
    assert!(
        !sql.lines().any(|l| l.starts_with("CREATE ROLE \"anon\"")),
        "{sql}"
    );
    let out = run(work.path(), &["verify", archive.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // They restore into a new server (through psql): the user's roles appear, memberships too.
    let fresh = PostgresServer::start();
    let fresh_url = fresh.url("postgres");
    let out = run(
        work.path(),
        &["restore", archive.to_str().unwrap(), "--into", "NEW"],
        &[("NEW", fresh_url.as_str())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("existed already"), "{}", text(&out));
    assert_eq!(
        fresh
            .psql("SELECT count(*) FROM pg_roles WHERE rolname IN ('app_reader', 'anon')")
            .unwrap(),
        "1",
        "app_reader restored, anon (reserved by Supabase) not"
    );
}
