//! `env-check parse FILE`: what dotenv (and dotenv-expand) load from a file, key by key.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use opskit::cli::Context;
use opskit::redact::redact;
use opskit::report::{Check, Finding, Location, Report};

use crate::codes::ENV_VALUE;
use crate::{Error, NAME, read, shown};

pub(crate) fn parse_file(
    file: &Path,
    reveal: bool,
    expand: bool,
    cx: &Context,
) -> Result<Report, Error> {
    let started = Instant::now();
    let path = cx.cwd.join(file);
    let name = shown(&path, &cx.cwd);
    let text = read(&path)?;
    let parsed = opskit::env::dotenv::parse(&text);
    // The last assignment of a key is the one dotenv keeps.
    let mut last: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, e) in parsed.entries.iter().enumerate() {
        last.insert(e.key.as_str(), i);
    }
    let expanded: BTreeMap<String, String> = if expand {
        let pairs: Vec<(String, String)> = parsed
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        opskit::env::expand::expand(&pairs, &|k| cx.var(k))
            .map_err(|e| Error::Invalid {
                path: path.clone(),
                reason: e.to_string(),
            })?
            .into_iter()
            .collect()
    } else {
        BTreeMap::new()
    };
    let findings: Vec<Finding> = parsed
        .entries
        .iter()
        .enumerate()
        .filter(|(i, e)| last.get(e.key.as_str()) == Some(i))
        .map(|(_, e)| {
            let loc = Location::new(name.clone()).line(e.line).column(e.column);
            let value = expanded.get(&e.key).unwrap_or(&e.value);
            if reveal {
                ENV_VALUE.finding(format!("{}={value}", e.key)).at(loc)
            } else {
                let r = redact(value);
                ENV_VALUE
                    .finding(format!("{}={r}", e.key))
                    .at(loc)
                    .evidence(r)
            }
        })
        .collect();
    let keys = findings.len();
    let mut check = Check::from_findings(format!("parse:{name}"), findings).took(started.elapsed());
    check.summary = format!(
        "{keys} keys, as dotenv{} loads them{}",
        if expand { " and dotenv-expand" } else { "" },
        if reveal { "" } else { " (values redacted)" }
    );
    Ok(Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check))
}
