//! envalid's `cleanEnv(process.env, { X: str(), PORT: port({ default: 3000 }) })`.
//!
//! | envalid   | opskit.toml | envalid accepts                                           |
//! |-----------|-------------|-----------------------------------------------------------|
//! | `str()`   | `string`    | any text, `""` included                                   |
//! | `bool()`  | `enum`      | `true t yes on 1 false f no off 0`, exactly               |
//! | `num()`   | `number`    | what `parseFloat` reads a number from (see below)         |
//! | `port()`  | `port`      | 1-65535 written plainly (`080` is refused)                |
//! | `url()`   | `url`       | what `new URL()` parses                                   |
//! | `host()`  | `host`      | a domain name or an IP address                            |
//! | `email()` | `email`     | `a@b.c`                                                   |
//! | `json()`  | `json`      | what `JSON.parse` reads                                   |
//!
//! Options: `default` (not required), `devDefault` (required where `NODE_ENV` is production or
//! unset, as envalid does), `testDefault` (not required in test), `choices` (for `str`),
//! `desc`. `requiredWhen` and custom validators are notes. env-check is stricter than envalid
//! in two places, on purpose: `num()` takes `12abc` as 12 (parseFloat reads a prefix), and
//! `url()` takes `localhost:5432` (a URL whose scheme is `localhost`); env-check reports both.

use opskit::env::schema::{Var, VarType};
use oxc_ast::ast::{CallExpression, Expression};

use super::{
    ByNodeEnv, CodeSchema, Declared, File, Library, Side, arg, is_process_env, literal_text,
    properties, string_array, string_value,
};

const BOOLS: [&str; 10] = [
    "true", "t", "yes", "on", "1", "false", "f", "no", "off", "0",
];

/// A `cleanEnv(env, specs)` call.
pub(crate) fn read(file: &File<'_, '_>, call: &CallExpression<'_>) -> Option<CodeSchema> {
    let name = match call.callee.get_inner_expression() {
        Expression::Identifier(id) => id.name.as_str(),
        Expression::StaticMemberExpression(m) => m.property.name.as_str(),
        _ => return None,
    };
    if name != "cleanEnv" {
        return None;
    }
    let mut notes = Vec::new();
    if !arg(call, 0).is_some_and(|a| is_process_env(a.get_inner_expression())) {
        notes.push(file.note(
            call.span,
            "the environment given to cleanEnv is not process.env itself: it is read as process.env",
        ));
    }
    let Some(Expression::ObjectExpression(specs)) = arg(call, 1).map(|a| file.resolve(a)) else {
        notes.push(file.note(
            call.span,
            "the specs of this cleanEnv are not an object env-check reads",
        ));
        return Some(CodeSchema {
            library: Library::Envalid,
            path: file.path.to_owned(),
            line: file.position(call.span).0,
            vars: Vec::new(),
            notes,
        });
    };
    let mut vars = Vec::new();
    for (key, value, span) in properties(file, specs, &mut notes) {
        let var = validator(file, value, &key, &mut notes);
        vars.push(Declared {
            name: key,
            var,
            side: Side::Server,
            line: file.position(span).0,
            empty_is_unset: false,
        });
    }
    Some(CodeSchema {
        library: Library::Envalid,
        path: file.path.to_owned(),
        line: file.position(call.span).0,
        vars,
        notes,
    })
}

fn validator(
    file: &File<'_, '_>,
    e: &Expression<'_>,
    key: &str,
    notes: &mut Vec<super::Note>,
) -> Var {
    let Expression::CallExpression(call) = file.resolve(e) else {
        notes.push(file.note(
            e_span(e),
            format!("the validator of {key} is not read: not checked"),
        ));
        return unchecked();
    };
    let name = match call.callee.get_inner_expression() {
        Expression::Identifier(id) => id.name.as_str(),
        Expression::StaticMemberExpression(m) => m.property.name.as_str(),
        _ => "",
    };
    let mut var = Var {
        accept_empty: true,
        ..Var::default()
    };
    match name {
        "str" => var.kind = VarType::String,
        "bool" => {
            var.kind = VarType::Enum;
            var.values = BOOLS.iter().map(|s| (*s).to_owned()).collect();
        }
        "num" => {
            // parseFloat("") is NaN: an empty value is refused.
            var.kind = VarType::Number;
            var.min_length = Some(1);
        }
        "port" => var.kind = VarType::Port,
        "url" => var.kind = VarType::Url,
        "host" => var.kind = VarType::Host,
        "email" => var.kind = VarType::Email,
        "json" => var.kind = VarType::Json,
        other => {
            notes.push(file.note(
                call.span,
                format!("`{other}()` is not one of envalid's validators: {key} is not checked"),
            ));
            return unchecked();
        }
    }
    let mut required = ByNodeEnv::all(true);
    if let Some(Expression::ObjectExpression(options)) = arg(call, 0).map(|a| file.resolve(a)) {
        for (option, value, span) in properties(file, options, notes) {
            match option.as_str() {
                "default" => {
                    required = ByNodeEnv::all(false);
                    var.default = literal_text(value);
                }
                "devDefault" => {
                    required.development = false;
                    required.test = false;
                }
                "testDefault" => required.test = false,
                "choices" => match string_array(file, value) {
                    Some(values) if name == "str" => {
                        var.kind = VarType::Enum;
                        var.values = values;
                    }
                    _ => notes.push(file.note(
                        span,
                        format!("the choices of {key} are not read: not checked"),
                    )),
                },
                "desc" => var.description = string_value(value),
                "requiredWhen" => notes.push(file.note(
                    span,
                    format!("`requiredWhen` runs code: when {key} is required is not read"),
                )),
                _ => {}
            }
        }
    }
    var.required = required.required();
    var
}

fn e_span(e: &Expression<'_>) -> oxc_span::Span {
    oxc_span::GetSpan::span(e)
}

fn unchecked() -> Var {
    Var {
        accept_empty: true,
        ..Var::default()
    }
}
