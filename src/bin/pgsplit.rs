//! The `pgsplit` binary; the command line itself is `pgsplit::cli`.

fn main() -> std::process::ExitCode {
    // A file truncated under its map is reported, not a silent SIGBUS.
    pgsplit::changed::report_changed_files();
    // Ctrl-C removes the file being written, not only its final name.
    pgsplit::files::remove_temporary_on_interrupt();
    std::process::ExitCode::from(pgsplit::cli::run(std::env::args_os()))
}
