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

/// Line numbers for offsets asked mostly in increasing order.
#[derive(Debug, Clone)]
pub struct LineCounter {
    /// The last offset asked, its line, and where that line starts.
    at: usize,
    line: usize,
    line_start: usize,
    /// `(offset, line, line_start)` about every [`CHECKPOINT`] bytes.
    checkpoints: Vec<(usize, usize, usize)>,
}

const CHECKPOINT: usize = 1 << 20;

impl Default for LineCounter {
    fn default() -> Self {
        LineCounter {
            at: 0,
            line: 1,
            line_start: 0,
            checkpoints: vec![(0, 1, 0)],
        }
    }
}

impl LineCounter {
    pub fn new() -> Self {
        Self::default()
    }

    /// The 1-based line and column of `offset` in `input`.
    pub fn line_col(&mut self, input: &[u8], offset: usize) -> (usize, usize) {
        if offset < self.at {
            let i = self.checkpoints.partition_point(|c| c.0 <= offset) - 1;
            (self.at, self.line, self.line_start) = self.checkpoints[i];
        }
        while self.at < offset {
            let step_end = offset.min((self.at / CHECKPOINT + 1) * CHECKPOINT);
            let stretch = &input[self.at..step_end];
            self.line += memchr::memchr_iter(b'\n', stretch).count();
            if let Some(last) = memchr::memrchr(b'\n', stretch) {
                self.line_start = self.at + last + 1;
            }
            self.at = step_end;
            if step_end % CHECKPOINT == 0 && self.checkpoints.last().is_some_and(|c| c.0 < step_end)
            {
                self.checkpoints.push((self.at, self.line, self.line_start));
            }
        }
        (self.line, offset - self.line_start + 1)
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
