//! `${VAR}` expansion with the rules of npm `dotenv-expand` 13 (what Next.js applies to its
//! .env files through `@next/env`), reproduced quirk for quirk so that a value checked here is
//! the value the app sees.
//!
//! Nothing is ever executed: `$(command)` is text (dotenvx runs it; dotenv-expand and opskit
//! do not).
//!
//! The rules, in the order dotenv-expand applies them:
//! - keys are expanded in the order the file first sets them (a later duplicate replaces the
//!   value, not the position), integer-like keys first, as a JavaScript object iterates;
//! - a key already set to a non-empty, different value in the process environment keeps that
//!   value unexpanded;
//! - otherwise the first `${EXPR}` (no braces inside) or `$NAME` not preceded by a backslash is
//!   replaced, and the search starts again from the beginning, until none is left;
//! - `EXPR` is `KEY`, `KEY:-default`, `KEY-default` (both: the default when KEY is empty or
//!   unset), `KEY:+alt` or `KEY+alt` (both: alt when KEY is non-empty, else empty); KEY is
//!   looked up in the process environment, then in the keys expanded so far;
//! - a value that expansion already produced is not substituted again (dotenv-expand's guard
//!   against self-reference): the default is used instead;
//! - finally every `\$` becomes `$`.
//!
//! Faithful oddities kept on purpose (the parity test pins them): the replacement goes to the
//! first occurrence of the matched text, even an escaped one; JavaScript replacement patterns
//! (`$$`, `$&`, `` $` ``, `$'`) in a substituted value are interpreted; and an expression
//! without an operator is split on the text `null` (JavaScript's `split(null)`), so
//! `${nullable}` reads the variable `""` with the default `able`.
//!
//! ```
//! use opskit::env::expand::expand;
//! let parsed = vec![
//!     ("HOST".to_owned(), "db.internal".to_owned()),
//!     ("URL".to_owned(), "postgres://${HOST}:${PORT:-5432}/app".to_owned()),
//!     ("PRICE".to_owned(), "\\$5".to_owned()),
//! ];
//! let out = expand(&parsed, &|_| None)?;
//! assert_eq!(out[1].1, "postgres://db.internal:5432/app");
//! assert_eq!(out[2].1, "$5");
//! # Ok::<(), opskit::env::expand::BudgetError>(())
//! ```
//!
//! ## Budgets
//!
//! dotenv-expand has no limits, so a 29 KB file (`L1=${L0}${L0}…`, then 2,000 keys `=${L1}`)
//! makes it, and any tool that follows it blindly, build gigabytes. Here one file's expansion
//! is bounded three ways, each a [`BudgetError`] naming the key where it ran out: a value at
//! most [`MAX_VALUE`] bytes, all values together at most [`MAX_TOTAL`] plus four times the
//! file's own, and the work (the bytes of every intermediate value built) at most
//! [`MAX_WORK`]. Real files are far below all three.

use std::collections::{HashMap, HashSet};

/// Expansion of one value stops after this many substitutions. dotenv-expand has no limit: a
/// substituted value holding `$&` (which JavaScript's replace turns back into the reference)
/// makes it loop until Node runs out of memory; opskit returns what it has at that point.
const MAX_STEPS: usize = 10_000;
/// The longest expanded value, in bytes.
pub const MAX_VALUE: usize = 64 << 10;
/// The most bytes all expanded values of one file may hold together, beyond four times the
/// file's own values (so the budget grows with the input, and a large honest file is never
/// refused).
pub const MAX_TOTAL: usize = 1 << 20;
/// The most bytes of intermediate values one file's expansion may build.
pub const MAX_WORK: usize = 16 << 20;

/// An expansion that ran past one of its budgets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "expanding `{key}` would exceed {what} ({limit} bytes); a value built from other values this large is an expansion bomb, not configuration"
)]
pub struct BudgetError {
    /// The key being expanded.
    pub key: String,
    /// Which budget: `the length of one value`, `the total of all values`, `the work allowed`.
    pub what: &'static str,
    /// The budget, in bytes.
    pub limit: usize,
}

/// Expands `parsed` (key, value pairs in file order, duplicates allowed) against the process
/// environment; returns one pair per key, in the order dotenv-expand visits them, or the
/// budget it ran out of.
pub fn expand(
    parsed: &[(String, String)],
    process: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<(String, String)>, BudgetError> {
    // A JavaScript object: first position, last value.
    let mut order: Vec<String> = Vec::new();
    let mut last: HashMap<&str, &str> = HashMap::new();
    for (k, v) in parsed {
        if last.insert(k, v).is_none() {
            order.push(k.clone());
        }
    }
    let (mut ints, strings): (Vec<String>, Vec<String>) =
        order.into_iter().partition(|k| array_index(k).is_some());
    ints.sort_by_key(|k| array_index(k));
    let mut running: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    let mut total = 0usize;
    let mut work = 0usize;
    let given: usize = parsed.iter().map(|(_, v)| v.len()).sum();
    let total_limit = MAX_TOTAL.saturating_add(given.saturating_mul(4));
    for key in ints.into_iter().chain(strings) {
        let value = last.get(key.as_str()).copied().unwrap_or_default();
        let from_process = process(&key).filter(|p| !p.is_empty() && p != value);
        let expanded = match from_process {
            Some(p) => p,
            None => {
                expand_value(value, process, &running, &mut work).map_err(|(what, limit)| {
                    BudgetError {
                        key: key.clone(),
                        what,
                        limit,
                    }
                })?
            }
        };
        let resolved = expanded.replace("\\$", "$");
        total += resolved.len();
        if total > total_limit {
            return Err(BudgetError {
                key,
                what: "the total of all values",
                limit: total_limit,
            });
        }
        running.insert(key.clone(), resolved.clone());
        out.push((key, resolved));
    }
    Ok(out)
}

fn hash(value: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// A canonical array index (`0`, `17`; not `017`), which JavaScript objects iterate first.
fn array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n != u32::MAX && n.to_string() == key).then_some(n)
}

/// The first unescaped `${...}` or `$NAME` in `s`: (start, end, expression).
fn next_reference(s: &str) -> Option<(usize, usize, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(off) = s[i..].find('$') {
        let at = i + off;
        i = at + 1;
        if at > 0 && b[at - 1] == b'\\' {
            continue;
        }
        if b.get(at + 1) == Some(&b'{') {
            let inner = at + 2;
            if let Some(len) = s[inner..].find(['{', '}'])
                && len > 0
                && b[inner + len] == b'}'
            {
                return Some((at, inner + len + 1, &s[inner..inner + len]));
            }
        }
        if b.get(at + 1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            let mut end = at + 2;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
            return Some((at, end, &s[at + 1..end]));
        }
    }
    None
}

/// The operator of an expression: the earliest position where `:+`, `+`, `:-` or `-` (tried
/// in that order) matches.
fn operator(expr: &str) -> Option<&'static str> {
    let b = expr.as_bytes();
    (0..b.len()).find_map(|i| match (b[i], b.get(i + 1)) {
        (b':', Some(b'+')) => Some(":+"),
        (b'+', _) => Some("+"),
        (b':', Some(b'-')) => Some(":-"),
        (b'-', _) => Some("-"),
        _ => None,
    })
}

/// JavaScript's `s.replace(pattern, replacement)` with a string pattern: the first occurrence,
/// with `$$`, `$&`, `` $` `` and `$'` in the replacement interpreted; `None` as soon as the
/// result would pass `cap` bytes (those patterns multiply a value in one step).
fn js_replace_first(s: &str, pattern: &str, replacement: &str, cap: usize) -> Option<String> {
    let Some(at) = s.find(pattern) else {
        return Some(s.to_owned());
    };
    let (before, after) = (&s[..at], &s[at + pattern.len()..]);
    let mut out = String::with_capacity(s.len() + replacement.len());
    out.push_str(before);
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() > cap {
            return None;
        }
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('$') => out.push('$'),
            Some('&') => out.push_str(pattern),
            Some('`') => out.push_str(before),
            Some('\'') => out.push_str(after),
            _ => {
                out.push('$');
                continue;
            }
        }
        chars.next();
    }
    out.push_str(after);
    (out.len() <= cap).then_some(out)
}

fn expand_value(
    value: &str,
    process: &dyn Fn(&str) -> Option<String>,
    running: &HashMap<String, String>,
    work: &mut usize,
) -> Result<String, (&'static str, usize)> {
    let lookup = |key: &str| process(key).or_else(|| running.get(key).cloned());
    let mut result = value.to_owned();
    // The values expansion has produced so far, by hash: holding them whole would make the
    // memory of a long expansion the sum of all its steps.
    let mut seen: HashSet<u64> = HashSet::new();
    for _ in 0..MAX_STEPS {
        let Some((start, end, expr)) = next_reference(&result) else {
            break;
        };
        seen.insert(hash(&result));
        let template = result[start..end].to_owned();
        let (key, rest, op) = match operator(expr) {
            Some(op) => {
                let (k, r) = expr.split_once(op).unwrap_or((expr, ""));
                (k.to_owned(), r.to_owned(), Some(op))
            }
            // JavaScript's `split(null)` splits on the text "null".
            None => match expr.split_once("null") {
                Some((k, r)) => (
                    k.to_owned(),
                    r.split("null").collect::<Vec<_>>().join("null"),
                    None,
                ),
                None => (expr.to_owned(), String::new(), None),
            },
        };
        let current = lookup(&key).filter(|v| !v.is_empty());
        let replacement = match op {
            Some(":+" | "+") => {
                if current.is_some() {
                    rest
                } else {
                    String::new()
                }
            }
            _ => match current {
                Some(v) if !seen.contains(&hash(&v)) => v,
                _ => rest,
            },
        };
        // No value past its budget is ever built: the replacement stops at the cap.
        result = js_replace_first(&result, &template, &replacement, MAX_VALUE)
            .ok_or(("the length of one value", MAX_VALUE))?;
        *work += result.len();
        if *work > MAX_WORK {
            return Err(("the work allowed", MAX_WORK));
        }
        if running.get(&key) == Some(&result) {
            break;
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pairs: &[(&str, &str)], env: &[(&str, &str)]) -> Vec<(String, String)> {
        let parsed: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        expand(&parsed, &|k| env.get(k).cloned()).unwrap()
    }

    fn get(out: &[(String, String)], key: &str) -> String {
        out.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap()
    }

    #[test]
    fn defaults_alternates_and_order() {
        let out = run(
            &[
                ("A", "1"),
                (
                    "B",
                    "${A}-$A-${MISSING:-d}-${MISSING-e}-${A:+alt}-${MISSING+x}",
                ),
                ("C", "${D}"),
                ("D", "later"),
            ],
            &[],
        );
        assert_eq!(get(&out, "B"), "1-1-d-e-alt-");
        assert_eq!(get(&out, "C"), "", "D is expanded after C");
    }

    #[test]
    fn process_environment_wins_and_is_not_expanded() {
        let out = run(&[("A", "file"), ("B", "$A")], &[("A", "proc$X")]);
        assert_eq!(get(&out, "A"), "proc$X");
        assert_eq!(get(&out, "B"), "proc$X");
    }

    #[test]
    fn escapes_and_command_substitution_stay_text() {
        let out = run(&[("A", "\\$HOME"), ("B", "$(rm -rf /)"), ("C", "${}")], &[]);
        assert_eq!(get(&out, "A"), "$HOME");
        assert_eq!(get(&out, "B"), "$(rm -rf /)");
        assert_eq!(get(&out, "C"), "${}");
    }

    #[test]
    fn javascript_quirks() {
        // `$b` is a reference (to nothing) even after another `$`.
        let out = run(
            &[("P", "a$$b"), ("Q", "[$P]"), ("N", "${nullable}")],
            &[("able", "x")],
        );
        assert_eq!(get(&out, "P"), "a$");
        assert_eq!(get(&out, "Q"), "[a$]");
        assert_eq!(get(&out, "N"), "able");
        let out = run(&[("P", "x"), ("Q", "$P")], &[("P", "1$$2")]);
        assert_eq!(get(&out, "Q"), "1$2", "`$$` in a substituted value is `$`");
        let out = run(&[("2", "two"), ("B", "b"), ("1", "one")], &[]);
        let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["1", "2", "B"]);
    }

    #[test]
    fn a_runaway_expansion_stops() {
        // dotenv-expand never returns from these.
        let parsed = vec![("Q".to_owned(), "$P".to_owned())];
        let e = expand(&parsed, &|k| (k == "P").then(|| "$&$&".to_owned())).unwrap_err();
        assert_eq!(e.key, "Q", "{e}");
        let out = run(&[("P", "$&"), ("Q", "$P")], &[]);
        assert_eq!(get(&out, "Q"), "$P");
    }

    #[test]
    fn an_expansion_bomb_is_refused_within_its_budget() {
        // L1 holds L0 a thousand times, then 2,000 keys copy L1: dotenv-expand builds 2 GB.
        let mut parsed = vec![("L0".to_owned(), "x".repeat(50))];
        parsed.push(("L1".to_owned(), "${L0}".repeat(1000)));
        for i in 0..2000 {
            parsed.push((format!("K{i}"), "${L1}".to_owned()));
        }
        let e = expand(&parsed, &|_| None).unwrap_err();
        assert!(
            matches!(e.what, "the total of all values" | "the work allowed"),
            "{e}"
        );
        // Doubling: each key twice the one before.
        let mut parsed = vec![("D0".to_owned(), "ab".to_owned())];
        for i in 1..40 {
            parsed.push((format!("D{i}"), format!("${{D{}}}${{D{}}}", i - 1, i - 1)));
        }
        let e = expand(&parsed, &|_| None).unwrap_err();
        assert_eq!(e.what, "the length of one value");
    }

    #[test]
    fn self_reference_ends() {
        let out = run(&[("A", "$A"), ("B", "x${B}y")], &[]);
        assert_eq!(get(&out, "A"), "");
        assert_eq!(get(&out, "B"), "xy");
        let out = run(&[("A", "$B")], &[("B", "$A")]);
        assert_eq!(get(&out, "A"), "");
    }
}
