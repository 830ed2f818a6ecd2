//! Any bytes, read a few bytes at a time into a tiny window: the stream
//! splitter finds the statements the slice splitter finds, at the same
//! offsets, of the same kind and command, with the same text to run, and
//! the same diagnostics. The first two bytes choose the window and the read
//! size. (`tests/stream.rs` checks the same on generated dumps.)
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use pgsplit::stream::{StreamEvent, StreamSplitter};
use pgsplit::{split, Compat, SplitOptions};

/// A statement as both splitters must report it.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    start: u64,
    end: u64,
    kind: &'static str,
    tag: String,
    runnable: Vec<u8>,
}

/// A reader that hands out at most `step` bytes per read.
struct Trickle<'a> {
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

fn streamed(input: &[u8], options: &SplitOptions, window: usize, step: usize) -> Vec<Seen> {
    let reader = Trickle { data: input, step };
    let mut stream = StreamSplitter::with_window(reader, options, window);
    let mut seen = Vec::new();
    let mut copy: Option<Seen> = None;
    // A stream of bytes in memory cannot fail to read; a statement larger
    // than the limit cannot come from a fuzz input.
    while let Some(event) = stream.next_event().expect("reading memory") {
        match event {
            StreamEvent::Statements {
                base,
                input,
                statements,
                ..
            } => seen.extend(statements.iter().map(|s| Seen {
                start: base + s.span.start as u64,
                end: base + s.span.end as u64,
                kind: s.kind.as_str(),
                tag: s.tag.to_string(),
                runnable: s.runnable(input),
            })),
            StreamEvent::CopyStart {
                base,
                input,
                statement,
                ..
            } => {
                let mut runnable = statement.text(input).into_owned();
                runnable.push(b'\n');
                copy = Some(Seen {
                    start: base + statement.span.start as u64,
                    end: 0,
                    kind: statement.kind.as_str(),
                    tag: statement.tag.to_string(),
                    runnable,
                });
            }
            StreamEvent::CopyData { rows, .. } => {
                if let Some(copy) = &mut copy {
                    copy.runnable.extend_from_slice(rows);
                }
            }
            StreamEvent::CopyEnd { end, .. } => {
                if let Some(mut done) = copy.take() {
                    if !done.runnable.ends_with(b"\n") {
                        done.runnable.push(b'\n');
                    }
                    done.runnable.extend_from_slice(b"\\.");
                    done.end = end;
                    seen.push(done);
                }
            }
        }
    }
    seen
}

fuzz_target!(|data: &[u8]| {
    let [window, step, input @ ..] = data else {
        return;
    };
    let (window, step) = (1 + usize::from(window % 64), 1 + usize::from(step % 16));
    for compat in [Compat::Default, Compat::Psql] {
        let options = SplitOptions {
            compat,
            ..SplitOptions::default()
        };
        let sliced: Vec<Seen> = split(input, &options)
            .statements
            .iter()
            .map(|s| Seen {
                start: s.span.start as u64,
                end: s.span.end as u64,
                kind: s.kind.as_str(),
                tag: s.tag.to_string(),
                runnable: s.runnable(input),
            })
            .collect();
        let streamed = streamed(input, &options, window, step);
        assert_eq!(streamed, sliced, "window {window}, reads of {step}, {compat:?}");
    }
});
