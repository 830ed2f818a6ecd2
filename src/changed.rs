//! A mapped file that changes while the command line reads it.
//!
//! Large inputs are memory-mapped. When another process truncates a file
//! under its map, reading the pages past the new end raises SIGBUS, which
//! kills the process with no word said (exit status 135). The `pgsplit`
//! binary installs a handler ([`report_changed_files`]) that says which
//! file changed and exits with status 2, as for any input it cannot read.
//!
//! A signal handler may only call async-signal-safe functions, so the
//! message is made beforehand, when a file is mapped ([`mapping`]), and the
//! handler does nothing but write(2) it and _exit(2). The Python extension
//! does not install it: a handler in a library would take the signal from
//! the interpreter that loaded it.

/// Records that `name` may be read through a map, for the message: before
/// the file is mapped, since its first bytes are read at once.
pub fn mapping(name: &str) {
    #[cfg(unix)]
    unix::update(|names| names.push(name.to_string()));
    #[cfg(not(unix))]
    let _ = name;
}

/// `name` turned out not to be mapped (a compressed file, read whole).
pub fn not_mapped(name: &str) {
    #[cfg(unix)]
    unix::update(|names| names.retain(|n| n != name));
    #[cfg(not(unix))]
    let _ = name;
}

/// Makes a SIGBUS end the process with the message of the files mapped so
/// far and exit status 2. For the `pgsplit` binary only.
pub fn report_changed_files() {
    #[cfg(unix)]
    unix::install();
}

#[cfg(unix)]
mod unix {
    use std::sync::atomic::{AtomicPtr, Ordering};
    use std::sync::Mutex;

    /// The message the handler writes; leaked, so it lives as long as the
    /// process and the handler can read it at any moment.
    static MESSAGE: AtomicPtr<Vec<u8>> = AtomicPtr::new(std::ptr::null_mut());
    /// The names mapped so far, for the next message.
    static NAMES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    const FALLBACK: &[u8] =
        b"pgsplit: an input file changed (was truncated?) while pgsplit read it\n";

    pub fn update(change: impl FnOnce(&mut Vec<String>)) {
        let Ok(mut names) = NAMES.lock() else {
            return;
        };
        change(&mut names);
        let message = if names.is_empty() {
            std::ptr::null_mut()
        } else {
            let text = format!(
                "pgsplit: {}: the file changed (was truncated?) while pgsplit read it\n",
                names.join(" or ")
            );
            Box::into_raw(Box::new(text.into_bytes()))
        };
        MESSAGE.store(message, Ordering::Release);
    }

    extern "C" fn on_sigbus(_: libc::c_int) {
        let message = MESSAGE.load(Ordering::Acquire);
        // Safety: a non-null pointer is a leaked Vec, never freed or
        // changed; write(2) and _exit(2) are async-signal-safe.
        unsafe {
            let bytes: &[u8] = if message.is_null() {
                FALLBACK
            } else {
                &*message
            };
            libc::write(2, bytes.as_ptr().cast(), bytes.len());
            libc::_exit(2);
        }
    }

    pub fn install() {
        // Safety: the handler only reads memory that never changes and
        // calls async-signal-safe functions.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
        }
    }
}
