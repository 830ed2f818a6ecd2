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

use std::num::NonZeroU32;

use crate::lexer::Span;

/// The header pg_dump wrote for an archive entry: where its four fields are
/// in the input.
///
/// Every statement of the entry carries it, so it is kept small and `Copy`:
/// one offset (where the name starts) and the fields' bounds relative to it,
/// which a header line always fits in 32 bits. Making it costs no
/// allocation, which a dump with an object per 200 bytes notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Toc {
    start: usize,
    /// Never zero (the type follows `; Type: `), which lets `Option<Toc>`
    /// take no more room than a `Toc`.
    type_start: NonZeroU32,
    /// `name_end, type_end, schema_start, schema_end, owner_start,
    /// owner_end`, relative to `start` like `type_start`.
    bounds: [u32; 6],
}

impl Toc {
    /// `Name:`, for example `users`, `f(integer, text)`, `users users_pkey`.
    pub fn name(&self) -> Span {
        self.start..self.at(0)
    }

    /// `Type:`, for example `TABLE`, `FUNCTION`, `TABLE DATA`, `FK CONSTRAINT`.
    pub fn object_type(&self) -> Span {
        self.start + self.type_start.get() as usize..self.at(1)
    }

    /// `Schema:`; `-` when the object has none.
    pub fn schema(&self) -> Span {
        self.at(2)..self.at(3)
    }

    /// `Owner:`; `-` when there is none.
    pub fn owner(&self) -> Span {
        self.at(4)..self.at(5)
    }

    /// From the name's start to the owner's end: the bytes the fields are in.
    pub fn span(&self) -> Span {
        self.start..self.at(5)
    }

    /// The same header, for input moved so that its name starts at `start`.
    pub(crate) fn moved_to(self, start: usize) -> Toc {
        Toc { start, ..self }
    }

    fn at(&self, bound: usize) -> usize {
        self.start + self.bounds[bound] as usize
    }
}

const PREFIXES: [&[u8]; 3] = [
    b"-- Name: ",
    b"-- Data for Name: ",
    b"-- Statistics for Name: ",
];

/// Parses a `--` comment token (`comment` spans exactly the token in `input`).
/// A line too long for 32-bit offsets (over 4 GiB) is not taken for a header.
pub fn parse_header(input: &[u8], comment: Span) -> Option<Toc> {
    let line = &input[comment.clone()];
    let prefix = PREFIXES.iter().find(|p| line.starts_with(p))?;
    let base = comment.start;
    let name_start = prefix.len();
    let (type_marker, type_end) = find_type(line, name_start)?;
    let type_start = type_marker + TYPE.len();
    let schema_start = type_end + SCHEMA.len();
    let schema_end = schema_start + find(&line[schema_start..], OWNER)?;
    let owner_start = schema_end + OWNER.len();
    let owner_end = rfind(&line[owner_start..], TABLESPACE).map_or(line.len(), |i| owner_start + i);
    let relative = |at: usize| u32::try_from(at - name_start).ok();
    Some(Toc {
        start: base + name_start,
        type_start: NonZeroU32::new(relative(type_start)?)?,
        bounds: [
            relative(type_marker)?,
            relative(type_end)?,
            relative(schema_start)?,
            relative(schema_end)?,
            relative(owner_start)?,
            relative(owner_end)?,
        ],
    })
}

const TYPE: &[u8; 8] = b"; Type: ";
const SCHEMA: &[u8; 10] = b"; Schema: ";
const OWNER: &[u8; 9] = b"; Owner: ";
const TABLESPACE: &[u8; 14] = b"; Tablespace: ";

/// The first `; Type: ` followed by upper-case words and `; Schema: `
/// (a name may hold `; Type: ` itself): where the marker starts and where
/// the type ends. Each byte is looked at about once, as there is one header
/// per object in a dump.
fn find_type(line: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut at = from;
    loop {
        let marker = at + find(&line[at..], TYPE)?;
        let type_start = marker + TYPE.len();
        let type_len = line[type_start..]
            .iter()
            .position(|b| !(b.is_ascii_uppercase() || *b == b' '))
            .unwrap_or(line.len() - type_start);
        let type_end = type_start + type_len;
        if type_len > 0 && line.get(type_end..type_end + SCHEMA.len()) == Some(&SCHEMA[..]) {
            return Some((marker, type_end));
        }
        at = marker + 1;
    }
}

// Every marker starts with `;`, rare in a header line: test only at each
// `;`, found eight bytes at a time. Header lines are tens of bytes long,
// too short to pay for setting up a vectorised search per marker.
fn find<const N: usize>(haystack: &[u8], needle: &[u8; N]) -> Option<usize> {
    let mut at = 0;
    loop {
        let i = at + find_semicolon(&haystack[at..])?;
        if haystack.get(i..i + N) == Some(&needle[..]) {
            return Some(i);
        }
        at = i + 1;
    }
}

/// The first `;` in `haystack`, eight bytes at a time: a byte of
/// `word ^ ;;;;;;;;` is zero where `word` has a `;`, and
/// `(x - 0x01..) & !x & 0x80..` marks the lowest zero byte exactly.
fn find_semicolon(haystack: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const SEMICOLONS: u64 = u64::from_ne_bytes([b';'; 8]);
    let mut words = haystack.chunks_exact(8);
    for (n, word) in words.by_ref().enumerate() {
        let x = u64::from_le_bytes(word.try_into().expect("8 bytes")) ^ SEMICOLONS;
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(n * 8 + found.trailing_zeros() as usize / 8);
        }
    }
    let tail = words.remainder();
    let tail_start = haystack.len() - tail.len();
    tail.iter().position(|&b| b == b';').map(|i| tail_start + i)
}

fn rfind<const N: usize>(haystack: &[u8], needle: &[u8; N]) -> Option<usize> {
    (0..haystack.len())
        .rev()
        .find(|&i| haystack[i] == needle[0] && haystack[i..].starts_with(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(line: &str) -> Option<[String; 4]> {
        let toc = parse_header(line.as_bytes(), 0..line.len())?;
        Some(
            [toc.name(), toc.object_type(), toc.schema(), toc.owner()].map(|s| line[s].to_string()),
        )
    }

    #[test]
    fn a_missing_header_costs_no_room() {
        assert_eq!(size_of::<Option<Toc>>(), size_of::<Toc>());
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
    fn semicolons_are_found_in_every_position() {
        for len in 0..40 {
            for at in 0..len {
                let mut haystack = vec![b':'; len];
                haystack[at] = b';';
                if at + 3 < len {
                    haystack[at + 3] = b';';
                }
                assert_eq!(find_semicolon(&haystack), Some(at), "{len} {at}");
            }
            assert_eq!(find_semicolon(&vec![0xBB; len]), None);
        }
    }

    #[test]
    fn ordinary_comments_are_not_headers() {
        assert!(fields("-- Dumped from database version 15.18").is_none());
        assert!(fields("-- Name: no type here").is_none());
    }
}
