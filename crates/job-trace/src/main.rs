//! `job-trace`: see the library's documentation and `job-trace --help`.

fn main() -> std::process::ExitCode {
    opskit::cli::main_with::<opskit_job_trace::Args, _>(opskit_job_trace::run, opskit_notify::hook)
}
