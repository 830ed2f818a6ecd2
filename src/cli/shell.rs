//! `pgsplit completions SHELL` and `pgsplit man`: both made from the
//! parser's own definition, so they always offer the commands and flags
//! there are.

use std::io::{self, BufWriter, Write};

use clap::ValueEnum;

use super::SUCCESS;

pub const COMPLETION_EXAMPLES: &str = "Examples:\n  pgsplit completions bash > ~/.local/share/bash-completion/completions/pgsplit\n  pgsplit completions zsh > \"${fpath[1]}/_pgsplit\"\n  pgsplit completions fish > ~/.config/fish/completions/pgsplit.fish\n  pgsplit completions powershell >> $PROFILE";

#[derive(clap::Args)]
pub struct CompletionArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells `completions` writes for (clap_complete's, less elvish).
#[derive(Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> io::Result<u8> {
    use clap_complete::Shell as S;
    let shell = match shell {
        Shell::Bash => S::Bash,
        Shell::Zsh => S::Zsh,
        Shell::Fish => S::Fish,
        Shell::Powershell => S::PowerShell,
    };
    // Made in memory first: clap_complete panics when its writer fails (a
    // closed pipe), where written here it is an ordinary error.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut super::command(), "pgsplit", &mut script);
    let mut out = io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(SUCCESS)
}

/// The manual page, pgsplit(1), made from the parser's definition too, then
/// the pages pgsplit-split(1), pgsplit-check(1)... it refers to, with each
/// subcommand's options, one after another in one roff text.
pub fn man() -> io::Result<u8> {
    let mut command = super::command();
    command.build();
    let source = format!("pgsplit {}", env!("CARGO_PKG_VERSION"));
    let mut out = BufWriter::new(io::stdout().lock());
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command
        .get_subcommands()
        .filter(|sub| sub.get_name() != "help")
    {
        clap_mangen::Man::new(sub.clone())
            .source(&source)
            .render(&mut out)?;
    }
    out.flush()?;
    Ok(SUCCESS)
}
