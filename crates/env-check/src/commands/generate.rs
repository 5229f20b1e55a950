//! `env-check generate NAME`: a new value or key for a variable, from its schema.

use opskit::cli::Context;
use opskit::redact::redact;
use opskit::report::{Check, Report};

use crate::commands::check::{resolved_schema, service_matches};
use crate::{Args, Error, NAME, generate};

pub(crate) fn generate_value(
    args: &Args,
    name: &str,
    length: Option<usize>,
    charset: Option<opskit::env::schema::Charset>,
    bytes: Option<usize>,
    cx: &Context,
) -> Result<Report, Error> {
    let resolved = resolved_schema(&cx.cwd.join(&args.root), cx)?;
    let var = resolved
        .schema
        .services
        .iter()
        .filter(|(s, svc)| service_matches(args.service.as_deref(), s, svc))
        .find_map(|(_, svc)| svc.vars.get(name));
    if var.is_none() && args.service.is_some() {
        return Err(Error::Usage(format!(
            "`{name}` is not in the schema of service `{}`",
            args.service.as_deref().unwrap_or_default()
        )));
    }
    let asks_length =
        length.is_some() || var.is_some_and(|v| v.min_length.is_some() || v.max_length.is_some());
    let key_bytes = bytes.or(var.and_then(|v| v.bytes)).or_else(|| {
        (generate::is_encryption_key(name)
            && !asks_length
            && charset != Some(opskit::env::schema::Charset::Alphanumeric))
        .then_some(32)
    });
    let (value, what) = if let Some(n) = key_bytes {
        let (value, encoding) = generate::generate_key(name, var, n, charset)?;
        let what = format!(
            "{n} random bytes in {} ({} characters; {})",
            encoding.as_str(),
            value.len(),
            generate::decode_hint(encoding)
        );
        (value, what)
    } else {
        let value = generate::generate(name, var, length, charset)?;
        let what = format!("{} characters", value.chars().count());
        (value, what)
    };
    let r = redact(&value);
    let check = Check::new(
        format!("generate:{name}"),
        opskit::Status::Ok,
        format!("a new {name} of {what}: {r}; the value is printed only in human format"),
    );
    let mut report = Report::new(NAME, env!("CARGO_PKG_VERSION")).with_check(check);
    report.output = Some(value);
    Ok(report)
}
