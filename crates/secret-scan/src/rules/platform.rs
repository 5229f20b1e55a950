//! The seed's own stack: Supabase, Upstash, Sentry, Vercel, Railway.

use std::ops::Range;

use super::{BASE, Candidate, Confidence, Kind, Rule, claim, jwt_claims};

/// A Supabase JWT whose role is `service_role` (bypasses row-level security). The anon key has
/// the same shape and is public by design; only the decoded role tells them apart.
fn supabase_service_role(c: &Candidate<'_>) -> bool {
    jwt_claims(c.secret).is_some_and(|claims| {
        claim(&claims, "iss").as_deref() == Some("supabase")
            && matches!(
                claim(&claims, "role").as_deref(),
                Some("service_role" | "supabase_admin")
            )
    })
}

/// The lines near a keyword: a client's options put the URL and the token on lines of their
/// own. (A [`super::Window`] may refuse a keyword; this one never does.)
#[expect(clippy::unnecessary_wraps, reason = "the Window signature")]
fn near_keyword(data: &[u8], hit: Range<usize>, line: Range<usize>) -> Option<Range<usize>> {
    Some(
        line.start.min(hit.start.saturating_sub(400))
            ..line.end.max((hit.end + 400).min(data.len())),
    )
}

/// A bare `token:` counts only beside an Upstash URL; a named one always does.
fn beside_upstash_url(c: &Candidate<'_>) -> bool {
    c.name.is_some() || memchr::memmem::find(c.around(400), b"upstash.io").is_some()
}

pub(super) const RULES: &[&Rule] = &[
    &Rule {
        code: "SEC016",
        id: "supabase-service-role-key",
        title: "Supabase service_role key (JWT)",
        impact: "Bypasses row-level security: reads and writes every table and storage bucket.",
        keywords: &["eyj"],
        patterns: &[r"\b(?P<s>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"],
        validate: Some(supabase_service_role),
        rotate: "Supabase: Project Settings, API Keys (JWT Keys): roll the JWT secret, or move to sb_secret_ keys and disable the legacy ones",
        examples: &[
            "SUPABASE_SERVICE_ROLE_KEY={jwt:service_role}",
            "const admin = createClient(url, '{jwt:service_role}')",
        ],
        counter_examples: &[
            "NEXT_PUBLIC_SUPABASE_ANON_KEY={jwt:anon}",
            "const supabase = createClient(url, '{jwt:authenticated}')",
            // See: issue 22. The service_role key `supabase start` prints for the local stack.
            "SUPABASE_SERVICE_ROLE_KEY=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC017",
        id: "supabase-secret-key",
        title: "Supabase secret API key",
        impact: "Bypasses row-level security like the service_role key.",
        keywords: &["sb_secret_"],
        patterns: &[r"\b(?P<s>sb_secret_[A-Za-z0-9_-]{20,})"],
        rotate: "Supabase: Project Settings, API Keys: delete the secret key, create a new one",
        examples: &["SUPABASE_SECRET_KEY=sb_secret_{b64u:31}"],
        counter_examples: &[
            "NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY=sb_publishable_{b64u:31}",
            "SUPABASE_SECRET_KEY=sb_secret_...",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC018",
        id: "supabase-access-token",
        title: "Supabase personal access token",
        impact: "Manages every project of the account through the Management API and CLI.",
        keywords: &["sbp_"],
        patterns: &[r"\b(?P<s>sbp_[a-f0-9]{40})\b"],
        rotate: "supabase.com/dashboard/account/tokens: revoke the token",
        examples: &["SUPABASE_ACCESS_TOKEN=sbp_{hex:40}"],
        counter_examples: &["SUPABASE_ACCESS_TOKEN=sbp_0000000000000000000000000000000000000000"],
        ..BASE
    },
    &Rule {
        code: "SEC019",
        id: "upstash-redis-rest-token",
        title: "Upstash Redis REST token",
        impact: "Runs any Redis command on the database over HTTPS (the read-only token reads every key).",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["upstash_redis_rest_token", "kv_rest_api", "upstash.io"],
        patterns: &[
            r#"(?i)\b(?P<n>(?:upstash_redis_rest|kv_rest_api(?:_read_only)?)_token)["']?\s*[:=]\s*["'`]?(?P<s>[A-Za-z0-9_=-]{30,})"#,
            // `new Redis({ url: "https://….upstash.io", token: "…" })`: the token known by the
            // URL beside it.
            r#"\btoken["']?\s*:\s*["'`](?P<s>A[A-Za-z0-9_=-]{30,})["'`]"#,
        ],
        validate: Some(beside_upstash_url),
        window: Some(near_keyword),
        rotate: "Upstash console: the database's REST API section, Reset token (KV on Vercel: rotate in the storage tab)",
        examples: &[
            "UPSTASH_REDIS_REST_TOKEN=\"AX{b64u:70}=\"",
            "KV_REST_API_READ_ONLY_TOKEN=Ag{b64u:70}",
            // See: issue 22. The client constructor of @upstash/redis.
            "const redis = new Redis({\n  url: \"https://eu1-brave-gecko-30441.upstash.io\",\n  token: \"A{b64u:59}\",\n});",
        ],
        counter_examples: &[
            "UPSTASH_REDIS_REST_TOKEN=${UPSTASH_REDIS_REST_TOKEN}",
            "UPSTASH_REDIS_REST_TOKEN=your-upstash-redis-rest-token",
            "token: process.env.UPSTASH_REDIS_REST_TOKEN!,",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC020",
        id: "upstash-qstash-token",
        title: "Upstash QStash token or signing key",
        impact: "Publishes messages to your endpoints, or forges QStash's signature on them.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["qstash_"],
        patterns: &[
            r#"(?i)\b(?P<n>qstash_(?:token|current_signing_key|next_signing_key))["']?\s*[:=]\s*["'`]?(?P<s>[A-Za-z0-9_=-]{20,})"#,
        ],
        rotate: "Upstash console, QStash: roll the token / signing keys",
        examples: &[
            "QSTASH_TOKEN=ey{b64u:80}=",
            "QSTASH_CURRENT_SIGNING_KEY=sig_{a62:28}",
        ],
        counter_examples: &["QSTASH_TOKEN=<token>"],
        ..BASE
    },
    &Rule {
        code: "SEC021",
        id: "sentry-user-token",
        title: "Sentry user auth token",
        impact: "Acts as the user on every organisation they belong to: reads events, changes projects.",
        keywords: &["sntryu_"],
        patterns: &[r"\b(?P<s>sntryu_[a-f0-9]{64})\b"],
        rotate: "sentry.io: User settings, Personal Tokens: revoke",
        examples: &["SENTRY_AUTH_TOKEN=sntryu_{hex:64}"],
        counter_examples: &["SENTRY_DSN=https://{hex:32}@o450000.ingest.sentry.io/5500000"],
        ..BASE
    },
    &Rule {
        code: "SEC022",
        id: "sentry-org-token",
        title: "Sentry organization auth token",
        impact: "Uploads releases and source maps, and reads the organisation's projects.",
        keywords: &["sntrys_"],
        patterns: &[r"\b(?P<s>sntrys_eyJ[A-Za-z0-9+/=]{20,}_[A-Za-z0-9+/=]{20,})"],
        rotate: "sentry.io: Settings, Developer Settings, Organization Tokens: revoke",
        examples: &["SENTRY_AUTH_TOKEN=sntrys_eyJ{b64:120}_{b64:43}"],
        counter_examples: &["SENTRY_AUTH_TOKEN=sntrys_YOUR_TOKEN_HERE"],
        ..BASE
    },
    &Rule {
        code: "SEC023",
        id: "sentry-auth-token",
        title: "Sentry auth token (legacy format, known by its name)",
        impact: "Acts with the token's scopes on the Sentry organisation.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["sentry_auth_token", "sentry-auth-token"],
        patterns: &[
            r#"(?i)\b(?P<n>sentry[_-]auth[_-]token)["']?\s*[:=]\s*["'`]?(?P<s>[a-f0-9]{64})\b"#,
        ],
        rotate: "sentry.io: Settings, Auth Tokens: revoke",
        examples: &["SENTRY_AUTH_TOKEN: {hex:64}"],
        counter_examples: &["SENTRY_AUTH_TOKEN: ${{ secrets.SENTRY_AUTH_TOKEN }}"],
        ..BASE
    },
    &Rule {
        code: "SEC024",
        id: "vercel-token",
        title: "Vercel access token or API key",
        impact: "Deploys code, reads every environment variable, and manages the team's projects.",
        keywords: &["vcp_", "vci_", "vca_", "vcr_", "vck_"],
        patterns: &[r"\b(?P<s>vc[pikar]_[A-Za-z0-9]{24,})\b"],
        rotate: "vercel.com/account/settings/tokens: delete the token; rotate the env vars it could read",
        examples: &["VERCEL_TOKEN=vcp_{a62:40}"],
        counter_examples: &[
            "vcp_token_name",
            "VERCEL_TOKEN=vcp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC025",
        id: "vercel-token-by-name",
        title: "Vercel access token (legacy format, known by its name)",
        impact: "Deploys code, reads every environment variable, and manages the team's projects.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["vercel"],
        patterns: &[
            r#"(?i)\b(?P<n>vercel_(?:api_|access_|auth_)?token)["']?\s*[:=]\s*["'`]?(?P<s>[A-Za-z0-9]{24})\b"#,
            r#"\bvercel\b[^\n]*?\s--token[= ]["']?(?P<s>[A-Za-z0-9]{24})\b"#,
        ],
        rotate: "vercel.com/account/settings/tokens: delete the token; rotate the env vars it could read",
        examples: &[
            "VERCEL_TOKEN={a62:24}",
            "npx vercel deploy --prod --token {a62:24}",
        ],
        counter_examples: &[
            "npx vercel deploy --prod --token $VERCEL_TOKEN",
            "VERCEL_TOKEN: ${{ secrets.VERCEL_TOKEN }}",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC026",
        id: "railway-token",
        title: "Railway API or project token (known by its name)",
        impact: "Deploys to the project and reads its variables (account tokens: every project).",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["railway"],
        patterns: &[
            r#"(?i)\b(?P<n>railway_(?:api_|project_)?token)["']?\s*[:=]\s*["'`]?(?P<s>[A-Za-z0-9-]{32,})\b"#,
        ],
        rotate: "railway.com/account/tokens (or the project's Settings, Tokens): delete the token",
        examples: &[
            "RAILWAY_TOKEN={uuid}",
            "export RAILWAY_API_TOKEN=\"{uuid}\"",
        ],
        counter_examples: &[
            "RAILWAY_TOKEN: ${{ secrets.RAILWAY_TOKEN }}",
            "RAILWAY_TOKEN=00000000-0000-0000-0000-000000000000",
        ],
        ..BASE
    },
];
