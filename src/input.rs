//! Reading a script: a path, `-` for standard input, `.gz` decompressed.
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

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// Reads all of `name` (`-` is standard input), decompressing gzip.
pub fn read_input(name: &str) -> Result<Vec<u8>, InputError> {
    let wrap = |error| InputError {
        source_name: if name == "-" {
            "standard input".into()
        } else {
            name.into()
        },
        error,
    };
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
