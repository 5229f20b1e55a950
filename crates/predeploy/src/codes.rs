//! predeploy's own finding codes (PD, FILE, RW, VC, LINT), each written once: `--explain`,
//! `--list-rules`, the SARIF rule descriptors and the tables of docs/predeploy.md are made from
//! this list. predeploy also reports the codes of the checks it runs: ENV (the core's
//! `opskit::env::codes`), HP (health-probe), the secret-scan and dockerfile-lint rules, and the
//! compilers' and linters' own rule ids (`TS2322`, `no-unused-vars`), which those tools explain.

use opskit::codes::{Code, Registry};
use opskit::report::Severity;

/// PD001: a project could not run.
pub const PD001: Code = Code {
    code: "PD001",
    title: "a project could not run",
    severity: Severity::Error,
    explanation: "One project of the check (a package's tsc, ESLint or Biome run) could not run or its output could not be read: the tool is not installed, it crashed, or it ran past the deadline. The check is UNKNOWN; the other projects keep their results.",
    fix: "The message quotes the tool's cause; install the workspace's dependencies (`pnpm install`), build the workspace package it names, or raise `--timeout`.",
};

/// PD002: a project skipped.
pub const PD002: Code = Code {
    code: "PD002",
    title: "a project skipped",
    severity: Severity::Note,
    explanation: "A project was not checked, with the reason: a separate project outside the workspace that is not installed, or a package that type-checks through another package's script.",
    fix: "Install it (the message gives the command) to have it checked, or nothing if the reason is right.",
};

/// PD003: a typecheck script prepares something first.
pub const PD003: Code = Code {
    code: "PD003",
    title: "a typecheck script prepares something first",
    severity: Severity::Note,
    explanation: "The package's typecheck script runs something before tsc (`pnpm typegen && tsc`); predeploy runs only tsc, so generated files must already be there.",
    fix: "Run the preparation step before predeploy in CI, or commit its output.",
};

/// FILE001: no lockfile.
pub const FILE001: Code = Code {
    code: "FILE001",
    title: "no lockfile",
    severity: Severity::Error,
    explanation: "No package-lock.json, pnpm-lock.yaml, yarn.lock or bun.lock: every install resolves versions anew, so builds are not reproducible.",
    fix: "Run your package manager's install and commit the lockfile.",
};

/// FILE002: no Dockerfile.
pub const FILE002: Code = Code {
    code: "FILE002",
    title: "no Dockerfile",
    severity: Severity::Error,
    explanation: "No Dockerfile in the project: the worker cannot be built as an image.",
    fix: "Add one (docs/dockerfile-lint.md shows a checked example), or leave the `files` check out with `--skip files`.",
};

/// FILE003: no Railway config.
pub const FILE003: Code = Code {
    code: "FILE003",
    title: "no Railway config",
    severity: Severity::Warning,
    explanation: "No railway.json or railway.toml: the worker's deploy settings (health check, restart policy, start command) live only in the dashboard, unreviewed.",
    fix: "Write them into railway.json (config as code) and commit it.",
};

/// FILE004: no .env example.
pub const FILE004: Code = Code {
    code: "FILE004",
    title: "no .env example",
    severity: Severity::Warning,
    explanation: "No .env.example: newcomers and CI cannot tell which variables to set.",
    fix: "`env-check schema --example` writes one from the schema.",
};

/// FILE005: .env files not ignored.
pub const FILE005: Code = Code {
    code: "FILE005",
    title: ".env files not ignored",
    severity: Severity::Error,
    explanation: "There is no .gitignore, or it does not ignore `.env`, `.env.local` or `.env.production`: one `git add .` commits the secrets.",
    fix: "Add `.env` and `.env.*` with `!.env.example` to .gitignore.",
};

/// FILE006: a .env file is tracked.
pub const FILE006: Code = Code {
    code: "FILE006",
    title: "a .env file is tracked",
    severity: Severity::Error,
    explanation: "git tracks a .env file that sets values (templates such as `.env.example`, tracked symlinks and files of names without values are fine): its secrets are in the history.",
    fix: "`git rm --cached FILE`, ignore it, and rotate every secret it held (docs/ROTATE_SECRETS.md).",
};

/// FILE007: a required file is missing.
pub const FILE007: Code = Code {
    code: "FILE007",
    title: "a required file is missing",
    severity: Severity::Error,
    explanation: "A file listed in `[predeploy] required_files` of opskit.toml does not exist.",
    fix: "Add the file, or take it out of `required_files`.",
};

/// LINT001: no linter configured.
pub const LINT001: Code = Code {
    code: "LINT001",
    title: "no linter configured",
    severity: Severity::Note,
    explanation: "No package has an ESLint config (eslint.config.*, .eslintrc.*, eslintConfig), a biome.json, or a lint script that runs ESLint or Biome: nothing is linted.",
    fix: "Add a linter to the workspace (`npm init @eslint/config@latest`, or `biome init`).",
};

/// LINT002: more warnings than the gate allows.
pub const LINT002: Code = Code {
    code: "LINT002",
    title: "more warnings than the gate allows",
    severity: Severity::Error,
    explanation: "A package's lint script passes `--max-warnings N` (or opskit.toml sets it) and ESLint reports more warnings: the package's own lint fails, so its CI would too.",
    fix: "Fix the warnings the findings list, or raise the package's `--max-warnings`.",
};

/// RW001: unknown Railway setting.
pub const RW001: Code = Code {
    code: "RW001",
    title: "unknown Railway setting",
    severity: Severity::Warning,
    explanation: "A key of railway.json/railway.toml that Railway's config-as-code schema does not document: Railway ignores it, so the setting it was meant to make is not made (the message suggests the closest key).",
    fix: "Correct the key's name (Railway's keys are camelCase: `healthcheckPath`, `restartPolicyType`).",
};

/// RW002: Railway config does not parse.
pub const RW002: Code = Code {
    code: "RW002",
    title: "Railway config does not parse",
    severity: Severity::Error,
    explanation: "railway.json is not JSON, or railway.toml is not TOML: Railway rejects the deploy. The finding points at the line the parser names.",
    fix: "Correct the syntax at that line.",
};

/// RW003: wrong value type.
pub const RW003: Code = Code {
    code: "RW003",
    title: "wrong value type",
    severity: Severity::Error,
    explanation: "A Railway setting has a value of the wrong kind: a section that is not an object, a `healthcheckPath` that is not a string starting with `/`, a timeout that is not a number, a `builder` or `restartPolicyType` that is not one of Railway's values, a count that is not a whole number.",
    fix: "Use the value the message names.",
};

/// RW004: the Dockerfile does not exist.
pub const RW004: Code = Code {
    code: "RW004",
    title: "dockerfilePath does not exist",
    severity: Severity::Error,
    explanation: "`build.dockerfilePath` names a file that is not there: the build fails.",
    fix: "Correct the path (it is relative to the service's root directory).",
};

/// RW005: the health check has no route.
pub const RW005: Code = Code {
    code: "RW005",
    title: "healthcheckPath has no route",
    severity: Severity::Error,
    explanation: "`deploy.healthcheckPath` has no route in the service's code: no Next.js route file (`app/api/health/route.ts`, `pages/api/health.ts`) and no handler string for it. Railway waits for a 200 that never comes, and the deploy never turns healthy.",
    fix: "Add the route, or point `healthcheckPath` at the one the service serves.",
};

/// RW006: no health check.
pub const RW006: Code = Code {
    code: "RW006",
    title: "no health check",
    severity: Severity::Warning,
    explanation: "No `deploy.healthcheckPath` (or no `deploy` section at all): Railway switches traffic to a new deploy without checking that it is up.",
    fix: "Set `deploy.healthcheckPath` to the service's health route.",
};

/// RW007: health check timeout out of range.
pub const RW007: Code = Code {
    code: "RW007",
    title: "health check timeout out of range",
    severity: Severity::Warning,
    explanation: "`healthcheckTimeout` is outside 5-600 seconds: too short fails cold starts, too long hides a dead deploy.",
    fix: "Use a value between 5 and 600 (Railway's default is 300).",
};

/// RW008: the worker is never restarted.
pub const RW008: Code = Code {
    code: "RW008",
    title: "the worker is never restarted",
    severity: Severity::Warning,
    explanation: "`restartPolicyType` is NEVER, or ON_FAILURE with `restartPolicyMaxRetries` 0: a crashed worker stays down until someone notices.",
    fix: "Use ON_FAILURE with a few retries, or ALWAYS.",
};

/// RW009: a command runs a script that does not exist.
pub const RW009: Code = Code {
    code: "RW009",
    title: "a command runs a script that does not exist",
    severity: Severity::Error,
    explanation: "`buildCommand`, `startCommand` or `preDeployCommand` (or a command of nixpacks.toml or railpack.json) runs a package script that the package it names does not have (`npm run X`, `pnpm X`, `pnpm --filter P X`, `yarn workspace P X`, `turbo run X`): the deploy would fail.",
    fix: "Correct the script's name (the message suggests the closest one) or add the script.",
};

/// VC001: unknown Vercel property.
pub const VC001: Code = Code {
    code: "VC001",
    title: "unknown Vercel property",
    severity: Severity::Warning,
    explanation: "A property of vercel.json (or of one of its function settings) that Vercel's schema does not document: the setting it was meant to make is not made.",
    fix: "Correct the property's name (the message suggests the closest one).",
};

/// VC002: vercel.json does not parse.
pub const VC002: Code = Code {
    code: "VC002",
    title: "vercel.json does not parse",
    severity: Severity::Error,
    explanation: "vercel.json is not JSON, or not a JSON object: Vercel rejects the deployment.",
    fix: "Correct the syntax at the line the finding names.",
};

/// VC003: `routes` mixed with newer properties.
pub const VC003: Code = Code {
    code: "VC003",
    title: "routes mixed with headers, redirects or rewrites",
    severity: Severity::Error,
    explanation: "`routes` cannot be used together with `headers`, `redirects`, `rewrites`, `cleanUrls` or `trailingSlash`: Vercel rejects the deployment.",
    fix: "Move the routes into `rewrites`, `redirects` and `headers`.",
};

/// VC004: a wrong value.
pub const VC004: Code = Code {
    code: "VC004",
    title: "wrong value",
    severity: Severity::Error,
    explanation: "A vercel.json setting has a value Vercel does not accept: `functions` that is not a map of globs to settings, a memory or duration that is not a positive whole number, a cron without a `path` and a five-field `schedule`, `regions` that are not region ids.",
    fix: "Use the value the message names.",
};

/// Every code, in order.
pub const CODES: &[Code] = &[
    FILE001, FILE002, FILE003, FILE004, FILE005, FILE006, FILE007, LINT001, LINT002, PD001, PD002,
    PD003, RW001, RW002, RW003, RW004, RW005, RW006, RW007, RW008, RW009, VC001, VC002, VC003,
    VC004,
];

/// predeploy's registry.
pub const REGISTRY: Registry = Registry {
    page: "predeploy",
    codes: CODES,
};

/// Every registry whose codes a predeploy report can carry (its own first), for `--explain`
/// and the SARIF descriptors.
pub const ALL: &[Registry] = &[
    REGISTRY,
    opskit::env::codes::REGISTRY,
    opskit_health_probe::codes::REGISTRY,
];

/// `--explain` of a code none of [`ALL`] holds: the tools predeploy runs explain their own
/// (env-check's lint rules, dockerfile-lint's DL and OPS-DF rules, secret-scan's SEC rules),
/// shown as predeploy's answer.
pub fn explain_elsewhere(
    unknown: &opskit::codes::UnknownCode,
) -> Result<opskit::report::Report, crate::Error> {
    let code = unknown.code.as_str();
    let answer = opskit_env_check::explain_code(code)
        .ok()
        .or_else(|| opskit_dockerfile_lint::explain(code))
        .or_else(|| opskit_secret_scan::explain(code));
    match answer {
        Some(mut report) => {
            crate::NAME.clone_into(&mut report.tool);
            Ok(report)
        }
        None => Err(crate::Error::UnknownCode(opskit::codes::UnknownCode {
            code: unknown.code.clone(),
            known: format!(
                "{}, the env-check lint rules (ENV001…), dockerfile-lint's and secret-scan's rules",
                unknown.known
            ),
        })),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_registry_is_complete() {
        assert_eq!(
            opskit::codes::validate(super::CODES, &["FILE", "LINT", "PD", "RW", "VC"]),
            Ok(())
        );
        assert_eq!(super::CODES.len(), 25);
    }

    #[test]
    fn codes_of_the_tools_predeploy_runs_are_explained_too() {
        let unknown = |code: &str| opskit::codes::UnknownCode {
            code: code.to_owned(),
            known: "PD001-PD003".to_owned(),
        };
        for (code, words) in [
            ("ENV006", "ENV006"),
            ("DL3007", "latest"),
            ("SEC001", "OpenRouter"),
        ] {
            let r = super::explain_elsewhere(&unknown(code)).unwrap();
            assert!(
                r.checks[0].summary.contains(words),
                "{code}: {}",
                r.checks[0].summary
            );
        }
        let e = super::explain_elsewhere(&unknown("XX123")).unwrap_err();
        assert!(e.to_string().contains("dockerfile-lint's"), "{e}");
    }
}
