//! Per-project work: the typescript and lint checks split into one unit per project (one
//! package's tsc, one package's ESLint), run in parallel under one job limit shared by both
//! checks, longest first, each unit cached on its own.
//!
//! The job limit defaults to the number of cores, lowered so that each job has about
//! 1.5 GiB of the memory that is free (one `tsc` on a large Next.js app takes up to that), and
//! never under one; `--jobs N` sets it.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use opskit::report::{Check, Finding, Severity};

use crate::cache::Cache;
use crate::codes::{PD001, PD002};

/// Memory one job is given when the default limit is worked out.
pub const MEMORY_PER_JOB: u64 = 1536 * 1024 * 1024;

/// A counting semaphore: at most `limit` tool processes at once, across checks.
#[derive(Debug)]
pub struct Jobs {
    limit: usize,
    running: Mutex<usize>,
    freed: Condvar,
}

/// A held job slot; dropping it frees the slot.
#[derive(Debug)]
pub struct Slot<'a>(&'a Jobs);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut n = self
            .0
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *n = n.saturating_sub(1);
        self.0.freed.notify_one();
    }
}

impl Jobs {
    /// A limit of `limit` jobs (at least one).
    pub fn new(limit: usize) -> Jobs {
        Jobs {
            limit: limit.max(1),
            running: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// The limit.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Waits for a free slot.
    pub fn acquire(&self) -> Slot<'_> {
        let mut n = self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *n >= self.limit {
            n = self
                .freed
                .wait(n)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *n += 1;
        Slot(self)
    }
}

/// The default job limit: the cores, bounded by free memory at [`MEMORY_PER_JOB`] each.
pub fn default_jobs() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let by_memory = available_memory().map_or(cores, |m| {
        usize::try_from(m / MEMORY_PER_JOB).unwrap_or(usize::MAX)
    });
    cores.min(by_memory).max(1)
}

/// `MemAvailable` from /proc/meminfo, in bytes (Linux); `None` elsewhere.
fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// What one unit found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Its findings, paths relative to the project's root.
    pub findings: Vec<Finding>,
    /// Why it could not run, when it could not (the check becomes UNKNOWN).
    pub unknown: Option<String>,
    /// The tool and version that ran it (`TypeScript 5.9.3`, `ESLint 9.39.1`).
    pub tool: Option<String>,
    /// It came from the cache.
    pub cached: bool,
}

impl Outcome {
    /// A unit that could not run.
    pub fn unknown(reason: impl Into<String>) -> Outcome {
        Outcome {
            unknown: Some(reason.into()),
            ..Outcome::default()
        }
    }

    fn to_check(&self, id: &str) -> Check {
        let mut c = Check::from_findings(id, self.findings.clone());
        self.tool
            .clone()
            .unwrap_or_default()
            .clone_into(&mut c.summary);
        c
    }

    fn from_check(c: Check) -> Outcome {
        Outcome {
            findings: c.findings,
            unknown: None,
            tool: (!c.summary.is_empty()).then_some(c.summary),
            cached: true,
        }
    }
}

/// One project's run of a check.
pub struct Unit {
    /// The project, as shown: `apps/web`, `.` for the root.
    pub project: String,
    /// The cache key of its inputs; `None` when it cannot be cached.
    pub key: Option<String>,
    /// A guess at its length when no previous run is known (bigger first).
    pub size: u64,
    /// The work: given the time left, returns what it found.
    pub run: Box<dyn FnOnce(Duration) -> Outcome + Send>,
}

impl std::fmt::Debug for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unit")
            .field("project", &self.project)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// What a check's units share: the job limit, the cache and the deadline.
#[derive(Debug)]
pub struct Shared {
    /// The job limit.
    pub jobs: Jobs,
    /// The cache, when in use.
    pub cache: Option<Mutex<Cache>>,
    /// When the checks must be done.
    pub deadline: Instant,
}

impl Shared {
    /// Settings with no cache.
    pub fn new(jobs: usize, deadline: Instant, cache: Option<Cache>) -> Shared {
        Shared {
            jobs: Jobs::new(jobs),
            cache: cache.map(Mutex::new),
            deadline,
        }
    }

    fn with_cache<T>(&self, f: impl FnOnce(&mut Cache) -> T) -> Option<T> {
        self.cache
            .as_ref()
            .map(|c| f(&mut c.lock().unwrap_or_else(std::sync::PoisonError::into_inner)))
    }
}

/// Runs a check's units: cached ones are read back, the rest run longest first, at most
/// the job limit at once (shared with the other checks), each with the time left before the
/// deadline. Results come back in the units' order, paired with their project.
pub fn run_units(check: &str, units: Vec<Unit>, shared: &Shared) -> Vec<(String, Outcome)> {
    let n = units.len();
    let mut results: Vec<Option<(String, Outcome)>> = (0..n).map(|_| None).collect();
    let mut queue: Vec<(usize, Duration, Unit)> = Vec::new();
    for (i, unit) in units.into_iter().enumerate() {
        let id = format!("{check}:{}", unit.project);
        let hit = unit.key.as_ref().and_then(|k| {
            shared
                .with_cache(|c| c.get(&id, k))
                .flatten()
                .map(Outcome::from_check)
        });
        if let Some(hit) = hit {
            results[i] = Some((unit.project, hit));
            continue;
        }
        let guess = shared
            .with_cache(|c| c.duration(&id))
            .flatten()
            // Without a previous run, a bigger project is guessed to take longer.
            .unwrap_or(Duration::from_micros(unit.size));
        queue.push((i, guess, unit));
    }
    queue.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let queue = Mutex::new(queue.into_iter());
    let done = Mutex::new(Vec::new());
    let workers = shared.jobs.limit().min(n).max(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let slot = shared.jobs.acquire();
                    let next = queue
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .next();
                    let Some((i, _, unit)) = next else {
                        drop(slot);
                        return;
                    };
                    let left = shared.deadline.saturating_duration_since(Instant::now());
                    let started = Instant::now();
                    let outcome = if left.is_zero() {
                        Outcome::unknown(format!(
                            "{} was not checked: the check ran out of time first",
                            unit.project
                        ))
                    } else {
                        let run = unit.run;
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(left)))
                            .unwrap_or_else(|_| {
                                Outcome::unknown(
                                    "the check crashed; please report it with the project's layout",
                                )
                            })
                    };
                    drop(slot);
                    let id = format!("{check}:{}", unit.project);
                    let took = started.elapsed();
                    shared.with_cache(|c| {
                        c.record_duration(&id, took);
                        if let (Some(k), None) = (&unit.key, &outcome.unknown) {
                            c.put(&id, k.clone(), &outcome.to_check(&id));
                        }
                    });
                    done.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((i, unit.project, outcome));
                }
            });
        }
    });
    for (i, project, outcome) in done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        results[i] = Some((project, outcome));
    }
    results.into_iter().flatten().collect()
}

/// `PD001`: a project that could not be checked, as a finding (the check turns UNKNOWN).
pub const COULD_NOT_RUN: &str = PD001.code;
/// `PD002`: a project that was skipped, with the reason (a note).
pub const SKIPPED: &str = PD002.code;

/// How a check words its summary: from its findings, the number of projects and the tools
/// that ran.
pub type Summarize<'a> = dyn Fn(&[Finding], usize, &[String]) -> String + 'a;

/// One check from its units' outcomes: findings in project order (each tagged with its
/// project), UNKNOWN when a project could not run and nothing worse was found, and a summary
/// made by `summarize(findings, projects)`.
pub fn assemble(
    name: &str,
    results: Vec<(String, Outcome)>,
    notes: Vec<Finding>,
    summarize: &Summarize<'_>,
) -> Check {
    let mut findings = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut tools: Vec<String> = Vec::new();
    let projects = results.len();
    let cached = results.iter().filter(|(_, o)| o.cached).count();
    for (project, outcome) in results {
        if let Some(t) = outcome.tool
            && !tools.contains(&t)
        {
            tools.push(t);
        }
        for f in outcome.findings {
            findings.push(f.property("project", project.clone()));
        }
        if let Some(reason) = outcome.unknown {
            findings.push(
                Finding::new(COULD_NOT_RUN, Severity::Note, reason.clone())
                    .property("project", project.clone()),
            );
            unknown.push(reason);
        }
    }
    findings.extend(notes);
    let mut summary = summarize(&findings, projects, &tools);
    let mut check = Check::from_findings(name, findings);
    if let Some(first) = unknown.first() {
        check.status = check.status.worst(opskit::Status::Unknown);
        summary = if projects == 1 {
            first.clone()
        } else if unknown.len() == projects {
            format!("none of {projects} projects could be checked: {first}")
        } else {
            format!(
                "{summary}; {} of {projects} projects could not be checked: {first}",
                unknown.len()
            )
        };
    }
    if projects > 0 && cached == projects {
        summary.push_str(" (cached)");
    } else if cached > 0 {
        let _ = write!(summary, " ({cached} of {projects} cached)");
    }
    check.summary = summary;
    check
}

/// Reports a problem once when several units saw it (a root run and a package's own, or
/// projects that include each other's files): the first unit keeps it. Findings without a
/// location are kept as they are when `keep_unlocated`.
pub fn dedupe(results: &mut [(String, Outcome)], keep_unlocated: bool) {
    let mut seen = std::collections::BTreeSet::new();
    for (_, o) in results {
        o.findings.retain(|f| {
            (keep_unlocated && f.location.is_none())
                || seen.insert((
                    f.rule.clone(),
                    f.location.as_ref().map(ToString::to_string),
                    f.message.clone(),
                ))
        });
    }
}

/// A finding's path made relative to the project's root: `path` as a tool printed it,
/// relative to the directory `dir` it ran in.
pub fn rebase(project_root: &Path, dir: &Path, path: &str) -> String {
    let p = Path::new(path);
    let abs = if p.is_absolute() {
        p.to_owned()
    } else {
        dir.join(p)
    };
    let abs = opskit::workspace::normalize(&abs);
    let root = opskit::workspace::normalize(project_root);
    match abs.strip_prefix(&root) {
        Ok(rel) => opskit::workspace::slash(rel),
        Err(_) => opskit::workspace::slash(&abs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn jobs_bound_the_parallelism_and_longest_go_first() {
        let shared = Shared::new(2, Instant::now() + Duration::from_mins(1), None);
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let order = Arc::new(Mutex::new(Vec::new()));
        let units = (0..6)
            .map(|i| {
                let (running, peak, order) = (running.clone(), peak.clone(), order.clone());
                Unit {
                    project: format!("p{i}"),
                    key: None,
                    size: i,
                    run: Box::new(move |_| {
                        order.lock().unwrap().push(i);
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(30));
                        running.fetch_sub(1, Ordering::SeqCst);
                        Outcome::default()
                    }),
                }
            })
            .collect();
        let out = run_units("t", units, &shared);
        let projects: Vec<&str> = out.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            projects,
            ["p0", "p1", "p2", "p3", "p4", "p5"],
            "input order"
        );
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        let order = order.lock().unwrap();
        assert_eq!(&order[..2], &[5, 4], "biggest first: {order:?}");
    }

    #[test]
    fn an_unknown_unit_keeps_the_others_results() {
        let results = vec![
            (
                "apps/web".to_owned(),
                Outcome {
                    findings: vec![Finding::new("TS2322", Severity::Error, "bad")],
                    tool: Some("TypeScript 5.9.3".into()),
                    ..Outcome::default()
                },
            ),
            ("apps/api".to_owned(), Outcome::unknown("tsc is missing")),
        ];
        let check = assemble("typescript", results, Vec::new(), &|f, n, _| {
            format!("{} findings in {n}", f.len())
        });
        assert_eq!(check.status, opskit::Status::Critical, "errors still count");
        assert_eq!(check.findings[0].properties["project"], "apps/web");
        assert_eq!(check.findings[1].rule, COULD_NOT_RUN);
        assert!(
            check
                .summary
                .contains("1 of 2 projects could not be checked: tsc is missing")
        );
        let only_unknown = assemble(
            "typescript",
            vec![("a".into(), Outcome::unknown("no tsc"))],
            Vec::new(),
            &|_, _, _| String::new(),
        );
        assert_eq!(only_unknown.status, opskit::Status::Unknown);
        assert_eq!(only_unknown.summary, "no tsc");
    }

    #[test]
    fn paths_are_rebased_on_the_root() {
        let root = Path::new("/r");
        assert_eq!(
            rebase(root, Path::new("/r/apps/web"), "src/a.ts"),
            "apps/web/src/a.ts"
        );
        assert_eq!(
            rebase(root, Path::new("/r/apps/web"), "../../packages/ui/x.ts"),
            "packages/ui/x.ts"
        );
        assert_eq!(rebase(root, Path::new("/r/a"), "/r/a/b.ts"), "a/b.ts");
    }
}
