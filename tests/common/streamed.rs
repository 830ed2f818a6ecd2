//! What a stream and a slice of the same input are compared by: every
//! statement as seen from outside, and the diagnostics. Shared by
//! `tests/stream.rs` and the fuzz target `stream_slice`.

use std::io::Read;

use pgsplit::stream::{StreamEvent, StreamSplitter};
use pgsplit::{split, Diagnostic, SplitOptions};

/// A statement as seen from outside: where it starts and ends in the
/// stream, what it is, what psql runs, and its pg_dump header.
#[derive(Debug, PartialEq, Eq)]
pub struct Seen {
    pub start: u64,
    pub end: u64,
    pub kind: &'static str,
    pub tag: String,
    pub runnable: Vec<u8>,
    pub header: Option<String>,
}

fn header(input: &[u8], statement: &pgsplit::Statement) -> Option<String> {
    statement.toc.as_ref().map(|toc| {
        let text =
            |span: &pgsplit::Span| String::from_utf8_lossy(&input[span.clone()]).into_owned();
        format!(
            "{}|{}|{}|{}",
            text(&toc.name()),
            text(&toc.object_type()),
            text(&toc.schema()),
            text(&toc.owner())
        )
    })
}

pub fn sliced(input: &[u8], options: &SplitOptions) -> (Vec<Seen>, Vec<Diagnostic>) {
    let script = split(input, options);
    let seen = script
        .statements
        .iter()
        .map(|s| Seen {
            start: s.span.start as u64,
            end: s.span.end as u64,
            kind: s.kind.as_str(),
            tag: s.tag.to_string(),
            runnable: s.runnable(input),
            header: header(input, s),
        })
        .collect();
    (seen, script.diagnostics)
}

/// A reader that hands out at most `step` bytes per read.
pub struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

pub fn streamed(
    input: &[u8],
    options: &SplitOptions,
    window: usize,
    step: usize,
) -> (Vec<Seen>, Vec<Diagnostic>) {
    let mut stream = StreamSplitter::with_window(Trickle { data: input, step }, options, window);
    let mut seen = Vec::new();
    let mut diagnostics = Vec::new();
    let mut copy: Option<Seen> = None;
    while let Some(event) = stream.next_event().unwrap() {
        match event {
            StreamEvent::Statements {
                base,
                input,
                statements,
                diagnostics: found,
            } => {
                diagnostics.extend_from_slice(found);
                for s in statements {
                    seen.push(Seen {
                        start: base + s.span.start as u64,
                        end: base + s.span.end as u64,
                        kind: s.kind.as_str(),
                        tag: s.tag.to_string(),
                        runnable: s.runnable(input),
                        header: header(input, s),
                    });
                }
            }
            StreamEvent::CopyStart {
                base,
                input,
                statement,
                diagnostics: found,
            } => {
                diagnostics.extend_from_slice(found);
                let mut runnable = statement.text(input).into_owned();
                runnable.push(b'\n');
                copy = Some(Seen {
                    start: base + statement.span.start as u64,
                    end: 0,
                    kind: statement.kind.as_str(),
                    tag: statement.tag.to_string(),
                    runnable,
                    header: header(input, statement),
                });
            }
            StreamEvent::CopyData { rows, .. } => {
                copy.as_mut().unwrap().runnable.extend_from_slice(rows)
            }
            StreamEvent::CopyEnd {
                end, diagnostic, ..
            } => {
                diagnostics.extend(diagnostic);
                let mut done = copy.take().unwrap();
                if !done.runnable.ends_with(b"\n") {
                    done.runnable.push(b'\n');
                }
                done.runnable.extend_from_slice(b"\\.");
                done.end = end;
                seen.push(done);
            }
        }
    }
    (seen, diagnostics)
}
