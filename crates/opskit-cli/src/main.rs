//! `opskit`: every opskit tool in one binary; see the library's documentation and
//! `opskit --help`.

fn main() -> std::process::ExitCode {
    opskit_cli::main_from(std::env::args_os().collect())
}
