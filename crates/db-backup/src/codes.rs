//! db-backup's finding codes, each written once: `--explain`, `--list-rules`, the SARIF rule
//! descriptors and the table of docs/db-backup.md are made from this list. DB1xx are `run`,
//! DB2xx `verify`, DB3xx `restore`, DB4xx `prune`, DB5xx `check` and `list`.

use opskit::codes::{Code, Registry};
use opskit::report::Severity;

/// DB101: pg_dump missing.
pub const DB101: Code = Code {
    code: "DB101",
    title: "PostgreSQL client tools missing",
    severity: Severity::Error,
    explanation: "pg_dump (or pg_restore, pg_dumpall, psql) is not on PATH, not under /usr/lib/postgresql/<major>/bin, and not in `--pg-bin`, or could not be started.",
    fix: "Install the client of the server's major version (`apt-get install postgresql-client-16`) or point `--pg-bin` at its directory.",
};

/// DB102: pg_dump older than the server.
pub const DB102: Code = Code {
    code: "DB102",
    title: "pg_dump older than the server",
    severity: Severity::Error,
    explanation: "pg_dump cannot dump a server of a newer major version, so the run is refused before anything runs.",
    fix: "Install the client of the server's major version (the message names the package).",
};

/// DB103: authentication failed.
pub const DB103: Code = Code {
    code: "DB103",
    title: "authentication failed",
    severity: Severity::Error,
    explanation: "The server refused the login (SQLSTATE 28P01 or 28000), or asked for a password the URL does not hold.",
    fix: "Check the user and password of the connection URL (for Supabase: the database password, not the API key).",
};

/// DB104: server unreachable.
pub const DB104: Code = Code {
    code: "DB104",
    title: "server unreachable",
    severity: Severity::Error,
    explanation: "The server cannot be reached or stopped answering: the name does not resolve, the connection is refused or times out, or a query failed mid-way.",
    fix: "Check the host and port (Supabase: the direct connection or the session pooler on 5432, not the transaction pooler on 6543) and `--timeout`.",
};

/// DB105: disk full.
pub const DB105: Code = Code {
    code: "DB105",
    title: "disk full",
    severity: Severity::Error,
    explanation: "Writing the archive ran out of space, quota or file-size limit. The partial file is deleted.",
    fix: "Free space in the backup directory (`db-backup prune`) or move it to a larger disk.",
};

/// DB106: pg_dump failed.
pub const DB106: Code = Code {
    code: "DB106",
    title: "the dump failed",
    severity: Severity::Error,
    explanation: "pg_dump (or the archive's writing) failed for another reason; its last lines are shown. The partial file is deleted, so nothing is left under a final name.",
    fix: "Read pg_dump's message; a permission error names the object the user cannot read.",
};

/// DB107: the archive did not read back.
pub const DB107: Code = Code {
    code: "DB107",
    title: "the archive did not read back",
    severity: Severity::Error,
    explanation: "After writing, the archive did not decompress or `pg_restore --list` could not read it, so it is not kept.",
    fix: "Run again; if it repeats, check the disk (a failing disk corrupts what it writes).",
};

/// DB110: the dump needs left-out schemas.
pub const DB110: Code = Code {
    code: "DB110",
    title: "the dump needs left-out schemas",
    severity: Severity::Warning,
    explanation: "Supabase preset: objects in the kept schemas depend on schemas the dump leaves out (`REFERENCES auth.users`, `auth.uid()` in a policy), so the dump restores only into a Supabase project. A note with `--allow-references`.",
    fix: "For disaster recovery onto any PostgreSQL, take the default complete dump; if you only restore into Supabase, `--allow-references`.",
};

/// DB111: objects the dump leaves behind.
pub const DB111: Code = Code {
    code: "DB111",
    title: "objects the dump leaves behind",
    severity: Severity::Warning,
    explanation: "Supabase preset: objects in left-out schemas use yours (the `on_auth_user_created` trigger on `auth.users` calling `public.handle_new_user()`); the dump does not hold them.",
    fix: "Recreate them after a restore; keep their SQL in your migrations.",
};

/// DB201: checksum mismatch.
pub const DB201: Code = Code {
    code: "DB201",
    title: "checksum mismatch",
    severity: Severity::Error,
    explanation: "The archive's size or SHA-256 is not what its manifest says: a byte changed since the backup was written.",
    fix: "Do not restore it; take a new backup and check the storage it sat on.",
};

/// DB202: no manifest.
pub const DB202: Code = Code {
    code: "DB202",
    title: "manifest missing or foreign",
    severity: Severity::Error,
    explanation: "The archive has no opskit manifest beside it, or the manifest cannot be read or is not ours, so there is nothing to verify it against.",
    fix: "Keep the `.manifest.json` with its archive when copying backups.",
};

/// DB203: the archive does not read.
pub const DB203: Code = Code {
    code: "DB203",
    title: "the archive does not read",
    severity: Severity::Error,
    explanation: "The archive does not decompress to the end (zstd's frame checksum included), `pg_restore --list` cannot read it, or it lacks the data entry of a table its manifest lists.",
    fix: "Do not rely on it; take a new backup.",
};

/// DB204: row counts differ after a restore.
pub const DB204: Code = Code {
    code: "DB204",
    title: "row counts differ after a restore",
    severity: Severity::Error,
    explanation: "Restored into a scratch database, a table has another number of rows than the manifest recorded.",
    fix: "Take a new backup and verify it; a difference that repeats points at a table the dump cannot read whole.",
};

/// DB205: content differs after a restore.
pub const DB205: Code = Code {
    code: "DB205",
    title: "content differs after a restore",
    severity: Severity::Error,
    explanation: "A restored table's content hash differs from the manifest's (`run --content-hash`) or from the live database's (`--source`, which may have changed since).",
    fix: "Against `--source`, a difference may be new writes; against the manifest, take a new backup.",
};

/// DB206: a table missing after a restore.
pub const DB206: Code = Code {
    code: "DB206",
    title: "a table missing after a restore",
    severity: Severity::Error,
    explanation: "A table of the manifest does not exist in the scratch database after the restore.",
    fix: "Take a new backup and verify it.",
};

/// DB301: the target holds the archive's tables.
pub const DB301: Code = Code {
    code: "DB301",
    title: "the target already holds the tables",
    severity: Severity::Error,
    explanation: "`restore` refuses a target that holds any of the archive's tables (for a data-only archive: tables that are not empty), and names them.",
    fix: "Restore into an empty database, or `--force` to drop and recreate them.",
};

/// DB401: pruned, or not deleted.
pub const DB401: Code = Code {
    code: "DB401",
    title: "pruned, or could not be deleted",
    severity: Severity::Note,
    explanation: "`prune` lists each backup it deletes (or would, with `--dry-run`) as a note; one it could not delete is an error.",
    fix: "For an error: check the directory's permissions.",
};

/// DB501: no backup.
pub const DB501: Code = Code {
    code: "DB501",
    title: "no backup",
    severity: Severity::Error,
    explanation: "`check` found no backup (of the database asked for) in the directory.",
    fix: "Is the backup job running, and writing there? Run `db-backup run` by hand to see.",
};

/// DB502: the newest backup is too old.
pub const DB502: Code = Code {
    code: "DB502",
    title: "the newest backup is too old",
    severity: Severity::Error,
    explanation: "The newest backup is older than `--max-age` (a warning over `--warn-age`): the backup job has not succeeded since.",
    fix: "Read the job's logs (`systemctl status`, `kubectl get cronjob`) and run `db-backup run` by hand.",
};

/// DB503: the size changed sharply.
pub const DB503: Code = Code {
    code: "DB503",
    title: "the size changed sharply",
    severity: Severity::Warning,
    explanation: "The newest backup's size differs from the previous one's by more than the allowed change: a table emptied, a schema left out, or a big import.",
    fix: "Compare the two manifests' row counts per table.",
};

/// DB504: not verified.
pub const DB504: Code = Code {
    code: "DB504",
    title: "not verified",
    severity: Severity::Warning,
    explanation: "The newest backup has not been verified (an error with `--require-verified`).",
    fix: "`db-backup verify FILE`, ideally with `--restore-into` a scratch database.",
};

/// DB505: verification failed.
pub const DB505: Code = Code {
    code: "DB505",
    title: "verification failed",
    severity: Severity::Error,
    explanation: "The newest backup failed its last verification.",
    fix: "Run `db-backup verify FILE` to see why, and take a new backup.",
};

/// DB506: incomplete backup.
pub const DB506: Code = Code {
    code: "DB506",
    title: "incomplete backup",
    severity: Severity::Warning,
    explanation: "A partial file of a run that was killed (the next run removes it), or a manifest whose archive is gone (an error when it is the newest backup).",
    fix: "For a missing archive: find what deleted it; take a new backup.",
};

/// Every code, in order.
pub const CODES: &[Code] = &[
    DB101, DB102, DB103, DB104, DB105, DB106, DB107, DB110, DB111, DB201, DB202, DB203, DB204,
    DB205, DB206, DB301, DB401, DB501, DB502, DB503, DB504, DB505, DB506,
];

/// db-backup's registry.
pub const REGISTRY: Registry = Registry {
    page: "db-backup",
    codes: CODES,
};

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_is_complete() {
        assert_eq!(opskit::codes::validate(super::CODES, &["DB"]), Ok(()));
        assert_eq!(super::CODES.len(), 23);
    }
}
