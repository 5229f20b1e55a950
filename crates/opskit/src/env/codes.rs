//! The registry of the environment codes: what the schema check (ENV100-ENV109) and the drift
//! between the schema, the code and the .env examples (ENV201-ENV209) report. Each code is
//! written here once, with its title, severity, explanation and fix; `env-check --explain`,
//! the tables of docs/env-check.md (`cargo xtask codegen`) and the test that every emitted
//! `ENVnnn` is registered all read this table. (The lint rules ENV001-ENV012 have their own
//! registry, one file per rule, in env-check.)

use crate::report::Severity;

pub use crate::codes::Code;

/// Every environment code, in order.
pub const CODES: &[Code] = &[
    ENV100, ENV101, ENV102, ENV103, ENV104, ENV105, ENV106, ENV201, ENV202, ENV203, ENV204, ENV205,
    ENV206, ENV207, ENV208, ENV209,
];

/// The environment codes for `--explain`, `--list-rules` and SARIF.
pub const REGISTRY: crate::codes::Registry = crate::codes::Registry {
    page: "env-check",
    codes: CODES,
};

/// ENV100: values not checked.
pub const ENV100: Code = Code {
    code: "ENV100",
    title: "values not checked",
    severity: Severity::Note,
    explanation: "predeploy found no source holding any of a service's values (a developer machine, a CI job without the deployment's secrets), so only the drift was checked.",
    fix: "Pass the platform's export with `--env-vars SERVICE=FILE` (`vercel env pull FILE`, `railway variables --json > FILE`), or `--require-env` to make absent values errors.",
};

/// ENV101: required variable not set.
pub const ENV101: Code = Code {
    code: "ENV101",
    title: "required variable not set",
    severity: Severity::Error,
    explanation: "The schema requires the variable in this environment and no source sets it (an empty value counts as not set unless the schema has `accept_empty`). The message names the service and every source read.",
    fix: "Set it on the platform (Vercel, Railway) or in the environment's .env file.",
};

/// ENV102: a secret that reaches the browser.
pub const ENV102: Code = Code {
    code: "ENV102",
    title: "a secret that reaches the browser",
    severity: Severity::Error,
    explanation: "A variable with a browser-public prefix (NEXT_PUBLIC_, VITE_, EXPO_PUBLIC_, REACT_APP_, NUXT_PUBLIC_, PUBLIC_, GATSBY_, VUE_APP_) whose value matches a secret-scan provider rule or whose name ends in secret, token, password or key, in any source, declared or not (keys made public, such as Supabase anon or Stripe publishable, excepted); or a schema variable marked secret that has such a prefix or is also marked public. The framework inlines it into every visitor's bundle.",
    fix: "Rename it without the prefix, read it on the server, and rotate it. A key made to be public: `public = true` in its schema.",
};

/// ENV103: wrong type.
pub const ENV103: Code = Code {
    code: "ENV103",
    title: "wrong type",
    severity: Severity::Error,
    explanation: "The value is not what the schema's type accepts (int, number and its bounds, port, bool, url and its schemes, postgres-url, redis-url, email, host, enum, json, duration, pattern, a key's encoding).",
    fix: "Correct the value where the finding says it came from.",
};

/// ENV104: wrong length.
pub const ENV104: Code = Code {
    code: "ENV104",
    title: "wrong length",
    severity: Severity::Error,
    explanation: "Fewer than min_length or more than max_length characters (counted as JavaScript counts), or a key that does not decode to the schema's `bytes`.",
    fix: "`env-check generate NAME` makes a value of the right length.",
};

/// ENV105: weak secret.
pub const ENV105: Code = Code {
    code: "ENV105",
    title: "weak secret",
    severity: Severity::Error,
    explanation: "A placeholder word, a repeated or sequential pattern, too few distinct characters, or low entropy: `ENCRYPTION_KEY=aaaa…` fails however long.",
    fix: "`env-check generate NAME` makes a strong one.",
};

/// ENV106: deprecated name.
pub const ENV106: Code = Code {
    code: "ENV106",
    title: "deprecated name",
    severity: Severity::Warning,
    explanation: "The value is set under a name the schema lists in deprecated_names (t3-env's `process.env.NEW ?? process.env.OLD` makes OLD one).",
    fix: "Rename it.",
};

/// ENV201: undeclared variable.
pub const ENV201: Code = Code {
    code: "ENV201",
    title: "undeclared variable",
    severity: Severity::Warning,
    explanation: "The code reads it, the schema does not declare it, so a deploy without it is not caught (variables the platform sets, such as VERCEL_*, RAILWAY_* and PORT, excepted).",
    fix: "Declare it (type, required), or list it in undeclared_ok when the platform sets it.",
};

/// ENV202: unused variable.
pub const ENV202: Code = Code {
    code: "ENV202",
    title: "unused variable",
    severity: Severity::Note,
    explanation: "Declared in the schema, and no code of the service reads it (platforms and frameworks read some variables themselves).",
    fix: "Remove it from the schema if it is left over.",
};

/// ENV203: example variable not in the schema.
pub const ENV203: Code = Code {
    code: "ENV203",
    title: "example variable not in the schema",
    severity: Severity::Warning,
    explanation: "A .env example lists a variable that no service's schema declares and no code of the service reads.",
    fix: "Declare it, or remove it from the example.",
};

/// ENV204: required variable missing from the example.
pub const ENV204: Code = Code {
    code: "ENV204",
    title: "required variable missing from the example",
    severity: Severity::Warning,
    explanation: "The schema requires it, and none of the service's .env examples lists it, so a new setup does not know about it.",
    fix: "Add `NAME=` to the example.",
};

/// ENV205: a client component reads a server variable.
pub const ENV205: Code = Code {
    code: "ENV205",
    title: "a client component reads a server variable",
    severity: Severity::Error,
    explanation: "A client component (\"use client\") reads a variable that is not NEXT_PUBLIC_: undefined in the browser, and a secret must never be moved there. Reads in a `typeof window === \"undefined\"` branch and in \"use server\" functions, and files that import server-only, route handlers and app/api, are server code.",
    fix: "Read it in a server component or a route handler, or rename it NEXT_PUBLIC_ if it may be public.",
};

/// ENV206: read, and in no example.
pub const ENV206: Code = Code {
    code: "ENV206",
    title: "read, and in no example",
    severity: Severity::Warning,
    explanation: "The code of a package that declares no schema reads it, and none of the package's .env examples (.env.example, .env.sample, .env.template, .env*.example) lists it.",
    fix: "Add `NAME=` to the example so a new setup knows it.",
};

/// ENV207: example variable no code reads.
pub const ENV207: Code = Code {
    code: "ENV207",
    title: "example variable no code reads",
    severity: Severity::Note,
    explanation: "A .env example lists it, and no code of its packages reads it and no schema declares it (frameworks and tools such as next-auth, Prisma and Sentry read some themselves).",
    fix: "Remove it if it is left over.",
};

/// ENV208: schema in code not fully read.
pub const ENV208: Code = Code {
    code: "ENV208",
    title: "schema in code not fully read",
    severity: Severity::Note,
    explanation: "A part of the env schema in code that env-check does not read statically (a validator from another module, .refine(fn), z.preprocess(fn) other than empty-to-undefined, .pipe, a union): the variable is declared, that part is not checked.",
    fix: "Declare the check in opskit.toml (`env-check schema --from-code` prints a start).",
};

/// ENV209: required, and the example leaves it empty.
pub const ENV209: Code = Code {
    code: "ENV209",
    title: "required, and the example leaves it empty",
    severity: Severity::Note,
    explanation: "The schema read from the app's code requires it, and the .env example leaves it empty: a setup copied from the example fails the app's own validation.",
    fix: "Document how to get a value, or `env-check generate NAME`.",
};

/// The registered code, if `code` is one (any case).
pub fn find(code: &str) -> Option<&'static Code> {
    REGISTRY.find(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_complete() {
        let codes: Vec<&str> = CODES.iter().map(|c| c.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert_eq!(codes.len(), 16);
        for c in CODES {
            assert!(
                !c.title.is_empty() && !c.explanation.is_empty() && !c.fix.is_empty(),
                "{c:?}"
            );
        }
        assert_eq!(find("env101").map(|c| c.code), Some("ENV101"));
        assert!(find("ENV999").is_none());
    }
}
