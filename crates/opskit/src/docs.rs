//! Generated sections of the Markdown docs: the rule tables of the linters live between
//! `<!-- rules:start -->` and `<!-- rules:end -->`, are written by `cargo xtask codegen` from
//! each registry, and are checked by a test and by CI (`cargo xtask codegen --check`).

/// `doc` with the text between the rules markers replaced by `content`; `None` if the markers
/// are missing.
///
/// ```
/// let doc = "# Rules\n<!-- rules:start -->\nold\n<!-- rules:end -->\n";
/// let new = opskit::docs::splice(doc, "| a |\n").unwrap();
/// assert_eq!(new, "# Rules\n<!-- rules:start -->\n| a |\n<!-- rules:end -->\n");
/// ```
pub fn splice(doc: &str, content: &str) -> Option<String> {
    splice_named(doc, "rules", content)
}

/// [`splice`] between `<!-- NAME:start -->` and `<!-- NAME:end -->`, for a page with several
/// generated sections.
pub fn splice_named(doc: &str, name: &str, content: &str) -> Option<String> {
    let start = format!("<!-- {name}:start -->\n");
    let end = format!("<!-- {name}:end -->");
    let from = doc.find(&start)? + start.len();
    let to = doc[from..].find(&end)? + from;
    Some(format!("{}{content}{}", &doc[..from], &doc[to..]))
}
