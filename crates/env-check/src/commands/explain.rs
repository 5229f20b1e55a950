//! `env-check --explain CODE`: what a code means, from the registries.

use opskit::report::{Check, Report};

use crate::{Error, NAME, rules};

pub(crate) fn explain(code: &str) -> Result<Report, Error> {
    let upper = code.to_ascii_uppercase();
    let text = opskit::env::codes::find(&upper)
        .map(|c| {
            format!(
                "{} ({}, {}): {} {}",
                c.code,
                c.title,
                c.severity.as_str(),
                c.explanation,
                c.fix
            )
        })
        .or_else(|| {
            rules::RULES
                .iter()
                .map(|r| r.meta())
                .find(|m| m.code == upper || m.name == code)
                .map(|m| format!("{} ({}): {}", m.code, m.name, m.summary))
        })
        .ok_or_else(|| Error::UnknownCode(code.to_owned()))?;
    let help = format!(
        "https://github.com/opskit/opskit/blob/main/docs/env-check.md#{}",
        upper.to_ascii_lowercase()
    );
    Ok(
        Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(Check::new(
            upper,
            opskit::Status::Ok,
            format!("{text} See {help}"),
        )),
    )
}
