//! t3-env's `createEnv`: `server`, `client` and `shared` validators (zod, read by [`super::zod`]),
//! the variables `runtimeEnv` (or `experimental__runtimeEnv`) takes them from, and the options
//! that change what a value means (`emptyStringAsUndefined`). The side of each variable is kept
//! (server, client, shared); whether a client variable may hold what it holds is judged by
//! [`crate::public`], not taken from its side.

use std::collections::HashMap;

use oxc_ast::ast::{CallExpression, Expression};

use super::{CodeSchema, File, Library, Side, arg, process_env_read, properties, zod};

/// `process.env.X`, or `process.env.X ?? process.env.OLD || …`: the variable read and the
/// ones it falls back on.
fn fallbacks(e: &Expression<'_>) -> Option<(String, Vec<String>)> {
    if let Some(read) = process_env_read(e) {
        return Some((read, Vec::new()));
    }
    let Expression::LogicalExpression(l) = e.get_inner_expression() else {
        return None;
    };
    if l.operator == oxc_ast::ast::LogicalOperator::And {
        return None;
    }
    let (first, mut old) = fallbacks(&l.left)?;
    let (next, more) = fallbacks(&l.right)?;
    old.push(next);
    old.extend(more);
    Some((first, old))
}

/// A `createEnv({...})` call.
pub(crate) fn read(file: &File<'_, '_>, call: &CallExpression<'_>) -> Option<CodeSchema> {
    let name = match call.callee.get_inner_expression() {
        Expression::Identifier(id) => id.name.as_str(),
        Expression::StaticMemberExpression(m) => m.property.name.as_str(),
        _ => return None,
    };
    if name != "createEnv" {
        return None;
    }
    let Expression::ObjectExpression(options) = file.resolve(arg(call, 0)?) else {
        return None;
    };
    let mut notes = Vec::new();
    let mut sections = Vec::new();
    let mut runtime: HashMap<String, (String, Vec<String>)> = HashMap::new();
    let mut empty_is_unset = false;
    let mut ignored = Vec::new();
    for (key, value, span) in properties(file, options, &mut ignored) {
        match key.as_str() {
            "server" => sections.push((Side::Server, value)),
            "client" => sections.push((Side::Client, value)),
            "shared" => sections.push((Side::Shared, value)),
            "runtimeEnv" | "runtimeEnvStrict" | "experimental__runtimeEnv" => {
                if let Expression::ObjectExpression(o) = file.resolve(value) {
                    for (k, v, s) in properties(file, o, &mut notes) {
                        match fallbacks(v) {
                            Some(reads) => {
                                runtime.insert(k, reads);
                            }
                            None => notes.push(file.note(
                                s,
                                format!("the runtime value of {k} is not a plain process.env read: its source is not known"),
                            )),
                        }
                    }
                }
            }
            "emptyStringAsUndefined" => {
                empty_is_unset = matches!(value.get_inner_expression(), Expression::BooleanLiteral(b) if b.value);
            }
            "extends" => notes.push(file.note(
                span,
                "the presets in `extends` are not read: their variables are not checked",
            )),
            _ => {}
        }
    }
    let mut vars = Vec::new();
    for (side, section) in sections {
        let mut declared = match file.resolve(section) {
            Expression::ObjectExpression(o) => zod::declare(file, o, side, &mut notes),
            other => zod::object_vars(file, other, side, &mut notes, 0),
        };
        for d in &mut declared {
            d.var.accept_empty = !empty_is_unset && !d.empty_is_unset;
            // The variable the value is read from (runtimeEnv: { KEY: process.env.OTHER }),
            // and the old names it falls back on (`process.env.NEW ?? process.env.OLD`).
            if let Some((read, old)) = runtime.get(&d.name) {
                if *read != d.name {
                    d.var.description = Some(format!("validated as {}", d.name));
                    d.name.clone_from(read);
                }
                d.var.deprecated_names.clone_from(old);
            }
        }
        vars.extend(declared);
    }
    Some(CodeSchema {
        library: Library::T3,
        path: file.path.to_owned(),
        line: file.position(call.span).0,
        vars,
        notes,
    })
}
