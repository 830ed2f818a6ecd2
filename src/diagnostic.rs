//! What pgsplit reports about an input: a [`Diagnostic`] is a severity, a
//! byte offset, a message for people and a [`Code`] for tools.
//!
//! The code is the stable part: `check --format json` prints it, Python's
//! `Diagnostic.code` carries it, and tools filter on it, while the message
//! may be reworded. Each code has one meaning, whichever part of pgsplit
//! finds it (the splitter, `check`'s lint, the migration plan), and the
//! codes of the migration plan's refusals (`meta-command`,
//! `non-transactional`, ...) are the same words for the same facts.
//!
//! A new finding is a new variant here, with its code and summary; the
//! compiler then points at every table that must name it.

use std::borrow::Cow;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A finding about the input, anchored at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    /// Where the problem starts (for unterminated constructs: where they open).
    pub offset: usize,
    /// Static where it can be: a script can hold millions of findings of one
    /// kind (a line of a lone `\` repeated), and each would allocate.
    pub message: Cow<'static, str>,
}

impl Diagnostic {
    pub fn new(
        severity: Severity,
        code: Code,
        offset: usize,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            offset,
            message: message.into(),
        }
    }
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal,)*) => {
        /// What a finding is about, as a stable kebab-case code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Code {
            /// Every code, in the order of this table.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// Where the code is in [`Code::ALL`]: an index for a table of
            /// counts per code.
            pub fn index(self) -> usize {
                self as usize
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// One line on what the code means, for documentation and for
            /// tools that list rules.
            pub fn summary(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!($($doc),*).trim_ascii(),)*
                }
            }
        }
    };
}

codes! {
    /// A quoted string that is never closed.
    UnterminatedString = "unterminated-string",
    /// A quoted identifier that is never closed.
    UnterminatedQuotedIdentifier = "unterminated-quoted-identifier",
    /// A dollar-quoted string that is never closed.
    UnterminatedDollarQuote = "unterminated-dollar-quote",
    /// A block comment that is never closed.
    UnterminatedBlockComment = "unterminated-block-comment",
    /// A quote opened on a COPY command's line that psql would continue after the data.
    QuoteOnCopyLine = "quote-on-copy-line",
    /// COPY data with no terminating backslash-dot line.
    CopyWithoutEnd = "copy-without-end",
    /// A parenthesis still open at the end of the input.
    UnclosedParenthesis = "unclosed-parenthesis",
    /// A BEGIN ATOMIC body (or, for psql, a BEGIN) still open at the end of the input.
    UnclosedBeginAtomic = "unclosed-begin-atomic",
    /// The last statement has no terminating semicolon.
    MissingSemicolon = "missing-semicolon",
    /// A psql variable reference, which only psql substitutes.
    PsqlVariable = "psql-variable",
    /// A send meta-command on an empty query buffer, which makes psql resend the previous query.
    ResendsPreviousQuery = "resends-previous-query",
    /// A statement that a reset meta-command discards before psql sends it.
    DiscardedStatement = "discarded-statement",
    /// A quit meta-command with statements after it, which psql never runs.
    QuitBeforeStatements = "quit-before-statements",
    /// A meta-command psql does not know.
    UnknownMetaCommand = "unknown-meta-command",
    /// A meta-command that psql refuses in restricted mode.
    RestrictedMetaCommand = "restricted-meta-command",
    /// A psql meta-command pg_dump writes (restrict, unrestrict), skipped when executing.
    DumpMetaCommand = "dump-meta-command",
    /// A psql meta-command, which only psql can run.
    MetaCommand = "meta-command",
    /// COPY FROM STDIN with data, which needs a driver's copy API.
    CopyData = "copy-data",
    /// A statement that cannot run inside a transaction block.
    NonTransactional = "non-transactional",
    /// Transaction control inside a script.
    TransactionControl = "transaction-control",
    /// A session setting that stays in force after the script.
    SessionSetting = "session-setting",
    /// A client_encoding other than UTF-8.
    ClientEncoding = "client-encoding",
    /// A NUL byte in a statement, which the server rejects.
    NulByte = "nul-byte",
    /// Input that is not valid UTF-8.
    NotUtf8 = "not-utf8",
    /// An owner statement, whose role must exist wherever the script runs.
    OwnerStatement = "owner-statement",
    /// GRANT, REVOKE or default privileges, whose roles must exist wherever the script runs.
    Privileges = "privileges",
    /// COPY FROM or TO PROGRAM, which runs a program on the server.
    CopyProgram = "copy-program",
    /// Input that starts with a UTF-16 byte order mark.
    Utf16Input = "utf16-input",
    /// Input the splitter cannot use as it is (an unterminated quote, comment or dollar quote).
    UnusableInput = "unusable-input",
    /// pg_dump's restrict lines, which execute_file skips.
    RestrictLines = "restrict-lines",
    /// Session settings the script changes, which execute_file restores after it.
    RestoredSettings = "restored-settings",
    /// SET transaction_timeout, which execute_file skips on servers older than 17.
    TransactionTimeout = "transaction-timeout",
    /// A `pgsplit: ignore[...]` comment naming a code no finding has.
    UnknownSuppression = "unknown-suppression",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_s_index_is_its_place_in_the_table() {
        for (place, code) in Code::ALL.iter().enumerate() {
            assert_eq!(code.index(), place, "{code}");
        }
    }

    #[test]
    fn codes_are_distinct_kebab_case_words_with_a_summary() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                text.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()),
                "{text}"
            );
            assert!(!code.summary().is_empty(), "{text} has no summary");
        }
    }
}
