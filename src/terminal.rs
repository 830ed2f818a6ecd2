//! Text from a dump shown on a terminal.
//!
//! Names and text in a dump can hold control characters: an escape sequence
//! in a quoted name can move the cursor, rewrite what is on the screen or
//! retitle the window when it reaches a terminal. As `ls` and git do,
//! pgsplit shows them escaped when the output is a terminal: `\x1b` for C0
//! controls and DEL, `\u009b` for C1 controls (U+0080 to U+009F); a newline
//! and a tab stay. Output to a pipe or a file is left byte for byte as it
//! is, since it is data for another program.

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `byte` is a C0 control (but a newline or a tab) or DEL.
fn is_c0(byte: u8) -> bool {
    (byte < 0x20 && byte != b'\n' && byte != b'\t') || byte == 0x7f
}

/// The UTF-8 lead byte of U+0080 to U+00BF; a C1 control follows it as a
/// continuation byte of 0x80 to 0x9F.
const C1_LEAD: u8 = 0xc2;

fn is_c1(continuation: u8) -> bool {
    (0x80..=0x9f).contains(&continuation)
}

/// `text` with its control characters escaped when `terminal` is true.
pub fn shown(text: &[u8], terminal: bool) -> Cow<'_, [u8]> {
    let needs = terminal
        && text.iter().enumerate().any(|(i, &b)| {
            is_c0(b) || (b == C1_LEAD && text.get(i + 1).is_some_and(|&c| is_c1(c)))
        });
    if !needs {
        return Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut bytes = text.iter().copied().peekable();
    while let Some(byte) = bytes.next() {
        if is_c0(byte) {
            out.extend_from_slice(format!("\\x{byte:02x}").as_bytes());
        } else if byte == C1_LEAD && bytes.peek().is_some_and(|&c| is_c1(c)) {
            let code = bytes.next().unwrap_or_default();
            out.extend_from_slice(format!("\\u{:04x}", u32::from(code)).as_bytes());
        } else {
            out.push(byte);
        }
    }
    Cow::Owned(out)
}

/// [`shown`] for text.
pub fn shown_str(text: &str, terminal: bool) -> Cow<'_, str> {
    match shown(text.as_bytes(), terminal) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        // Only ASCII escapes replace whole characters: still UTF-8.
        Cow::Owned(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
    }
}

/// A writer that escapes control characters on their way to a terminal.
pub struct Shown<W: Write> {
    inner: W,
    terminal: bool,
    /// A C1 lead byte that ended the last write: its character may go on.
    pending_lead: bool,
}

impl<W: Write> Shown<W> {
    pub fn new(inner: W, terminal: bool) -> Self {
        Shown {
            inner,
            terminal,
            pending_lead: false,
        }
    }

    /// Writes pgsplit's own escape sequences (its colours) as they are:
    /// only text from the input is escaped.
    pub fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        if std::mem::take(&mut self.pending_lead) {
            self.inner.write_all(&shown(&[C1_LEAD], self.terminal))?;
        }
        self.inner.write_all(bytes)
    }
}

impl<W: Write> Write for Shown<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.terminal {
            return self.inner.write(buf);
        }
        let mut text = Vec::with_capacity(buf.len() + 1);
        if std::mem::take(&mut self.pending_lead) {
            text.push(C1_LEAD);
        }
        text.extend_from_slice(buf);
        if text.last() == Some(&C1_LEAD) {
            text.pop();
            self.pending_lead = true;
        }
        self.inner.write_all(&shown(&text, true))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.pending_lead) {
            self.inner.write_all(&[C1_LEAD])?;
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_on_a_terminal_only() {
        let text = "a\u{1b}[2Jb\u{9b}31mc\rd\u{7f}\n\té".as_bytes();
        assert_eq!(
            String::from_utf8_lossy(&shown(text, true)),
            "a\\x1b[2Jb\\u009b31mc\\x0dd\\x7f\n\té"
        );
        assert_eq!(shown(text, false), text);
    }

    #[test]
    fn a_writer_escapes_a_c1_control_cut_between_two_writes() {
        let mut out = Shown::new(Vec::new(), true);
        let text = "x\u{9b}y\u{e9}".as_bytes();
        for byte in text {
            out.write_all(std::slice::from_ref(byte)).unwrap();
        }
        out.flush().unwrap();
        assert_eq!(String::from_utf8(out.inner).unwrap(), "x\\u009by\u{e9}");
    }
}
