//! The `pgsplit` binary; the command line itself is `pgsplit::cli`.

fn main() -> std::process::ExitCode {
    // A file truncated under its map is reported, not a silent SIGBUS.
    pgsplit::changed::report_changed_files();
    std::process::ExitCode::from(pgsplit::cli::run(std::env::args_os()))
}
