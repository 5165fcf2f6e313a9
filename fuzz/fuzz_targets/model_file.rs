//! The model-file parser, through explain: any bytes either fail to load with an error, or
//! give a model that saves and loads back to the same file, and whose explanations of fixed
//! rows are errors or conserve (rows of relevance sum to the explained output) with the
//! forward pass giving the same output; for models with a log-odds target, that target's
//! default explanation too. Nothing panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use neuralize::ndarray::Array2;
use neuralize::{model_from_json, model_to_json, ClassTarget, Explainer, Method};

/// Three rows of `d` features: zeros, ones, and alternating +-2.5 (column-major, as a
/// caller might hold them).
fn rows(d: usize) -> Array2<f64> {
    let mut x = Array2::zeros((d, 3)).reversed_axes();
    for j in 0..d {
        x[[1, j]] = 1.0;
        x[[2, j]] = if j % 2 == 0 { 2.5 } else { -2.5 };
    }
    x
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = model_from_json(text) else {
        return;
    };
    // Saving and loading back gives the same file.
    let saved = model_to_json(&model);
    let loaded = model_from_json(&saved)
        .unwrap_or_else(|e| panic!("a loaded model saves as a file that does not load: {e}"));
    assert_eq!(model_to_json(&loaded), saved, "save/load is not stable");
    let d = model.n_features();
    if d == 0 || d > 4096 {
        return;
    }
    let explainer = Explainer::new(&model);
    let x = rows(d);
    // The methods whose relevance must conserve: the default and the published rules, and
    // for dense networks (whose default LRP composite keeps bias and epsilon shares) their
    // conserving rule set.
    let methods = match model.kind() {
        "dense_network" => vec!["gamma-zb".parse::<Method>().expect("a rule set name")],
        _ => vec![Method::default(), Method::neon()],
    };
    for method in methods {
        check_explanation(&explainer, &x, &method);
    }
    // Models with a log-odds target (classifiers, Gaussian mixtures): its default conserves too.
    if let Ok(log_odds) = explainer.clone().with_class_target(ClassTarget::LogOdds) {
        check_explanation(&log_odds, &x, &Method::default());
    }
});

/// An explanation of `x` with `method` is an error, or has the right shape, the forward
/// pass's output, and rows of relevance that sum to it.
fn check_explanation(explainer: &Explainer, x: &Array2<f64>, method: &Method) {
    let Ok(e) = explainer.explain(x.view(), method) else {
        return;
    };
    let d = x.ncols();
    assert_eq!(e.relevance.dim(), (3, d), "{method}: relevance shape");
    assert_eq!(e.output.len(), 3, "{method}: output length");
    if let Ok(forward) = explainer.forward(x.view(), None) {
        for (r, (&a, &b)) in forward.output.iter().zip(&e.output).enumerate() {
            let scale = a.abs().max(b.abs()).max(1.0);
            assert!(
                !(a.is_finite() && b.is_finite()) || (a - b).abs() <= 1e-9 * scale,
                "{method}: row {r}: forward output {a} but explained output {b}"
            );
        }
    }
    for (r, row) in e.relevance.rows().into_iter().enumerate() {
        let output = e.output[r];
        if !output.is_finite() || row.iter().any(|v| !v.is_finite()) {
            continue;
        }
        let sum: f64 = row.sum();
        let magnitude: f64 = row.iter().map(|v| v.abs()).sum();
        let scale = output.abs().max(magnitude).max(f64::MIN_POSITIVE);
        assert!(
            (sum - output).abs() <= 1e-9 * scale,
            "{method}: row {r}: relevance sums to {sum}, the explained output is {output}"
        );
    }
}
