//! `health-probe`: see the library's documentation and `health-probe --help`.

fn main() -> std::process::ExitCode {
    opskit::cli::main_with::<opskit_health_probe::Args, _>(
        opskit_health_probe::run,
        opskit_notify::hook,
    )
}
