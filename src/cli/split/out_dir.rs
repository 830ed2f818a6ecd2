//! `--out-dir DIR`: one numbered file per statement, named after its
//! command and the pg_dump object it belongs to.
//!
//! The files are written at the end: their numbers are as wide as the
//! count, which is known only then. What they hold is kept until then, as
//! much as the input.

use std::io;
use std::path::PathBuf;

use super::sql::Runnable;
use crate::files::{OutDir as Folder, Replace};
use crate::search::{Place, Sink, Summary};
use crate::{Statement, StatementKind};

pub struct OutDir {
    dir: PathBuf,
    /// Each statement's file stem and what its file holds.
    files: Vec<(String, Vec<u8>)>,
    runnable: Runnable,
}

impl OutDir {
    pub fn new(dir: PathBuf) -> Self {
        OutDir {
            dir,
            files: Vec::new(),
            runnable: Runnable::default(),
        }
    }
}

impl Sink for OutDir {
    fn statement(
        &mut self,
        place: &mut Place<'_>,
        statement: &Statement,
        _: bool,
    ) -> io::Result<()> {
        let mut text = Vec::new();
        self.runnable.statement(&mut text, place.input, statement)?;
        self.files.push((file_stem(place.input, statement), text));
        Ok(())
    }

    fn copy_rows(&mut self, _: &mut Place<'_>, _: u64, rows: &[u8]) -> io::Result<()> {
        self.runnable.rows(last_file(&mut self.files), rows)
    }

    fn copy_end(&mut self, _: &mut Place<'_>, _: u64, _: u64) -> io::Result<()> {
        self.runnable.copy_end(last_file(&mut self.files))
    }

    fn finish(&mut self, _: &mut Place<'_>, _: &Summary) -> io::Result<()> {
        let mut out = Folder::create(&self.dir)?;
        let width = self.files.len().to_string().len().max(4);
        for (i, (stem, text)) in self.files.iter().enumerate() {
            let prefix = format!("{:0width$}_", i + 1);
            let name = out.name(&prefix, stem, ".sql");
            out.write(&name, Replace::RegularFile, |file| file.write_all(text))?;
        }
        Ok(())
    }
}

/// What the COPY whose rows stream will write: the last file's.
fn last_file(files: &mut [(String, Vec<u8>)]) -> &mut Vec<u8> {
    &mut files
        .last_mut()
        .expect("a COPY's rows follow its statement")
        .1
}

/// `create_table_public.users`, `meta_restrict`: the tag, then the pg_dump
/// object it belongs to ([`Folder::name`] makes it safe for every file
/// system).
fn file_stem(input: &[u8], statement: &Statement) -> String {
    let mut stem = statement
        .tag
        .trim_start_matches('\\')
        .to_ascii_lowercase()
        .replace(' ', "_");
    if statement.kind == StatementKind::Meta {
        stem = format!("meta_{stem}");
    }
    if let Some(toc) = &statement.toc {
        let schema = &input[toc.schema()];
        let name = String::from_utf8_lossy(&input[toc.name()]);
        if schema == b"-" {
            stem = format!("{stem}_{name}");
        } else {
            stem = format!("{stem}_{}.{name}", String::from_utf8_lossy(schema));
        }
    }
    stem
}
