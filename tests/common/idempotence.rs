//! The normalizer's idempotence, as the property tests, the corpus test and
//! the fuzz target check it: normalizing the normalized text changes nothing,
//! under every combination of options.
//!
//! It depends on pgsplit alone, so that the fuzz crate can include it too.

use pgsplit::normalize::{normalize, Ignore, NormalizeOptions};
use pgsplit::{split, Severity, SplitOptions};

/// The option combinations idempotence is checked under: no `--ignore`,
/// each value alone, all of them together; each unsorted and sorted.
pub fn every_option_combination() -> Vec<NormalizeOptions> {
    let mut ignores: Vec<Vec<Ignore>> = vec![Vec::new()];
    ignores.extend(Ignore::ALL.iter().map(|&one| vec![one]));
    ignores.push(Ignore::ALL.to_vec());
    let mut combinations = Vec::new();
    for ignore in ignores {
        for sort in [false, true] {
            combinations.push(NormalizeOptions {
                ignore: ignore.clone(),
                sort,
                jobs: 1,
            });
        }
    }
    combinations
}

/// `--ignore a,b --sort`, as the command line spells the options.
pub fn describe(options: &NormalizeOptions) -> String {
    let names: Vec<&str> = options.ignore.iter().map(|i| i.name()).collect();
    let mut text = format!("--ignore {:?}", names.join(","));
    if options.sort {
        text.push_str(" --sort");
    }
    text
}

/// Whether idempotence is promised for `input`: pgsplit splits it without
/// errors or warnings, as it does every real dump. An input that ends inside
/// an unclosed quote, parenthesis or body, or whose meta-command sends a
/// statement with an open parenthesis, or that makes psql misread COPY data,
/// has no stable canonical form: the statements it runs together are the
/// ones normalizing separates.
pub fn idempotence_promised(input: &[u8]) -> bool {
    let script = split(input, &SplitOptions::default());
    script
        .diagnostics
        .iter()
        .all(|d| d.severity == Severity::Note)
}

/// What goes wrong when `input` is normalized twice with `options`: None
/// when the second pass gives the first pass's text.
pub fn idempotence_failure(input: &[u8], options: &NormalizeOptions) -> Option<String> {
    let once = normalize(input, options);
    let twice = normalize(&once, options);
    (once != twice).then(|| {
        format!(
            "normalize {} is not idempotent on {:?}\nonce:  {:?}\ntwice: {:?}",
            describe(options),
            String::from_utf8_lossy(input),
            String::from_utf8_lossy(&once),
            String::from_utf8_lossy(&twice),
        )
    })
}
