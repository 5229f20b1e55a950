//! Cloud providers: AWS, Google Cloud, Azure, Heroku.

use std::ops::Range;

use super::{BASE, Candidate, Confidence, Kind, Rule};
use opskit::report::Severity;

/// The most a JSON string value is followed for: a 4096-bit key in JSON is about 3.3 KB.
const MAX_JSON_VALUE: usize = 16 * 1024;

/// From the `"private_key"` keyword to the end of its JSON string value, however long the
/// line: a 2048-bit key is a 1.7 KB value, longer than the line window around a keyword.
fn json_string_value(data: &[u8], hit: Range<usize>, _line: Range<usize>) -> Option<Range<usize>> {
    let limit = (hit.end + MAX_JSON_VALUE).min(data.len());
    let rest = &data[hit.end..limit];
    let open = rest.iter().position(|&b| b == b'"')?;
    let mut escaped = false;
    for (i, &b) in rest.iter().enumerate().skip(open + 1) {
        match b {
            b'\\' if !escaped => escaped = true,
            b'"' if !escaped => return Some(hit.start..hit.end + i + 1),
            b'\n' => return None,
            _ => escaped = false,
        }
    }
    None
}

fn in_service_account_file(c: &Candidate<'_>) -> bool {
    memchr::memmem::find(c.file, b"service_account").is_some()
}

pub(super) const RULES: &[&Rule] = &[
    &Rule {
        code: "SEC036",
        id: "aws-access-key-id",
        title: "AWS access key ID",
        impact: "Names an AWS credential; with its secret (usually near it) it acts as the IAM user.",
        severity: Severity::Warning,
        keywords: &["akia", "asia", "abia", "acca"],
        patterns: &[r"\b(?P<s>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b"],
        rotate: "AWS console: IAM, the user's Security credentials: deactivate and delete the key",
        examples: &[
            "AWS_ACCESS_KEY_ID=AKIA{A32:16}",
            "aws_access_key_id = ASIA{A32:16}",
        ],
        counter_examples: &["AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AKIA_PREFIX"],
        ..BASE
    },
    &Rule {
        code: "SEC037",
        id: "aws-secret-access-key",
        title: "AWS secret access key",
        impact: "Acts as the IAM user or role in the AWS account.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &[
            "secret_access_key",
            "secretaccesskey",
            "aws_secret",
            "secret-access-key",
        ],
        patterns: &[
            r#"(?i)(?P<n>(?:aws_?)?secret_?access_?key|aws_secret|secret-access-key)["']?\s*[:=]\s*["'`]?(?P<s>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
        ],
        rotate: "AWS console: IAM, the user's Security credentials: deactivate and delete the key",
        examples: &[
            "AWS_SECRET_ACCESS_KEY={b64:40}",
            "  secretAccessKey: '{b64:40}',",
        ],
        counter_examples: &[
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC038",
        id: "gcp-service-account-key",
        title: "Google Cloud service account key (JSON)",
        impact: "Acts as the service account in the Google Cloud project.",
        keywords: &["\"private_key\""],
        patterns: &[
            r#""private_key"\s*:\s*"(?P<s>-----BEGIN (?:RSA )?PRIVATE KEY-----\\n[A-Za-z0-9+/=\\]{64,}-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)""#,
        ],
        validate: Some(in_service_account_file),
        window: Some(json_string_value),
        rotate: "Google Cloud console: IAM, Service accounts, Keys: delete the key (prefer workload identity)",
        examples: &[
            "{\"type\": \"service_account\", \"project_id\": \"agent-prod\", \"private_key_id\": \"{hex:40}\", \"private_key\": \"{pemjson:PRIVATE KEY}\", \"client_email\": \"ci@agent-prod.iam.gserviceaccount.com\"}",
            // See: issue 22. A 2048-bit key on one minified line, longer than the line window.
            "{\"type\":\"service_account\",\"project_id\":\"agent-prod\",\"private_key_id\":\"{hex:40}\",\"private_key\":\"{pemjson2048:PRIVATE KEY}\",\"client_email\":\"ci@agent-prod.iam.gserviceaccount.com\"}",
        ],
        counter_examples: &[
            "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n\"}",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC039",
        id: "google-api-key",
        title: "Google API key",
        impact: "Calls the Google APIs the key allows on the project's quota and bill (restrict it by API and referrer).",
        severity: Severity::Warning,
        confidence: Confidence::Medium,
        keywords: &["aiza"],
        patterns: &[r"\b(?P<s>AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)"],
        rotate: "Google Cloud console: APIs & Services, Credentials: regenerate or delete the key, and restrict the new one",
        examples: &["GOOGLE_API_KEY=AIza{b64u:35}"],
        counter_examples: &["const prefix = 'AIza'"],
        ..BASE
    },
    &Rule {
        code: "SEC040",
        id: "google-oauth-client-secret",
        title: "Google OAuth client secret",
        impact: "Impersonates the OAuth client to exchange authorisation codes for users' tokens.",
        keywords: &["gocspx-"],
        patterns: &[r"\b(?P<s>GOCSPX-[A-Za-z0-9_-]{28})(?:[^A-Za-z0-9_-]|$)"],
        rotate: "Google Cloud console: APIs & Services, Credentials, the OAuth client: reset the secret",
        examples: &["GOOGLE_CLIENT_SECRET=GOCSPX-{b64u:28}"],
        counter_examples: &["GOOGLE_CLIENT_SECRET=GOCSPX-..."],
        ..BASE
    },
    &Rule {
        code: "SEC041",
        id: "azure-storage-account-key",
        title: "Azure storage account key",
        impact: "Reads and writes every blob, queue and table of the storage account.",
        keywords: &["accountkey"],
        patterns: &[r"(?i)AccountKey=(?P<s>[A-Za-z0-9+/]{86}==)"],
        rotate: "Azure portal: the storage account, Access keys: rotate the key",
        examples: &[
            "DefaultEndpointsProtocol=https;AccountName=agentfiles;AccountKey={b64:86}==;EndpointSuffix=core.windows.net",
        ],
        counter_examples: &["AccountKey=<key>;"],
        ..BASE
    },
    &Rule {
        code: "SEC042",
        id: "azure-client-secret",
        title: "Azure (Entra ID) application client secret",
        impact: "Signs in as the application registration with its API permissions.",
        keywords: &["q~"],
        patterns: &[
            r"(?:^|[^A-Za-z0-9_~.-])(?P<s>[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)",
        ],
        rotate: "Azure portal: App registrations, Certificates & secrets: delete the secret",
        examples: &["AZURE_CLIENT_SECRET={a62:3}8Q~{a62:34}"],
        counter_examples: &["Q~"],
        ..BASE
    },
    &Rule {
        code: "SEC043",
        id: "heroku-api-key",
        title: "Heroku API key",
        impact: "Manages the account's apps: deploys, config vars, add-ons.",
        keywords: &["hrku-", "heroku"],
        patterns: &[
            r"\b(?P<s>HRKU-[A-Za-z0-9_-]{58,})",
            r#"(?i)\b(?P<n>heroku_api_key|heroku_oauth_token)["']?\s*[:=]\s*["'`]?(?P<s>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"#,
        ],
        rotate: "dashboard.heroku.com/account: regenerate the API key (authorizations: revoke)",
        examples: &["HEROKU_API_KEY=HRKU-AA{b64u:58}", "HEROKU_API_KEY={uuid}"],
        counter_examples: &["HEROKU_APP_ID={uuid}"],
        ..BASE
    },
];
