//! The `db-backup` suite: backups of a 33 MB and a 290 MB database next to pg_dump.

use std::process::Command;
use std::sync::Arc;

use crate::Result;

use super::Case;
use super::Options;
use super::Side;
use super::cargo_build;
use super::json_field;
use super::start_env;
use super::strings;

/// `db-backup`: a real PostgreSQL (from db-backup's `db_backup_bench_env` example) with a
/// small and a large database. opskit's side is a whole `db-backup run` (zstd level 3,
/// SHA-256, row counts in the dump's snapshot, fsync, and the read-back with
/// `pg_restore --list` unless `--no-verify`);
/// the peers are what backup scripts run: `pg_dump -Fc` to a file (gzip level 6 inside pg_dump)
/// and a plain `pg_dump | gzip`. Every side goes through `sh -c`, removes its last output first,
/// and reads the password from a file (`PGPASSFILE`, or the URL through a variable), so no
/// password stands on a command line. Peak memory on both databases shows whether it grows with
/// the database.
pub(super) fn db_backup_cases(options: &Options) -> Result<Vec<Case>> {
    let db_backup = cargo_build(
        &options.root,
        &["-p", "opskit-db-backup", "--bin", "db-backup"],
        "db-backup",
    )?;
    let env_bin = cargo_build(
        &options.root,
        &["-p", "opskit-db-backup", "--example", "db_backup_bench_env"],
        "examples/db_backup_bench_env",
    )?;
    let work = options.root.join("target/bench-db-backup");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    eprintln!("bench: loading PostgreSQL (about 20 s)");
    let mut command = Command::new(&env_bin);
    command.arg(&work);
    let (guard, line) = start_env(command)?;
    let field = |name: &str| json_field(&line, name);
    let (port, bin) = (field("port")?, field("bin")?);
    let w = work.display();
    let ours = db_backup.display();
    let mut cases = Vec::new();
    for (db, size) in [
        ("small", field("small_bytes")?),
        ("large", field("large_bytes")?),
    ] {
        let url_file = if db == "large" { "url" } else { "url-small" };
        let conn = format!("host=127.0.0.1 port={port} user=postgres dbname={db}");
        let run = |extra: &str| {
            format!(
                "rm -rf {w}/out-{db}; DB_URL=$(cat {w}/{url_file}) exec {ours} run --url DB_URL --dir {w}/out-{db} --pg-bin {bin}{extra}"
            )
        };
        let mb = size.parse::<u64>().unwrap_or(0) / 1_000_000;
        cases.push(Case {
            name: format!("{db} database ({mb} MB)"),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: strings(&["sh", "-c", &run("")]),
                },
                Side {
                    tool: "opskit --no-verify".to_owned(),
                    command: strings(&["sh", "-c", &run(" --no-verify")]),
                },
                Side {
                    tool: "pg_dump -Fc > file".to_owned(),
                    command: strings(&[
                        "sh",
                        "-c",
                        &format!(
                            "rm -f {w}/{db}.dump; PGPASSFILE={w}/pgpass exec {bin}/pg_dump -Fc -f {w}/{db}.dump -d '{conn}'"
                        ),
                    ]),
                },
                Side {
                    tool: "pg_dump | gzip".to_owned(),
                    command: strings(&[
                        "sh",
                        "-c",
                        &format!(
                            "set -e; rm -f {w}/{db}.sql.gz; PGPASSFILE={w}/pgpass {bin}/pg_dump -d '{conn}' | gzip > {w}/{db}.sql.gz"
                        ),
                    ]),
                },
            ],
            guard: Some(Arc::clone(&guard)),
            floor: None,
        });
    }
    Ok(cases)
}
