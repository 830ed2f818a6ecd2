//! Reading a script: a path, `-` for standard input, `.gz` decompressed.
//!
//! A plain file is memory-mapped: the operating system pages it in as the
//! splitter reads it, nothing is copied, and a gigabyte dump costs no
//! gigabyte of heap. Standard input and gzip are either read into memory
//! ([`open_input`], for commands that need the whole script) or opened as a
//! stream ([`open_stream`], for `split`, whose memory then stays flat).
//!
//! Errors say which input failed and why, so the CLI can print them as they
//! are and exit 2. Gzip is recognised by its magic bytes as well as by the
//! `.gz` suffix, so a compressed stream on standard input works too.

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
    fn new(name: &str, error: io::Error) -> Self {
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

/// Opens `name` (`-` is standard input): a plain file is mapped, standard
/// input and gzip are read into memory.
pub fn open_input(name: &str) -> Result<Input, InputError> {
    if name == "-" || name.ends_with(".gz") {
        return read_input(name).map(Input::Owned);
    }
    let wrap = |error| InputError {
        source_name: name.into(),
        error,
    };
    let file = std::fs::File::open(Path::new(name)).map_err(wrap)?;
    if file.metadata().map_err(wrap)?.len() == 0 {
        return Ok(Input::Owned(Vec::new()));
    }
    // Safety: the map is read-only; a file changed by another process while
    // it is split gives garbled statements, never undefined behaviour in
    // safe code that only reads bytes.
    // Populated up front: the kernel maps the pages in one pass, where
    // faulting them in one by one costs more than splitting them.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(wrap)?;
    if map.starts_with(GZIP_MAGIC) {
        return read_input(name).map(Input::Owned);
    }
    Ok(Input::Mapped(map))
}

/// Standard input or a gzip file as a stream of decompressed bytes; `None`
/// for a plain file, which is better mapped.
pub fn open_stream(name: &str) -> Result<Option<Box<dyn Read>>, InputError> {
    let wrap = |error| InputError::new(name, error);
    let raw: Box<dyn Read> = if name == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(Path::new(name)).map_err(wrap)?)
    };
    let mut reader = io::BufReader::with_capacity(1 << 16, raw);
    let head = io::BufRead::fill_buf(&mut reader).map_err(wrap)?;
    let gzip = head.starts_with(GZIP_MAGIC);
    if gzip {
        return Ok(Some(Box::new(flate2::bufread::MultiGzDecoder::new(reader))));
    }
    if name.ends_with(".gz") {
        return Err(wrap(io::Error::new(
            io::ErrorKind::InvalidData,
            "the name ends in .gz but the content is not gzip",
        )));
    }
    Ok((name == "-").then(|| Box::new(reader) as Box<dyn Read>))
}

/// Reads all of `name` (`-` is standard input), decompressing gzip.
pub fn read_input(name: &str) -> Result<Vec<u8>, InputError> {
    let wrap = |error| InputError::new(name, error);
    let raw = if name == "-" {
        let mut buffer = Vec::new();
        io::stdin().lock().read_to_end(&mut buffer).map_err(wrap)?;
        buffer
    } else {
        std::fs::read(Path::new(name)).map_err(wrap)?
    };
    if raw.starts_with(GZIP_MAGIC) {
        let mut decoded = Vec::with_capacity(raw.len() * 4);
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut decoded)
            .map_err(wrap)?;
        Ok(decoded)
    } else if name.ends_with(".gz") {
        Err(wrap(io::Error::new(
            io::ErrorKind::InvalidData,
            "the name ends in .gz but the content is not gzip",
        )))
    } else {
        Ok(raw)
    }
}
