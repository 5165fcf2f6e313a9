//! Time the k-nearest-neighbour detector's forward pass (the k nearest stored rows of every
//! input row, then the score) in memory, for `scripts/bench_knn.py`.
//!
//! ```sh
//! cargo bench --bench knn -- MODEL.json INPUT.csv [repeats]
//! ```
//! Prints one JSON line: rows, best-of-`repeats` seconds of `forward`, threads.

#[path = "../examples/common/mod.rs"]
mod common;

use neuralize::{load_model, Explainer};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; everything else is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [model_path, input_path, rest @ ..] = args.as_slice() else {
        eprintln!("usage: cargo bench --bench knn -- MODEL.json INPUT.csv [repeats]");
        return Ok(());
    };
    let repeats: usize = rest.first().map_or(Ok(1), |r| r.parse())?;
    let model = load_model(model_path)?;
    let (x, _) = common::read_features(input_path, &model)?;
    let explainer = Explainer::new(&model);
    let mut best = f64::INFINITY;
    for _ in 0..repeats {
        let start = Instant::now();
        explainer.forward(x.view(), None)?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{{\"rows\": {}, \"forward_s\": {best}, \"threads\": {}}}",
        x.nrows(),
        rayon::current_num_threads()
    );
    Ok(())
}
