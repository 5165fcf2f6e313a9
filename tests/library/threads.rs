//! Results are bitwise identical whatever the number of threads (fixed chunk boundaries,
//! no threading inside the matrix products).

use crate::common;
use ndarray::Array2;
use neuralize::{load_model, Beta, Explainer, Method};

fn explain_with(
    threads: usize,
    explainer: &Explainer,
    x: &Array2<f64>,
    method: &Method,
) -> (Vec<u64>, Vec<u64>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let e = pool.install(|| explainer.explain(x.view(), method).unwrap());
    (
        e.output.iter().map(|v| v.to_bits()).collect(),
        e.relevance.iter().map(|v| v.to_bits()).collect(),
    )
}

#[test]
fn one_and_two_threads_give_identical_bits() {
    for name in [
        "ocsvm_breast_cancer",
        "ocsvm_digits_laplacian",
        "kde_digits",
        "kmeans_digits",
    ] {
        let model = load_model(common::model_path(name)).unwrap();
        let input = common::read_table(&common::fixture_path(name, "input.csv")).values;
        // Repeat the rows so that several chunks are processed in parallel.
        let x = ndarray::concatenate(ndarray::Axis(0), &vec![input.view(); 12]).unwrap();
        let explainer = Explainer::new(&model);
        let published = Method::neon().with_beta(Beta::Value(explainer.published_beta()));
        // The published rules, and what `neuralize explain` does by default.
        for method in [published, Method::default()] {
            let one = explain_with(1, &explainer, &x, &method);
            let two = explain_with(2, &explainer, &x, &method);
            assert!(
                one == two,
                "{name} {method}: results differ between 1 and 2 threads"
            );
        }
    }
}
