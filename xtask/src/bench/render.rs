//! The `render` suite: a report of 100,000 findings in every output format.

use crate::Result;

use super::Case;
use super::Options;
use super::Side;
use super::cargo_build;

/// `render`: a report of 100,000 findings (10 checks, evidence on every tenth) rendered in each
/// format, plus `none`, which builds the report and renders nothing: the baseline that tells
/// the renderer's own cost apart. Peak memory close to the baseline's shows that a renderer
/// streams instead of buffering its output; time linear in the findings shows it is not
/// quadratic. No other tool renders opskit reports, so there are no peers here.
pub(super) fn render_cases(options: &Options) -> Result<Vec<Case>> {
    let exe = cargo_build(
        &options.root,
        &["-p", "opskit", "--example", "render_bench"],
        "examples/render_bench",
    )?;
    let exe = exe.to_string_lossy().into_owned();
    // `none` builds the report and renders nothing: the baseline.
    let formats = std::iter::once("none")
        .chain(opskit::render::Format::ALL.map(opskit::render::Format::as_str));
    Ok(formats
        .map(|f| Case {
            name: format!("{f}, 100k findings"),
            sides: vec![Side {
                tool: "opskit".to_owned(),
                command: vec![
                    exe.clone(),
                    "--format".to_owned(),
                    f.to_owned(),
                    "--findings".to_owned(),
                    "100000".to_owned(),
                ],
            }],
            guard: None,
            floor: None,
        })
        .collect())
}
