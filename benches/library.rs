//! Time the library in memory (no CSV on the clock): forward pass and explanation, for the
//! side-by-side script `scripts/bench_vs_sklearn.py`.
//!
//! ```sh
//! cargo bench --bench library -- models/ocsvm_breast_cancer.json \
//!     models/ocsvm_breast_cancer.input.csv [repeats]
//! ```
//! Prints one JSON line: rows, best-of-`repeats` seconds for `forward`, `explain` (the
//! published rules, `Method::neon()`; `null` where the model has none) and `explain_default` (`Method::default()`).

#[path = "../examples/common/mod.rs"]
mod common;

use neuralize::{load_model, Explainer, Method};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; everything else is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let [model_path, input_path, rest @ ..] = args.as_slice() else {
        // Run without arguments (as by a plain `cargo bench`): nothing to time.
        eprintln!("usage: cargo bench --bench library -- MODEL.json INPUT.csv [repeats]");
        return Ok(());
    };
    let repeats: usize = rest.first().map_or(Ok(3), |r| r.parse())?;
    let model = load_model(model_path)?;
    let (x, _) = common::read_features(input_path, &model)?;
    let explainer = Explainer::new(&model);
    let best = |f: &dyn Fn() -> neuralize::Result<()>| -> neuralize::Result<f64> {
        let mut best = f64::INFINITY;
        for _ in 0..repeats {
            let start = Instant::now();
            f()?;
            best = best.min(start.elapsed().as_secs_f64());
        }
        Ok(best)
    };
    let forward = best(&|| explainer.forward(x.view(), None).map(|_| ()))?;
    // `null` for models without the published NEON rules (dense networks).
    let explain = best(&|| explainer.explain(x.view(), &Method::neon()).map(|_| ()))
        .map_or("null".to_string(), |t| t.to_string());
    let default = best(&|| explainer.explain(x.view(), &Method::default()).map(|_| ()))?;
    println!(
        "{{\"rows\": {}, \"forward_s\": {forward}, \"explain_s\": {explain}, \"explain_default_s\": {default}, \"threads\": {}}}",
        x.nrows(),
        rayon::current_num_threads()
    );
    Ok(())
}
