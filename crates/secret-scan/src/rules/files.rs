//! Credentials in the configuration files of the tools a team uses: `.netrc` (curl, git, the
//! Heroku CLI), `.pypirc` (twine), Docker's `config.json`, `.sentryclirc`, and the
//! constructors of the stack's clients, where the credential is an argument beside a URL.
//! `.npmrc` entries are in [`super::registry`].

use super::{BASE, Candidate, Confidence, Kind, Rule, Scope};
use crate::precision;

/// A password someone chose, not a default or a placeholder.
fn real_password(c: &Candidate<'_>) -> bool {
    !precision::is_default_password(c.secret) && precision::looks_random(c.secret, 6, 2.0)
}

/// The second argument of `createClient(url, key)`: random, and not a key that is public by
/// design (a Supabase anon key goes to browsers).
fn real_client_key(c: &Candidate<'_>) -> bool {
    if let Some(public) = precision::is_public_jwt(c.secret) {
        return !public;
    }
    precision::looks_random(c.secret, 20, 3.5)
}

pub(super) const RULES: &[&Rule] = &[
    &Rule {
        code: "SEC073",
        id: "netrc-password",
        title: "Password in a .netrc entry",
        impact: "Logs in to the machine the entry names (git remotes, APIs, FTP), as the entry's login.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["machine"],
        patterns: &[
            r#"\b(?:machine\s+[A-Za-z0-9._:-]+|default)\s+(?:login\s+\S+\s+)?password\s+["']?(?P<s>[^\s"'$`]{6,})"#,
        ],
        scope: Scope::File,
        validate: Some(real_password),
        rotate: "change the password or revoke the token at the service the `machine` entry names, and keep .netrc out of the repository",
        examples: &[
            "machine api.heroku.com\n  login deploy@example.com\n  password {uuid}\n",
            "machine git.internal.example.net login ci password {a62:32}",
        ],
        counter_examples: &[
            "machine github.com login x-access-token password $GITHUB_TOKEN",
            "machine localhost login app password postgres",
            "The state machine logs in with a password stored in the vault.",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC074",
        id: "pypirc-password",
        title: "Password in a .pypirc",
        impact: "Uploads releases to the package index the section names.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["password"],
        patterns: &[r"(?m)^[ \t]*password[ \t]*[:=][ \t]*(?P<s>[^\s$%][^\s]{5,})[ \t]*\r?$"],
        files: &[".pypirc"],
        validate: Some(real_password),
        rotate: "change the password (or revoke the token) on the package index, then use trusted publishing or keyring",
        examples: &[
            "[distutils]\nindex-servers = internal\n\n[internal]\nrepository = https://pypi.internal.example.net/\nusername = deploy\npassword = {a62:20}\n",
        ],
        counter_examples: &["[pypi]\nusername = __token__\npassword = %(PYPI_TOKEN)s\n"],
        ..BASE
    },
    &Rule {
        code: "SEC075",
        id: "docker-config-auth",
        title: "Registry credential in a Docker config (auths)",
        impact: "Pulls and pushes images on the registry as the stored user.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["\"auth\"", "\"identitytoken\""],
        patterns: &[
            r#""auth"\s*:\s*"(?P<s>[A-Za-z0-9+/]{8,}={0,2})""#,
            r#""identitytoken"\s*:\s*"(?P<s>[A-Za-z0-9._~+/=-]{16,})""#,
        ],
        validate: Some(|c| {
            if c.line.contains("identitytoken") {
                precision::looks_random(c.secret, 16, 3.0)
            } else {
                // `auth` is base64 of `user:password`.
                precision::decodes_to_real_login(c.secret)
            }
        }),
        rotate: "revoke the password or token on the registry, log in again with a credential helper (`credsStore`)",
        examples: &[
            "{\"auths\": {\"ghcr.io\": {\"auth\": \"{basic}\"}}}",
            "    \"registry.internal.example.net\": { \"identitytoken\": \"{b64u:48}\" }",
        ],
        counter_examples: &[
            "{\"auths\": {\"https://index.docker.io/v1/\": {}}, \"credsStore\": \"desktop\"}",
            "{\"auths\": {\"ghcr.io\": {\"auth\": \"dXNlcjpwYXNzd29yZA==\"}}}",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC076",
        id: "sentry-cli-config-token",
        title: "Sentry auth token in a sentry-cli config",
        impact: "Uploads releases and source maps and reads the organisation's projects.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["token"],
        patterns: &[r"(?m)^[ \t]*(?:auth\.)?token[ \t]*=[ \t]*(?P<s>[a-f0-9]{64})\b"],
        files: &[".sentryclirc", "sentry.properties"],
        rotate: "sentry.io: Settings, Auth Tokens: revoke; give sentry-cli the token through SENTRY_AUTH_TOKEN",
        examples: &["[defaults]\norg = agent-platform\n\n[auth]\ntoken={hex:64}\n"],
        counter_examples: &["[auth]\ntoken=${SENTRY_AUTH_TOKEN}\n"],
        ..BASE
    },
    &Rule {
        code: "SEC077",
        id: "client-constructor-key",
        title: "Credential passed to a client constructor beside its URL",
        impact: "Whatever the client's key allows on the service at that URL.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["createclient("],
        patterns: &[
            r#"createClient\(\s*["'`](?:https?|rediss?|libsql|wss?)://[^"'`\s]+["'`]\s*,\s*["'`](?P<s>[A-Za-z0-9._~+/=-]{20,})["'`]"#,
        ],
        validate: Some(real_client_key),
        rotate: "revoke the key with the service at that URL, then read it from the environment",
        examples: &[
            "const admin = createClient('https://db.internal.example.net', '{a62:40}');",
            "export const turso = createClient(\"libsql://app-prod.turso.io\", \"{b64u:48}\")",
        ],
        counter_examples: &[
            "const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);",
            "const supabase = createClient('https://abcdefghijklmnop.supabase.co', '{jwt:anon}');",
        ],
        ..BASE
    },
    // See: issue 22. Maven's settings.xml, NuGet.config, a .NET or Java XML config: the
    // credential is an element's text.
    &Rule {
        code: "SEC078",
        id: "xml-credential-element",
        title: "Credential in an XML element (`<password>…</password>`)",
        impact: "Whatever the named credential allows (a Maven or NuGet registry, a database).",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &[
            "password>",
            "passwd>",
            "secret>",
            "token>",
            "apikey>",
            "api_key>",
            "accesskey>",
            "privatekey>",
            "credential>",
            "credentials>",
        ],
        patterns: &[
            r"(?i)<(?P<n>(?:[A-Za-z][A-Za-z0-9_.:-]{0,40}?)?(?:password|passwd|secret|token|apikey|api_key|accesskey|privatekey|credentials?)[A-Za-z0-9_.-]{0,20})(?:\s[^<>]{0,200})?>(?P<q>)(?P<s>[^<>\s]{8,200})</",
        ],
        validate: Some(precision::generic_secret),
        rotate: "revoke the credential with the service it belongs to, then read it from the environment (Maven: ${env.NAME}; NuGet: %NAME%)",
        examples: &[
            "      <password>{a62:24}</password>",
            "<add key=\"ClearTextPassword\" value=\"x\" /><apiKey>{hex:32}</apiKey>",
        ],
        counter_examples: &[
            "      <password>${env.NEXUS_PASSWORD}</password>",
            "<password>changeme</password>",
            "<secretKeyRef>db-credentials</secretKeyRef>",
        ],
        ..BASE
    },
];
