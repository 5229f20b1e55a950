//! `env-check`, `env-check check` and `env-check drift`: each service's values against its
//! schema (from the code and opskit.toml), the drift against the code and .env examples, and
//! the lint of its .env files.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use opskit::cli::Context;
use opskit::redact::redact;
use opskit::report::{Check, Finding, Report};

use crate::codes::ENV_SOURCE;
use crate::sources::{self, Inputs, Source};
use crate::{Args, Error, NAME, drift, lint, public, read, schema, shown};
use opskit::env::codes::{ENV101, ENV102, ENV106};

/// Checks one service's values against its schema; every finding about a value names the
/// source that won (`source` property, and the location when it is a file), and a variable
/// required but not set names the service and every source that was read. Any variable of any
/// source with a browser-public prefix (`NEXT_PUBLIC_`…) that holds or names a secret is an
/// error (ENV102), declared or not.
pub fn check_service(
    name: &str,
    service: &opskit::env::schema::Service,
    root: &Path,
    environment: &str,
    inputs: &Inputs,
    process: &dyn Fn(&str) -> Option<String>,
    verbose: bool,
) -> Result<Check, Error> {
    let started = Instant::now();
    let (_, values, read_from) = service_values(service, root, environment, inputs, process)?;
    let locate = |f: Finding, source: Option<&Source>| match source {
        Some(Source::File(loc)) => f.at(loc.clone()).property("source", loc.to_string()),
        Some(other) => f.property("source", other.to_string()),
        None => f,
    };
    let mut findings = Vec::new();
    let mut public_reported = std::collections::BTreeSet::new();
    for (var_name, var) in &service.vars {
        let mut found = values.get(var_name);
        if found.is_none()
            && let Some(old) = var
                .deprecated_names
                .iter()
                .find(|d| values.contains_key(*d))
        {
            let f = ENV106.finding(format!("{old} is deprecated; rename it {var_name}"));
            findings.push(locate(f, values.get(old).map(|(_, s)| s)));
            found = values.get(old);
        }
        for p in opskit::env::schema::check_var(
            var_name,
            var,
            found.map(|(v, _)| v.as_str()),
            environment,
        ) {
            if p.code == ENV102.code {
                public_reported.insert(var_name.clone());
            }
            let message = if p.code == ENV101.code {
                format!(
                    "{} for `{name}`; read: {}",
                    p.message,
                    if read_from.is_empty() {
                        "no source".to_owned()
                    } else {
                        read_from.join(", ")
                    }
                )
            } else {
                p.message
            };
            let f = Finding::new(p.code, p.severity, message);
            findings.push(locate(f, found.map(|(_, s)| s)));
        }
        if verbose && let Some((value, source)) = found {
            findings
                .push(ENV_SOURCE.finding(format!("{var_name} from {source}: {}", redact(value))));
        }
    }
    for (key, (value, source)) in &values {
        if public_reported.contains(key)
            || service.vars.get(key).is_some_and(|v| {
                v.public && !v.secret && public::matching_rule(key, value).is_none()
            })
        {
            continue;
        }
        if let Some(why) = public::problem(key, value) {
            findings.push(locate(ENV102.finding(why), Some(source)));
        }
    }
    let mut check = Check::from_findings(format!("env:{name}"), findings).took(started.elapsed());
    if !check.status.is_problem() {
        check.summary = format!("{} variables as {environment} expects", service.vars.len());
    }
    Ok(check)
}

/// Whether any source sets any of the service's variables (or their deprecated names): on a
/// developer's machine or a CI runner without the deployment's values there is nothing to
/// check the values of, and predeploy says so instead of failing on every variable.
pub fn has_values(
    service: &opskit::env::schema::Service,
    root: &Path,
    environment: &str,
    inputs: &Inputs,
    process: &dyn Fn(&str) -> Option<String>,
) -> Result<bool, Error> {
    let (names, values, _) = service_values(service, root, environment, inputs, process)?;
    // NODE_ENV, PORT or HOSTNAME in a shell say nothing about the deployment's values.
    Ok(names
        .iter()
        .any(|n| !drift::platform_set(n) && values.get(*n).is_some_and(|(v, _)| !v.is_empty())))
}

/// Each variable's value and the source that won.
pub(crate) type Values = BTreeMap<String, (String, Source)>;

/// Every name the service's schema knows (its variables and their deprecated names), the
/// values the sources give them, and the sources read.
pub(crate) fn service_values<'s>(
    service: &'s opskit::env::schema::Service,
    root: &Path,
    environment: &str,
    inputs: &Inputs,
    process: &dyn Fn(&str) -> Option<String>,
) -> Result<(Vec<&'s str>, Values, Vec<String>), Error> {
    let dir = root.join(service.dir.as_deref().unwrap_or(Path::new(".")));
    let names: Vec<&str> = service
        .vars
        .iter()
        .flat_map(|(k, v)| {
            std::iter::once(k.as_str()).chain(v.deprecated_names.iter().map(String::as_str))
        })
        .collect();
    let (values, read_from) = sources::gather(
        &dir,
        root,
        environment,
        service.expand,
        &names,
        inputs,
        process,
    )?;
    Ok((names, values, read_from))
}

/// The inputs of one service: the common ones, with the exports given for it (`SERVICE=FILE`,
/// a bare FILE when it is the only service checked, and its `exports` in opskit.toml).
pub fn service_inputs(
    common: &Inputs,
    exports: &[sources::Export],
    name: &str,
    service: &opskit::env::schema::Service,
    checked: &[(String, String)],
    root: &Path,
    cwd: &Path,
) -> Result<Inputs, Error> {
    let mut inputs = common.clone();
    inputs.exports = service.exports.iter().map(|e| root.join(e)).collect();
    inputs.exports.extend(
        sources::exports_for(exports, name, checked)?
            .into_iter()
            .map(|p| cwd.join(p)),
    );
    Ok(inputs)
}

/// The services a run checks: name and directory of each that has variables.
pub fn checked_services(
    schema: &opskit::env::schema::Schema,
    only: Option<&str>,
) -> Vec<(String, String)> {
    schema
        .services
        .iter()
        .filter(|(n, s)| {
            !s.vars.is_empty()
                && only.is_none_or(|o| o == n.as_str() || s.dir.as_deref() == Some(Path::new(o)))
        })
        .map(|(n, s)| {
            (
                n.clone(),
                opskit::workspace::slash(s.dir.as_deref().unwrap_or(Path::new("."))),
            )
        })
        .collect()
}

/// What to run for each service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parts {
    pub(crate) check: bool,
    pub(crate) drift: bool,
    pub(crate) lint: bool,
}

/// The schema of this run: the code's, with opskit.toml's `[env-check]` on top.
pub fn resolved_schema(root: &Path, cx: &Context) -> Result<schema::Resolved, Error> {
    let typed: Option<opskit::env::schema::Schema> = cx.section(NAME)?;
    let raw: Option<toml::Value> = cx.section(NAME)?;
    schema::resolve(root, typed, raw.as_ref())
}

pub(crate) fn service_matches(
    want: Option<&str>,
    name: &str,
    service: &opskit::env::schema::Service,
) -> bool {
    want.is_none_or(|w| {
        w == name
            || service.dir.as_deref().is_some_and(|d| {
                opskit::workspace::normalize(d) == opskit::workspace::normalize(Path::new(w))
            })
    })
}

pub(crate) fn services(args: &Args, cx: &Context, parts: Parts) -> Result<Report, Error> {
    let root = cx.cwd.join(&args.root);
    let resolved = resolved_schema(&root, cx)?;
    let schema = &resolved.schema;
    if schema.services.is_empty() {
        return Err(Error::NoSchema);
    }
    let common = Inputs {
        files: args.files.iter().map(|f| cx.cwd.join(f)).collect(),
        exports: Vec::new(),
        process: !args.no_process_env,
        public_names: public_names(cx),
    };
    let exports: Vec<sources::Export> = args
        .vars
        .iter()
        .map(|v| sources::Export::parse(v))
        .collect();
    let checked = checked_services(schema, args.service.as_deref());
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION"));
    let mut linted = std::collections::BTreeSet::new();
    let mut matched = false;
    for (name, svc) in &schema.services {
        if !service_matches(args.service.as_deref(), name, svc) {
            continue;
        }
        matched = true;
        if parts.check && !svc.vars.is_empty() {
            let inputs = service_inputs(&common, &exports, name, svc, &checked, &root, &cx.cwd)?;
            report.push(check_service(
                name,
                svc,
                &root,
                &args.environment,
                &inputs,
                &|n| cx.var(n),
                cx.verbose > 0,
            )?);
        }
        if parts.drift {
            let started = Instant::now();
            let findings = drift::drift(name, svc, &resolved, &root);
            if findings.is_empty() && svc.vars.is_empty() && !drift::reads_env(&root, svc) {
                // A package that neither declares nor reads a variable: nothing to say.
            } else {
                let mut check =
                    Check::from_findings(format!("drift:{name}"), findings).took(started.elapsed());
                if !check.status.is_problem() {
                    check.summary =
                        format!("{}; code, schema and .env.example agree", check.summary);
                }
                report.push(check);
            }
        }
        if parts.lint {
            for file in drift::lint_files(svc, &root) {
                let shown_name = shown(&file, &cx.cwd);
                // A file shared by several services (one .env.example) is linted once.
                if !linted.insert(shown_name.clone()) {
                    continue;
                }
                let text = read(&file)?;
                let mut findings = lint::lint(&shown_name, &text, &[]);
                findings.extend(drift::public_in_file(&shown_name, &text));
                report.push(Check::from_findings(format!("lint:{shown_name}"), findings));
            }
        }
    }
    if !matched && args.service.is_some() {
        let known: Vec<&str> = schema.services.keys().map(String::as_str).collect();
        return Err(Error::NoService {
            name: args.service.clone().unwrap_or_default(),
            known: known.join(", "),
        });
    }
    Ok(report)
}

/// The process environment's names with a browser-public prefix.
pub fn public_names(cx: &Context) -> Vec<String> {
    cx.env_names
        .iter()
        .filter(|n| public::public_prefix(n).is_some())
        .cloned()
        .collect()
}
