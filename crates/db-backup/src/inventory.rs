//! What is in a database, asked over opskit's own PostgreSQL client: the tables a dump holds,
//! their row counts and content hashes, and for the Supabase preset what the kept schemas need
//! from the schemas it leaves out.
//!
//! A content hash is the sum, as a 128-bit number, of PostgreSQL's 64-bit
//! `hashtextextended(row::text, 0)` over every row, with the session's output settings pinned
//! (UTC, ISO dates, exact floats, hex bytea), so it does not depend on row order or on the
//! server's locale settings, and two databases holding the same rows give the same hash.

use std::time::Duration;

use opskit::probe::postgres::{PgError, PgUrl, Row, Session};

use crate::manifest::Table;

/// Schemas Supabase creates and manages: what `supabase db dump` leaves out (the Supabase CLI's
/// list of internal schemas). `*` matches any characters, as in pg_dump's patterns.
pub const SUPABASE_MANAGED: &[&str] = &[
    "information_schema",
    "pg_*",
    "_analytics",
    "_realtime",
    "_supavisor",
    "auth",
    "etl",
    "extensions",
    "pgbouncer",
    "realtime",
    "storage",
    "supabase_functions",
    "supabase_migrations",
    "cron",
    "dbdev",
    "graphql",
    "graphql_public",
    "net",
    "pgmq",
    "pgsodium",
    "pgsodium_masks",
    "pgtle",
    "repack",
    "tiger",
    "tiger_data",
    "timescaledb_*",
    "_timescaledb_*",
    "topology",
    "vault",
];

/// What `supabase db dump --data-only` leaves out: the managed schemas except those holding the
/// project's own rows (auth users, storage objects, cron jobs, queues, webhooks), which a data
/// dump keeps for moving to a new project.
pub const SUPABASE_MANAGED_DATA: &[&str] = &[
    "information_schema",
    "pg_*",
    "graphql",
    "graphql_public",
    "pgsodium",
    "pgsodium_masks",
    "pgtle",
    "repack",
    "tiger",
    "tiger_data",
    "timescaledb_*",
    "_timescaledb_*",
    "topology",
    "vault",
    "extensions",
    "pgbouncer",
    "realtime",
    "supabase_migrations",
    "_analytics",
    "_realtime",
    "_supavisor",
];

/// Migration-history tables Supabase's services keep for themselves; a data dump leaves them
/// out, as `supabase db dump --data-only` does.
pub const SUPABASE_MANAGED_TABLES: &[&str] = &[
    "auth.schema_migrations",
    "storage.migrations",
    "supabase_functions.migrations",
];

/// Roles a Supabase project has already and that its supautils extension refuses to create or
/// alter: a roles dump comments them out, as `supabase db dump --role-only` does.
pub const SUPABASE_RESERVED_ROLES: &[&str] = &[
    "anon",
    "authenticated",
    "authenticator",
    "dashboard_user",
    "pgbouncer",
    "postgres",
    "service_role",
    "supabase_admin",
    "supabase_auth_admin",
    "supabase_functions_admin",
    "supabase_read_only_user",
    "supabase_realtime_admin",
    "supabase_replication_admin",
    "supabase_storage_admin",
    "pgsodium_keyholder",
    "pgsodium_keyiduser",
    "pgsodium_keymaker",
    "pgtle_admin",
];

/// pg_dump's pattern rule for names: `*` any run of characters, `?` one character; whole name.
pub fn matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some(('?', rest)) => !n.is_empty() && go(rest, &n[1..]),
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// `"name"` with embedded quotes doubled.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A literal `'text'` with embedded quotes doubled.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Session settings that make `row::text` the same on any server.
const PINNED_OUTPUT: &str = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; SET bytea_output = 'hex'; SET statement_timeout = 0";

/// Opens a session for inventory queries, with output pinned; `timeout` bounds the connect and
/// each network wait.
pub fn connect(url: &PgUrl, timeout: Duration) -> Result<Session, PgError> {
    let mut s = Session::connect(url, timeout, "opskit-db-backup")?;
    s.query(PINNED_OUTPUT)?;
    Ok(s)
}

/// Which tables a dump holds: ordinary tables and partitions outside the system schemas and
/// not owned by an extension, filtered by the excluded schema patterns.
pub fn tables(s: &mut Session, excluded: &[String]) -> Result<Vec<Table>, PgError> {
    let rows = s.query(
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind = 'r' AND c.relpersistence <> 't' \
           AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' \
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
                           WHERE d.classid = 'pg_catalog.pg_class'::regclass \
                             AND d.objid = c.oid AND d.deptype = 'e') \
         ORDER BY 1, 2",
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let mut it = row.into_iter();
            Some((it.next()??, it.next()??))
        })
        .filter(|(schema, _)| !excluded.iter().any(|p| matches(p, schema)))
        .map(|(schema, name)| Table {
            schema,
            name,
            rows: None,
            content_hash: None,
        })
        .collect())
}

/// Counts each table's rows (and hashes them when `hash`), in whatever snapshot the session
/// is in.
pub fn count(s: &mut Session, tables: &mut [Table], hash: bool) -> Result<(), PgError> {
    for t in tables {
        let from = format!("ONLY {}.{} AS t", ident(&t.schema), ident(&t.name));
        let sql = if hash {
            format!(
                "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text FROM {from}"
            )
        } else {
            format!("SELECT count(*), NULL FROM {from}")
        };
        let row = s.query(&sql)?.into_iter().next().unwrap_or_default();
        t.rows = row.first().cloned().flatten().and_then(|v| v.parse().ok());
        t.content_hash = row.get(1).cloned().flatten();
    }
    Ok(())
}

/// Whether the user's tables in `tables` exist in the session's database, and how many rows
/// each holds: `(qualified name, rows)` for those that exist.
pub fn existing(s: &mut Session, tables: &[Table]) -> Result<Vec<(String, u64)>, PgError> {
    let mut found = Vec::new();
    for t in tables {
        let name = format!("{}.{}", ident(&t.schema), ident(&t.name));
        let exists = s
            .query(&format!(
                "SELECT to_regclass({}) IS NOT NULL",
                literal(&name)
            ))?
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next().flatten())
            .is_some_and(|v| v == "t");
        if exists {
            let rows = s
                .query(&format!("SELECT count(*) FROM ONLY {name}"))?
                .into_iter()
                .next()
                .and_then(|r| r.into_iter().next().flatten())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            found.push((t.qualified(), rows));
        }
    }
    Ok(found)
}

/// The user's tables of a database (outside system schemas, not an extension's), qualified.
pub fn user_tables(s: &mut Session) -> Result<Vec<String>, PgError> {
    Ok(tables(s, &[])?.iter().map(Table::qualified).collect())
}

/// Objects in kept schemas that need an object in a left-out schema (a foreign key into
/// `auth.users`, a policy calling `auth.uid()`, a column typed from `extensions`), and objects
/// in left-out schemas that need kept ones (a trigger on `auth.users` calling a `public`
/// function): the first will not restore outside Supabase, the second are not in the dump.
pub fn cross_references(
    s: &mut Session,
    excluded: &[String],
) -> Result<(Vec<String>, Vec<String>), PgError> {
    // The namespace of a dependent object, through its table for objects that have none.
    let rows: Vec<Row> = s.query(
        "SELECT dn.nspname, pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid), \
                (pg_catalog.pg_identify_object(d.refclassid, d.refobjid, d.refobjsubid)).schema, \
                pg_catalog.pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid) \
         FROM pg_catalog.pg_depend d \
         CROSS JOIN LATERAL (SELECT CASE d.classid \
             WHEN 'pg_catalog.pg_class'::regclass THEN (SELECT relnamespace FROM pg_catalog.pg_class WHERE oid = d.objid) \
             WHEN 'pg_catalog.pg_constraint'::regclass THEN (SELECT connamespace FROM pg_catalog.pg_constraint WHERE oid = d.objid) \
             WHEN 'pg_catalog.pg_proc'::regclass THEN (SELECT pronamespace FROM pg_catalog.pg_proc WHERE oid = d.objid) \
             WHEN 'pg_catalog.pg_type'::regclass THEN (SELECT typnamespace FROM pg_catalog.pg_type WHERE oid = d.objid) \
             WHEN 'pg_catalog.pg_policy'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid WHERE p.oid = d.objid) \
             WHEN 'pg_catalog.pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class WHERE r.oid = d.objid) \
             WHEN 'pg_catalog.pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_class c ON c.oid = a.adrelid WHERE a.oid = d.objid) \
             WHEN 'pg_catalog.pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid WHERE t.oid = d.objid) \
             END AS ns) o \
         JOIN pg_catalog.pg_namespace dn ON dn.oid = o.ns \
         WHERE d.deptype IN ('n', 'a') AND d.refobjid >= 16384 \
           AND dn.nspname <> 'information_schema' AND dn.nspname NOT LIKE 'pg\\_%'",
    )?;
    let is_excluded = |schema: &str| excluded.iter().any(|p| matches(p, schema));
    let mut needs = Vec::new();
    let mut lost = Vec::new();
    for row in rows {
        let [Some(dep_schema), Some(dep), ref_schema, Some(reference)] =
            <[Option<String>; 4]>::try_from(row).unwrap_or_default()
        else {
            continue;
        };
        let Some(ref_schema) = ref_schema else {
            continue;
        };
        match (is_excluded(&dep_schema), is_excluded(&ref_schema)) {
            (false, true) => needs.push(format!("{dep} needs {reference}")),
            (true, false) => lost.push(format!("{dep} (in {dep_schema}) uses {reference}")),
            _ => {}
        }
    }
    needs.sort();
    needs.dedup();
    lost.sort();
    lost.dedup();
    Ok((needs, lost))
}

/// One value of a one-row query.
pub fn scalar(s: &mut Session, sql: &str) -> Result<Option<String>, PgError> {
    Ok(s.query(sql)?
        .into_iter()
        .next()
        .and_then(|r| r.into_iter().next().flatten()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_pg_dump() {
        assert!(matches("pg_*", "pg_toast"));
        assert!(matches("auth", "auth"));
        assert!(!matches("auth", "authz"));
        assert!(matches("_timescaledb_*", "_timescaledb_catalog"));
        assert!(matches("a?c", "abc"));
        assert!(!matches("a?c", "ac"));
        assert_eq!(ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(literal("o'k"), "'o''k'");
    }
}
