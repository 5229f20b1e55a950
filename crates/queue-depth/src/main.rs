//! `queue-depth`: see the library's documentation and `queue-depth --help`.

fn main() -> std::process::ExitCode {
    opskit::cli::main_with::<opskit_queue_depth::Args, _>(
        opskit_queue_depth::run,
        opskit_notify::hook,
    )
}
