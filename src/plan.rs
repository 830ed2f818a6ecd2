//! What running a script inside a migration does with each statement: run
//! it, run it outside the transaction, skip it, or refuse the whole script.
//!
//! One function decides it, [`step`], and two readers report it: `pgsplit
//! check --target alembic` prints every refusal as an error, and the Python
//! helper `pgsplit.alembic.execute_file` raises `PlanError` naming every
//! refusal before it runs anything (with `dry_run=True` too). Because both
//! read the same decision, a file that `check` passes is a file that
//! `execute_file` runs.
//!
//! A refusal names what to do about it: most have an option that makes the
//! statement acceptable (`meta="skip"`, `non_transactional="autocommit"`,
//! `transaction_control="skip"`), some have none (psql variables, NUL bytes,
//! `COPY ... PROGRAM`), and what `execute_file` takes care of by itself
//! (pg_dump's `\restrict` lines, the session settings a dump changes, its
//! `client_encoding`) is told once as a [`Handled`] note.
//!
//! ```
//! use pgsplit::facts::StatementFacts;
//! use pgsplit::plan::{step, PlanOptions, Step};
//! let input = b"CREATE INDEX CONCURRENTLY i ON t (a);";
//! let script = pgsplit::split(input, &Default::default());
//! let index = &script.statements[0];
//! let facts = StatementFacts::of(input, index);
//! let refused = step(input, index, &facts, &PlanOptions::default());
//! assert_eq!(refused.unwrap_err().code.as_str(), "non-transactional");
//! let autocommit = PlanOptions { non_transactional: pgsplit::plan::NonTransactional::Autocommit, ..Default::default() };
//! assert_eq!(step(input, index, &facts, &autocommit).unwrap(), Step::Autocommit);
//! ```

use std::fmt;
use std::str::FromStr;

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::encoding;
use crate::facts::{CopySource, StatementFacts, Transactional};
use crate::split::{Statement, StatementKind};

/// What to do with psql meta-commands other than pg_dump's `\restrict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetaCommands {
    #[default]
    Refuse,
    Skip,
}

/// What to do with statements that cannot run inside a transaction block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NonTransactional {
    #[default]
    Refuse,
    /// Run each in an autocommit block, which commits what ran before it.
    Autocommit,
}

/// What to do with the script's own `BEGIN`, `COMMIT`, `ROLLBACK`...
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransactionControl {
    #[default]
    Refuse,
    Skip,
}

/// The choices `execute_file` offers; the default refuses everything it
/// cannot run as it stands, as `check --target alembic` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanOptions {
    pub meta: MetaCommands,
    pub non_transactional: NonTransactional,
    pub transaction_control: TransactionControl,
}

/// The Python option values, as `execute_file` spells them.
macro_rules! option_values {
    ($type:ident, $option:literal, $($value:literal => $variant:ident),+) => {
        impl FromStr for $type {
            type Err = String;
            fn from_str(value: &str) -> Result<Self, String> {
                match value {
                    $($value => Ok($type::$variant),)+
                    other => Err(format!(
                        concat!($option, " must be one of ", $("\"", $value, "\" ",)+ "not {:?}"),
                        other
                    )),
                }
            }
        }
    };
}
option_values!(MetaCommands, "meta", "error" => Refuse, "skip" => Skip);
option_values!(NonTransactional, "non_transactional", "error" => Refuse, "autocommit" => Autocommit);
option_values!(TransactionControl, "transaction_control", "error" => Refuse, "skip" => Skip);

/// What happens to one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Sent as it is, in the migration's transaction.
    Run,
    /// Sent in an autocommit block.
    Autocommit,
    /// Not sent.
    Skip,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Run => "run",
            Step::Autocommit => "autocommit",
            Step::Skip => "skip",
        }
    }
}

/// Why a statement cannot run as asked: a stable code, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What is refused, as a stable code (`meta-command`, `psql-variable`,
    /// `transaction-control`, `non-transactional`, `copy-program`,
    /// `nul-byte`, `client-encoding`, `not-utf8`, `unusable-input`,
    /// `utf16-input`).
    pub code: Code,
    pub offset: usize,
    pub message: String,
}

impl Refusal {
    fn new(code: Code, offset: usize, message: impl fmt::Display) -> Self {
        Refusal {
            code,
            offset,
            message: message.to_string(),
        }
    }

    /// The refusal as `check` prints it: an error.
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic::new(
            Severity::Error,
            self.code,
            self.offset,
            self.message.clone(),
        )
    }
}

/// Something `execute_file` takes care of by itself, told once per script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Handled {
    /// pg_dump's `\restrict` and `\unrestrict` lines are skipped.
    RestrictLines,
    /// Session settings the script changes are restored after it.
    SessionSettings,
    /// `SET transaction_timeout` is skipped on servers older than 17.
    TransactionTimeout,
    /// `SET client_encoding`: the file is read in that encoding and sent as
    /// the connection's.
    ClientEncoding,
}

impl Handled {
    pub fn code(self) -> Code {
        match self {
            Handled::RestrictLines => Code::RestrictLines,
            Handled::SessionSettings => Code::RestoredSettings,
            Handled::TransactionTimeout => Code::TransactionTimeout,
            Handled::ClientEncoding => Code::ClientEncoding,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Handled::RestrictLines => {
                "pg_dump's \\restrict lines: execute_file skips them (told once)"
            }
            Handled::SessionSettings => {
                "session settings this script changes (SET, set_config): execute_file restores \
                 them after it (told once)"
            }
            Handled::TransactionTimeout => {
                "SET transaction_timeout exists from PostgreSQL 17 on: execute_file skips it on \
                 older servers (told once)"
            }
            Handled::ClientEncoding => {
                "SET client_encoding: execute_file reads the file in the encoding it declares and \
                 sends it in the connection's own (told once)"
            }
        }
    }

    /// The note `check` prints, at the first statement it concerns.
    pub fn diagnostic(self, offset: usize) -> Diagnostic {
        Diagnostic::new(Severity::Note, self.code(), offset, self.message())
    }
}

/// The step for `statement` (whose facts are `facts`), or why it cannot run
/// as `options` ask.
pub fn step(
    input: &[u8],
    statement: &Statement,
    facts: &StatementFacts,
    options: &PlanOptions,
) -> Result<Step, Refusal> {
    let at = statement.span.start;
    match statement.kind {
        StatementKind::Meta => {
            if is_restrict_line(statement) {
                return Ok(Step::Skip);
            }
            if options.meta == MetaCommands::Skip {
                return Ok(Step::Skip);
            }
            let line = statement.text(input);
            let line = String::from_utf8_lossy(&line);
            return Err(Refusal::new(
                Code::MetaCommand,
                at,
                format_args!(
                    "psql meta-command `{}` is not SQL and only psql runs it; remove it, or pass \
                     meta=\"skip\" to leave meta-commands out",
                    line.trim_end()
                ),
            ));
        }
        StatementKind::Copy | StatementKind::Sql => {}
    }
    if let Some(variable) = statement.variables().first() {
        let name = String::from_utf8_lossy(&input[variable.clone()]);
        return Err(Refusal::new(
            Code::PsqlVariable,
            variable.start,
            format_args!(
                "psql variable {name} in {}: only psql substitutes variables; write the value \
                 into the script",
                statement.tag
            ),
        ));
    }
    if let Some(nul) = memchr::memchr(0, &input[statement.span.start..statement.command_end]) {
        return Err(Refusal::new(
            Code::NulByte,
            statement.span.start + nul,
            "NUL byte in a statement: the server rejects it; remove it from the script",
        ));
    }
    if let Some(value) = facts.declared_encoding() {
        return match value.as_deref().map(encoding::python_codec) {
            Some(Some(_)) => Ok(Step::Skip),
            _ => Err(Refusal::new(
                Code::ClientEncoding,
                at,
                format_args!(
                    "client_encoding {}: execute_file reads files in UTF-8, SQL_ASCII and the \
                     single- and multi-byte encodings Python decodes; convert the file to UTF-8 \
                     (iconv) and remove this line",
                    value.as_deref().unwrap_or("set to a computed value")
                ),
            )),
        };
    }
    if facts.copy_source == CopySource::Program {
        return Err(Refusal::new(
            Code::CopyProgram,
            at,
            "COPY ... PROGRAM runs a shell command on the database server; execute_file never \
             runs it: run it by hand if it is meant",
        ));
    }
    match facts.transactional {
        Transactional::Yes => Ok(Step::Run),
        Transactional::Control => match options.transaction_control {
            TransactionControl::Skip => Ok(Step::Skip),
            TransactionControl::Refuse => Err(Refusal::new(
                Code::TransactionControl,
                at,
                format_args!(
                    "{} inside the script would end the migration's transaction; pass \
                     transaction_control=\"skip\" to run the script in the migration's \
                     transaction instead",
                    statement.tag
                ),
            )),
        },
        Transactional::No => match options.non_transactional {
            NonTransactional::Autocommit => Ok(Step::Autocommit),
            NonTransactional::Refuse => Err(Refusal::new(
                Code::NonTransactional,
                at,
                format_args!(
                    "{} cannot run inside a transaction block; pass \
                     non_transactional=\"autocommit\" to run it in an autocommit block (which \
                     commits everything the migration did before it)",
                    statement.tag
                ),
            )),
        },
    }
}

/// What `execute_file` handles by itself about `statement`, if anything.
pub fn handled(statement: &Statement, facts: &StatementFacts) -> Option<Handled> {
    if statement.kind == StatementKind::Meta {
        return is_restrict_line(statement).then_some(Handled::RestrictLines);
    }
    let settings = &facts.settings;
    if settings.iter().any(|s| s.is("client_encoding")) {
        Some(Handled::ClientEncoding)
    } else if settings.iter().any(|s| s.is("transaction_timeout")) {
        Some(Handled::TransactionTimeout)
    } else if !settings.is_empty() {
        Some(Handled::SessionSettings)
    } else {
        None
    }
}

/// The refusal for input that cannot be split into usable statements (an
/// error the splitter found), in the plan's terms.
pub fn unusable(diagnostic: &Diagnostic) -> Option<Refusal> {
    (diagnostic.severity == Severity::Error)
        .then(|| Refusal::new(Code::UnusableInput, diagnostic.offset, &diagnostic.message))
}

/// The refusal for bytes at `offset` that are not UTF-8 in a script that
/// declares no other encoding: they would reach the server as U+FFFD.
pub fn not_utf8(offset: usize) -> Refusal {
    Refusal::new(
        Code::NotUtf8,
        offset,
        "bytes that are not UTF-8 in a script that declares no other client_encoding: convert \
         the file to UTF-8, or declare its encoding with SET client_encoding at its top",
    )
}

/// The refusals that concern the whole script: input the splitter could
/// not use, a UTF-16 file, bytes that are not UTF-8 where no other
/// encoding is declared. `declared`: the encoding the script declares, if
/// any.
pub fn script_refusals(
    input: &[u8],
    diagnostics: &[Diagnostic],
    declared: Option<&str>,
) -> Vec<Refusal> {
    let mut refusals: Vec<Refusal> = utf16_input(input).into_iter().collect();
    refusals.extend(diagnostics.iter().filter_map(unusable));
    if refusals.is_empty() && declared.is_none_or(encoding::is_utf8) {
        if let Err(error) = std::str::from_utf8(input) {
            refusals.push(not_utf8(error.valid_up_to()));
        }
    }
    refusals
}

/// The refusal for a file that starts with a UTF-16 byte order mark: its
/// every other byte is NUL to a byte-oriented reader.
pub fn utf16_input(input: &[u8]) -> Option<Refusal> {
    let utf16 = input.starts_with(&[0xFF, 0xFE]) || input.starts_with(&[0xFE, 0xFF]);
    utf16.then(|| {
        Refusal::new(
            Code::Utf16Input,
            0,
            "the file is UTF-16 (it starts with a byte order mark): convert it to UTF-8 first \
             (iconv -f UTF-16 -t UTF-8)",
        )
    })
}

fn is_restrict_line(statement: &Statement) -> bool {
    statement.tag == "\\restrict" || statement.tag == "\\unrestrict"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split::{split, SplitOptions};

    fn steps(sql: &str, options: &PlanOptions) -> Vec<Result<Step, &'static str>> {
        let input = sql.as_bytes();
        split(input, &SplitOptions::default())
            .statements
            .iter()
            .map(|s| {
                step(input, s, &StatementFacts::of(input, s), options).map_err(|r| r.code.as_str())
            })
            .collect()
    }

    #[test]
    fn restrict_lines_are_skipped_and_other_meta_commands_refused() {
        let sql = "\\restrict k\nSELECT 1;\n\\connect other\n\\! rm -rf /\n\\unrestrict k\n";
        assert_eq!(
            steps(sql, &PlanOptions::default()),
            [
                Ok(Step::Skip),
                Ok(Step::Run),
                Err("meta-command"),
                Err("meta-command"),
                Ok(Step::Skip)
            ]
        );
        let skip = PlanOptions {
            meta: MetaCommands::Skip,
            ..PlanOptions::default()
        };
        assert!(steps(sql, &skip).iter().all(|s| s.is_ok()));
    }

    #[test]
    fn quit_is_refused_like_other_meta_commands_or_skipped() {
        // An extension script's guard: psql stops at it, the server strips it.
        let sql = "\\echo Use \"CREATE EXTENSION x\" to load this file. \\quit\nSELECT 1;\n";
        assert_eq!(
            steps(sql, &PlanOptions::default()),
            [Err("meta-command"), Err("meta-command"), Ok(Step::Run)]
        );
        let skip = PlanOptions {
            meta: MetaCommands::Skip,
            ..PlanOptions::default()
        };
        assert_eq!(
            steps(sql, &skip),
            [Ok(Step::Skip), Ok(Step::Skip), Ok(Step::Run)]
        );
    }

    #[test]
    fn a_meta_command_inside_a_statement_is_refused() {
        // psql runs it before it sends the statement around it.
        let sql = "SELECT 1\n\\echo hi\n;";
        assert_eq!(
            steps(sql, &PlanOptions::default()),
            [Err("meta-command"), Ok(Step::Run)]
        );
        assert_eq!(
            steps("SELECT 1\\; SELECT 2;", &PlanOptions::default()),
            [Ok(Step::Run)]
        );
    }

    #[test]
    fn transaction_handling_follows_the_options() {
        let sql = "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;\n";
        assert_eq!(
            steps(sql, &PlanOptions::default()),
            [
                Err("transaction-control"),
                Err("non-transactional"),
                Err("transaction-control")
            ]
        );
        let lenient = PlanOptions {
            non_transactional: NonTransactional::Autocommit,
            transaction_control: TransactionControl::Skip,
            ..PlanOptions::default()
        };
        assert_eq!(
            steps(sql, &lenient),
            [Ok(Step::Skip), Ok(Step::Autocommit), Ok(Step::Skip)]
        );
    }

    #[test]
    fn what_no_option_allows() {
        for (sql, code) in [
            ("SELECT :x;", "psql-variable"),
            ("SELECT '\0';", "nul-byte"),
            ("COPY t FROM PROGRAM 'id';", "copy-program"),
            ("copy t to program 'id';", "copy-program"),
        ] {
            let lenient = PlanOptions {
                meta: MetaCommands::Skip,
                non_transactional: NonTransactional::Autocommit,
                transaction_control: TransactionControl::Skip,
            };
            assert_eq!(steps(sql, &lenient), [Err(code)], "{sql:?}");
        }
        assert_eq!(
            steps("COPY t FROM stdin;\n1\n\\.\n", &PlanOptions::default()),
            [Ok(Step::Run)]
        );
        assert_eq!(
            steps("SELECT 'PROGRAM';", &PlanOptions::default()),
            [Ok(Step::Run)]
        );
    }

    #[test]
    fn handled_notes() {
        let sql = "\\restrict k\nSET search_path = '';\nSET transaction_timeout = 0;\nSELECT 1;\n";
        let input = sql.as_bytes();
        let found: Vec<_> = split(input, &SplitOptions::default())
            .statements
            .iter()
            .map(|s| handled(s, &StatementFacts::of(input, s)))
            .collect();
        assert_eq!(
            found,
            [
                Some(Handled::RestrictLines),
                Some(Handled::SessionSettings),
                Some(Handled::TransactionTimeout),
                None
            ]
        );
    }

    #[test]
    fn option_values_as_python_spells_them() {
        assert_eq!("skip".parse(), Ok(MetaCommands::Skip));
        assert_eq!("autocommit".parse(), Ok(NonTransactional::Autocommit));
        let error = "autocomit".parse::<NonTransactional>().unwrap_err();
        assert!(
            error.contains("non_transactional must be one of \"error\" \"autocommit\""),
            "{error}"
        );
    }

    #[test]
    fn client_encoding_is_handled_when_python_decodes_it() {
        for (sql, expected) in [
            ("SET client_encoding = 'LATIN1';", Ok(Step::Skip)),
            ("SET client_encoding TO 'UTF8';", Ok(Step::Skip)),
            ("SET NAMES 'WIN1252';", Ok(Step::Skip)),
            (
                "SELECT pg_catalog.set_config('client_encoding', 'SJIS', false);",
                Ok(Step::Skip),
            ),
            (
                "SET client_encoding = 'MULE_INTERNAL';",
                Err("client-encoding"),
            ),
            ("SET client_encoding = DEFAULT;", Err("client-encoding")),
        ] {
            assert_eq!(steps(sql, &PlanOptions::default()), [expected], "{sql}");
        }
        assert_eq!(encoding::python_codec("ISO_8859_5"), Some("iso8859-5"));
        assert!(encoding::is_utf8("SQL_ASCII") && !encoding::is_utf8("LATIN1"));
    }

    #[test]
    fn utf16_files_are_recognised() {
        assert_eq!(
            utf16_input(b"\xff\xfeS\0").map(|r| r.code.as_str()),
            Some("utf16-input")
        );
        assert!(utf16_input(b"SELECT 1;").is_none());
    }
}
