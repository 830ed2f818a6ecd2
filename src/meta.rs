//! psql backslash meta-commands: where one begins, ends, and what it does to
//! the statement being collected.
//!
//! psql hands a backslash outside quotes to a second scanner
//! (`psqlscanslash.l`). The command name runs to whitespace or the next
//! backslash. What follows depends on the command:
//! - most commands read arguments up to the end of the line or an unquoted
//!   backslash; `\\` there ends the command and SQL scanning resumes on the
//!   same line, any other backslash starts the next command;
//! - a few (`\copy`, `\!`, `\help`, `\sf`, ...) take the whole rest of the
//!   line, backslashes included, and so does a `\g` or `\o` whose target is a
//!   pipe (`\g |cmd`);
//! - an unknown command is an error, and psql throws away the rest of its line.
//!
//! psql evaluates these at run time; this module only classifies them, which is
//! all the splitter needs: commands that send the query buffer (`\g` and its
//! family) end a statement, `\r` discards it, `\copy ... from stdin` reads data
//! lines, `\q` ends psql's input, `\prompt`, `\password` and `\copy ... from
//! pstdin` may read lines of it, and all others run on the spot without
//! touching the buffer.
//!
//! psql's command table (`exec_command` in `command.c`) compares every name
//! with `strcmp`, except `\copy`'s (`pg_strcasecmp`): `\COPY` is `\copy`, but
//! `\Q` and `\QUIT` are unknown commands. Besides `\copy ... from stdin`, the
//! commands that read lines of psql's input are `\q` (it reads no more) and,
//! when the script is psql's standard input and there is no terminal,
//! `\prompt` (one line, its answer), `\password` (two lines, the password
//! and its confirmation) and `\copy ... from pstdin` (data up to `\.`).

use std::borrow::Cow;

use crate::lexer::Span;

/// A meta-command as it stands in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaCommand {
    /// The whole command: from its backslash through its arguments, including a
    /// closing `\\` when there is one, excluding the line ending.
    pub span: Span,
    /// The name without its backslash (`restrict`, `connect`, `g`, `copy`).
    pub name: Span,
    /// The arguments, trimmed of surrounding whitespace (may be empty).
    pub args: Span,
    /// What the command means for the statement being collected.
    pub effect: Effect,
    /// Where the command's line ends (its `\n`, or the input's end): the
    /// scan reads that far, past what the command keeps.
    pub line_end: usize,
}

/// What a meta-command does to psql's query buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Runs on the spot; the query buffer is left as it is.
    Immediate,
    /// Sends the query buffer to the server (`\g`, `\gx`, `\gset`, ...).
    SendsBuffer,
    /// Empties the query buffer without sending it (`\r`).
    ResetsBuffer,
    /// `\copy ... from stdin`: data lines follow, up to a `\.` line.
    CopyFromStdin,
    /// `\q` or `\quit`: psql sends what the query buffer holds and reads
    /// nothing after this line.
    Quit,
    /// `\prompt [TEXT] NAME`: psql reads the answer from its standard input,
    /// which is the script's next line when the script is psql's standard
    /// input and there is no terminal.
    Prompt,
    /// `\password [USER]`: psql reads the new password and then its
    /// confirmation, from the script's next two lines when the script is
    /// psql's standard input and there is no terminal.
    Password,
    /// `\copy ... from pstdin`: data lines from psql's standard input, up to
    /// a `\.` line; the script's next lines when the script is that input.
    CopyFromPsqlStdin,
    /// A command psql does not know: an error at run time.
    Unknown,
    /// Refused because psql is in restricted mode (after pg_dump's
    /// `\restrict`, only `\unrestrict` runs); like an unknown command it
    /// throws away the rest of its line.
    Restricted,
}

impl Effect {
    /// The lines of psql's standard input the command reads as answers to
    /// its prompts, when there is no terminal.
    pub fn answer_lines(self) -> usize {
        match self {
            Effect::Prompt => 1,
            Effect::Password => 2,
            _ => 0,
        }
    }
}

/// Commands that send the query buffer, as `;` would (`\parse` sends it to
/// be prepared, not run).
const SENDS_BUFFER: &[&[u8]] = &[
    b"parse",
    b"g",
    b"gx",
    b"gset",
    b"gexec",
    b"gdesc",
    b"crosstabview",
    b"watch",
    b"sendpipeline",
];

/// Commands whose argument is the rest of the line, backslashes included.
const WHOLE_LINE: &[&[u8]] = &[
    b"!", b"copy", b"ef", b"ev", b"h", b"help", b"sf", b"sf+", b"sv", b"sv+",
];

/// Commands that accept `|command` as a target and then take the whole line.
const PIPE_TARGET: &[&[u8]] = &[b"g", b"gx", b"o", b"out", b"w", b"write"];

/// Whether psql 18 accepts `name` as written, besides the `\d` family
/// (matched by prefix).
fn is_known_exact(name: &[u8]) -> bool {
    !name.is_empty() && static_tag(name).is_some()
}

/// The tag of a meta-command's statement: a backslash and the name as
/// written (`\restrict`, `\set`, `\` for a lone backslash).
pub fn tag(name: &[u8]) -> Cow<'static, str> {
    match static_tag(name) {
        Some(tag) => Cow::Borrowed(tag),
        None => Cow::Owned(format!("\\{}", String::from_utf8_lossy(name))),
    }
}

/// Every command psql 18 accepts as written (besides the `\d` family,
/// matched by prefix), each name once: [`static_tag`] is made from it.
macro_rules! known_commands {
    ($($name:literal,)*) => {
        /// The tag of every command psql knows as written, and of the lone
        /// backslash, as a static string: one `match`, which the compiler
        /// makes a search by length and bytes, so that a script of a
        /// meta-command per line neither searches a table nor allocates for
        /// each.
        fn static_tag(name: &[u8]) -> Option<&'static str> {
            Some(match std::str::from_utf8(name).ok()? {
                "" => "\\",
                $($name => concat!("\\", $name),)*
                _ => return None,
            })
        }
    };
}

known_commands! {
    "a",
    "bind",
    "bind_named",
    "c",
    "C",
    "cd",
    "close_prepared",
    "conninfo",
    "connect",
    "copy",
    "copyright",
    "crosstabview",
    "e",
    "echo",
    "edit",
    "ef",
    "elif",
    "else",
    "encoding",
    "endif",
    "endpipeline",
    "errverbose",
    "ev",
    "f",
    "flush",
    "flushrequest",
    "g",
    "gdesc",
    "getenv",
    "getresults",
    "gexec",
    "gset",
    "gx",
    "h",
    "help",
    "H",
    "html",
    "i",
    "if",
    "include",
    "include_relative",
    "ir",
    "l",
    "l+",
    "list",
    "list+",
    "lo_export",
    "lo_import",
    "lo_list",
    "lo_unlink",
    "o",
    "out",
    "p",
    "parse",
    "password",
    "print",
    "prompt",
    "pset",
    "q",
    "qecho",
    "quit",
    "r",
    "reset",
    "restrict",
    "s",
    "sendpipeline",
    "set",
    "setenv",
    "sf",
    "sf+",
    "startpipeline",
    "sv",
    "sv+",
    "syncpipeline",
    "t",
    "T",
    "timing",
    "unrestrict",
    "unset",
    "w",
    "warn",
    "watch",
    "write",
    "x",
    "z",
    "z+",
    "!",
    "?",
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\x0b' | b'\x0c')
}

/// Known commands, allowing the option letters psql 18 accepts after many of
/// them (`\lo_list+`, `\zx`, `\dfS+x`); the `\d` family is matched by prefix.
fn is_known(name: &[u8]) -> bool {
    let base_len = name.len()
        - name
            .iter()
            .rev()
            .take_while(|b| matches!(b, b'+' | b'x' | b'S'))
            .count();
    let base = &name[..base_len];
    is_known_exact(name) || (!base.is_empty() && is_known_exact(base)) || name.starts_with(b"d")
}

/// Scans the meta-command whose backslash is at `start`. The command never
/// extends past the end of its line. `restricted` is psql's restricted mode.
pub fn scan(input: &[u8], start: usize, restricted: bool) -> MetaCommand {
    debug_assert_eq!(input[start], b'\\');
    let line_end = memchr::memchr(b'\n', &input[start..]).map_or(input.len(), |i| start + i);
    let name_start = start + 1;
    let name_end = name_start
        + input[name_start..line_end]
            .iter()
            .take_while(|&&b| !is_space(b) && b != b'\\')
            .count();
    let written = &input[name_start..name_end];
    // psql matches every command's name exactly but `\copy`'s, which
    // command.c compares with pg_strcasecmp: `\COPY` is `\copy`.
    let name: &[u8] = if written.eq_ignore_ascii_case(b"copy") {
        b"copy"
    } else {
        written
    };
    let args_start = skip_spaces(input, name_end, line_end);

    let refused = restricted && name != b"unrestrict";
    let takes_pipe = PIPE_TARGET.contains(&name)
        && input.get(args_start) == Some(&b'|')
        && args_start < line_end;
    let known = is_known(name);
    let whole_line = refused || !known || WHOLE_LINE.contains(&name) || takes_pipe;
    let (args_end, end) = if whole_line {
        (line_end, line_end)
    } else {
        normal_args_end(input, args_start, line_end)
    };
    let effect = if !known {
        Effect::Unknown
    } else if refused {
        Effect::Restricted
    } else if SENDS_BUFFER.contains(&name) {
        Effect::SendsBuffer
    } else if name == b"r" || name == b"reset" {
        Effect::ResetsBuffer
    } else if name == b"copy" {
        match copy_source(&input[args_start..line_end]) {
            Some(CopySource::Script) => Effect::CopyFromStdin,
            Some(CopySource::PsqlStdin) => Effect::CopyFromPsqlStdin,
            None => Effect::Immediate,
        }
    } else if name == b"password" {
        Effect::Password
    } else if name == b"q" || name == b"quit" {
        Effect::Quit
    } else if name == b"prompt" && args_end > args_start {
        // Without a variable name psql reports an error and reads nothing.
        Effect::Prompt
    } else {
        Effect::Immediate
    };
    MetaCommand {
        span: start..trim_end(input, start, end),
        name: name_start..name_end,
        args: args_start..trim_end(input, args_start, args_end).max(args_start),
        effect,
        line_end,
    }
}

fn skip_spaces(input: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && is_space(input[i]) {
        i += 1;
    }
    i
}

fn trim_end(input: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && is_space(input[end - 1]) {
        end -= 1;
    }
    end
}

/// Arguments of an ordinary command: quoted or bare words up to the end of the
/// line or an unquoted backslash. Returns (end of arguments, end of command);
/// they differ when a `\\` separator closes the command.
fn normal_args_end(input: &[u8], mut i: usize, line_end: usize) -> (usize, usize) {
    while i < line_end {
        match input[i] {
            b'\\' => {
                if input.get(i + 1) == Some(&b'\\') && i + 1 < line_end {
                    return (i, i + 2);
                }
                return (i, i);
            }
            quote @ (b'\'' | b'"' | b'`') => i = skip_quoted(input, i + 1, line_end, quote),
            _ => i += 1,
        }
    }
    (line_end, line_end)
}

/// Skips a quoted argument; in single quotes a backslash escapes the next byte
/// and `''` is a quote, in the others only the doubled quote is special.
fn skip_quoted(input: &[u8], mut i: usize, line_end: usize, quote: u8) -> usize {
    while i < line_end {
        let byte = input[i];
        if byte == b'\\' && quote == b'\'' {
            i += 2;
        } else if byte == quote {
            if input.get(i + 1) == Some(&quote) && i + 1 < line_end {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    line_end
}

/// Where a `\copy ... from` reads lines of psql's input.
enum CopySource {
    /// `from stdin` (or `from stdout`, which psql reads the same way): the
    /// script.
    Script,
    /// `from pstdin`: psql's own standard input.
    PsqlStdin,
}

/// What a `\copy` reads of psql's input, if anything: a file, a program and
/// `to` (copying out) read none.
fn copy_source(args: &[u8]) -> Option<CopySource> {
    let words: Vec<Vec<u8>> = args
        .split(|b| is_space(*b) || *b == b'(' || *b == b')' || *b == b',')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect();
    words
        .windows(2)
        .find_map(|pair| match (pair[0].as_slice(), pair[1].as_slice()) {
            (b"from", b"stdin" | b"stdout") => Some(CopySource::Script),
            (b"from", b"pstdin") => Some(CopySource::PsqlStdin),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_str(input: &str) -> (String, String, String, Effect) {
        let meta = scan(input.as_bytes(), 0, false);
        (
            input[meta.span.clone()].to_string(),
            input[meta.name.clone()].to_string(),
            input[meta.args.clone()].to_string(),
            meta.effect,
        )
    }

    #[test]
    fn restrict_takes_its_key() {
        let (span, name, args, effect) = scan_str("\\restrict abc123\nSELECT 1;");
        assert_eq!(
            (span.as_str(), name.as_str(), args.as_str()),
            ("\\restrict abc123", "restrict", "abc123")
        );
        assert_eq!(effect, Effect::Immediate);
    }

    #[test]
    fn double_backslash_ends_the_command() {
        let (span, _, args, _) = scan_str("\\set x 1 \\\\ SELECT 2;");
        assert_eq!(span, "\\set x 1 \\\\");
        assert_eq!(args, "x 1");
    }

    #[test]
    fn another_backslash_starts_the_next_command() {
        let (span, _, _, _) = scan_str("\\a\\t");
        assert_eq!(span, "\\a");
    }

    #[test]
    fn quoted_arguments_may_hold_backslashes() {
        let (span, _, _, _) = scan_str("\\echo 'a\\\\b' \"c\\d\" done\n");
        assert_eq!(span, "\\echo 'a\\\\b' \"c\\d\" done");
    }

    #[test]
    fn g_family_sends_the_buffer() {
        assert_eq!(scan_str("\\g").3, Effect::SendsBuffer);
        assert_eq!(scan_str("\\gset prefix_").3, Effect::SendsBuffer);
        assert_eq!(scan_str("\\gx").3, Effect::SendsBuffer);
    }

    #[test]
    fn pipe_target_takes_the_whole_line() {
        let (span, _, _, _) = scan_str("\\g |cat \\\\ x");
        assert_eq!(span, "\\g |cat \\\\ x");
    }

    #[test]
    fn copy_from_stdin_reads_data() {
        assert_eq!(
            scan_str("\\copy t (a) from stdin with csv").3,
            Effect::CopyFromStdin
        );
        assert_eq!(
            scan_str("\\copy t from pstdin").3,
            Effect::CopyFromPsqlStdin
        );
        assert_eq!(scan_str("\\copy t from 'f.csv'").3, Effect::Immediate);
        assert_eq!(scan_str("\\copy t to stdout").3, Effect::Immediate);
    }

    #[test]
    fn option_suffixes_are_known() {
        for name in ["\\lo_list+", "\\zx", "\\l+", "\\sf+", "\\x"] {
            assert_ne!(scan_str(name).3, Effect::Unknown, "{name}");
        }
        assert_eq!(scan_str("\\lo arg").3, Effect::Unknown);
    }

    #[test]
    fn restricted_mode_refuses_all_but_unrestrict() {
        let meta = scan(b"\\g \\\\ SELECT 1;", 0, true);
        assert_eq!(meta.effect, Effect::Restricted);
        assert_eq!(meta.span, 0..15);
        assert_eq!(scan(b"\\unrestrict key", 0, true).effect, Effect::Immediate);
    }

    #[test]
    fn quit_is_matched_in_lower_case_only() {
        assert_eq!(scan_str("\\q").3, Effect::Quit);
        assert_eq!(scan_str("\\quit extra").3, Effect::Quit);
        assert_eq!(scan_str("\\Q").3, Effect::Unknown);
        assert_eq!(scan_str("\\QUIT").3, Effect::Unknown);
        let (span, _, _, effect) = scan_str("\\echo Use \"CREATE EXTENSION x\" \\quit\n");
        assert_eq!(
            (span.as_str(), effect),
            ("\\echo Use \"CREATE EXTENSION x\"", Effect::Immediate)
        );
    }

    #[test]
    fn prompt_reads_a_line_only_with_a_variable_name() {
        assert_eq!(scan_str("\\prompt x").3, Effect::Prompt);
        assert_eq!(scan_str("\\password").3, Effect::Password);
        assert_eq!(scan_str("\\password alice").3, Effect::Password);
        assert_eq!(
            scan_str("\\prompt 'Name? ' x \\\\ SELECT 1;").3,
            Effect::Prompt
        );
        assert_eq!(scan_str("\\prompt").3, Effect::Immediate);
        assert_eq!(scan_str("\\PROMPT x").3, Effect::Unknown);
    }

    #[test]
    fn unknown_commands_swallow_their_line() {
        let (span, _, _, effect) = scan_str("\\. \\\\ SELECT 1;\nx");
        assert_eq!(span, "\\. \\\\ SELECT 1;");
        assert_eq!(effect, Effect::Unknown);
    }

    #[test]
    fn tags_are_the_names_after_a_backslash() {
        for name in [
            "",
            "set",
            "restrict",
            "sf+",
            "!",
            "?",
            "COPY",
            "dt+",
            "lo",
            "caf\u{e9}",
        ] {
            assert_eq!(tag(name.as_bytes()), format!("\\{name}"), "{name}");
        }
        assert!(matches!(tag(b"set"), Cow::Borrowed(_)));
        assert_eq!(tag(b"\xff"), "\\\u{fffd}");
    }
}
