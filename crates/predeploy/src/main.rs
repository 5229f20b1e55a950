//! `predeploy`: see the library's documentation and `predeploy --help`.

fn main() -> std::process::ExitCode {
    opskit_predeploy::edge::main_from(std::env::args_os().collect(), Some(opskit_notify::hook))
}
