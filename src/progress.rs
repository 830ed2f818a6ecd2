//! A progress bar for long runs, on a terminal only.
//!
//! Commands report how many input bytes they have dealt with; the bar shows
//! on standard error when it is a terminal and the input is large enough to
//! take a while, and never otherwise, so pipes, files and tests see nothing.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs smaller than this finish before a bar would help.
const WORTH_A_BAR: u64 = 64 << 20;

/// A bar over `total` bytes, or nothing.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new(total: usize, what: &'static str) -> Self {
        let total = total as u64;
        if total < WORTH_A_BAR || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(what);
        Progress(Some(bar))
    }

    /// `done` bytes of the input are dealt with.
    pub fn set(&self, done: usize) {
        if let Some(bar) = &self.0 {
            bar.set_position(done as u64);
        }
    }
}

impl Progress {
    /// Runs `write` with the bar hidden, for output to the same terminal.
    pub fn suspend<T>(&self, write: impl FnOnce() -> T) -> T {
        match &self.0 {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
