//! Reading a script: a path, `-` for standard input, `.gz` and `.zst`
//! decompressed.
//!
//! [`open_source`] opens an input once, as what it is. A plain file is
//! memory-mapped: the operating system pages it in as the splitter reads it,
//! nothing is copied, and a gigabyte dump costs no gigabyte of heap.
//! Standard input, pipes, FIFOs and compressed files are streams, read once
//! from start to end (`split`, `check` and `stats` search them in flat
//! memory; [`Watched`] counts a stream's bytes and finds where it stops
//! being UTF-8 as it goes by). [`open_input`] reads a stream into memory,
//! for commands that need the whole script.
//!
//! Errors say which input failed and why, so the CLI can print them as they
//! are and exit 2. Gzip and zstd are recognised by their magic bytes, so a
//! compressed stream on standard input works too; a `.gz` or `.zst` name
//! whose content is not compressed is an error.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// An input that could not be read at all.
#[derive(Debug)]
pub struct InputError {
    pub source_name: String,
    pub error: io::Error,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read {}: {}", self.source_name, self.error)
    }
}

impl std::error::Error for InputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl InputError {
    /// `name` as the user gave it (`-` is standard input) and what failed.
    pub(crate) fn new(name: &str, error: io::Error) -> Self {
        InputError {
            source_name: if name == "-" {
                "standard input".into()
            } else {
                name.into()
            },
            error,
        }
    }
}

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// The bytes of an input: a mapped file or a buffer.
pub enum Input {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Input {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Input::Mapped(map) => map,
            Input::Owned(bytes) => bytes,
        }
    }
}

/// An input opened once: mapped whole, or a stream to read from start to end.
pub enum Opened {
    /// A plain regular file, mapped.
    Whole(Input),
    /// Standard input, a pipe, a FIFO, `<(...)`, or a compressed file,
    /// decompressed as it is read.
    Stream(Box<dyn Read>),
}

/// Opens `name` (`-` is standard input) once, as what it is: a plain regular
/// file is mapped; anything else is a stream, since a pipe or a FIFO can be
/// read only once, and a compressed file is decompressed as it streams.
pub fn open_source(name: &str) -> Result<Opened, InputError> {
    let wrap = |error| InputError::new(name, error);
    if name == "-" {
        return stream_of(name, Box::new(io::stdin().lock())).map(Opened::Stream);
    }
    let file = std::fs::File::open(Path::new(name)).map_err(wrap)?;
    let metadata = file.metadata().map_err(wrap)?;
    if !metadata.is_file() {
        return stream_of(name, Box::new(file)).map(Opened::Stream);
    }
    if metadata.len() == 0 {
        return stream_of(name, Box::new(io::empty())).map(Opened::Stream);
    }
    // Safety: the map is read-only; a file changed by another process while
    // it is split gives garbled statements, never undefined behaviour in
    // safe code that only reads bytes.
    // Populated up front: the kernel maps the pages in one pass, where
    // faulting them in one by one costs more than splitting them.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(wrap)?;
    let compressed = map.starts_with(GZIP_MAGIC) || map.starts_with(ZSTD_MAGIC);
    if compressed || name.ends_with(".gz") || name.ends_with(".zst") {
        return stream_of(name, Box::new(io::Cursor::new(map))).map(Opened::Stream);
    }
    Ok(Opened::Whole(Input::Mapped(map)))
}

/// The bytes `raw` yields, decompressed if they start as gzip or zstd do.
fn stream_of(name: &str, raw: Box<dyn Read>) -> Result<Box<dyn Read>, InputError> {
    let wrap = |error| InputError::new(name, error);
    let mut reader = io::BufReader::with_capacity(1 << 16, raw);
    let head = io::BufRead::fill_buf(&mut reader).map_err(wrap)?;
    if head.starts_with(GZIP_MAGIC) {
        return Ok(Box::new(flate2::bufread::MultiGzDecoder::new(reader)));
    }
    if head.starts_with(ZSTD_MAGIC) {
        return Ok(Box::new(ZstdFrames::new(reader)));
    }
    for (suffix, format) in [(".zst", "zstd"), (".gz", "gzip")] {
        if name.ends_with(suffix) {
            return Err(wrap(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the name ends in {suffix} but the content is not {format}"),
            )));
        }
    }
    Ok(Box::new(reader))
}

/// Opens `name` (`-` is standard input) whole: a plain file is mapped, any
/// other input is read into memory (decompressed).
pub fn open_input(name: &str) -> Result<Input, InputError> {
    match open_source(name)? {
        Opened::Whole(input) => Ok(input),
        Opened::Stream(mut stream) => {
            let mut bytes = Vec::new();
            stream
                .read_to_end(&mut bytes)
                .map_err(|e| InputError::new(name, e))?;
            Ok(Input::Owned(bytes))
        }
    }
}

/// Reads all of `name` (`-` is standard input), decompressing gzip and zstd.
pub fn read_input(name: &str) -> Result<Vec<u8>, InputError> {
    Ok(match open_input(name)? {
        Input::Mapped(map) => map.to_vec(),
        Input::Owned(bytes) => bytes,
    })
}

/// A reader that counts the bytes it passes on and watches where they stop
/// being UTF-8, for commands that report both about a stream.
pub struct Watched<R> {
    inner: R,
    pub bytes: u64,
    pub utf8: Utf8Watch,
}

impl<R: Read> Watched<R> {
    pub fn new(inner: R) -> Self {
        Watched {
            inner,
            bytes: 0,
            utf8: Utf8Watch::default(),
        }
    }
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        self.utf8.feed(&buf[..n]);
        Ok(n)
    }
}

/// Where a stream stops being UTF-8, found as its bytes go by: the answer
/// `std::str::from_utf8` gives for the whole stream (`valid_up_to`), with a
/// character cut between two pieces carried over.
#[derive(Debug, Default)]
pub struct Utf8Watch {
    /// The stream offset of the next byte fed.
    offset: u64,
    /// The start of a character cut by the end of the last piece.
    carried: Vec<u8>,
    invalid_at: Option<u64>,
}

impl Utf8Watch {
    /// Looks at the next piece of the stream.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if self.invalid_at.is_some() {
            return;
        }
        let carried_from = self.offset - self.carried.len() as u64;
        self.offset += bytes.len() as u64;
        while !self.carried.is_empty() {
            let Some((&next, rest)) = bytes.split_first() else {
                return;
            };
            self.carried.push(next);
            bytes = rest;
            match std::str::from_utf8(&self.carried) {
                Ok(_) => self.carried.clear(),
                Err(error) if error.error_len().is_some() => {
                    self.invalid_at = Some(carried_from);
                    return;
                }
                Err(_) => {}
            }
        }
        let piece_start = self.offset - bytes.len() as u64;
        if let Err(error) = std::str::from_utf8(bytes) {
            let valid = error.valid_up_to();
            match error.error_len() {
                Some(_) => self.invalid_at = Some(piece_start + valid as u64),
                None => self.carried.extend_from_slice(&bytes[valid..]),
            }
        }
    }

    /// Where the bytes fed so far stop being UTF-8; a character cut by the
    /// last piece's end is not counted, as the next piece may complete it.
    pub fn found(&self) -> Option<u64> {
        self.invalid_at
    }

    /// Where the whole stream stops being UTF-8, once it has all been fed:
    /// a character cut by the stream's end counts.
    pub fn at_end(&self) -> Option<u64> {
        self.invalid_at
            .or_else(|| (!self.carried.is_empty()).then(|| self.offset - self.carried.len() as u64))
    }
}

/// Decompresses every zstd frame of a stream in turn (`zstd` writes one
/// frame per file, but concatenated files hold several).
struct ZstdFrames<R: io::BufRead> {
    frame: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
    source: Option<R>,
}

impl<R: io::BufRead> ZstdFrames<R> {
    fn new(source: R) -> Self {
        ZstdFrames {
            frame: None,
            source: Some(source),
        }
    }
}

impl<R: io::BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(frame) = &mut self.frame {
                let n = frame.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.source = self.frame.take().map(|f| f.into_inner());
            }
            let Some(mut source) = self.source.take() else {
                return Ok(0);
            };
            if source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            let frame = ruzstd::decoding::StreamingDecoder::new(source)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}")))?;
            self.frame = Some(frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `bytes` cut at `cuts` and compares with the whole-input answer.
    fn watch_in_pieces(bytes: &[u8], cuts: &[usize]) -> Option<u64> {
        let mut watch = Utf8Watch::default();
        let mut from = 0;
        for &cut in cuts.iter().chain([&bytes.len()]) {
            watch.feed(&bytes[from..cut]);
            from = cut;
        }
        watch.at_end()
    }

    #[test]
    fn utf8_watch_agrees_with_the_whole_input_at_every_cut() {
        let cases: &[&[u8]] = &[
            b"plain ascii",
            "caf\u{e9} \u{20ac} \u{1f418}".as_bytes(),
            b"ok \xe2\x82 cut in the middle",
            b"ends in a cut \xf0\x9f\x90",
            b"\xff at once",
            b"lead then ascii \xe2A",
            b"",
        ];
        for bytes in cases {
            let whole = std::str::from_utf8(bytes)
                .err()
                .map(|e| e.valid_up_to() as u64);
            for first in 0..=bytes.len() {
                for second in first..=bytes.len() {
                    assert_eq!(
                        watch_in_pieces(bytes, &[first, second]),
                        whole,
                        "{bytes:?} cut at {first} and {second}"
                    );
                }
            }
            let one_by_one: Vec<usize> = (0..bytes.len()).collect();
            assert_eq!(
                watch_in_pieces(bytes, &one_by_one),
                whole,
                "{bytes:?} byte by byte"
            );
        }
    }

    #[test]
    fn a_cut_character_is_not_found_until_the_end() {
        let mut watch = Utf8Watch::default();
        watch.feed(b"ab\xe2\x82");
        assert_eq!(watch.found(), None);
        assert_eq!(watch.at_end(), Some(2));
        watch.feed(b"\xac");
        assert_eq!(watch.at_end(), None);
    }

    #[test]
    fn watched_counts_what_it_passes_on() {
        let mut reader = Watched::new(&b"abc\xffdef"[..]);
        let mut all = Vec::new();
        reader.read_to_end(&mut all).unwrap();
        assert_eq!((reader.bytes, reader.utf8.found()), (7, Some(3)));
    }
}
