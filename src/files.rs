//! Writing files into a folder the user named, where names come from a dump.
//!
//! `split --out-dir` names its files after pg_dump's objects and `squash
//! --out` writes next to files someone else may have put there, so:
//!
//! - a name is made of letters, digits, `.`, `_` and `-` (never `/` or a
//!   leading `.`), at most 255 bytes cut on a character boundary, which is
//!   what file systems allow, and unique even where case does not count;
//! - a file is written under a temporary name in the same folder, then moved
//!   to its own name in one step, so an interrupted run never leaves a file
//!   with half its content under its final name; the `pgsplit` binary also
//!   removes the temporary file on Ctrl-C ([`remove_temporary_on_interrupt`]);
//! - nothing but a regular file is ever replaced: a symbolic link, dangling
//!   or not, is refused, and is never followed.

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The longest file name (in bytes) that common file systems accept.
pub const NAME_MAX: usize = 255;

/// Whether a file may replace one of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Only a regular file may be replaced.
    RegularFile,
    /// Nothing of that name may exist.
    Never,
}

/// A folder being filled, and the names given out so far.
pub struct OutDir {
    dir: PathBuf,
    /// The names given, in lower case: unique where case does not count.
    taken: HashSet<String>,
}

impl OutDir {
    /// Creates `dir` (and its parents) if need be.
    pub fn create(dir: &Path) -> io::Result<OutDir> {
        fs::create_dir_all(dir).map_err(|e| {
            io::Error::new(e.kind(), format!("cannot create {}: {e}", dir.display()))
        })?;
        Ok(OutDir {
            dir: dir.to_path_buf(),
            taken: HashSet::new(),
        })
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// `{prefix}{stem}{extension}`, the stem made safe and cut so that the
    /// name fits [`NAME_MAX`] bytes, with `-2`, `-3`... before the extension
    /// when another name of this folder differs from it only in case.
    pub fn name(&mut self, prefix: &str, stem: &str, extension: &str) -> String {
        let stem = safe_stem(stem);
        for n in 1usize.. {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            let room = NAME_MAX.saturating_sub(prefix.len() + suffix.len() + extension.len());
            let name = format!("{prefix}{}{suffix}{extension}", cut(&stem, room));
            if self.taken.insert(name.to_lowercase()) {
                return name;
            }
        }
        unreachable!("some suffix is always free")
    }

    /// Writes the file `name` with what `write` produces.
    pub fn write(
        &self,
        name: &str,
        replace: Replace,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let target = self.path(name);
        let temporary = self.temporary(&target, write)?;
        self.commit(&temporary, &target, replace)
    }

    /// Writes several files, each fully, before any takes its name; every
    /// name is checked before anything is written.
    pub fn write_all(&self, files: &[(&str, &[u8])], replace: Replace) -> io::Result<()> {
        for (name, _) in files {
            refuse_to_replace(&self.path(name), replace)?;
        }
        let mut written = Vec::new();
        for (name, bytes) in files {
            let target = self.path(name);
            match self.temporary(&target, |out| out.write_all(bytes)) {
                Ok(temporary) => written.push((temporary, target)),
                Err(e) => {
                    for (temporary, _) in &written {
                        let _ = fs::remove_file(temporary);
                    }
                    return Err(e);
                }
            }
        }
        let mut result = Ok(());
        for (temporary, target) in written {
            if result.is_ok() {
                result = self.commit(&temporary, &target, replace);
            } else {
                let _ = fs::remove_file(&temporary);
            }
        }
        result
    }

    /// A new file in the folder, under a name no one else uses, holding what
    /// `write` produces. Created exclusively, so it is never a link.
    fn temporary(
        &self,
        target: &Path,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<PathBuf> {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let cannot = |e: io::Error| {
            io::Error::new(e.kind(), format!("cannot write {}: {e}", target.display()))
        };
        let (path, file) = loop {
            let n = COUNT.fetch_add(1, Ordering::Relaxed);
            let path = self
                .dir
                .join(format!(".pgsplit-{}-{n}.tmp", std::process::id()));
            // Named for the handler before it exists: a signal that comes
            // as the file is created must find it.
            interrupt::writing(&path);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => break (path, file),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    interrupt::done();
                    return Err(cannot(e));
                }
            }
        };
        let mut out = BufWriter::new(file);
        let written = write(&mut out).and_then(|()| out.flush()).map_err(cannot);
        if let Err(e) = written {
            let _ = fs::remove_file(&path);
            interrupt::done();
            return Err(e);
        }
        Ok(path)
    }

    /// Gives `temporary` the name `target`, in one step.
    fn commit(&self, temporary: &Path, target: &Path, replace: Replace) -> io::Result<()> {
        let done = refuse_to_replace(target, replace).and_then(|()| match replace {
            // A rename replaces a link itself, never what it points to.
            Replace::RegularFile => fs::rename(temporary, target),
            // A hard link fails if anything of that name appeared meanwhile.
            Replace::Never => match fs::hard_link(temporary, target) {
                Ok(()) => fs::remove_file(temporary),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists(target)),
                // File systems without hard links: checked just above.
                Err(_) => fs::rename(temporary, target),
            },
        });
        if done.is_err() {
            let _ = fs::remove_file(temporary);
        }
        interrupt::done();
        done.map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                e
            } else {
                io::Error::new(e.kind(), format!("cannot write {}: {e}", target.display()))
            }
        })
    }
}

/// Makes Ctrl-C (SIGINT) and SIGTERM remove the temporary file being
/// written before the process ends with status 130 or 143. For the
/// `pgsplit` binary only: a library must not take signals from its host.
pub fn remove_temporary_on_interrupt() {
    #[cfg(unix)]
    interrupt::install();
}

/// The temporary file being written, where a signal handler can read it:
/// a fixed buffer of bytes, its length zero while it changes, since a
/// handler may only call async-signal-safe functions (unlink(2), _exit(2)).
mod interrupt {
    use std::path::Path;
    use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

    const CAPACITY: usize = 4096;
    static PATH: [AtomicU8; CAPACITY] = [const { AtomicU8::new(0) }; CAPACITY];
    /// The path's length; 0 when no temporary file is being written.
    static LENGTH: AtomicUsize = AtomicUsize::new(0);

    pub fn writing(path: &Path) {
        LENGTH.store(0, Ordering::SeqCst);
        let bytes = path.as_os_str().as_encoded_bytes();
        // A path too long to hold is simply not removed on a signal.
        if bytes.len() >= CAPACITY || bytes.contains(&0) {
            return;
        }
        for (slot, &byte) in PATH.iter().zip(bytes.iter().chain(&[0])) {
            slot.store(byte, Ordering::Relaxed);
        }
        LENGTH.store(bytes.len(), Ordering::SeqCst);
    }

    pub fn done() {
        LENGTH.store(0, Ordering::SeqCst);
    }

    #[cfg(unix)]
    extern "C" fn on_interrupt(signal: libc::c_int) {
        // Safety: PATH holds a NUL-terminated path whenever LENGTH is not
        // 0 (AtomicU8 has the layout of u8); unlink(2) and _exit(2) are
        // async-signal-safe.
        unsafe {
            if LENGTH.load(Ordering::SeqCst) != 0 {
                libc::unlink(PATH.as_ptr().cast());
            }
            libc::_exit(128 + signal);
        }
    }

    #[cfg(unix)]
    pub fn install() {
        // Safety: the handler only reads atomics and calls
        // async-signal-safe functions.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            for signal in [libc::SIGINT, libc::SIGTERM] {
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }
}

fn exists(target: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{} exists; pass --force to replace it", target.display()),
    )
}

/// An error unless `target` is absent, or a regular file that may be replaced.
fn refuse_to_replace(target: &Path, replace: Replace) -> io::Result<()> {
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot write {}: {e}", target.display()),
        )),
        Ok(meta) if !meta.file_type().is_file() => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{} exists and is not a regular file (a symbolic link or a folder); \
                 pgsplit never writes through it: remove it or write elsewhere",
                target.display()
            ),
        )),
        Ok(_) if replace == Replace::Never => Err(exists(target)),
        Ok(_) => Ok(()),
    }
}

/// `stem` with every character but letters, digits, `.`, `_` and `-` made
/// `_`, and a leading `.` too, so that no name is hidden, `.` or `..`.
fn safe_stem(stem: &str) -> String {
    let safe: String = stem
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let allowed = c.is_alphanumeric() || matches!(c, '_' | '-') || (c == '.' && i > 0);
            if allowed {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "statement".to_string()
    } else {
        safe
    }
}

/// The longest start of `text` of at most `bytes` bytes that ends on a
/// character boundary.
fn cut(text: &str, bytes: usize) -> &str {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_255_bytes_on_a_character_boundary() {
        let mut dir = OutDir {
            dir: PathBuf::new(),
            taken: HashSet::new(),
        };
        let stem = "𠀀".repeat(100);
        let name = dir.name("0001_", &stem, ".sql");
        assert!(name.len() <= NAME_MAX, "{}", name.len());
        assert!(name.len() > NAME_MAX - 4, "{}", name.len());
        assert!(name.starts_with("0001_𠀀") && name.ends_with("𠀀.sql"));
    }

    #[test]
    fn names_that_differ_only_in_case_are_told_apart() {
        let mut dir = OutDir {
            dir: PathBuf::new(),
            taken: HashSet::new(),
        };
        assert_eq!(dir.name("", "Users", ".sql"), "Users.sql");
        assert_eq!(dir.name("", "users", ".sql"), "users-2.sql");
        assert_eq!(dir.name("", "USERS", ".sql"), "USERS-3.sql");
        assert_eq!(dir.name("", "../..", ".sql"), "_._...sql");
    }
}
