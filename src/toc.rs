//! pg_dump's object headers.
//!
//! Before each object pg_dump writes a comment block whose middle line names
//! the archive entry:
//!
//! ```text
//! --
//! -- Name: users; Type: TABLE; Schema: public; Owner: app
//! --
//! ```
//!
//! (`Data for Name:` before COPY data, `Statistics for Name:` before
//! statistics.) Names are printed raw, so a name may itself contain `; `. The
//! fields come in a fixed order and the type is always upper-case words, which
//! is what the parser anchors on; the owner is what remains after `; Owner: `.

use crate::Span;

/// The header pg_dump wrote for an archive entry, as spans into the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toc {
    /// `Name:`, for example `users`, `f(integer, text)`, `users users_pkey`.
    pub name: Span,
    /// `Type:`, for example `TABLE`, `FUNCTION`, `TABLE DATA`, `FK CONSTRAINT`.
    pub object_type: Span,
    /// `Schema:`; `-` when the object has none.
    pub schema: Span,
    /// `Owner:`; `-` when there is none.
    pub owner: Span,
}

const PREFIXES: [&[u8]; 3] = [
    b"-- Name: ",
    b"-- Data for Name: ",
    b"-- Statistics for Name: ",
];

/// Parses a `--` comment token (`comment` spans exactly the token in `input`).
pub fn parse_header(input: &[u8], comment: Span) -> Option<Toc> {
    let line = &input[comment.clone()];
    let prefix = PREFIXES.iter().find(|p| line.starts_with(p))?;
    let base = comment.start;
    let name_start = prefix.len();
    let type_marker = find_type_marker(line, name_start)?;
    let type_start = type_marker + b"; Type: ".len();
    let type_end = type_start + find(&line[type_start..], b"; Schema: ")?;
    let schema_start = type_end + b"; Schema: ".len();
    let schema_end = schema_start + find(&line[schema_start..], b"; Owner: ")?;
    let owner_start = schema_end + b"; Owner: ".len();
    let owner_end =
        rfind(&line[owner_start..], b"; Tablespace: ").map_or(line.len(), |i| owner_start + i);
    Some(Toc {
        name: base + name_start..base + type_marker,
        object_type: base + type_start..base + type_end,
        schema: base + schema_start..base + schema_end,
        owner: base + owner_start..base + owner_end,
    })
}

/// The first `; Type: ` followed by an upper-case type and `; Schema: `.
fn find_type_marker(line: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = find(&line[at..], b"; Type: ") {
        let marker = at + i;
        let rest = &line[marker + b"; Type: ".len()..];
        if let Some(end) = find(rest, b"; Schema: ") {
            if end > 0
                && rest[..end]
                    .iter()
                    .all(|b| b.is_ascii_uppercase() || *b == b' ')
            {
                return Some(marker);
            }
        }
        at = marker + 1;
    }
    None
}

// Every marker starts with `;`, rare in a header line: jump from one `;` to
// the next with memchr, cheaper on short lines than building a searcher.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memchr_iter(needle[0], haystack).find(|&i| haystack[i..].starts_with(needle))
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memrchr_iter(needle[0], haystack).find(|&i| haystack[i..].starts_with(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Option<[String; 4]> {
        let toc = parse_header(line.as_bytes(), 0..line.len())?;
        Some([toc.name, toc.object_type, toc.schema, toc.owner].map(|s| line[s].to_string()))
    }

    #[test]
    fn plain_header() {
        assert_eq!(
            fields("-- Name: users; Type: TABLE; Schema: public; Owner: app").unwrap(),
            ["users", "TABLE", "public", "app"]
        );
    }

    #[test]
    fn data_header_and_tablespace() {
        assert_eq!(
            fields("-- Data for Name: t; Type: TABLE DATA; Schema: s; Owner: o; Tablespace: ts")
                .unwrap(),
            ["t", "TABLE DATA", "s", "o"]
        );
    }

    #[test]
    fn name_containing_separator() {
        assert_eq!(
            fields("-- Name: a; Type: b; Type: TABLE; Schema: -; Owner: -").unwrap(),
            ["a; Type: b", "TABLE", "-", "-"]
        );
    }

    #[test]
    fn ordinary_comments_are_not_headers() {
        assert!(fields("-- Dumped from database version 15.18").is_none());
        assert!(fields("-- Name: no type here").is_none());
    }
}
