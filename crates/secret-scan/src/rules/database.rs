//! Connection URLs that carry a password: PostgreSQL, MySQL, MongoDB, Redis, AMQP, and any other
//! URL with `user:password@`.

use super::{BASE, Candidate, Confidence, Rule};
use crate::precision;

/// A password that is not a template, not a documented or local default, and not a weak word
/// on a local host (`redis://:devpass@localhost`, `postgres://app:app-pw@db:5432` in a compose
/// file): those are development setups, not leaks.
fn real_password(c: &Candidate<'_>) -> bool {
    let p = c.secret;
    if p.len() < 6
        || precision::is_default_password(p)
        || p.starts_with(['$', '%', '[', '{', ':'])
        || p.chars().all(|ch| ch == '*' || ch == 'x' || ch == '.')
    {
        return false;
    }
    let host = c
        .line
        .find(p)
        .and_then(|at| c.line[at + p.len()..].strip_prefix('@'))
        .map(|rest| {
            rest.split(|ch: char| ":/?#\"'` ".contains(ch))
                .next()
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let local =
        matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0") || !host.contains('.');
    // A password to a local host only works on the developer's machine: only a random one
    // (a real secret reused locally) counts.
    !local || precision::looks_random(p, 16, 3.5)
}

pub(super) const RULES: &[&Rule] = &[
    &Rule {
        code: "SEC010",
        id: "postgres-url-password",
        title: "PostgreSQL connection URL with a password",
        impact: "Connects to the database as that user: reads, changes or drops the data.",
        keywords: &["postgres"],
        patterns: &[r#"\bpostgres(?:ql)?://[^\s:@/?#'"`]*:(?P<s>[^\s@/?#'"`]+)@[^\s/?#'"`]+"#],
        validate: Some(real_password),
        rotate: "change the role's password (ALTER ROLE ... PASSWORD; Supabase: Project Settings, Database, Reset password)",
        examples: &[
            "DATABASE_URL=postgresql://app:{a62:24}@db.internal:5432/app",
            "SUPABASE_DB_URL=\"postgres://postgres.abcdefghijklmnop:{a62:20}@aws-0-eu-central-1.pooler.supabase.com:6543/postgres\"",
        ],
        counter_examples: &[
            "DATABASE_URL=postgresql://postgres:postgres@localhost:5432/app",
            "DATABASE_URL=postgresql://postgres:[YOUR-PASSWORD]@db.abc.supabase.co:5432/postgres",
            "DATABASE_URL=postgres://${PGUSER}:${PGPASSWORD}@${PGHOST}/app",
            "DATABASE_URL=postgres://app@localhost/app",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC011",
        id: "mysql-url-password",
        title: "MySQL connection URL with a password",
        impact: "Connects to the database as that user.",
        keywords: &["mysql", "mariadb"],
        patterns: &[r#"\b(?:mysql2?|mariadb)://[^\s:@/?#'"`]*:(?P<s>[^\s@/?#'"`]+)@[^\s/?#'"`]+"#],
        validate: Some(real_password),
        rotate: "change the user's password (ALTER USER ... IDENTIFIED BY ...)",
        examples: &["url: \"mysql://shop:{a62:18}@mysql.prod:3306/shop\""],
        counter_examples: &[
            "mysql://root:root@127.0.0.1:3306/test",
            "mysql://user:<password>@host/db",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC012",
        id: "mongodb-url-password",
        title: "MongoDB connection URL with a password",
        impact: "Connects to the cluster as that user.",
        keywords: &["mongodb"],
        patterns: &[r#"\bmongodb(?:\+srv)?://[^\s:@/?#'"`]*:(?P<s>[^\s@/?#'"`]+)@[^\s/?#'"`]+"#],
        validate: Some(real_password),
        rotate: "MongoDB Atlas: Database Access, edit the user, change the password",
        examples: &[
            "MONGODB_URI=mongodb+srv://api:{a62:16}@cluster0.ab1cd.mongodb.net/prod?retryWrites=true",
        ],
        counter_examples: &[
            "MONGODB_URI=mongodb+srv://<username>:<password>@cluster0.mongodb.net/",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC013",
        id: "redis-url-password",
        title: "Redis connection URL with a password",
        impact: "Reads and writes every key, including the job queue's payloads.",
        keywords: &["redis"],
        patterns: &[r#"\brediss?://[^\s:@/?#'"`]*:(?P<s>[^\s@/?#'"`]+)@[^\s/?#'"`]+"#],
        validate: Some(real_password),
        rotate: "Upstash: database page, Reset password; self-hosted: change requirepass / the ACL user",
        examples: &["REDIS_URL=rediss://default:A{b64u:59}@eu2-fancy-owl-31337.upstash.io:6379"],
        counter_examples: &[
            "REDIS_URL=redis://:foobared@localhost:6379",
            "redis://localhost:6379/0",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC014",
        id: "amqp-url-password",
        title: "AMQP (RabbitMQ) connection URL with a password",
        impact: "Publishes to and consumes from the broker's queues.",
        keywords: &["amqp"],
        patterns: &[r#"\bamqps?://[^\s:@/?#'"`]*:(?P<s>[^\s@/?#'"`]+)@[^\s/?#'"`]+"#],
        validate: Some(real_password),
        rotate: "rabbitmqctl change_password USER (or the provider's console)",
        examples: &["AMQP_URL=amqps://worker:{a62:22}@rabbit.prod.internal:5671/jobs"],
        counter_examples: &["amqp://guest:guest@localhost:5672/"],
        ..BASE
    },
    &Rule {
        code: "SEC015",
        id: "url-credentials",
        title: "URL with a password in it",
        impact: "Logs in to the service the URL names.",
        confidence: Confidence::Medium,
        keywords: &["://"],
        patterns: &[
            r#"\b(?:https?|ftps?|sftp|smtps?|ssh|git|ldaps?)://[A-Za-z0-9._~%!$&()*+,;=-]+:(?P<s>[^\s@/?#'"`]{3,})@[A-Za-z0-9.-]+"#,
        ],
        validate: Some(real_password),
        rotate: "change the password of the account in the URL",
        examples: &[
            "registry=https://deploy:{a62:20}@npm.internal.example.net/",
            "smtp://mailer:{a62:16}@smtp.mailgun.org:587",
        ],
        counter_examples: &[
            "https://user:password@example.com",
            "https://o447951.ingest.sentry.io/5433",
            "git clone https://github.com/org/repo.git",
            "http://localhost:3000/api/health",
        ],
        ..BASE
    },
];
