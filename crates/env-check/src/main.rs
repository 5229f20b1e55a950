//! `env-check`: see the library's documentation and `env-check --help`.

fn main() -> std::process::ExitCode {
    opskit::cli::main_with::<opskit_env_check::Args, _>(opskit_env_check::run, opskit_notify::hook)
}
