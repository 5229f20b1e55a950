//! Source hosting: GitHub and GitLab.

use super::{BASE, Rule};

const GITHUB_ROTATE: &str = "github.com/settings/tokens: delete the token (an app's: revoke its installation token or reset the client secret)";

pub(super) const RULES: &[&Rule] = &[
    &Rule {
        code: "SEC027",
        id: "github-pat",
        title: "GitHub personal access token (classic)",
        impact: "Acts as the user on GitHub with the token's scopes: reads and pushes private code.",
        keywords: &["ghp_"],
        patterns: &[r"\b(?P<s>ghp_[A-Za-z0-9]{36})\b"],
        rotate: GITHUB_ROTATE,
        examples: &[
            "GITHUB_TOKEN=ghp_{a62:36}",
            "git remote add origin https://x-access-token:ghp_{a62:36}@github.com/org/app.git",
        ],
        counter_examples: &[
            "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "token: ghp_************************************",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC028",
        id: "github-oauth-token",
        title: "GitHub OAuth access token",
        impact: "Acts as the user who authorised the OAuth app.",
        keywords: &["gho_"],
        patterns: &[r"\b(?P<s>gho_[A-Za-z0-9]{36})\b"],
        rotate: GITHUB_ROTATE,
        examples: &["\"access_token\": \"gho_{a62:36}\""],
        counter_examples: &["gho_token"],
        ..BASE
    },
    &Rule {
        code: "SEC029",
        id: "github-app-token",
        title: "GitHub App installation or user-to-server token",
        impact: "Acts as the GitHub App on the repositories it is installed on.",
        keywords: &["ghs_", "ghu_"],
        patterns: &[r"\b(?P<s>gh[su]_[A-Za-z0-9]{36})\b"],
        rotate: GITHUB_ROTATE,
        examples: &[
            "Authorization: token ghs_{a62:36}",
            "GH_USER_TOKEN=ghu_{a62:36}",
        ],
        counter_examples: &["const ghs_ = 1"],
        ..BASE
    },
    &Rule {
        code: "SEC030",
        id: "github-refresh-token",
        title: "GitHub App refresh token",
        impact: "Mints new user-to-server tokens for the GitHub App.",
        keywords: &["ghr_"],
        patterns: &[r"\b(?P<s>ghr_[A-Za-z0-9]{36,76})\b"],
        rotate: GITHUB_ROTATE,
        examples: &["refresh_token=ghr_{a62:76}"],
        counter_examples: &["ghr_refresh"],
        ..BASE
    },
    &Rule {
        code: "SEC031",
        id: "github-fine-grained-pat",
        title: "GitHub fine-grained personal access token",
        impact: "Acts as the user on the repositories and permissions the token was given.",
        keywords: &["github_pat_"],
        patterns: &[r"\b(?P<s>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b"],
        rotate: "github.com/settings/personal-access-tokens: revoke the token",
        examples: &["GH_TOKEN=github_pat_{a62:22}_{a62:59}"],
        counter_examples: &["GH_TOKEN=github_pat_..."],
        ..BASE
    },
    &Rule {
        code: "SEC032",
        id: "gitlab-pat",
        title: "GitLab personal, project or group access token",
        impact: "Acts on GitLab with the token's scopes: reads and pushes code, runs pipelines.",
        keywords: &["glpat-"],
        patterns: &[r"\b(?P<s>glpat-[A-Za-z0-9_.-]{20,})(?:[^A-Za-z0-9_.-]|$)"],
        rotate: "GitLab: User settings (or the project's / group's Settings), Access tokens: revoke",
        examples: &[
            "GITLAB_TOKEN=glpat-{b64u:20}",
            "PRIVATE-TOKEN: glpat-{b64u:36}.01.{a62:9}",
        ],
        counter_examples: &["GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx"],
        ..BASE
    },
    &Rule {
        code: "SEC033",
        id: "gitlab-pipeline-trigger-token",
        title: "GitLab pipeline trigger token",
        impact: "Starts pipelines of the project (with its CI variables).",
        keywords: &["glptt-"],
        patterns: &[r"\b(?P<s>glptt-[a-f0-9]{40})\b"],
        rotate: "GitLab: the project's Settings, CI/CD, Pipeline trigger tokens: revoke",
        examples: &[
            "curl -X POST -F token=glptt-{hex:40} -F ref=main https://gitlab.com/api/v4/projects/1/trigger/pipeline",
        ],
        counter_examples: &["token=glptt-<token>"],
        ..BASE
    },
    &Rule {
        code: "SEC034",
        id: "gitlab-runner-token",
        title: "GitLab runner authentication token",
        impact: "Registers a runner that receives the project's jobs and their secrets.",
        keywords: &["glrt-"],
        patterns: &[r"\b(?P<s>glrt-[A-Za-z0-9_.-]{20,})(?:[^A-Za-z0-9_.-]|$)"],
        rotate: "GitLab: the runner's page, Reset the authentication token",
        examples: &["token = \"glrt-{b64u:20}\""],
        counter_examples: &["token = \"glrt-REDACTED\""],
        ..BASE
    },
    &Rule {
        code: "SEC035",
        id: "gitlab-deploy-token",
        title: "GitLab deploy token",
        impact: "Reads the repository and registries of the project.",
        keywords: &["gldt-"],
        patterns: &[r"\b(?P<s>gldt-[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_-]|$)"],
        rotate: "GitLab: the project's Settings, Repository, Deploy tokens: revoke",
        examples: &["CI_DEPLOY_PASSWORD=gldt-{b64u:20}"],
        counter_examples: &["gldt-token-name"],
        ..BASE
    },
];
