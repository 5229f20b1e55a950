//! `env`: env-check for every service of the project's `[env-check]` schema, in the environment
//! being deployed: the values (process environment, exports given with `--env-vars`, the
//! services' .env files) against the schema, and drift between the schema, the code and
//! `.env.example`. Where no source holds any of a service's values (a developer machine, a CI
//! job without the deployment's secrets) the values are not checked and a note (ENV100) says
//! so, unless `--require-env`; the drift is checked either way.

use std::time::Instant;

use opskit::env::schema::Schema;
use opskit::report::{Check, Finding, Severity};
use opskit_env_check::sources::Inputs;

use crate::project::Project;

/// What the env check needs, resolved by [`crate::plan`].
#[derive(Debug, Clone)]
pub struct EnvPlan {
    /// The schema, if the project has one.
    pub schema: Option<Schema>,
    /// The environment being deployed.
    pub environment: String,
    /// Exports and files.
    pub inputs: Inputs,
    /// The process environment's values of the schema's variables (read once, at planning).
    pub process: Vec<(String, String)>,
    /// Absent values are errors.
    pub require: bool,
}

/// Runs env-check for every service.
pub fn check(project: &Project, plan: &EnvPlan) -> Check {
    let started = Instant::now();
    let Some(schema) = plan.schema.as_ref().filter(|s| !s.services.is_empty()) else {
        return Check::new(
            "env",
            opskit::Status::Ok,
            "no [env-check] schema in opskit.toml: nothing to check (docs/env-check.md has one to copy)",
        );
    };
    let process = |name: &str| {
        plan.process
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let root = &project.root;
    let mut findings: Vec<Finding> = Vec::new();
    let mut unchecked = Vec::new();
    for (name, service) in &schema.services {
        let present = match opskit_env_check::has_values(
            service,
            root,
            &plan.environment,
            &plan.inputs,
            &process,
        ) {
            Ok(p) => p,
            Err(e) => return Check::unknown("env", format!("env-check could not run: {e}")),
        };
        if present || plan.require {
            match opskit_env_check::check_service(
                name,
                service,
                root,
                &plan.environment,
                &plan.inputs,
                &process,
                false,
            ) {
                Ok(c) => findings.extend(c.findings),
                Err(e) => return Check::unknown("env", format!("env-check could not run: {e}")),
            }
        } else {
            unchecked.push(name.as_str());
            findings.push(Finding::new(
                "ENV100",
                Severity::Note,
                format!("the {} values of `{name}` were not checked: no source here sets any of them; pass the platform's export with --env-vars (vercel env pull FILE, railway variables --json > FILE) or --require-env", plan.environment),
            ));
        }
        findings.extend(opskit_env_check::drift::drift(name, service, schema, root));
    }
    let mut check = Check::from_findings("env", findings).took(started.elapsed());
    if !unchecked.is_empty() && !check.status.is_problem() {
        check.summary = format!(
            "{}; values not checked for {}",
            check.summary,
            unchecked.join(", ")
        );
    }
    check
}
