//! `queue-depth`: see the library's documentation and `queue-depth --help`.

fn main() -> std::process::ExitCode {
    opskit::cli::main::<opskit_queue_depth::Args, _>(opskit_queue_depth::run)
}
