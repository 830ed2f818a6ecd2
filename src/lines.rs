//! Byte offsets to 1-based line and column numbers.
//!
//! Lines end at `\n` (a CRLF file's `\r` is the last byte of its line, as psql
//! sees it). Columns count bytes, so they are exact for every encoding and for
//! invalid UTF-8. The index is built once with memchr and answers with a
//! binary search.

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
    pub fn end_line(&self, span: &crate::Span) -> usize {
        self.line(span.end.saturating_sub(1).max(span.start))
    }

    /// The byte range of 1-based line `line`, without its line ending.
    pub fn line_span(&self, input: &[u8], line: usize) -> crate::Span {
        let start = self.starts[line - 1];
        let mut end = self.starts.get(line).map_or(input.len(), |next| next - 1);
        if end > start && input[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
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
        assert_eq!(index.line_span(b"ab\ncd\r\n\nx", 2), 3..5);
    }
}
