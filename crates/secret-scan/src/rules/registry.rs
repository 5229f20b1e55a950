//! Package and image registries: npm, PyPI, Docker Hub.

use super::{BASE, Confidence, Kind, Rule};

pub(super) const RULES: &[&Rule] = &[
    &Rule {
        code: "SEC062",
        id: "npm-token",
        title: "npm access token",
        impact: "Publishes packages as the user: one stolen token is a supply-chain attack.",
        keywords: &["npm_"],
        patterns: &[r"\b(?P<s>npm_[A-Za-z0-9]{36})\b"],
        rotate: "npmjs.com: Access Tokens: delete the token (prefer granular tokens or trusted publishing)",
        examples: &[
            "NPM_TOKEN=npm_{a62:36}",
            "//registry.npmjs.org/:_authToken=npm_{a62:36}",
        ],
        counter_examples: &[
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
            "npm_config_cache",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC063",
        id: "npmrc-auth",
        title: "Registry credential in an .npmrc",
        impact: "Reads private packages (and publishes, if the token may) on that registry.",
        confidence: Confidence::Medium,
        kind: Kind::Context,
        keywords: &["_authtoken", "_auth", "_password"],
        patterns: &[
            r#"(?P<n>_authToken|_auth|_password)\s*=\s*["']?(?P<s>[A-Za-z0-9+/=._~-]{16,})"#,
        ],
        rotate: "revoke the token on the registry it is for; read it from an environment variable (${NPM_TOKEN}) instead",
        examples: &[
            "//npm.pkg.github.com/:_authToken={a62:40}",
            "//registry.internal/:_auth={b64:32}",
        ],
        counter_examples: &[
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
            "_authToken=<token>",
        ],
        ..BASE
    },
    &Rule {
        code: "SEC064",
        id: "pypi-token",
        title: "PyPI API token",
        impact: "Uploads releases of the user's (or the project's) packages.",
        keywords: &["pypi-ageichlwas5vcmc"],
        patterns: &[r"\b(?P<s>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})"],
        rotate: "pypi.org/manage/account/token: remove the token (prefer trusted publishing)",
        examples: &["password = pypi-AgEIcHlwaS5vcmc{b64u:120}"],
        counter_examples: &["password = pypi-AgEIcHlwaS5vcmc..."],
        ..BASE
    },
    &Rule {
        code: "SEC065",
        id: "docker-hub-token",
        title: "Docker Hub access token",
        impact: "Pushes images to the account's repositories (poisoned images) and reads private ones.",
        keywords: &["dckr_"],
        patterns: &[r"\b(?P<s>dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,})"],
        rotate: "app.docker.com: Account settings, Personal access tokens: delete the token",
        examples: &["DOCKERHUB_TOKEN=dckr_pat_{b64u:27}"],
        counter_examples: &["DOCKERHUB_TOKEN=dckr_pat_xxx"],
        ..BASE
    },
];
