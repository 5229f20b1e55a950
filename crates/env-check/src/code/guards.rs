//! Where a client component's code runs only on the server: the branch of a
//! `typeof window === "undefined"` test (in an `if`, a `?:` or a `&&`/`||`), the rest of a
//! block after `if (typeof window !== "undefined") return;`, and functions marked
//! `"use server"` (server actions).

use std::ops::Range;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    BinaryOperator, ConditionalExpression, Expression, FunctionBody, IfStatement,
    LogicalExpression, LogicalOperator, Statement, UnaryOperator,
};
use oxc_ast_visit::Visit;
use oxc_span::{GetSpan, SourceType};

use super::File;

/// `Some(true)` when the test is true only on the server (`typeof window === "undefined"`),
/// `Some(false)` when it is true only in the browser, `None` when it is not such a test.
fn window_test(file: &File<'_, '_>, e: &Expression<'_>) -> Option<bool> {
    match file.resolve(e) {
        Expression::UnaryExpression(u) if u.operator == UnaryOperator::LogicalNot => {
            window_test(file, &u.argument).map(|t| !t)
        }
        Expression::BinaryExpression(b) => {
            let equal = match b.operator {
                BinaryOperator::StrictEquality | BinaryOperator::Equality => true,
                BinaryOperator::StrictInequality | BinaryOperator::Inequality => false,
                _ => return None,
            };
            let is_typeof_window = |e: &Expression<'_>| {
                matches!(e.get_inner_expression(), Expression::UnaryExpression(u)
                    if u.operator == UnaryOperator::Typeof
                        && matches!(u.argument.get_inner_expression(), Expression::Identifier(id) if id.name == "window" || id.name == "document"))
            };
            let is_undefined =
                |e: &Expression<'_>| super::string_value(e).as_deref() == Some("undefined");
            let matched = (is_typeof_window(&b.left) && is_undefined(&b.right))
                || (is_typeof_window(&b.right) && is_undefined(&b.left));
            matched.then_some(equal)
        }
        _ => None,
    }
}

fn exits(s: &Statement<'_>) -> bool {
    match s {
        Statement::ReturnStatement(_) | Statement::ThrowStatement(_) => true,
        Statement::BlockStatement(b) => b.body.last().is_some_and(exits),
        _ => false,
    }
}

struct Guards<'f, 'a, 'b> {
    file: &'f File<'a, 'b>,
    spans: Vec<Range<usize>>,
}

impl Guards<'_, '_, '_> {
    fn add(&mut self, span: oxc_span::Span) {
        self.spans.push(span.start as usize..span.end as usize);
    }
}

impl<'a> Visit<'a> for Guards<'_, 'a, '_> {
    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        match window_test(self.file, &it.test) {
            Some(true) => self.add(it.consequent.span()),
            Some(false) => {
                if let Some(alt) = &it.alternate {
                    self.add(alt.span());
                }
            }
            None => {}
        }
        oxc_ast_visit::walk::walk_if_statement(self, it);
    }

    fn visit_statements(&mut self, it: &oxc_allocator::Vec<'a, Statement<'a>>) {
        for (i, s) in it.iter().enumerate() {
            if let Statement::IfStatement(guard) = s
                && guard.alternate.is_none()
                && window_test(self.file, &guard.test) == Some(false)
                && exits(&guard.consequent)
                && let (Some(first), Some(last)) = (it.get(i + 1), it.last())
            {
                self.spans
                    .push(first.span().start as usize..last.span().end as usize);
            }
        }
        oxc_ast_visit::walk::walk_statements(self, it);
    }

    fn visit_conditional_expression(&mut self, it: &ConditionalExpression<'a>) {
        match window_test(self.file, &it.test) {
            Some(true) => self.add(it.consequent.span()),
            Some(false) => self.add(it.alternate.span()),
            None => {}
        }
        oxc_ast_visit::walk::walk_conditional_expression(self, it);
    }

    fn visit_logical_expression(&mut self, it: &LogicalExpression<'a>) {
        let t = window_test(self.file, &it.left);
        match (it.operator, t) {
            (LogicalOperator::And, Some(true)) | (LogicalOperator::Or, Some(false)) => {
                self.add(it.right.span());
            }
            _ => {}
        }
        oxc_ast_visit::walk::walk_logical_expression(self, it);
    }

    fn visit_function_body(&mut self, it: &FunctionBody<'a>) {
        if it.directives.iter().any(|d| d.directive == "use server") {
            self.add(it.span);
        }
        oxc_ast_visit::walk::walk_function_body(self, it);
    }
}

/// The byte ranges of `text` that run only on the server; empty when the file does not parse.
pub fn server_only_spans(path: &str, text: &str) -> Vec<Range<usize>> {
    analyze(path, text, true).server_only
}

/// What the reads of a file need to know besides their text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Byte ranges of comments (a `process.env.X` there is not a read).
    pub comments: Vec<Range<usize>>,
    /// Byte ranges that run only on the server (asked for client components).
    pub server_only: Vec<Range<usize>>,
}

/// Parses a file once for its comments and, when `client`, its server-only ranges; empty when
/// the file does not parse.
pub fn analyze(path: &str, text: &str, client: bool) -> Analysis {
    let source_type = SourceType::from_path(path).unwrap_or_else(|_| SourceType::tsx());
    let allocator = Allocator::default();
    let parsed = oxc_parser::Parser::new(&allocator, text, source_type).parse();
    if parsed.panicked {
        return Analysis::default();
    }
    let comments = parsed
        .program
        .comments
        .iter()
        .map(|c| c.span.start as usize..c.span.end as usize)
        .collect();
    let mut server_only = Vec::new();
    if client {
        let file = File::new(path, text, &parsed.program);
        let mut guards = Guards {
            file: &file,
            spans: Vec::new(),
        };
        guards.visit_program(&parsed.program);
        server_only = guards.spans;
    }
    Analysis {
        comments,
        server_only,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guarded(text: &str, needle: &str) -> bool {
        let at = text.find(needle).unwrap();
        server_only_spans("page.tsx", text)
            .iter()
            .any(|r| r.contains(&at))
    }

    #[test]
    fn typeof_window_guards() {
        let text = r#""use client";
const a = typeof window === "undefined" ? process.env.SERVER_A : null;
if (typeof window === "undefined") { use(process.env.SERVER_B); }
if (typeof window !== "undefined") { browser(); } else { use(process.env.SERVER_C); }
const d = typeof window === "undefined" && process.env.SERVER_D;
function f() {
  if (typeof window !== "undefined") return;
  use(process.env.SERVER_E);
}
async function act() { "use server"; use(process.env.SERVER_F); }
const g = process.env.CLIENT_G;
const h = typeof window !== "undefined" ? process.env.CLIENT_H : null;
"#;
        for s in [
            "SERVER_A", "SERVER_B", "SERVER_C", "SERVER_D", "SERVER_E", "SERVER_F",
        ] {
            assert!(guarded(text, s), "{s}");
        }
        for c in ["CLIENT_G", "CLIENT_H"] {
            assert!(!guarded(text, c), "{c}");
        }
    }
}
