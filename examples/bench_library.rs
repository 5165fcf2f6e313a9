//! Time the library in memory (no CSV on the clock): forward pass and explanation.
//!
//! ```sh
//! cargo run --release --example bench_library -- models/ocsvm_breast_cancer.json \
//!     models/ocsvm_breast_cancer.input.csv [repeats]
//! ```
//! Prints one JSON line: rows, best-of-`repeats` seconds for `forward`, `explain` (the
//! published rules, `--rule neon`) and `explain_default` (the default method).

use neuralize::baselines::{explain_batch, Method, Settings};
use neuralize::io::columns::ColumnRequest;
use neuralize::io::table_reader::TableReader;
use neuralize::io::Endpoint;
use neuralize::{load_model, Explainer};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model_path, input_path, rest @ ..] = args.as_slice() else {
        return Err("usage: bench_library MODEL.json INPUT.csv [repeats]".into());
    };
    let repeats: usize = rest.first().map_or(Ok(3), |r| r.parse())?;
    let model = load_model(model_path)?;
    let request = ColumnRequest {
        model_names: model.feature_names(),
        n_features: model.n_features(),
        keep: &[],
        ignore_extra: false,
    };
    let mut reader = TableReader::open(&Endpoint::parse(input_path), b',', &request)?;
    let x = reader.read_chunk(usize::MAX)?.features;
    let explainer = Explainer::new(&model);
    let published = explainer.default_composite()?;
    let settings = Settings::default();
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
    let explain = best(&|| explainer.explain(x.view(), &published, None).map(|_| ()))?;
    let default = best(&|| {
        explain_batch(&explainer, x.view(), 0, Method::Default, &settings, None).map(|_| ())
    })?;
    println!(
        "{{\"rows\": {}, \"forward_s\": {forward}, \"explain_s\": {explain}, \"explain_default_s\": {default}, \"threads\": {}}}",
        x.nrows(),
        rayon::current_num_threads()
    );
    Ok(())
}
