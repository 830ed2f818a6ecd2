//! The files a directory given on the command line stands for.
//!
//! `pgsplit check migrations/` checks every script below the folder: the
//! files whose names match one of the patterns (by default `*.sql`,
//! `*.sql.gz` and `*.sql.zst`), in sorted path order so that output and exit
//! status never depend on the file system's order. Hidden folders (`.git`,
//! `.venv`) are not entered. A pattern is matched against the file's name
//! only, as `grep --include` does: `*` stands for any run of characters,
//! `?` for one; nothing else is special.
//!
//! ```
//! use pgsplit::walk::name_matches;
//! assert!(name_matches("*.sql", "001_initial_schema.sql"));
//! assert!(!name_matches("*.sql", "schema.sql.gz"));
//! ```

use std::io;
use std::path::{Path, PathBuf};

/// The patterns a directory is searched with when none are given.
pub const DEFAULT_PATTERNS: &[&str] = &["*.sql", "*.sql.gz", "*.sql.zst"];

/// Every file below `dir` whose name matches one of `patterns`, sorted.
pub fn files_below(dir: &Path, patterns: &[String]) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                if !name.starts_with('.') {
                    folders.push(entry.path());
                }
            } else if patterns.iter().any(|p| name_matches(p, &name)) {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Whether `name` matches `pattern` (`*` any run of characters, `?` one).
pub fn name_matches(pattern: &str, name: &str) -> bool {
    let (pattern, name): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), name.chars().collect());
    // The classic greedy match with one point to come back to: linear for
    // the patterns people write, and never exponential.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
            }
            Some(&c) if c == '?' || c == name[n] => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((star_p, star_n)) => {
                    p = star_p + 1;
                    n = star_n + 1;
                    star = Some((star_p, star_n + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_names_as_shells_do() {
        for (pattern, name, matches) in [
            ("*.sql", "a.sql", true),
            ("*.sql", ".sql", true),
            ("*.sql", "a.sql.gz", false),
            ("*.sql*", "a.sql.gz", true),
            ("0??_*.sql", "001_init.sql", true),
            ("0??_*.sql", "01_init.sql", false),
            ("*", "", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("*.SQL", "a.sql", false),
        ] {
            assert_eq!(name_matches(pattern, name), matches, "{pattern} {name}");
        }
    }

    #[test]
    fn a_folder_stands_for_its_scripts_sorted_without_hidden_folders() {
        let dir = std::env::temp_dir().join(format!("pgsplit-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for file in [
            "b/2.sql",
            "a.sql.gz",
            "b/1.sql",
            ".git/x.sql",
            "notes.txt",
            "c/d/3.sql.zst",
        ] {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"SELECT 1;").unwrap();
        }
        let patterns: Vec<String> = DEFAULT_PATTERNS.iter().map(|p| p.to_string()).collect();
        let found: Vec<String> = files_below(&dir, &patterns)
            .unwrap()
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(found, ["a.sql.gz", "b/1.sql", "b/2.sql", "c/d/3.sql.zst"]);
        let only_txt = files_below(&dir, &["*.txt".to_string()]).unwrap();
        assert_eq!(only_txt, [dir.join("notes.txt")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
