//! Reading a script: a path, `-` for standard input, `.gz` and `.zst`
//! decompressed.
//!
//! A plain file is memory-mapped: the operating system pages it in as the
//! splitter reads it, nothing is copied, and a gigabyte dump costs no
//! gigabyte of heap. Standard input and compressed files are either read into
//! memory ([`open_input`], for commands that need the whole script) or opened
//! as a stream ([`open_stream`], for `split`, whose memory then stays flat).
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

/// Opens `name` (`-` is standard input): a plain file is mapped, standard
/// input and gzip are read into memory.
pub fn open_input(name: &str) -> Result<Input, InputError> {
    if name == "-" || name.ends_with(".gz") || name.ends_with(".zst") {
        return read_input(name).map(Input::Owned);
    }
    let wrap = |error| InputError::new(name, error);
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
    if map.starts_with(GZIP_MAGIC) || map.starts_with(ZSTD_MAGIC) {
        return read_input(name).map(Input::Owned);
    }
    Ok(Input::Mapped(map))
}

/// Standard input or a gzip or zstd file as a stream of decompressed bytes;
/// `None` for a plain file, which is better mapped.
pub fn open_stream(name: &str) -> Result<Option<Box<dyn Read>>, InputError> {
    let wrap = |error| InputError::new(name, error);
    let raw: Box<dyn Read> = if name == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(Path::new(name)).map_err(wrap)?)
    };
    let mut reader = io::BufReader::with_capacity(1 << 16, raw);
    let head = io::BufRead::fill_buf(&mut reader).map_err(wrap)?;
    if head.starts_with(GZIP_MAGIC) {
        return Ok(Some(Box::new(flate2::bufread::MultiGzDecoder::new(reader))));
    }
    if head.starts_with(ZSTD_MAGIC) {
        return Ok(Some(Box::new(ZstdFrames::new(reader))));
    }
    if name.ends_with(".zst") {
        return Err(wrap(io::Error::new(
            io::ErrorKind::InvalidData,
            "the name ends in .zst but the content is not zstd",
        )));
    }
    if name.ends_with(".gz") {
        return Err(wrap(io::Error::new(
            io::ErrorKind::InvalidData,
            "the name ends in .gz but the content is not gzip",
        )));
    }
    Ok((name == "-").then(|| Box::new(reader) as Box<dyn Read>))
}

/// Reads all of `name` (`-` is standard input), decompressing gzip and zstd.
pub fn read_input(name: &str) -> Result<Vec<u8>, InputError> {
    let wrap = |error| InputError::new(name, error);
    match open_stream(name)? {
        Some(mut stream) => {
            let mut decoded = Vec::new();
            stream.read_to_end(&mut decoded).map_err(wrap)?;
            Ok(decoded)
        }
        None => std::fs::read(Path::new(name)).map_err(wrap),
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
