//! Where a variable's value comes from, lowest precedence first: the service's .env files in
//! Next.js' order, explicit files (`--file`), exported variable lists (`--vars`: what `vercel
//! env pull` or `railway variables --json` give), and the process environment, which wins.
//! Every value keeps its source, so a finding can say which one won.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use opskit::report::Location;

use crate::{Error, read, shown};

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The process environment.
    Process,
    /// A .env file, at a line and column.
    File(Location),
    /// An exported variable list (a JSON object or array, or dotenv text).
    Export(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Process => f.write_str("the process environment"),
            Source::File(loc) => write!(f, "{loc}"),
            Source::Export(path) => write!(f, "the export {path}"),
        }
    }
}

/// What to read besides the service's own .env files.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Extra .env files, in increasing precedence.
    pub files: Vec<PathBuf>,
    /// Exported variable lists, in increasing precedence.
    pub exports: Vec<PathBuf>,
    /// Read the process environment (the default).
    pub process: bool,
    /// The names the process environment holds with a browser-public prefix (`NEXT_PUBLIC_`…):
    /// their values are checked for secrets whether a schema declares them or not.
    pub public_names: Vec<String>,
}

/// One `--vars` (env-check) or `--env-vars` (predeploy) value: `SERVICE=FILE` for one
/// service, or a bare `FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The service it belongs to (its name or its directory), when given.
    pub service: Option<String>,
    /// The file.
    pub path: PathBuf,
}

impl Export {
    /// Reads `SERVICE=FILE` or `FILE` (a path that starts with `.` or `/` is always a file).
    pub fn parse(arg: &str) -> Export {
        match arg.split_once('=') {
            Some((service, path))
                if !service.is_empty()
                    && !path.is_empty()
                    && !service.starts_with(['.', '/'])
                    && !service.contains('\\') =>
            {
                Export {
                    service: Some(service.to_owned()),
                    path: PathBuf::from(path),
                }
            }
            _ => Export {
                service: None,
                path: PathBuf::from(arg),
            },
        }
    }
}

/// The exports that apply to one service: those given for it (by name or directory), and the
/// bare ones when it is the only service checked. `checked` lists every service checked
/// (name and directory).
pub fn exports_for(
    all: &[Export],
    name: &str,
    checked: &[(String, String)],
) -> Result<Vec<PathBuf>, Error> {
    let known = |s: &str| checked.iter().any(|(n, d)| n == s || d == s);
    if let Some(unknown) = all
        .iter()
        .filter_map(|e| e.service.as_deref())
        .find(|s| !known(s))
    {
        return Err(Error::Usage(format!(
            "`{unknown}=…`: no service `{unknown}`; the services checked are: {}",
            checked
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let dir = checked
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, d)| d.as_str())
        .unwrap_or_default();
    let mut out = Vec::new();
    for e in all {
        match e.service.as_deref() {
            Some(s) if s == name || s == dir => out.push(e.path.clone()),
            Some(_) => {}
            None if checked.len() <= 1 => out.push(e.path.clone()),
            None => {
                return Err(Error::Usage(format!(
                    "{}: an export applies to one service, and {} are checked ({}); say which: SERVICE={}",
                    e.path.display(),
                    checked.len(),
                    checked
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    e.path.display()
                )));
            }
        }
    }
    Ok(out)
}

/// The .env files of an environment, highest precedence first (Next.js' order).
pub fn env_file_names(environment: &str) -> Vec<String> {
    let mut names = vec![format!(".env.{environment}.local")];
    if environment != "test" {
        names.push(".env.local".to_owned());
    }
    names.push(format!(".env.{environment}"));
    names.push(".env".to_owned());
    names
}

/// The variables of an export: a JSON object (`{"KEY": "value"}`), a JSON array of
/// `{"key"|"name": …, "value": …}`, or dotenv text.
pub fn read_export(path: &Path) -> Result<Vec<(String, String)>, Error> {
    let text = read(path)?;
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return Ok(opskit::env::dotenv::parse(&text)
            .entries
            .into_iter()
            .map(|e| (e.key, e.value))
            .collect());
    }
    let bad = |why: &str| Error::Invalid {
        path: path.to_owned(),
        reason: format!("not a variable export: {why}"),
    };
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(&format!("invalid JSON ({e})")))?;
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match json {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                scalar(v)
                    .map(|v| (k.clone(), v))
                    .ok_or_else(|| bad(&format!("the value of {k} is not text")))
            })
            .collect(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| {
                let key = item
                    .get("key")
                    .or_else(|| item.get("name"))
                    .and_then(serde_json::Value::as_str);
                let value = item.get("value").and_then(scalar);
                match (key, value) {
                    (Some(k), Some(v)) => Ok((k.to_owned(), v)),
                    _ => Err(bad("array items need `key` (or `name`) and `value`")),
                }
            })
            .collect(),
        _ => Err(bad("expected an object or an array")),
    }
}

/// Each variable's value and the source that won.
pub type Gathered = BTreeMap<String, (String, Source)>;

/// Every variable set for a service, with the source that won, and every source read (for
/// messages). `names` are looked up in the process environment.
pub fn gather(
    dir: &Path,
    root: &Path,
    environment: &str,
    expand: bool,
    names: &[&str],
    inputs: &Inputs,
    process: &dyn Fn(&str) -> Option<String>,
) -> Result<(Gathered, Vec<String>), Error> {
    let mut values: BTreeMap<String, (String, Source)> = BTreeMap::new();
    let mut read_from = Vec::new();
    let no_process = |_: &str| None;
    let lookup: &dyn Fn(&str) -> Option<String> =
        if inputs.process { process } else { &no_process };
    let mut files: Vec<PathBuf> = env_file_names(environment)
        .iter()
        .rev()
        .map(|f| dir.join(f))
        .filter(|p| p.is_file())
        .collect();
    files.extend(inputs.files.iter().cloned());
    for path in files {
        let text = read(&path)?;
        let shown_path = shown(&path, root);
        read_from.push(shown_path.clone());
        let parsed = opskit::env::dotenv::parse(&text);
        let pairs: Vec<(String, String)> = parsed
            .entries
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect();
        let pairs = if expand {
            opskit::env::expand::expand(&pairs, lookup).map_err(|e| Error::Invalid {
                path: path.clone(),
                reason: e.to_string(),
            })?
        } else {
            pairs
        };
        for (key, value) in pairs {
            let Some(e) = parsed.entries.iter().rev().find(|e| e.key == key) else {
                continue;
            };
            let loc = Location::new(shown_path.clone())
                .line(e.line)
                .column(e.column);
            values.insert(key, (value, Source::File(loc)));
        }
    }
    for path in &inputs.exports {
        let label = shown(path, root);
        read_from.push(format!("the export {label}"));
        for (key, value) in read_export(path)? {
            values.insert(key, (value, Source::Export(label.clone())));
        }
    }
    for name in names
        .iter()
        .copied()
        .chain(inputs.public_names.iter().map(String::as_str))
    {
        if let Some(v) = lookup(name) {
            values.insert(name.to_owned(), (v, Source::Process));
        }
    }
    if inputs.process {
        read_from.push("the process environment".to_owned());
    }
    Ok((values, read_from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_in_every_form() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("vars.json");
        std::fs::write(&p, r#"{"A": "1", "PORT": 8080, "ON": true}"#).unwrap();
        assert_eq!(read_export(&p).unwrap().len(), 3);
        std::fs::write(
            &p,
            r#"[{"key": "A", "value": "1"}, {"name": "B", "value": "2"}]"#,
        )
        .unwrap();
        assert_eq!(
            read_export(&p).unwrap()[1],
            ("B".to_owned(), "2".to_owned())
        );
        std::fs::write(&p, "# vercel env pull\nA=\"1\"\n").unwrap();
        assert_eq!(read_export(&p).unwrap(), [("A".to_owned(), "1".to_owned())]);
        std::fs::write(&p, r#"{"A": {"nested": 1}}"#).unwrap();
        assert!(
            read_export(&p)
                .unwrap_err()
                .to_string()
                .contains("not text")
        );
        std::fs::write(&p, "[1, 2]").unwrap();
        assert!(read_export(&p).is_err());
    }

    #[test]
    fn exports_name_their_service() {
        assert_eq!(
            Export::parse("worker=railway.json"),
            Export {
                service: Some("worker".to_owned()),
                path: PathBuf::from("railway.json")
            }
        );
        assert_eq!(Export::parse("./a=b.json").service, None);
        assert_eq!(Export::parse("vars.json").service, None);
        let checked = [
            ("web".to_owned(), "apps/web".to_owned()),
            ("worker".to_owned(), "apps/worker".to_owned()),
        ];
        let all = [
            Export::parse("apps/web=vercel.env"),
            Export::parse("worker=railway.json"),
        ];
        assert_eq!(
            exports_for(&all, "web", &checked).unwrap(),
            [PathBuf::from("vercel.env")]
        );
        assert_eq!(
            exports_for(&all, "worker", &checked).unwrap(),
            [PathBuf::from("railway.json")]
        );
        let bare = [Export::parse("vercel.env")];
        let e = exports_for(&bare, "web", &checked).unwrap_err().to_string();
        assert!(e.contains("say which: SERVICE=vercel.env"), "{e}");
        assert_eq!(exports_for(&bare, "web", &checked[..1]).unwrap().len(), 1);
        assert!(exports_for(&[Export::parse("api=x.json")], "web", &checked).is_err());
    }

    #[test]
    fn precedence_and_expansion() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(
            d.join(".env"),
            "HOST=db\nURL=postgres://${HOST}/app\nA=env\n",
        )
        .unwrap();
        std::fs::write(d.join("extra.env"), "A=extra\n").unwrap();
        std::fs::write(d.join("vars.json"), r#"{"B": "export"}"#).unwrap();
        let inputs = Inputs {
            files: vec![d.join("extra.env")],
            exports: vec![d.join("vars.json")],
            process: true,
            public_names: Vec::new(),
        };
        let (got, read) = gather(d, d, "production", true, &["B"], &inputs, &|_| None).unwrap();
        assert_eq!(
            read,
            [
                ".env",
                "extra.env",
                "the export vars.json",
                "the process environment"
            ]
        );
        assert_eq!(got["URL"].0, "postgres://db/app");
        assert_eq!(got["A"].0, "extra");
        assert_eq!(got["B"].1, Source::Export("vars.json".to_owned()));
        let (got, _) = gather(d, d, "production", false, &["B"], &inputs, &|n| {
            (n == "B").then(|| "proc".to_owned())
        })
        .unwrap();
        assert_eq!(got["URL"].0, "postgres://${HOST}/app");
        assert_eq!(got["B"], ("proc".to_owned(), Source::Process));
        let no_process = Inputs {
            process: false,
            ..inputs
        };
        let (got, _) = gather(d, d, "production", false, &["B"], &no_process, &|_| {
            Some("proc".to_owned())
        })
        .unwrap();
        assert_eq!(got["B"].0, "export");
    }
}
