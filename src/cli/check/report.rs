//! The formats `check` prints findings in: one [`Report`] each.

use std::io::{self, Write};

use serde::Serialize;

use super::Format;
use crate::cli::output::{
    buffered_stdout, colored_stdout, display_name, write_diagnostic, ColoredOut, Out,
};
use crate::color;
use crate::diagnostic::Code;
use crate::{Diagnostic, Severity};

/// Where findings go, in input order, file after file.
pub trait Report {
    /// A finding of `file` at `line`:`col`.
    fn finding(&mut self, file: &str, at: (usize, usize), finding: &Diagnostic) -> io::Result<()>;

    /// What has been told so far is due: a file, or a part of one, is done.
    fn flush(&mut self) -> io::Result<()>;

    /// Every file has been checked.
    fn finish(&mut self) -> io::Result<()> {
        self.flush()
    }
}

pub fn for_format(format: Format) -> Box<dyn Report> {
    match format {
        Format::Text => Box::new(Text(colored_stdout(), color::stdout())),
        Format::Json => Box::new(JsonLines(buffered_stdout())),
        Format::Github => Box::new(Github(buffered_stdout())),
        Format::Sarif => Box::new(Sarif::default()),
    }
}

/// `file:line:col: level: message [code]`, as compilers print, with the
/// code a suppression comment names; the level coloured if the second
/// field says so (decided once: it reads the environment and the terminal).
struct Text(ColoredOut, bool);

impl Report for Text {
    fn finding(&mut self, file: &str, at: (usize, usize), finding: &Diagnostic) -> io::Result<()> {
        write_diagnostic(&mut self.0, self.1, file, at, finding, true)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// One JSON object per finding per line.
struct JsonLines(Out);

/// A finding as `check --format json` prints it.
#[derive(Serialize)]
struct FindingJson<'a> {
    file: &'a str,
    line: usize,
    col: usize,
    level: &'static str,
    code: &'static str,
    message: &'a str,
}

impl Report for JsonLines {
    fn finding(
        &mut self,
        file: &str,
        (line, col): (usize, usize),
        d: &Diagnostic,
    ) -> io::Result<()> {
        let finding = FindingJson {
            file: display_name(file),
            line,
            col,
            level: d.severity.as_str(),
            code: d.code.as_str(),
            message: &d.message,
        };
        serde_json::to_writer(&mut self.0, &finding)?;
        self.0.write_all(b"\n")
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// GitHub Actions workflow commands
/// (`::warning file=F,line=L,col=C,title=CODE::MESSAGE`), which the Actions
/// runner shows on the line in a pull request.
struct Github(Out);

impl Report for Github {
    fn finding(
        &mut self,
        file: &str,
        (line, col): (usize, usize),
        d: &Diagnostic,
    ) -> io::Result<()> {
        // The runner's own escapes: `%`, CR and LF everywhere, and in the
        // properties also `:` and `,`, which separate them.
        let data = |text: &str| {
            text.replace('%', "%25")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        let property = |text: &str| data(text).replace(':', "%3A").replace(',', "%2C");
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        writeln!(
            self.0,
            "::{level} file={},line={line},col={col},title={}::{}",
            property(display_name(file)),
            d.code,
            data(&d.message)
        )
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// One SARIF 2.1.0 log of every file's findings, written at the end: the
/// format GitHub code scanning and other tools upload. Every code is a rule
/// of the log, with its summary; each finding a result naming its rule.
///
/// Columns count bytes, as everywhere in pgsplit; SARIF counts characters,
/// so a column after non-ASCII text on the same line is larger than the
/// tool reading it expects.
#[derive(Default)]
struct Sarif {
    results: Vec<serde_json::Value>,
}

impl Report for Sarif {
    fn finding(
        &mut self,
        file: &str,
        (line, col): (usize, usize),
        d: &Diagnostic,
    ) -> io::Result<()> {
        let rule_index = Code::ALL.iter().position(|&c| c == d.code);
        self.results.push(serde_json::json!({
            "ruleId": d.code.as_str(),
            "ruleIndex": rule_index,
            "level": d.severity.as_str(),
            "message": { "text": d.message },
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": { "uri": artifact_uri(file) },
                    "region": { "startLine": line, "startColumn": col },
                },
            }],
        }));
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let rules: Vec<serde_json::Value> = Code::ALL
            .iter()
            .map(|code| {
                serde_json::json!({
                    "id": code.as_str(),
                    "shortDescription": { "text": code.summary() },
                })
            })
            .collect();
        let log = serde_json::json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "pgsplit",
                        "version": env!("CARGO_PKG_VERSION"),
                        "informationUri": env!("CARGO_PKG_REPOSITORY"),
                        "rules": rules,
                    },
                },
                "results": std::mem::take(&mut self.results),
            }],
        });
        let mut out = buffered_stdout();
        serde_json::to_writer_pretty(&mut out, &log)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

/// A file's name as a relative URI reference: `/` between folders, and
/// every byte but letters, digits and `-._~/` percent-encoded. Standard
/// input is `stdin`.
fn artifact_uri(file: &str) -> String {
    if file == "-" {
        return "stdin".to_string();
    }
    let path = file.replace(std::path::MAIN_SEPARATOR, "/");
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}
