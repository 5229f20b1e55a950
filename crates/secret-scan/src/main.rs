//! `secret-scan`: see the library's documentation and `secret-scan --help`.

fn main() -> std::process::ExitCode {
    opskit::cli::main_with::<opskit_secret_scan::Args, _>(
        opskit_secret_scan::run,
        opskit_notify::hook,
    )
}
