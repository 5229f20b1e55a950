//! zod validators, read as the checks they make on an environment variable's text.
//!
//! | zod                                           | opskit.toml                             |
//! |-----------------------------------------------|-----------------------------------------|
//! | `z.string()`, `z.coerce.string()`, `z.coerce.boolean()` | `type = "string"` (any text)   |
//! | `.url()`, `z.url()`                           | `type = "url"`                          |
//! | `.email()`, `z.email()`                       | `type = "email"`                        |
//! | `.min(n)`, `.max(n)`, `.length(n)`, `.nonempty()` on text | `min_length`, `max_length`   |
//! | `.regex(/re/)`, `.startsWith(s)`, `.endsWith(s)`, `.includes(s)` | `pattern`             |
//! | `.trim()`                                     | `trim = true`                           |
//! | `z.enum([...])`, `z.literal("x")`             | `type = "enum"`, `values`               |
//! | `z.coerce.number()`                           | `type = "number"`                       |
//! | `.int()`, `.min(n)`, `.max(n)`, `.gt`, `.gte`, `.lt`, `.lte`, `.positive()`, `.nonnegative()` on numbers | `integer`, `minimum`, `maximum`, `exclusive_minimum`, `exclusive_maximum` |
//! | `.optional()`, `.nullish()`, `.default(v)`    | not required (`default`)                |
//! | `cond ? a : b` on `process.env.NODE_ENV`      | `required = ["production", "preview"]`… |
//! | `.transform(fn)`, `.describe()`, `.brand()`   | nothing (they act after validation)     |
//!
//! Anything else (`.refine(fn)`, `.pipe(…)`, `z.preprocess(fn, …)`, `z.union`, a validator from
//! another module) is a [`Note`]: the variable is declared, the unread part is not checked.

use opskit::env::schema::{Var, VarType};
use oxc_ast::ast::{CallExpression, Expression};
use oxc_span::{GetSpan, Span};

use super::{
    ByNodeEnv, CodeSchema, Declared, File, Library, Note, Side, arg, is_process_env, literal_text,
    node_env_test, number_value, string_array, string_value,
};

/// What one validator asks of a variable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spec {
    pub(crate) var: Var,
    pub(crate) required: ByNodeEnv,
    /// A `z.preprocess` maps an empty (or blank) value to `undefined` first.
    pub(crate) empty_is_unset: bool,
}

impl Spec {
    fn new(kind: VarType) -> Spec {
        Spec {
            var: Var {
                kind,
                ..Var::default()
            },
            required: ByNodeEnv::all(true),
            empty_is_unset: false,
        }
    }

    /// One of these values.
    fn one_of(values: Vec<String>) -> Spec {
        Spec {
            var: Var {
                kind: VarType::Enum,
                values,
                ..Var::default()
            },
            required: ByNodeEnv::all(true),
            empty_is_unset: false,
        }
    }

    /// Declared, nothing about its value read.
    fn unchecked() -> Spec {
        Spec {
            var: Var::default(),
            required: ByNodeEnv::all(false),
            empty_is_unset: false,
        }
    }

    pub(crate) fn finish(self) -> Var {
        Var {
            required: self.required.required(),
            ..self.var
        }
    }
}

enum Step<'e, 'a> {
    Prop(&'e str, Span),
    Call(&'e str, &'e CallExpression<'a>),
}

/// `z.coerce.number().int()` as its root (`z`) and its steps from the root on.
fn flatten<'e, 'a>(mut e: &'e Expression<'a>) -> (&'e Expression<'a>, Vec<Step<'e, 'a>>) {
    let mut steps = Vec::new();
    loop {
        match e.get_inner_expression() {
            Expression::CallExpression(call) => match call.callee.get_inner_expression() {
                Expression::StaticMemberExpression(m) => {
                    steps.push(Step::Call(m.property.name.as_str(), call));
                    e = &m.object;
                }
                _ => break,
            },
            Expression::StaticMemberExpression(m) => {
                steps.push(Step::Prop(m.property.name.as_str(), m.span));
                e = &m.object;
            }
            _ => break,
        }
    }
    steps.reverse();
    (e.get_inner_expression(), steps)
}

fn shown(file: &File<'_, '_>, span: Span) -> String {
    super::source_text(file, span)
}

/// What the validator `e` asks of a variable; what is not read goes to `notes`.
pub(crate) fn spec(
    file: &File<'_, '_>,
    e: &Expression<'_>,
    notes: &mut Vec<Note>,
    depth: u8,
) -> Spec {
    if depth > 16 {
        notes.push(file.note(
            e.span(),
            "the validator nests too deeply to read: not checked",
        ));
        return Spec::unchecked();
    }
    let e = e.get_inner_expression();
    if let Expression::ConditionalExpression(c) = e {
        return conditional(file, c, notes, depth);
    }
    if let Expression::Identifier(id) = e {
        if let Some(value) = file.constant(id.name.as_str()) {
            return spec(file, value, notes, depth + 1);
        }
        notes.push(file.note(
            id.span,
            format!(
                "`{}` is defined in another module: its checks are not read",
                id.name
            ),
        ));
        return Spec::unchecked();
    }
    let (root, steps) = flatten(e);
    let Expression::Identifier(root_id) = root else {
        notes.push(file.note(
            e.span(),
            format!(
                "`{}` is not a validator env-check reads: not checked",
                shown(file, e.span())
            ),
        ));
        return Spec::unchecked();
    };
    let mut rest = &steps[..];
    let mut spec = if let Some(value) = file.constant(root_id.name.as_str()) {
        spec(file, value, notes, depth + 1)
    } else if let Some(s) = constructor(file, &mut rest, notes, depth) {
        s
    } else {
        notes.push(file.note(
            e.span(),
            format!(
                "`{}` is not a validator env-check reads: not checked",
                shown(file, e.span())
            ),
        ));
        return Spec::unchecked();
    };
    for step in rest {
        match step {
            Step::Prop(name, span) => {
                notes.push(file.note(*span, format!("`.{name}` is not read: not checked")));
                return Spec::unchecked();
            }
            Step::Call(name, call) => {
                if !method(file, &mut spec, name, call, notes) {
                    break;
                }
            }
        }
    }
    spec
}

fn conditional(
    file: &File<'_, '_>,
    c: &oxc_ast::ast::ConditionalExpression<'_>,
    notes: &mut Vec<Note>,
    depth: u8,
) -> Spec {
    let yes = spec(file, &c.consequent, notes, depth + 1);
    let no = spec(file, &c.alternate, notes, depth + 1);
    let var = if yes.var == no.var {
        yes.var.clone()
    } else {
        notes.push(file.note(
            c.span,
            "the two branches of the condition check different things: the value is not checked",
        ));
        Var::default()
    };
    let required = if let Some(t) = node_env_test(file, &c.test) {
        ByNodeEnv {
            production: if t.production {
                yes.required.production
            } else {
                no.required.production
            },
            development: if t.development {
                yes.required.development
            } else {
                no.required.development
            },
            test: if t.test {
                yes.required.test
            } else {
                no.required.test
            },
        }
    } else {
        notes.push(file.note(
            c.test.span(),
            "the condition is not on NODE_ENV: required only where both branches require it",
        ));
        ByNodeEnv {
            production: yes.required.production && no.required.production,
            development: yes.required.development && no.required.development,
            test: yes.required.test && no.required.test,
        }
    };
    Spec {
        var,
        required,
        empty_is_unset: yes.empty_is_unset && no.empty_is_unset,
    }
}

/// The validator a chain starts with (`z.string()`, `z.coerce.number()`, `z.enum([...])`),
/// consuming its steps.
fn constructor(
    file: &File<'_, '_>,
    steps: &mut &[Step<'_, '_>],
    notes: &mut Vec<Note>,
    depth: u8,
) -> Option<Spec> {
    let (first, after) = steps.split_first()?;
    let (name, call, used) = match (first, after.first()) {
        (Step::Prop("coerce", _), Some(Step::Call(n, c))) => {
            let s = match *n {
                "number" => Spec::new(VarType::Number),
                // Boolean("false") is true: every text passes.
                "string" | "boolean" => Spec::new(VarType::String),
                other => {
                    notes.push(file.note(
                        c.span,
                        format!("`z.coerce.{other}()` is not read: not checked"),
                    ));
                    Spec::unchecked()
                }
            };
            *steps = &after[1..];
            return Some(s);
        }
        (Step::Prop(p, span), _) => {
            notes.push(file.note(
                *span,
                format!("`z.{p}` validators are not read: not checked"),
            ));
            *steps = &[];
            return Some(Spec::unchecked());
        }
        (Step::Call(n, c), _) => (*n, *c, after),
    };
    *steps = used;
    Some(match name {
        "string" => Spec::new(VarType::String),
        "url" => Spec::new(VarType::Url),
        "email" => Spec::new(VarType::Email),
        "any" | "unknown" => Spec::unchecked(),
        "enum" => arg(call, 0)
            .and_then(|a| string_array(file, a))
            .map_or_else(
                || {
                    notes.push(file.note(
                        call.span,
                        "the values of this `z.enum` are not read: not checked",
                    ));
                    Spec::unchecked()
                },
                Spec::one_of,
            ),
        "literal" => arg(call, 0).and_then(string_value).map_or_else(
            || {
                notes.push(file.note(call.span, "a `z.literal` that is not text never matches an environment variable: not checked"));
                Spec::unchecked()
            },
            |v| Spec::one_of(vec![v]),
        ),
        "optional" | "nullish" => {
            let mut inner =
                arg(call, 0).map_or_else(Spec::unchecked, |a| spec(file, a, notes, depth + 1));
            inner.required = ByNodeEnv::all(false);
            inner
        }
        "number" | "boolean" | "bigint" | "date" => {
            notes.push(file.note(call.span, format!("`z.{name}()` never accepts an environment variable's text (z.coerce.{name}() would): not checked")));
            Spec::unchecked()
        }
        "preprocess" => {
            // The one preprocessing read: an empty (or, before a `.trim()`, blank) value made
            // `undefined`. Anything else the function does is unknown.
            let inner = arg(call, 1).map(|a| spec(file, a, &mut Vec::new(), depth + 1));
            match (arg(call, 0).and_then(|f| blank_to_undefined(file, f)), inner) {
                (Some(blank), Some(mut inner)) if !blank || inner.var.trim => {
                    inner.empty_is_unset = true;
                    if let Some(a) = arg(call, 1) {
                        inner = spec(file, a, notes, depth + 1);
                        inner.empty_is_unset = true;
                    }
                    inner
                }
                _ => {
                    notes.push(file.note(call.span, "`z.preprocess(fn, …)` runs code before validating: the variable is declared, its value is not checked"));
                    Spec::unchecked()
                }
            }
        }
        other => {
            notes.push(file.note(
                call.span,
                format!("`z.{other}(…)` is not read: not checked"),
            ));
            Spec::unchecked()
        }
    })
}

fn set_pattern(
    file: &File<'_, '_>,
    spec: &mut Spec,
    pattern: String,
    span: Span,
    notes: &mut Vec<Note>,
) {
    if spec.var.pattern.is_some() {
        notes.push(file.note(
            span,
            "a second pattern is not read: only the first is checked",
        ));
    } else if regex::Regex::new(&pattern).is_ok() {
        spec.var.pattern = Some(pattern);
    } else {
        notes.push(file.note(
            span,
            "this pattern is not one env-check can run: not checked",
        ));
    }
}

/// Whether a preprocessing function is `(v) => v === "" ? undefined : v` (`Some(false)`) or
/// `(v) => typeof v === "string" && v.trim() === "" ? undefined : v` (`Some(true)`: blank
/// values too), written inline or held in a constant.
fn blank_to_undefined(file: &File<'_, '_>, f: &Expression<'_>) -> Option<bool> {
    use oxc_ast::ast::{ArrowFunctionExpression, BinaryOperator, Statement};
    let Expression::ArrowFunctionExpression(arrow) = file.resolve(f) else {
        return None;
    };
    let arrow: &ArrowFunctionExpression<'_> = arrow;
    let param = match arrow.params.items.first().map(|p| &p.pattern) {
        Some(oxc_ast::ast::BindingPattern::BindingIdentifier(id))
            if arrow.params.items.len() == 1 =>
        {
            id.name.as_str()
        }
        _ => return None,
    };
    let body = match &arrow.body {
        oxc_ast::ast::ArrowFunctionBody::FunctionBody(b) => match b.statements.as_slice() {
            [Statement::ReturnStatement(r)] => r.argument.as_ref()?,
            _ => return None,
        },
        other => other.as_expression()?,
    };
    let Expression::ConditionalExpression(c) = body.get_inner_expression() else {
        return None;
    };
    let is_param = |e: &Expression<'_>| matches!(e.get_inner_expression(), Expression::Identifier(id) if id.name == param);
    let undefined = matches!(c.consequent.get_inner_expression(), Expression::Identifier(id) if id.name == "undefined");
    if !undefined || !is_param(&c.alternate) {
        return None;
    }
    let empty_test = |e: &Expression<'_>, trimmed: bool| {
        let Expression::BinaryExpression(b) = e.get_inner_expression() else {
            return false;
        };
        let subject = |e: &Expression<'_>| {
            if trimmed {
                matches!(e.get_inner_expression(), Expression::CallExpression(call)
                    if call.arguments.is_empty()
                        && matches!(call.callee.get_inner_expression(), Expression::StaticMemberExpression(m)
                            if m.property.name == "trim" && is_param(&m.object)))
            } else {
                is_param(e)
            }
        };
        matches!(b.operator, BinaryOperator::StrictEquality)
            && ((subject(&b.left) && string_value(&b.right).as_deref() == Some(""))
                || (subject(&b.right) && string_value(&b.left).as_deref() == Some("")))
    };
    match c.test.get_inner_expression() {
        t if empty_test(t, false) => Some(false),
        Expression::LogicalExpression(l)
            if l.operator == oxc_ast::ast::LogicalOperator::And && empty_test(&l.right, true) =>
        {
            Some(true)
        }
        _ => None,
    }
}

/// Applies one method of the chain; `false` stops reading the chain.
#[expect(
    clippy::too_many_lines,
    reason = "one arm per zod method: the table of what is read stays in one place"
)]
fn method(
    file: &File<'_, '_>,
    spec: &mut Spec,
    name: &str,
    call: &CallExpression<'_>,
    notes: &mut Vec<Note>,
) -> bool {
    let number = spec.var.kind == VarType::Number;
    let n = || arg(call, 0).and_then(number_value);
    let count = || {
        n().filter(|v| *v >= 0.0 && v.fract() == 0.0).map(|v| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a whole, non-negative length"
            )]
            let c = v as usize;
            c
        })
    };
    let unread = |notes: &mut Vec<Note>| {
        notes.push(file.note(
            call.span,
            format!("`.{name}(…)` with this argument is not read: not checked"),
        ));
    };
    match name {
        "optional" | "nullish" => spec.required = ByNodeEnv::all(false),
        "nullable" | "transform" | "describe" | "brand" | "readonly" | "meta" | "finite"
        | "safe" => {}
        "default" | "prefault" => {
            spec.required = ByNodeEnv::all(false);
            spec.var.default = arg(call, 0).and_then(literal_text);
        }
        "catch" => {
            *spec = Spec::unchecked();
        }
        "min" | "gte" if number => match n() {
            Some(v) => spec.var.minimum = Some(v),
            None => unread(notes),
        },
        "max" | "lte" if number => match n() {
            Some(v) => spec.var.maximum = Some(v),
            None => unread(notes),
        },
        "gt" if number => match n() {
            Some(v) => spec.var.exclusive_minimum = Some(v),
            None => unread(notes),
        },
        "lt" if number => match n() {
            Some(v) => spec.var.exclusive_maximum = Some(v),
            None => unread(notes),
        },
        "positive" if number => spec.var.exclusive_minimum = Some(0.0),
        "nonnegative" if number => spec.var.minimum = Some(0.0),
        "negative" if number => spec.var.exclusive_maximum = Some(0.0),
        "nonpositive" if number => spec.var.maximum = Some(0.0),
        "int" if number => spec.var.integer = true,
        "min" => match count() {
            Some(c) => spec.var.min_length = Some(c),
            None => unread(notes),
        },
        "max" => match count() {
            Some(c) => spec.var.max_length = Some(c),
            None => unread(notes),
        },
        "length" => match count() {
            Some(c) => {
                spec.var.min_length = Some(c);
                spec.var.max_length = Some(c);
            }
            None => unread(notes),
        },
        "nonempty" => spec.var.min_length = Some(spec.var.min_length.unwrap_or(0).max(1)),
        "url" if spec.var.kind == VarType::String => spec.var.kind = VarType::Url,
        "email" if spec.var.kind == VarType::String => spec.var.kind = VarType::Email,
        "trim" => spec.var.trim = true,
        "regex" => match arg(call, 0).map(Expression::get_inner_expression) {
            Some(Expression::RegExpLiteral(re)) if re.regex.flags.is_empty() => {
                set_pattern(
                    file,
                    spec,
                    js_pattern(re.regex.pattern.text.as_str()),
                    call.span,
                    notes,
                );
            }
            _ => unread(notes),
        },
        "startsWith" | "endsWith" | "includes" => match arg(call, 0).and_then(string_value) {
            Some(s) => {
                let s = regex::escape(&s);
                let any = r"[\s\S]*";
                let pattern = match name {
                    "startsWith" => format!("{s}{any}"),
                    "endsWith" => format!("{any}{s}"),
                    _ => format!("{any}{s}{any}"),
                };
                set_pattern(file, spec, pattern, call.span, notes);
            }
            None => unread(notes),
        },
        "refine" | "superRefine" | "check" => notes.push(file.note(
            call.span,
            format!("`.{name}(fn)` runs code: its condition is not checked"),
        )),
        "pipe" => {
            notes.push(file.note(
                call.span,
                "`.pipe(…)` validates the transformed value: what follows is not checked",
            ));
            return false;
        }
        "or" | "and" => {
            // A union with an optional schema may also accept no value: stay on the safe side.
            notes.push(file.note(
                call.span,
                format!("`.{name}(…)` is not read: the value is not checked"),
            ));
            *spec = Spec::unchecked();
            return false;
        }
        other => {
            notes.push(file.note(call.span, format!("`.{other}(…)` is not read: not checked")));
        }
    }
    true
}

/// A JavaScript regex (unanchored, as `RegExp.test` matches) as a whole-value pattern.
fn js_pattern(source: &str) -> String {
    let anchored_start = source.starts_with('^');
    let anchored_end = source.ends_with('$') && !source.ends_with("\\$");
    let inner = &source[usize::from(anchored_start)..source.len() - usize::from(anchored_end)];
    let any = r"[\s\S]*";
    format!(
        "{}(?:{inner}){}",
        if anchored_start { "" } else { any },
        if anchored_end { "" } else { any }
    )
}

/// The variables of a zod object schema (`z.object({...})`, possibly `.extend`ed, `.merge`d,
/// `.partial()`, held in a constant), each with its validator read.
pub(crate) fn object_vars(
    file: &File<'_, '_>,
    e: &Expression<'_>,
    side: Side,
    notes: &mut Vec<Note>,
    depth: u8,
) -> Vec<Declared> {
    if depth > 8 {
        notes.push(file.note(e.span(), "the schema nests too deeply to read"));
        return Vec::new();
    }
    let e = e.get_inner_expression();
    if let Expression::Identifier(id) = e {
        if let Some(value) = file.constant(id.name.as_str()) {
            return object_vars(file, value, side, notes, depth + 1);
        }
        notes.push(file.note(
            id.span,
            format!(
                "the schema `{}` is defined in another module: its variables are not read",
                id.name
            ),
        ));
        return Vec::new();
    }
    if let Expression::ObjectExpression(o) = e {
        return declare(file, o, side, notes);
    }
    let (root, steps) = flatten(e);
    let mut vars: Vec<Declared> = Vec::new();
    let mut started = false;
    if let Expression::Identifier(id) = root
        && file.constant(id.name.as_str()).is_some()
    {
        vars = object_vars(file, root, side, notes, depth + 1);
        started = true;
    }
    let add = |vars: &mut Vec<Declared>, more: Vec<Declared>| {
        for d in more {
            vars.retain(|v| v.name != d.name);
            vars.push(d);
        }
    };
    for step in &steps {
        let Step::Call(name, call) = step else {
            continue;
        };
        match *name {
            "object" | "strictObject" | "looseObject" | "extend" | "safeExtend" => {
                started = true;
                match arg(call, 0).map(|a| file.resolve(a)) {
                    Some(Expression::ObjectExpression(o)) => {
                        let more = declare(file, o, side, notes);
                        add(&mut vars, more);
                    }
                    _ => notes.push(file.note(
                        call.span,
                        format!("the fields of `.{name}(…)` are not read"),
                    )),
                }
            }
            "merge" => {
                if let Some(other) = arg(call, 0) {
                    let more = object_vars(file, other, side, notes, depth + 1);
                    add(&mut vars, more);
                }
            }
            "partial" => {
                for d in &mut vars {
                    d.var.required = opskit::env::schema::Required::Always(false);
                }
            }
            "strict" | "passthrough" | "strip" | "readonly" | "describe" => {}
            "transform" | "refine" | "superRefine" | "check" => notes.push(file.note(
                call.span,
                format!("`.{name}(fn)` on the whole schema runs code: what it checks is not read"),
            )),
            other => notes.push(file.note(
                call.span,
                format!("`.{other}(…)` on the schema is not read"),
            )),
        }
    }
    if !started {
        notes.push(file.note(
            e.span(),
            "this is not a z.object env-check reads: its variables are not read",
        ));
    }
    vars
}

/// The variables of an object literal of validators (`{ X: z.string(), ...Other.shape }`).
pub(crate) fn declare(
    file: &File<'_, '_>,
    object: &oxc_ast::ast::ObjectExpression<'_>,
    side: Side,
    notes: &mut Vec<Note>,
) -> Vec<Declared> {
    let mut out: Vec<Declared> = Vec::new();
    for p in &object.properties {
        let more = match p {
            oxc_ast::ast::ObjectPropertyKind::SpreadProperty(spread) => {
                // `...Schema.shape` or `...fields`: the fields of another schema of this file.
                let inner = spread.argument.get_inner_expression();
                let target = match inner {
                    Expression::StaticMemberExpression(m) if m.property.name == "shape" => {
                        &m.object
                    }
                    other => other,
                };
                match file.resolve(target) {
                    Expression::ObjectExpression(o) => declare(file, o, side, notes),
                    other => object_vars(file, other, side, notes, 1),
                }
            }
            oxc_ast::ast::ObjectPropertyKind::ObjectProperty(prop) => {
                if let Some(name) = prop.key.static_name() {
                    let s = spec(file, &prop.value, notes, 0);
                    let empty_is_unset = s.empty_is_unset;
                    vec![Declared {
                        name: name.into_owned(),
                        var: s.finish(),
                        side,
                        line: file.position(prop.span).0,
                        empty_is_unset,
                    }]
                } else {
                    notes.push(file.note(
                        prop.span,
                        "a computed key is not read: its variable is not checked",
                    ));
                    Vec::new()
                }
            }
        };
        for d in more {
            out.retain(|v| v.name != d.name);
            out.push(d);
        }
    }
    out
}

/// `schema.parse(process.env)` (or `safeParse`, `parseAsync`, `safeParseAsync`).
pub(crate) fn read_parse(file: &File<'_, '_>, call: &CallExpression<'_>) -> Option<CodeSchema> {
    let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression() else {
        return None;
    };
    if !matches!(
        m.property.name.as_str(),
        "parse" | "safeParse" | "parseAsync" | "safeParseAsync"
    ) {
        return None;
    }
    let input = arg(call, 0)?.get_inner_expression();
    let mut notes = Vec::new();
    let accept_empty = if is_process_env(input) {
        true
    } else if let Expression::CallExpression(wrapper) = input
        && wrapper
            .arguments
            .iter()
            .filter_map(|a| a.as_expression())
            .any(is_process_env)
    {
        notes.push(file.note(
            wrapper.span,
            format!(
                "`{}` is read as process.env itself, with empty values taken as not set",
                super::source_text(file, wrapper.span)
            ),
        ));
        false
    } else {
        return None;
    };
    let mut vars = object_vars(file, &m.object, Side::Server, &mut notes, 0);
    for d in &mut vars {
        d.var.accept_empty = accept_empty && !d.empty_is_unset;
    }
    Some(CodeSchema {
        library: Library::Zod,
        path: file.path.to_owned(),
        line: file.position(call.span).0,
        vars,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_patterns_match_as_regexp_test_does() {
        let whole = |p: &str, v: &str| {
            regex::Regex::new(&format!("^(?:{})$", js_pattern(p)))
                .unwrap()
                .is_match(v)
        };
        assert!(whole("^sk_[a-z]+$", "sk_live"));
        assert!(!whole("^sk_[a-z]+$", "xsk_live"));
        assert!(whole("sk_", "my sk_ key"));
        assert!(whole("^pk", "pk-anything"));
    }
}
