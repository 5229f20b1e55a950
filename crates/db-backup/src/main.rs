//! `db-backup`: see the library's documentation and `db-backup --help`.

fn main() -> std::process::ExitCode {
    opskit::cli::main_with::<opskit_db_backup::Args, _>(opskit_db_backup::run, opskit_notify::hook)
}
