//! The `pgsplit` binary; the command line itself is `pgsplit::cli`.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(pgsplit::cli::run(std::env::args_os()))
}
