//! Hostile .env files: what a pull request could plant to take down a CI runner.

/// 29 KB: `L1` holds `L0` a thousand times, then 2,000 keys copy `L1`. dotenv-expand builds
/// about 2 GB from it; env-check must refuse it within its budgets.
fn expansion_bomb() -> String {
    use std::fmt::Write as _;
    let mut text = format!("L0={}\nL1={}\n", "x".repeat(100), "${L0}".repeat(1000));
    for i in 0..2000 {
        let _ = writeln!(text, "K{i}=${{L1}}");
    }
    text
}

#[test]
fn an_expansion_bomb_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), expansion_bomb()).unwrap();
    let run = testkit::cli(env!("CARGO_BIN_EXE_env-check"))
        .dir(dir.path())
        .args(["parse", ".env", "--expand", "-f", "json"])
        .run();
    assert_eq!(run.code, 3, "{}", run.text());
    assert!(
        run.stderr.contains("would exceed") && run.stderr.contains("expansion bomb"),
        "{}",
        run.text()
    );
}
