//! `dockerfile-lint`: see the library's documentation and `dockerfile-lint --help`.

fn main() -> std::process::ExitCode {
    opskit::cli::main_with::<opskit_dockerfile_lint::Args, _>(
        opskit_dockerfile_lint::run,
        opskit_notify::hook,
    )
}
