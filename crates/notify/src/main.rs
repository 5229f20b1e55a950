//! `notify`: see the library's documentation and `notify --help`.

fn main() -> std::process::ExitCode {
    opskit::cli::main::<opskit_notify::Args, _>(opskit_notify::run)
}
