//! `--format jsonl` and `--format json`: one record per statement, a line
//! each or all in one array. The record's fields are fixed (the project's
//! interface documentation and `schemas/` name them): a new field is added
//! to [`StatementJson`] and nowhere else.

use std::io::{self, Write};

use serde::Serialize;

use crate::cli::output::{buffered_stdout, Out};
use crate::lexer::Span;
use crate::search::{Place, Position, Sink, Summary};
use crate::Statement;

#[derive(Serialize)]
struct StatementJson {
    n: usize,
    kind: &'static str,
    tag: String,
    line: usize,
    col: usize,
    end_line: usize,
    start: usize,
    end: usize,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    copy_data: Option<SpanJson>,
    /// Further data blocks of a psql `\;` compound holding several COPYs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    more_copy_data: Vec<SpanJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    toc: Option<TocJson>,
    /// psql variable references, which psql substitutes and pgsplit does not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    variables: Vec<SpanJson>,
}

#[derive(Serialize)]
struct SpanJson {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct TocJson {
    name: String,
    #[serde(rename = "type")]
    object_type: String,
    schema: String,
    owner: String,
}

impl StatementJson {
    /// Statement `n` of `place`, its offsets counted from the input's start.
    fn new(n: usize, place: &mut Place<'_>, statement: &Statement) -> Self {
        let Position {
            line,
            col,
            end_line,
        } = place.position(statement);
        let (input, base) = (place.input, place.base as usize);
        let lossy = |span: &Span| String::from_utf8_lossy(&input[span.clone()]).into_owned();
        let moved = |span: &Span| SpanJson {
            start: base + span.start,
            end: base + span.end,
        };
        StatementJson {
            n,
            kind: statement.kind.as_str(),
            tag: statement.tag.to_string(),
            line,
            col,
            end_line,
            start: base + statement.span.start,
            end: base + statement.span.end,
            text: String::from_utf8_lossy(&statement.text(input)).into_owned(),
            copy_data: statement.copy_data().map(moved),
            more_copy_data: statement.more_copy_data().iter().map(moved).collect(),
            variables: statement.variables().iter().map(moved).collect(),
            toc: statement.toc.as_ref().map(|t| TocJson {
                name: lossy(&t.name()),
                object_type: lossy(&t.object_type()),
                schema: lossy(&t.schema()),
                owner: lossy(&t.owner()),
            }),
        }
    }
}

/// Records written a line each as they come, or kept for one array.
pub struct Json {
    out: Out,
    /// `Some` for `--format json`: the records so far.
    array: Option<Vec<StatementJson>>,
    written: usize,
    /// The record of a COPY whose rows stream, finished at its end.
    copy: Option<StatementJson>,
}

impl Json {
    pub fn lines() -> Self {
        Json {
            out: buffered_stdout(),
            array: None,
            written: 0,
            copy: None,
        }
    }

    pub fn array() -> Self {
        Json {
            array: Some(Vec::new()),
            ..Json::lines()
        }
    }

    fn emit(&mut self, record: StatementJson) -> io::Result<()> {
        match &mut self.array {
            Some(records) => records.push(record),
            None => {
                serde_json::to_writer(&mut self.out, &record)?;
                self.out.write_all(b"\n")?;
            }
        }
        Ok(())
    }
}

impl Sink for Json {
    fn statement(
        &mut self,
        place: &mut Place<'_>,
        statement: &Statement,
        rows_follow: bool,
    ) -> io::Result<()> {
        self.written += 1;
        let record = StatementJson::new(self.written, place, statement);
        if rows_follow {
            self.copy = Some(record);
            return Ok(());
        }
        self.emit(record)
    }

    fn copy_rows(&mut self, _: &mut Place<'_>, offset: u64, rows: &[u8]) -> io::Result<()> {
        if let Some(record) = &mut self.copy {
            let start = offset as usize;
            let data = record
                .copy_data
                .get_or_insert(SpanJson { start, end: start });
            data.end = start + rows.len();
        }
        Ok(())
    }

    fn copy_end(&mut self, place: &mut Place<'_>, data_end: u64, end: u64) -> io::Result<()> {
        let Some(mut record) = self.copy.take() else {
            return Ok(());
        };
        let data_end = data_end as usize;
        let data = record.copy_data.get_or_insert(SpanJson {
            start: data_end,
            end: data_end,
        });
        data.end = data_end;
        record.end = end as usize;
        record.end_line = place.line_col(end.saturating_sub(1)).0;
        self.emit(record)
    }

    fn finish(&mut self, _: &mut Place<'_>, _: &Summary) -> io::Result<()> {
        if let Some(records) = &self.array {
            serde_json::to_writer_pretty(&mut self.out, records)?;
            self.out.write_all(b"\n")?;
        }
        self.out.flush()
    }
}
