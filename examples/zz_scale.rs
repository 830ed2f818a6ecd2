use std::time::Instant;
fn main() {
    let input = std::fs::read(std::env::args().nth(1).unwrap()).unwrap();
    let opts = pgsplit::SplitOptions::default();
    let half = input.len() / 2;
    let cut = half
        + input[half..]
            .windows(5)
            .position(|w| w == b";\n\n\n-")
            .unwrap()
        + 4;
    let (a, b) = input.split_at(cut);
    for _ in 0..3 {
        let t = Instant::now();
        let n =
            pgsplit::split(a, &opts).statements.len() + pgsplit::split(b, &opts).statements.len();
        let seq = t.elapsed();
        let t = Instant::now();
        let (x, y) = rayon::join(
            || pgsplit::split(a, &opts).statements.len(),
            || pgsplit::split(b, &opts).statements.len(),
        );
        let par = t.elapsed();
        println!(
            "{n} {} seq {:?} par {:?} ratio {:.2}",
            x + y,
            seq,
            par,
            seq.as_secs_f64() / par.as_secs_f64()
        );
    }
}
