//! Times the lexer alone and the splitter on a file: `cargo run --release
//! --example time_split FILE`. A quick look; benches/ has the real numbers.
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: time_split FILE");
    let input = std::fs::read(&path).unwrap();
    let mb = input.len() as f64 / 1e6;
    if std::env::var_os("ONLY_SPLIT").is_some() {
        for _ in 0..10 {
            std::hint::black_box(pgsplit::split(&input, &Default::default()));
        }
        return;
    }
    for _ in 0..3 {
        let t = Instant::now();
        let tokens = pgsplit::lexer::tokenize(&input, Default::default()).count();
        let lex = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let script = pgsplit::split(&input, &Default::default());
        let split = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let every = pgsplit::split(
            &input,
            &pgsplit::SplitOptions {
                lex_every_token: true,
                ..Default::default()
            },
        );
        let slow = t.elapsed().as_secs_f64();
        println!(
            "{tokens} tokens: lex {:.0} MB/s; split {:.0} MB/s ({} statements); lexing every token {:.0} MB/s ({})",
            mb / lex, mb / split, script.statements.len(), mb / slow, every.statements.len()
        );
    }
}
