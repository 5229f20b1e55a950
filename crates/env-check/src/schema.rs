//! The schema a run checks against: what each workspace package's code declares
//! ([`crate::code`]), with opskit.toml's `[env-check]` on top, variable by variable.
//!
//! A package whose code declares a schema (t3-env, zod on `process.env`, envalid) is a service
//! named after the package (`name` in its package.json), with `dir` its directory. Every other
//! package is a service without a schema: its code reads are compared with its `.env.example`
//! only. A `[env-check.services.X]` of opskit.toml is the same service as the package named `X`
//! or the package in its `dir`; each key it sets wins over what the code says, and variables it
//! adds are added. `[env-check] from_code = false` turns reading the code off.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use opskit::env::schema::{Required, Schema, Service, Var};

use crate::Error;
use crate::code::{self, CodeSchema};

/// The schema of a run and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Services by name, merged.
    pub schema: Schema,
    /// The schemas read from each service's code.
    pub code: BTreeMap<String, Vec<CodeSchema>>,
    /// Services that opskit.toml declares (the others come from the workspace).
    pub configured: Vec<String>,
}

impl Resolved {
    /// Whether a service has a schema (from the code or opskit.toml) or only code reads.
    pub fn has_schema(&self, name: &str) -> bool {
        self.configured.iter().any(|c| c == name)
            || self.code.get(name).is_some_and(|c| !c.is_empty())
    }
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    let rel = path.strip_prefix(root).unwrap_or(path);
    if rel.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        rel.to_owned()
    }
}

fn same_dir(a: Option<&Path>, b: Option<&Path>) -> bool {
    let norm = |p: Option<&Path>| {
        let p = opskit::workspace::normalize(p.unwrap_or(Path::new(".")));
        if p.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            p
        }
    };
    norm(a) == norm(b)
}

/// The services of the workspace at `root`, from the code of each package.
pub fn from_code(root: &Path) -> Result<(Schema, BTreeMap<String, Vec<CodeSchema>>), Error> {
    let ws = opskit::workspace::discover(root).map_err(|e| Error::Usage(e.to_string()))?;
    let mut schema = Schema::default();
    let mut found = BTreeMap::new();
    let packages: Vec<(String, PathBuf)> = ws
        .in_scope()
        .map(|p| (p.name.clone(), ws.root.join(&p.dir)))
        .chain(
            ws.separate
                .iter()
                .map(|s| (s.package.name.clone(), ws.root.join(&s.package.dir))),
        )
        .collect();
    let dirs: Vec<&PathBuf> = packages.iter().map(|(_, d)| d).collect();
    for (name, dir) in &packages {
        // Only the packages under the root asked for (`--root apps/web` is that package).
        if !dir.starts_with(root) || !dir.join("package.json").is_file() {
            continue;
        }
        let nested: Vec<PathBuf> = dirs
            .iter()
            .filter(|d| **d != dir && d.starts_with(dir))
            .map(|d| (*d).clone())
            .collect();
        let schemas = code::scan(root, dir, &nested);
        let mut service = Service {
            dir: Some(relative(root, dir)),
            ..Service::default()
        };
        for s in &schemas {
            for d in &s.vars {
                // The first declaration wins; a second schema of the package adds the rest.
                service.vars.entry(d.name.clone()).or_insert_with(|| {
                    let mut var = d.var.clone();
                    // A name that says secret is checked as one; a browser-public name is
                    // judged by public.rs instead (it must not hold a secret at all).
                    var.secret = var.secret
                        || (crate::public::looks_secret(&d.name)
                            && crate::public::public_prefix(&d.name).is_none());
                    var
                });
            }
        }
        service.exclude = nested.iter().map(|n| relative(root, n)).collect();
        let name = if name.is_empty() {
            relative(root, dir).display().to_string()
        } else {
            name.clone()
        };
        schema.services.insert(name.clone(), service);
        found.insert(name, schemas);
    }
    Ok((schema, found))
}

/// The schema a run uses: the code's (unless `from_code = false`) with `config` on top;
/// `raw` is the same `[env-check]` section as TOML, which says which keys opskit.toml sets.
pub fn resolve(
    root: &Path,
    config: Option<Schema>,
    raw: Option<&toml::Value>,
) -> Result<Resolved, Error> {
    let config = config.unwrap_or_default();
    let use_code = config.from_code.unwrap_or(true);
    let (mut schema, code) = if use_code {
        from_code(root)?
    } else {
        (Schema::default(), BTreeMap::new())
    };
    let mut code = code;
    let mut configured = Vec::new();
    let raw_services = raw
        .and_then(|r| r.get("services"))
        .and_then(toml::Value::as_table);
    for (name, service) in &config.services {
        let raw_service = raw_services.and_then(|s| s.get(name));
        let matched = schema
            .services
            .iter()
            .find(|(n, s)| *n == name || same_dir(s.dir.as_deref(), service.dir.as_deref()))
            .map(|(n, _)| n.clone());
        let merged = match (matched, raw_service) {
            (Some(code_name), Some(raw_service)) => {
                let from_code = schema.services.remove(&code_name).unwrap_or_default();
                if let Some(c) = code.remove(&code_name) {
                    code.insert(name.clone(), c);
                }
                overlay(&from_code, raw_service).map_err(|e| {
                    Error::Usage(format!(
                        "[env-check.services.{name}] over the code's schema: {e}"
                    ))
                })?
            }
            _ => service.clone(),
        };
        configured.push(name.clone());
        schema.services.insert(name.clone(), merged);
    }
    schema.from_code = config.from_code;
    // A service's code does not include another service's directory inside it.
    let dirs: Vec<PathBuf> = schema
        .services
        .values()
        .map(|s| opskit::workspace::normalize(s.dir.as_deref().unwrap_or(Path::new("."))))
        .collect();
    for service in schema.services.values_mut() {
        let own = opskit::workspace::normalize(service.dir.as_deref().unwrap_or(Path::new(".")));
        for d in &dirs {
            let nested = *d != own && (own.as_os_str().is_empty() || d.starts_with(&own));
            if nested && !d.as_os_str().is_empty() && !service.exclude.contains(d) {
                service.exclude.push(d.clone());
            }
        }
    }
    Ok(Resolved {
        schema,
        code,
        configured,
    })
}

/// `base` with every key of `raw` (an opskit.toml service table) set over it.
fn overlay(base: &Service, raw: &toml::Value) -> Result<Service, String> {
    let mut table = service_table(base);
    let Some(raw) = raw.as_table() else {
        return Err("not a table".to_owned());
    };
    for (key, value) in raw {
        if key == "vars"
            && let (Some(vars), Some(toml::Value::Table(base_vars))) =
                (value.as_table(), table.get_mut("vars"))
        {
            for (var_name, var_raw) in vars {
                match (base_vars.get_mut(var_name), var_raw.as_table()) {
                    (Some(toml::Value::Table(existing)), Some(over)) => {
                        for (k, v) in over {
                            existing.insert(k.clone(), v.clone());
                        }
                    }
                    _ => {
                        base_vars.insert(var_name.clone(), var_raw.clone());
                    }
                }
            }
            continue;
        }
        table.insert(key.clone(), value.clone());
    }
    let mut service: Service = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_owned())?;
    service.exclude.clone_from(&base.exclude);
    Ok(service)
}

fn var_table(var: &Var) -> toml::Table {
    var_keys(var)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

/// A variable's keys in the order a reader wants them (type and requirement first).
fn var_keys(var: &Var) -> Vec<(&'static str, toml::Value)> {
    let mut t = Vec::new();
    let mut put = |k: &'static str, v: toml::Value| t.push((k, v));
    let s = |x: &str| toml::Value::String(x.to_owned());
    let list = |xs: &[String]| toml::Value::Array(xs.iter().map(|x| s(x)).collect());
    let count = |n: usize| toml::Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    if var.kind != opskit::env::schema::VarType::String {
        put("type", s(var.kind.as_str()));
    }
    match &var.required {
        Required::Always(b) => put("required", toml::Value::Boolean(*b)),
        Required::In(envs) => put("required", list(envs)),
    }
    if let Some(d) = &var.default {
        put("default", s(d));
    }
    if var.secret {
        put("secret", toml::Value::Boolean(true));
    }
    if var.public {
        put("public", toml::Value::Boolean(true));
    }
    if var.accept_empty {
        put("accept_empty", toml::Value::Boolean(true));
    }
    if var.trim {
        put("trim", toml::Value::Boolean(true));
    }
    if var.integer {
        put("integer", toml::Value::Boolean(true));
    }
    if let Some(n) = var.min_length {
        put("min_length", count(n));
    }
    if let Some(n) = var.max_length {
        put("max_length", count(n));
    }
    for (k, v) in [
        ("minimum", var.minimum),
        ("maximum", var.maximum),
        ("exclusive_minimum", var.exclusive_minimum),
        ("exclusive_maximum", var.exclusive_maximum),
    ] {
        if let Some(v) = v {
            put(k, toml::Value::Float(v));
        }
    }
    if !var.values.is_empty() {
        put("values", list(&var.values));
    }
    if !var.schemes.is_empty() {
        put("schemes", list(&var.schemes));
    }
    if let Some(p) = &var.pattern {
        put("pattern", s(p));
    }
    if let Some(n) = var.bytes {
        put("bytes", count(n));
    }
    if let Some(e) = var.encoding {
        put("encoding", s(e.as_str()));
    }
    if let Some(c) = var.charset {
        put("charset", s(c.as_str()));
    }
    if !var.deprecated_names.is_empty() {
        put("deprecated_names", list(&var.deprecated_names));
    }
    if let Some(d) = &var.description {
        put("description", s(d));
    }
    t
}

fn service_table(service: &Service) -> toml::Table {
    let mut t = toml::Table::new();
    let path = |p: &Path| toml::Value::String(opskit::workspace::slash(p));
    if let Some(d) = &service.dir {
        t.insert("dir".into(), path(d));
    }
    if service.expand {
        t.insert("expand".into(), toml::Value::Boolean(true));
    }
    if !service.src.is_empty() {
        t.insert(
            "src".into(),
            toml::Value::Array(service.src.iter().map(|p| path(p)).collect()),
        );
    }
    if let Some(e) = &service.example {
        t.insert("example".into(), path(e));
    }
    if !service.exports.is_empty() {
        t.insert(
            "exports".into(),
            toml::Value::Array(service.exports.iter().map(|p| path(p)).collect()),
        );
    }
    if !service.undeclared_ok.is_empty() {
        t.insert(
            "undeclared_ok".into(),
            toml::Value::Array(
                service
                    .undeclared_ok
                    .iter()
                    .map(|u| toml::Value::String(u.clone()))
                    .collect(),
            ),
        );
    }
    let vars: toml::Table = service
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), toml::Value::Table(var_table(v))))
        .collect();
    t.insert("vars".into(), toml::Value::Table(vars));
    t
}

/// A value that looks like a random token (16 or more characters, no separators of a URL or a
/// sentence, strong by env-check's own measure): possibly a real secret.
fn looks_random(value: &str) -> bool {
    value.chars().count() >= 16
        && !value.contains([' ', '/', '.', ':', ','])
        && opskit::env::schema::weakness(value).is_none()
}

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_owned()
    } else {
        toml::Value::String(k.to_owned()).to_string()
    }
}

/// The schema as opskit.toml text, with where each variable was declared, ready to copy under
/// `[env-check]` and refine.
pub fn to_toml(resolved: &Resolved, only: Option<&str>) -> String {
    let mut out = String::from(
        "# The env schema env-check reads from the code (t3-env, zod, envalid).\n\
         # Copy what you want to refine into opskit.toml: each key set there wins over the code.\n",
    );
    for (name, service) in &resolved.schema.services {
        if only.is_some_and(|o| o != name) {
            continue;
        }
        let schemas = resolved
            .code
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if service.vars.is_empty() && !resolved.configured.contains(name) {
            continue;
        }
        let head = format!("env-check.services.{}", key(name));
        let _ = writeln!(out, "\n[{head}]");
        for s in schemas {
            let _ = writeln!(
                out,
                "# read from {}:{} ({})",
                s.path,
                s.line,
                s.library.as_str()
            );
            for n in &s.notes {
                let _ = writeln!(
                    out,
                    "# not understood: {}:{}: {}",
                    n.path, n.line, n.message
                );
            }
        }
        let mut table = service_table(service);
        table.remove("vars");
        let _ = write!(out, "{}", toml::to_string(&table).unwrap_or_default());
        for (var_name, var) in &service.vars {
            let _ = writeln!(out, "\n[{head}.vars.{}]", key(var_name));
            let origin = schemas
                .iter()
                .find_map(|s| s.vars.iter().find(|d| d.name == *var_name).map(|d| (s, d)));
            if let Some((s, d)) = origin {
                let _ = writeln!(out, "# {}:{} ({})", s.path, d.line, d.side.as_str());
            }
            for (k, v) in var_keys(var) {
                // A default in the code may be a real secret: never printed whole.
                let secret_default = k == "default"
                    && v.as_str().is_some_and(|d| {
                        var.secret
                            || crate::public::matching_rule(var_name, d).is_some()
                            || looks_random(d)
                    });
                if secret_default {
                    let shown = opskit::redact::redact(v.as_str().unwrap_or_default());
                    let _ = writeln!(out, "# default = {shown} (a secret: set it yourself)");
                } else {
                    let _ = writeln!(out, "{k} = {v}");
                }
            }
        }
    }
    out
}
