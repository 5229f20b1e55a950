//! The secret-leak test: a distinct secret planted in every flag, variable, URL and config
//! value of every tool, each tool run in every format with `-v` against servers that echo what
//! they are sent; no secret may appear in stdout, stderr, the GitHub step summary or any file
//! the run wrote.
//!
//! Each run is a fresh process: this test re-executes itself with `OPSKIT_LEAK_TOOL` set, and
//! then is that tool (the same `Args`, `run` and notification hook as its binary), so no
//! secret registered by one run can hide another's leak.

#![expect(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a test harness of its own: it reports like libtest and fails loudly"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use testkit::{Behaviour, HostileServer};

const FORMATS: &[&str] = &[
    "human",
    "json",
    "nagios",
    "prometheus",
    "sarif",
    "junit",
    "github",
];

fn main() -> ExitCode {
    if let Ok(tool) = std::env::var("OPSKIT_LEAK_TOOL") {
        return be(&tool);
    }
    let failures = scenarios();
    if failures.is_empty() {
        println!("leak: every secret stayed out of every output");
        ExitCode::SUCCESS
    } else {
        for f in &failures {
            eprintln!("LEAK: {f}");
        }
        ExitCode::FAILURE
    }
}

/// Runs as `tool`, exactly as its binary does.
fn be(tool: &str) -> ExitCode {
    use opskit::cli::main_with;
    let hook = opskit_notify::hook;
    match tool {
        "queue-depth" => main_with::<opskit_queue_depth::Args, _>(opskit_queue_depth::run, hook),
        "health-probe" => main_with::<opskit_health_probe::Args, _>(opskit_health_probe::run, hook),
        "db-backup" => main_with::<opskit_db_backup::Args, _>(opskit_db_backup::run, hook),
        "notify" => opskit::cli::main::<opskit_notify::Args, _>(opskit_notify::run),
        "env-check" => main_with::<opskit_env_check::Args, _>(opskit_env_check::run, hook),
        "secret-scan" => main_with::<opskit_secret_scan::Args, _>(opskit_secret_scan::run, hook),
        "dockerfile-lint" => {
            main_with::<opskit_dockerfile_lint::Args, _>(opskit_dockerfile_lint::run, hook)
        }
        "predeploy" => main_with::<opskit_predeploy::Args, _>(opskit_predeploy::run, hook),
        other => {
            eprintln!("leak: no tool {other}");
            ExitCode::from(3)
        }
    }
}

/// Secrets, one per place, each distinct and shaped like a real credential.
struct Planted(BTreeMap<String, String>);

impl Planted {
    fn new() -> Planted {
        Planted(BTreeMap::new())
    }

    /// A new secret for `place`.
    fn secret(&mut self, place: &str) -> String {
        let n = self.0.len();
        let value = format!("Lk{n:02}x{}", opskit::redact::fingerprint(place));
        self.0.insert(place.to_owned(), value.clone());
        value
    }
}

/// One tool run: its arguments, environment and files.
struct Case {
    tool: &'static str,
    what: &'static str,
    args: Vec<String>,
    env: Vec<(String, String)>,
    files: Vec<(&'static str, String)>,
}

fn case(tool: &'static str, what: &'static str, args: &[&str]) -> Case {
    Case {
        tool,
        what,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        env: Vec::new(),
        files: Vec::new(),
    }
}

impl Case {
    fn env(mut self, k: &str, v: &str) -> Case {
        self.env.push((k.to_owned(), v.to_owned()));
        self
    }

    fn file(mut self, name: &'static str, text: String) -> Case {
        self.files.push((name, text));
        self
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "one table of every place a secret can be put"
)]
fn scenarios() -> Vec<String> {
    let redis_echo = HostileServer::start(Behaviour::redis_echo());
    let http_echo = HostileServer::start(Behaviour::http_echo());
    let pg_echo = HostileServer::start(Behaviour::Echo {
        before: b"E\x00\x00\x00\x40SERROR\x00C28P01\x00Mpassword authentication failed: ".to_vec(),
        after: b"\x00\x00".to_vec(),
    });
    let redis = |pw: &str| format!("redis://:{pw}@127.0.0.1:{}/0", redis_echo.port());
    let http = http_echo.url();
    let pg = |pw: &str| {
        format!(
            "postgres://app:{pw}@127.0.0.1:{}/db?sslmode=disable",
            pg_echo.port()
        )
    };
    let mut s = Planted::new();
    let mut cases = Vec::new();

    // queue-depth: a URL password, the Upstash token, a config value, a flag value.
    cases.push(case(
        "queue-depth",
        "URL password",
        &[
            "--url",
            &redis(&s.secret("qd url")),
            "--queue",
            "q",
            "--timeout",
            "2",
        ],
    ));
    cases.push(
        case(
            "queue-depth",
            "Upstash token",
            &["--queue", "q", "--timeout", "2"],
        )
        .env("UPSTASH_REDIS_REST_URL", &http)
        .env("UPSTASH_REDIS_REST_TOKEN", &s.secret("qd upstash token")),
    );
    cases.push(
        case("queue-depth", "config value", &["--queue", "q"])
            .env("QD_WARNING", &s.secret("qd config warning"))
            .file(
                "opskit.toml",
                "[queue-depth]\nurl = \"redis://127.0.0.1:1/0\"\nwarning = \"${QD_WARNING}\"\n"
                    .to_owned(),
            ),
    );
    cases.push(case(
        "queue-depth",
        "flag value",
        &[
            "--url",
            "redis://127.0.0.1:1",
            "--timeout",
            &s.secret("qd timeout flag"),
        ],
    ));

    // health-probe: a header flag, a URL password, config headers, Redis and PostgreSQL URLs.
    cases.push(case(
        "health-probe",
        "header flag",
        &[
            &format!("{http}/health"),
            "-H",
            &format!("Authorization: Bearer {}", s.secret("hp header")),
            "--timeout",
            "2000",
        ],
    ));
    cases.push(case(
        "health-probe",
        "URL password",
        &[&format!("http://user:{}@127.0.0.1:1/", s.secret("hp url"))],
    ));
    cases.push(
        case("health-probe", "config values", &[])
            .env("HP_KEY", &s.secret("hp config header"))
            .env("HP_REDIS", &redis(&s.secret("hp redis url")))
            .env("HP_PG", &pg(&s.secret("hp pg url")))
            .file(
                "opskit.toml",
                format!(
                    "[[health-probe.targets]]\nname = \"api\"\nurl = \"{http}/health\"\ntimeout_ms = 2000\nheaders = {{ X-Api-Key = \"${{HP_KEY}}\" }}\n\n[[health-probe.targets]]\nname = \"redis\"\nkind = \"redis\"\nurl = \"${{HP_REDIS}}\"\ntimeout_ms = 2000\n\n[[health-probe.targets]]\nname = \"db\"\nkind = \"postgres\"\nurl = \"${{HP_PG}}\"\ntimeout_ms = 2000\n"
                ),
            ),
    );

    // db-backup: a URL flag, the same from the environment and the configuration.
    cases.push(case(
        "db-backup",
        "URL flag",
        &[
            "run",
            "--url",
            &pg(&s.secret("db url flag")),
            "--dir",
            "b",
            "--timeout",
            "2",
        ],
    ));
    cases.push(
        case(
            "db-backup",
            "config URL",
            &["run", "--dir", "b", "--timeout", "2"],
        )
        .env("DB_URL", &pg(&s.secret("db config url")))
        .file(
            "opskit.toml",
            "[db-backup]\nurl = \"${DB_URL}\"\n".to_owned(),
        ),
    );

    // A wrong-typed value from a variable, in the tools the issue names: the error names the
    // key and the type, never the value.
    cases.push(
        case("db-backup", "config type", &["run", "--dir", "b"])
            .env("DB_LEVEL", &s.secret("db config level"))
            .file(
                "opskit.toml",
                "[db-backup]\nurl = \"postgres://u@127.0.0.1:1/d\"\nlevel = \"${DB_LEVEL}\"\n"
                    .to_owned(),
            ),
    );
    cases.push(
        case("health-probe", "config type", &[])
            .env("HP_TIMEOUT", &s.secret("hp config timeout"))
            .file("opskit.toml", "[[health-probe.targets]]\nname = \"api\"\nurl = \"http://127.0.0.1:1/\"\ntimeout_ms = \"${HP_TIMEOUT}\"\n".to_owned()),
    );
    cases.push(
        case(
            "notify",
            "config type",
            &["send", "--status", "critical", "--summary", "x"],
        )
        .env("NT_TIMEOUT", &s.secret("nt config timeout"))
        .file(
            "opskit.toml",
            "[notify]\ntimeout_ms = \"${NT_TIMEOUT}\"\n".to_owned(),
        ),
    );

    // notify: a webhook's query token and header, a Slack URL's secret path.
    cases.push(
        case("notify", "target secrets", &["send", "--status", "critical", "--summary", "x"])
            .env("NT_TOKEN", &s.secret("nt query token"))
            .env("NT_AUTH", &s.secret("nt header"))
            .env(
                "NT_DSN",
                &format!("http://{}@127.0.0.1:{}/1", s.secret("nt sentry key"), http_echo.port()),
            )
            .file(
                "opskit.toml",
                format!(
                    "[notify]\nstate_file = \"state.json\"\ntimeout_ms = 1500\nretries = 0\n\n[notify.targets.hook]\nkind = \"webhook\"\nurl = \"{http}/hook?token=${{NT_TOKEN}}\"\nheaders = {{ Authorization = \"Bearer ${{NT_AUTH}}\" }}\n\n[notify.targets.slack]\nkind = \"slack\"\nwebhook_url = \"{http}/services/T01/B02/{}\"\n\n[notify.targets.sentry]\nkind = \"sentry\"\ndsn = \"${{NT_DSN}}\"\n",
                    s.secret("nt slack path")
                ),
            ),
    );

    // env-check: a variable's value, a browser-public secret in a .env file.
    cases.push(
        case("env-check", "values", &["check"])
            .env("API_TOKEN", &s.secret("ec process value"))
            .file(".env", format!("NEXT_PUBLIC_STRIPE_SECRET_KEY={}\nENCRYPTION_KEY={}\n", s.secret("ec public secret"), s.secret("ec short key")))
            .file(
                "opskit.toml",
                "[env-check.services.web.vars.API_TOKEN]\npattern = \"^tok_\"\nrequired = true\n\n[env-check.services.web.vars.ENCRYPTION_KEY]\nmin_length = 64\nrequired = true\n".to_owned(),
            ),
    );

    // secret-scan: a secret in a file, a config value.
    cases.push(
        case("secret-scan", "file and config", &["."])
            .env("SS_STOP", &s.secret("ss config stopword"))
            .file(
                "config.ts",
                format!(
                    "export const password = \"{}\";\n",
                    s.secret("ss file password")
                ),
            )
            .file(
                "opskit.toml",
                "[secret-scan]\nskip_rules = [\"${SS_STOP}\"]\n".to_owned(),
            ),
    );

    // dockerfile-lint: a secret in ENV, a config value.
    cases.push(
        case("dockerfile-lint", "Dockerfile and config", &["Dockerfile"])
            .env("DL_IGNORE", &s.secret("dl config ignore"))
            .file(
                "Dockerfile",
                format!(
                    "FROM node:20.11-alpine\nENV DATABASE_PASSWORD={}\nCMD [\"node\", \"x.js\"]\n",
                    s.secret("dl env password")
                ),
            )
            .file(
                "opskit.toml",
                "[dockerfile-lint]\nignore = [\"${DL_IGNORE}\"]\n".to_owned(),
            ),
    );

    // predeploy: a health target's header from the configuration.
    cases.push(
        case("predeploy", "health header", &["--only", "health"])
            .env("PD_TOKEN", &s.secret("pd health header"))
            .file(
                "opskit.toml",
                format!("[[health-probe.targets]]\nname = \"api\"\nurl = \"{http}/health\"\ntimeout_ms = 2000\nheaders = {{ Authorization = \"Bearer ${{PD_TOKEN}}\" }}\n"),
            ),
    );

    let mut failures = Vec::new();
    let mut runs = 0;
    for c in &cases {
        for format in FORMATS {
            runs += 1;
            failures.extend(run_case(c, format, &s));
        }
    }
    println!(
        "leak: {} secrets in {} cases, {runs} runs",
        s.0.len(),
        cases.len()
    );
    failures
}

/// Runs one case in one format; what leaked, if anything.
fn run_case(c: &Case, format: &str, planted: &Planted) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in &c.files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let summary = dir.path().join("step-summary.md");
    let mut args: Vec<String> = c.args.clone();
    args.extend(["-f".to_owned(), format.to_owned(), "-v".to_owned()]);
    let mut cli = testkit::cli(std::env::current_exe().unwrap())
        .dir(dir.path())
        .args(&args)
        .env("OPSKIT_LEAK_TOOL", c.tool)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("TMPDIR", dir.path());
    for (k, v) in &c.env {
        cli = cli.env(k, v);
    }
    let out = cli.output();
    let mut seen = vec![
        (
            "stdout".to_owned(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        (
            "stderr".to_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
    ];
    for path in written(dir.path()) {
        if c.files
            .iter()
            .any(|(name, _)| dir.path().join(name) == path)
        {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        seen.push((
            path.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    let mut leaks = Vec::new();
    for (place, secret) in &planted.0 {
        for (stream, text) in &seen {
            if text.contains(secret.as_str()) {
                leaks.push(format!(
                    "{} ({}) -f {format}: the secret of `{place}` is in {stream}:\n{text}",
                    c.tool, c.what
                ));
            }
        }
    }
    leaks
}

/// Every file under `dir`.
fn written(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}
