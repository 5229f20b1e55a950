//! The env schema an app already declares in its code, read without running it.
//!
//! Three ways of declaring the environment are read, with a real TypeScript/JavaScript parser
//! ([oxc](https://oxc.rs)), never with patterns over the text:
//!
//! - t3-env: `createEnv({ server, client, shared, runtimeEnv, experimental__runtimeEnv,
//!   emptyStringAsUndefined })` from `@t3-oss/env-nextjs` or `@t3-oss/env-core`,
//!   with zod validators;
//! - zod alone: `z.object({...}).parse(process.env)` (and `safeParse`, `parseAsync`, a schema
//!   held in a `const`, `.extend({...})`, `.partial()`);
//! - envalid: `cleanEnv(process.env, { X: str(), PORT: port({ default: 3000 }) })`.
//!
//! Each variable gets its side (server, client, shared), when it is required (always, never, or
//! only where `NODE_ENV` is production, as in `process.env.NODE_ENV === "production" ?
//! z.string() : z.string().optional()` or envalid's `devDefault`), its default, and the checks
//! the validators express ([`zod`], [`envalid`]). What cannot be read statically (a validator
//! imported from another module, a `.refine(fn)`, a `z.preprocess(fn, …)`) is never guessed:
//! the variable is still declared, the part that was not read is not checked, and a
//! [`Note`] says what and where (ENV208).

pub mod envalid;
pub mod guards;
pub mod t3;
pub mod zod;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use opskit::env::schema::{Required, Var};
use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, BindingPattern, CallExpression, Declaration, Expression,
    ObjectExpression, ObjectPropertyKind, Program, Statement,
};
use oxc_ast_visit::Visit;
use oxc_span::{GetSpan, SourceType, Span};

pub use guards::{Analysis, analyze, server_only_spans};

/// Which library declared a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Library {
    /// `createEnv` of `@t3-oss/env-nextjs` / `@t3-oss/env-core`.
    T3,
    /// A zod object applied to `process.env`.
    Zod,
    /// envalid's `cleanEnv`.
    Envalid,
}

impl Library {
    /// How the docs and messages name it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Library::T3 => "t3-env",
            Library::Zod => "zod",
            Library::Envalid => "envalid",
        }
    }
}

/// Where a variable may be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Only on the server.
    Server,
    /// In the browser too (t3-env's `client`: the framework inlines it into the bundle).
    Client,
    /// Both (t3-env's `shared`).
    Shared,
}

impl Side {
    /// `server`, `client` or `shared`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Side::Server => "server",
            Side::Client => "client",
            Side::Shared => "shared",
        }
    }
}

/// One variable a schema in code declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    /// The environment variable's name.
    pub name: String,
    /// What the validators ask of it, as an opskit.toml variable.
    pub var: Var,
    /// Its side.
    pub side: Side,
    /// 1-based line of its declaration.
    pub line: u32,
    /// The validator itself turns an empty value into no value (`z.preprocess((v) => v === ""
    /// ? undefined : v, …)`), whatever the library does with empty values.
    pub empty_is_unset: bool,
}

/// A part of a schema that was not read, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The file, as shown.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What was not read and what it means for the checks.
    pub message: String,
}

/// A schema found in one file.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeSchema {
    /// Its library.
    pub library: Library,
    /// The file, as shown.
    pub path: String,
    /// 1-based line of the call (`createEnv`, `.parse`, `cleanEnv`).
    pub line: u32,
    /// Its variables, in declaration order.
    pub vars: Vec<Declared>,
    /// What was not understood.
    pub notes: Vec<Note>,
}

/// Words whose presence makes a file worth parsing.
const MARKERS: [&str; 3] = ["createEnv", "cleanEnv", "process.env"];
/// Files larger than this are not parsed (an env schema is a few kilobytes; a bundle is not).
const MAX_FILE: u64 = 2 * 1024 * 1024;
const EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];

/// The schemas declared in one file's text (`path` is how findings show the file).
pub fn schemas_in(path: &str, text: &str) -> Vec<CodeSchema> {
    let worth = MARKERS[..2].iter().any(|m| text.contains(m))
        || (text.contains(MARKERS[2]) && text.contains("arse"));
    if !worth {
        return Vec::new();
    }
    let source_type = SourceType::from_path(path)
        .unwrap_or_default()
        .with_typescript(path.ends_with("ts") || path.ends_with("tsx"));
    let allocator = Allocator::default();
    let parsed = oxc_parser::Parser::new(&allocator, text, source_type).parse();
    if parsed.panicked {
        return Vec::new();
    }
    let file = File::new(path, text, &parsed.program);
    let mut finder = Finder {
        file: &file,
        out: Vec::new(),
    };
    finder.visit_program(&parsed.program);
    finder.out
}

/// Every schema under `dir` (relative paths shown from `root`), leaving out `exclude`d
/// directories (the workspace's other packages), node_modules and build output.
pub fn scan(root: &Path, dir: &Path, exclude: &[PathBuf]) -> Vec<CodeSchema> {
    let mut out = Vec::new();
    for entry in files(dir, exclude) {
        let path = entry.path();
        let wanted = is_source(path) && entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE);
        if !wanted {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let shown = opskit::workspace::slash(path.strip_prefix(root).unwrap_or(path));
        out.extend(schemas_in(&shown, &text));
    }
    out.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    out
}

/// The files under `dir` (`.gitignore` honoured), leaving out the workspace's skipped
/// directories (node_modules, build output, `.git`…) and the `exclude`d directories (absolute
/// paths: the other packages inside it). The one walk of env-check's code readers.
pub fn files(dir: &Path, exclude: &[PathBuf]) -> impl Iterator<Item = ignore::DirEntry> {
    let excluded = exclude.to_vec();
    ignore::WalkBuilder::new(dir)
        .hidden(false)
        .filter_entry(move |e| {
            !e.file_name()
                .to_str()
                .is_some_and(|n| opskit::workspace::SKIP_DIRS.contains(&n))
                && !excluded.iter().any(|x| e.path() == x)
        })
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
}

/// Whether a path is JavaScript or TypeScript source (declaration files left out).
pub fn is_source(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
        && !path.to_string_lossy().ends_with(".d.ts")
}

/// One parsed file: its text, line starts and top-level constants.
pub(crate) struct File<'a, 'b> {
    pub(crate) path: &'b str,
    text: &'b str,
    line_starts: Vec<usize>,
    consts: HashMap<&'a str, &'b Expression<'a>>,
}

impl<'a, 'b> File<'a, 'b> {
    fn new(path: &'b str, text: &'b str, program: &'b Program<'a>) -> File<'a, 'b> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut consts = HashMap::new();
        for stmt in &program.body {
            let decl = match stmt {
                Statement::VariableDeclaration(d) => Some(&**d),
                Statement::ExportDeclaration(e) => match &e.declaration {
                    Declaration::VariableDeclaration(d) => Some(&**d),
                    _ => None,
                },
                _ => None,
            };
            for d in decl.iter().flat_map(|d| d.declarations.iter()) {
                if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&d.id, &d.init) {
                    consts.insert(id.name.as_str(), init);
                }
            }
        }
        File {
            path,
            text,
            line_starts,
            consts,
        }
    }

    /// 1-based line and column of a span's start.
    pub(crate) fn position(&self, span: Span) -> (u32, u32) {
        let offset = span.start as usize;
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let column = offset - self.line_starts[line.saturating_sub(1)] + 1;
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }

    pub(crate) fn note(&self, span: Span, message: impl Into<String>) -> Note {
        let (line, column) = self.position(span);
        Note {
            path: self.path.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    /// What a name stands for when it is a top-level `const` of this file.
    pub(crate) fn constant(&self, name: &str) -> Option<&'b Expression<'a>> {
        self.consts.get(name).copied()
    }

    /// An expression with parentheses, `as`, `satisfies` and `!` removed, and a top-level
    /// constant replaced by its value (a few levels deep).
    pub(crate) fn resolve<'e>(&self, e: &'e Expression<'a>) -> &'e Expression<'a>
    where
        'b: 'e,
    {
        let mut e = e.get_inner_expression();
        for _ in 0..8 {
            match e {
                Expression::Identifier(id) => match self.constant(id.name.as_str()) {
                    Some(value) => e = value.get_inner_expression(),
                    None => break,
                },
                _ => break,
            }
        }
        e
    }
}

/// Whether an expression is `process.env`.
pub(crate) fn is_process_env(e: &Expression<'_>) -> bool {
    e.is_specific_member_access("process", "env")
}

/// The variable a `process.env.X` (or `process.env["X"]`) reads.
pub(crate) fn process_env_read(e: &Expression<'_>) -> Option<String> {
    let member = e.get_inner_expression().as_member_expression()?;
    if !is_process_env(member.object()) {
        return None;
    }
    member.static_property_name().map(str::to_owned)
}

/// A string literal's (or a substitution-free template's) text.
pub(crate) fn string_value(e: &Expression<'_>) -> Option<String> {
    match e.get_inner_expression() {
        Expression::StringLiteral(s) => Some(s.value.as_str().to_owned()),
        Expression::TemplateLiteral(t) => t.single_quasi().map(|q| q.as_str().to_owned()),
        _ => None,
    }
}

/// A number literal's value (`-1` included).
pub(crate) fn number_value(e: &Expression<'_>) -> Option<f64> {
    match e.get_inner_expression() {
        Expression::NumericLiteral(n) => Some(n.value),
        Expression::UnaryExpression(u)
            if u.operator == oxc_ast::ast::UnaryOperator::UnaryNegation =>
        {
            number_value(&u.argument).map(|n| -n)
        }
        _ => None,
    }
}

/// A literal as the text an environment variable would hold (`3000` → `"3000"`).
pub(crate) fn literal_text(e: &Expression<'_>) -> Option<String> {
    match e.get_inner_expression() {
        Expression::BooleanLiteral(b) => Some(b.value.to_string()),
        other => string_value(other).or_else(|| {
            number_value(other).map(|n| {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{n:.0}")
                } else {
                    n.to_string()
                }
            })
        }),
    }
}

/// The strings of an array literal of string literals (`["a", "b"]`), after resolving a
/// constant; `None` when any element is something else.
pub(crate) fn string_array(file: &File<'_, '_>, e: &Expression<'_>) -> Option<Vec<String>> {
    let Expression::ArrayExpression(array) = file.resolve(e) else {
        return None;
    };
    array
        .elements
        .iter()
        .map(|el| match el {
            ArrayExpressionElement::SpreadElement(_) | ArrayExpressionElement::Elision(_) => None,
            other => other.as_expression().and_then(string_value),
        })
        .collect()
}

/// The first argument of a call as an expression.
pub(crate) fn arg<'e, 'a>(call: &'e CallExpression<'a>, i: usize) -> Option<&'e Expression<'a>> {
    call.arguments.get(i).and_then(Argument::as_expression)
}

/// The `(name, value)` properties of an object literal; spreads and computed keys are
/// reported through `note`.
pub(crate) fn properties<'e, 'a>(
    file: &File<'a, '_>,
    object: &'e ObjectExpression<'a>,
    notes: &mut Vec<Note>,
) -> Vec<(String, &'e Expression<'a>, Span)> {
    let mut out = Vec::new();
    for p in &object.properties {
        match p {
            ObjectPropertyKind::ObjectProperty(prop) => match prop.key.static_name() {
                Some(name) if !prop.computed || prop.key.is_expression() => {
                    out.push((name.into_owned(), &prop.value, prop.span));
                }
                _ => notes.push(file.note(
                    prop.span,
                    "a computed key is not read: its variable is not checked",
                )),
            },
            ObjectPropertyKind::SpreadProperty(spread) => notes.push(file.note(
                spread.span,
                format!(
                    "`...{}` is not read: the variables it adds are not checked",
                    source_text(file, spread.argument.span())
                ),
            )),
        }
    }
    out
}

/// A short piece of the source for messages (at most 40 characters, on one line).
pub(crate) fn source_text(file: &File<'_, '_>, span: Span) -> String {
    let text = file
        .text
        .get(span.start as usize..span.end as usize)
        .unwrap_or_default();
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // A string in the code may be a secret (`.default("sk_live_…")`): never quoted whole.
    let one_line = shorten_strings(&one_line);
    if one_line.chars().count() > 40 {
        format!("{}…", one_line.chars().take(39).collect::<String>())
    } else {
        one_line
    }
}

/// `text` with every quoted string of more than 4 characters cut to its first 4 and `…`.
fn shorten_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if matches!(c, '"' | '\'' | '`') {
            let mut inner = String::new();
            let mut closed = false;
            for d in chars.by_ref() {
                if d == c {
                    closed = true;
                    break;
                }
                inner.push(d);
            }
            if inner.chars().count() > 4 {
                out.extend(inner.chars().take(4));
                out.push('…');
            } else {
                out.push_str(&inner);
            }
            if closed {
                out.push(c);
            }
        }
    }
    out
}

/// When a variable is required, per `NODE_ENV`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ByNodeEnv {
    pub(crate) production: bool,
    pub(crate) development: bool,
    pub(crate) test: bool,
}

impl ByNodeEnv {
    pub(crate) const fn all(required: bool) -> ByNodeEnv {
        ByNodeEnv {
            production: required,
            development: required,
            test: required,
        }
    }

    /// As opskit.toml says it: env-check's production and preview run with `NODE_ENV`
    /// production (Vercel's previews do).
    pub(crate) fn required(self) -> Required {
        if self.production == self.development && self.development == self.test {
            return Required::Always(self.production);
        }
        let mut envs = Vec::new();
        if self.production {
            envs.extend(["production".to_owned(), "preview".to_owned()]);
        }
        if self.development {
            envs.push("development".to_owned());
        }
        if self.test {
            envs.push("test".to_owned());
        }
        Required::In(envs)
    }
}

/// Which `NODE_ENV`s make a test such as `process.env.NODE_ENV === "production"` true.
pub(crate) fn node_env_test(file: &File<'_, '_>, test: &Expression<'_>) -> Option<ByNodeEnv> {
    use oxc_ast::ast::BinaryOperator as B;
    match file.resolve(test) {
        Expression::UnaryExpression(u) if u.operator == oxc_ast::ast::UnaryOperator::LogicalNot => {
            node_env_test(file, &u.argument).map(|t| ByNodeEnv {
                production: !t.production,
                development: !t.development,
                test: !t.test,
            })
        }
        Expression::BinaryExpression(b) => {
            let negated = match b.operator {
                B::StrictEquality | B::Equality => false,
                B::StrictInequality | B::Inequality => true,
                _ => return None,
            };
            let is_node_env =
                |e: &Expression<'_>| process_env_read(e).as_deref() == Some("NODE_ENV");
            let value = if is_node_env(&b.left) {
                string_value(&b.right)?
            } else if is_node_env(&b.right) {
                string_value(&b.left)?
            } else {
                return None;
            };
            let t = ByNodeEnv {
                production: value == "production",
                development: value == "development",
                test: value == "test",
            };
            Some(if negated {
                ByNodeEnv {
                    production: !t.production,
                    development: !t.development,
                    test: !t.test,
                }
            } else {
                t
            })
        }
        _ => None,
    }
}

struct Finder<'f, 'a, 'b> {
    file: &'f File<'a, 'b>,
    out: Vec<CodeSchema>,
}

impl<'a> Visit<'a> for Finder<'_, 'a, '_> {
    fn visit_call_expression(&mut self, call: &CallExpression<'a>) {
        let found = t3::read(self.file, call)
            .or_else(|| envalid::read(self.file, call))
            .or_else(|| zod::read_parse(self.file, call));
        match found {
            Some(mut schema) => {
                // A validator held in a constant and used by several variables is one note.
                let mut seen = std::collections::BTreeSet::new();
                schema
                    .notes
                    .retain(|n| seen.insert((n.line, n.column, n.message.clone())));
                self.out.push(schema);
            }
            None => oxc_ast_visit::walk::walk_call_expression(self, call),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_in_quoted_code_are_never_whole() {
        assert_eq!(
            shorten_strings(r#"z.string().default("sk_live_51HqLyjWDarjtT1zdp7")"#),
            r#"z.string().default("sk_l…")"#
        );
        assert_eq!(shorten_strings("f('ab', `x`)"), "f('ab', `x`)");
    }

    #[test]
    fn positions_are_one_based() {
        let text = "const a = 1;\nconst b = 2;\n";
        let allocator = Allocator::default();
        let parsed = oxc_parser::Parser::new(&allocator, text, SourceType::mjs()).parse();
        let file = File::new("x.mjs", text, &parsed.program);
        assert_eq!(file.position(Span::new(13, 14)), (2, 1));
        assert_eq!(file.position(Span::new(6, 7)), (1, 7));
        assert!(file.constant("b").is_some());
    }
}
