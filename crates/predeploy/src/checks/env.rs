//! `env`: env-check for every service, in the environment being deployed. The schema is what
//! each workspace package's code declares (t3-env, zod on `process.env`, envalid), with the
//! project's `[env-check]` on top; no opskit.toml is needed. For each service: the values
//! (process environment, the exports given with `--env-vars [SERVICE=]FILE`, the service's
//! .env files) against the schema, drift between the schema, the code and the .env examples,
//! and the lint of those examples. A browser-public variable (`NEXT_PUBLIC_`…) holding or
//! named like a secret is an error in any source. Where no source holds any of a service's
//! values (a developer machine, a CI job without the deployment's secrets) the values are not
//! checked and a note (ENV100) says so, unless `--require-env`; the drift is checked either way.

use std::collections::BTreeSet;
use std::time::Instant;

use opskit::env::schema::Schema;
use opskit::report::{Check, Finding};
use opskit_env_check::sources::{Export, Inputs};

use crate::project::Project;
use opskit::env::codes::{ENV100, ENV102};

/// What the env check needs, resolved by [`crate::plan`].
#[derive(Debug, Clone)]
pub struct EnvPlan {
    /// The project's `[env-check]`, if it has one.
    pub schema: Option<Schema>,
    /// The same section as TOML (which keys it sets over the code's schema).
    pub raw: Option<toml::Value>,
    /// The environment being deployed.
    pub environment: String,
    /// Files and the process environment's public names.
    pub inputs: Inputs,
    /// `--env-vars`, each for one service or bare.
    pub exports: Vec<Export>,
    /// The process environment's values (read once, at planning).
    pub process: Vec<(String, String)>,
    /// Absent values are errors.
    pub require: bool,
}

/// Runs env-check for every service.
pub fn check(project: &Project, plan: &EnvPlan) -> Check {
    let started = Instant::now();
    let root = &project.root;
    let resolved =
        match opskit_env_check::schema::resolve(root, plan.schema.clone(), plan.raw.as_ref()) {
            Ok(r) => r,
            Err(e) => return Check::unknown("env", format!("env-check could not run: {e}")),
        };
    let schema = &resolved.schema;
    let process = |name: &str| {
        plan.process
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let checked = opskit_env_check::checked_services(schema, None);
    let mut findings: Vec<Finding> = Vec::new();
    let mut unchecked = Vec::new();
    let mut linted = BTreeSet::new();
    for (name, service) in &schema.services {
        if !service.vars.is_empty() {
            let inputs = match opskit_env_check::service_inputs(
                &plan.inputs,
                &plan.exports,
                name,
                service,
                &checked,
                root,
                root,
            ) {
                Ok(i) => i,
                Err(e) => return Check::unknown("env", format!("env-check could not run: {e}")),
            };
            let present = match opskit_env_check::has_values(
                service,
                root,
                &plan.environment,
                &inputs,
                &process,
            ) {
                Ok(p) => p,
                Err(e) => return Check::unknown("env", format!("env-check could not run: {e}")),
            };
            match opskit_env_check::check_service(
                name,
                service,
                root,
                &plan.environment,
                &inputs,
                &process,
                false,
            ) {
                // Without the deployment's values only what needs none is kept: a public
                // variable holding a secret, in any source.
                Ok(c) if present || plan.require => findings.extend(c.findings),
                Ok(c) => {
                    findings.extend(c.findings.into_iter().filter(|f| f.rule == ENV102.code));
                    unchecked.push(name.as_str());
                    findings.push(ENV100.finding(format!("the {} values of `{name}` were not checked: no source here sets any of them; pass the platform's export with --env-vars {name}=FILE (vercel env pull FILE, railway variables --json > FILE) or --require-env", plan.environment),
                    ));
                }
                Err(e) => return Check::unknown("env", format!("env-check could not run: {e}")),
            }
        }
        findings.extend(opskit_env_check::drift::drift(
            name, service, &resolved, root,
        ));
        lint_examples(service, root, &mut linted, &mut findings);
    }
    sort_and_dedupe(&mut findings);
    let mut check = Check::from_findings("env", findings).took(started.elapsed());
    if schema.services.is_empty() {
        "no env schema in the code (t3-env, zod, envalid) or opskit.toml, and no package to read: nothing to check".clone_into(&mut check.summary);
    } else if !unchecked.is_empty() && !check.status.is_problem() {
        check.summary = format!(
            "{}; values not checked for {}",
            check.summary,
            unchecked.join(", ")
        );
    }
    check
}

/// The lint of a service's .env examples (each file once), browser-public secrets included.
fn lint_examples(
    service: &opskit::env::schema::Service,
    root: &std::path::Path,
    linted: &mut BTreeSet<String>,
    findings: &mut Vec<Finding>,
) {
    for example in opskit_env_check::drift::examples(service, root) {
        let shown = opskit::workspace::slash(&example);
        if !linted.insert(shown.clone()) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(&example)) else {
            continue;
        };
        findings.extend(opskit_env_check::lint::lint(&shown, &text, &[]));
        findings.extend(opskit_env_check::drift::public_in_file(&shown, &text));
    }
}

/// Findings by place, each once (a root .env.example read for several services).
fn sort_and_dedupe(findings: &mut Vec<Finding>) {
    let key = |f: &Finding| {
        (
            f.location.as_ref().map(|l| (l.path.clone(), l.line)),
            f.rule.clone(),
            f.message.clone(),
        )
    };
    findings.sort_by_key(key);
    findings
        .dedup_by(|a, b| a.rule == b.rule && a.message == b.message && a.location == b.location);
}
