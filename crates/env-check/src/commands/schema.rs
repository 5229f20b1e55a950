//! `env-check schema [--from-code]`: the schema of a run as opskit.toml text.

use opskit::cli::Context;
use opskit::report::{Check, Report};

use crate::commands::check::resolved_schema;
use crate::{Args, Error, NAME, schema};

pub(crate) fn print_schema(args: &Args, from_code: bool, cx: &Context) -> Result<Report, Error> {
    let root = cx.cwd.join(&args.root);
    let resolved = if from_code {
        schema::resolve(&root, None, None)?
    } else {
        resolved_schema(&root, cx)?
    };
    let text = schema::to_toml(&resolved, args.service.as_deref());
    let vars: usize = resolved
        .schema
        .services
        .iter()
        .filter(|(n, _)| args.service.as_deref().is_none_or(|s| s == n.as_str()))
        .map(|(_, s)| s.vars.len())
        .sum();
    let notes: usize = resolved
        .code
        .values()
        .flatten()
        .map(|c| c.notes.len())
        .sum();
    let check = Check::new(
        "schema",
        opskit::Status::Ok,
        format!(
            "{vars} variables{}; {notes} parts not understood (see the # not understood lines); the schema is printed only in human format",
            if from_code {
                " read from the code"
            } else {
                " (code and opskit.toml)"
            }
        ),
    );
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check);
    report.output = Some(text);
    Ok(report)
}
