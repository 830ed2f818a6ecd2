//! Byte offsets to 1-based line and column numbers.
//!
//! Lines end at `\n` (a CRLF file's `\r` is the last byte of its line, as psql
//! sees it). Columns count bytes, so they are exact for every encoding and for
//! invalid UTF-8. Two ways to answer:
//! - [`LineIndex`] records every line start once with memchr and answers any
//!   offset with a binary search; it costs 8 bytes per line.
//! - [`LineCounter`] counts newlines as offsets move forward, remembering a
//!   checkpoint every megabyte for the rare step back; it costs next to
//!   nothing, for output that streams through a file of any size.
//!
//! Both forward counts, the counter's and the stream splitter's (which sees
//! its input a window at a time), are one `LineCount` stepping forward.

/// The start offset of every line of an input.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(input: &[u8]) -> Self {
        let mut starts = Vec::with_capacity(input.len() / 40 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', input).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line and column of `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&start| start <= offset);
        (line, offset - self.starts[line - 1] + 1)
    }

    /// The 1-based line of `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.line_col(offset).0
    }

    /// The 1-based line of the last byte of `span` (its first line if empty).
    pub fn end_line(&self, span: &crate::lexer::Span) -> usize {
        self.line(span.end.saturating_sub(1).max(span.start))
    }
}

/// Lines counted forward through bytes that arrive in order: the one
/// counting step [`LineCounter`] and the stream's line numbers are built on.
/// Offsets are `u64`, as a stream's may pass `usize` on 32-bit targets.
#[derive(Debug, Clone)]
pub(crate) struct LineCount {
    /// Counted up to this offset.
    pub(crate) at: u64,
    line: usize,
    /// Offset where `line` starts.
    line_start: u64,
}

impl Default for LineCount {
    fn default() -> Self {
        LineCount {
            at: 0,
            line: 1,
            line_start: 0,
        }
    }
}

impl LineCount {
    /// Counts `bytes`, which start at offset `from` (at or before `self.at`;
    /// what was counted already is skipped).
    pub(crate) fn advance(&mut self, bytes: &[u8], from: u64) {
        let skip = self.at.saturating_sub(from) as usize;
        let Some(fresh) = bytes.get(skip..) else {
            return;
        };
        let start = from + skip as u64;
        self.line += memchr::memchr_iter(b'\n', fresh).count();
        if let Some(last) = memchr::memrchr(b'\n', fresh) {
            self.line_start = start + last as u64 + 1;
        }
        self.at = start + fresh.len() as u64;
    }

    /// The 1-based line and column of `offset`, on the last line counted.
    pub(crate) fn line_col(&self, offset: u64) -> (usize, usize) {
        (self.line, (offset - self.line_start) as usize + 1)
    }
}

/// Line numbers for offsets asked mostly in increasing order.
#[derive(Debug, Clone)]
pub struct LineCounter {
    count: LineCount,
    /// The count about every [`CHECKPOINT`] bytes, for a step back.
    checkpoints: Vec<LineCount>,
}

const CHECKPOINT: u64 = 1 << 20;

impl Default for LineCounter {
    fn default() -> Self {
        LineCounter {
            count: LineCount::default(),
            checkpoints: vec![LineCount::default()],
        }
    }
}

impl LineCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// The 1-based line and column of `offset` in `input`.
    pub fn line_col(&mut self, input: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset as u64;
        if offset < self.count.at {
            let i = self.checkpoints.partition_point(|c| c.at <= offset) - 1;
            self.count = self.checkpoints[i].clone();
        }
        while self.count.at < offset {
            let at = self.count.at;
            let step_end = offset.min((at / CHECKPOINT + 1) * CHECKPOINT);
            self.count
                .advance(&input[at as usize..step_end as usize], at);
            if step_end % CHECKPOINT == 0
                && self.checkpoints.last().is_some_and(|c| c.at < step_end)
            {
                self.checkpoints.push(self.count.clone());
            }
        }
        self.count.line_col(offset)
    }

    /// The 1-based line of the last byte of `span` (its first line if empty).
    pub fn end_line(&mut self, input: &[u8], span: &crate::lexer::Span) -> usize {
        self.line_col(input, span.end.saturating_sub(1).max(span.start))
            .0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let index = LineIndex::new(b"ab\ncd\r\n\nx");
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(2), (1, 3));
        assert_eq!(index.line_col(3), (2, 1));
        assert_eq!(index.line_col(8), (4, 1));
    }

    #[test]
    fn the_counter_agrees_with_the_index_forward_and_back() {
        let mut input = Vec::new();
        for i in 0..300_000 {
            input.extend_from_slice(if i % 3 == 0 { b"a\n" } else { b"bcd\r\n" });
        }
        let index = LineIndex::new(&input);
        let mut counter = LineCounter::new();
        let offsets = [
            0,
            1,
            2,
            5,
            700_000,
            699_999,
            1_100_000,
            3,
            1_048_576,
            1_048_575,
            input.len() - 1,
        ];
        for offset in offsets {
            assert_eq!(
                counter.line_col(&input, offset),
                index.line_col(offset),
                "offset {offset}"
            );
        }
    }
}
