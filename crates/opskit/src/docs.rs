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
    const START: &str = "<!-- rules:start -->\n";
    const END: &str = "<!-- rules:end -->";
    let from = doc.find(START)? + START.len();
    let to = doc[from..].find(END)? + from;
    Some(format!("{}{content}{}", &doc[..from], &doc[to..]))
}
