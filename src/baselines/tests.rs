//! Checks of the baselines that need the crate's internals (the library's integration tests
//! in `tests/library/baselines.rs` check the rest through the public API):
//! - the sampling methods number rows from `first_row`, so one input split into batches
//!   (as the command line streams it) gives the values of the whole input;
//! - `taylor` is the gradient at the root point that `taylor::root_point` finds, and the
//!   root is a zero of `f` for outliers.

use super::taylor::root_point;
use super::Target;
use crate::{Explainer, Kernel, Method, Model, OneClassSvm, Standardizer};
use ndarray::{s, Array1, Array2, ArrayView2};

/// The xorshift generator of the integration tests, so that the data are the same there.
struct Xorshift(u64);

impl Xorshift {
    fn uniform(&mut self, low: f64, high: f64) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        low + (high - low) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }

    fn matrix(&mut self, rows: usize, cols: usize, low: f64, high: f64) -> Array2<f64> {
        Array2::from_shape_fn((rows, cols), |_| self.uniform(low, high))
    }
}

/// The scaled rbf one-class SVM on `d` features of the integration tests' `models(d, seed)`
/// (the same draws in the same order).
fn scaled_rbf_svm(d: usize, seed: u64) -> Model {
    let mut rng = Xorshift(seed);
    let sv = rng.matrix(7, d, -1.0, 1.0);
    let alpha = Array1::from_shape_fn(7, |_| rng.uniform(0.2, 1.0));
    let svm = OneClassSvm::new(Kernel::Rbf { gamma: 0.4 }, sv, alpha, 0.5).unwrap();
    // Draws of the other models of `models`, before the first scaler.
    let _kde_points = rng.matrix(9, d, -1.0, 1.0);
    let _centroids = rng.matrix(4, d, -1.5, 1.5);
    let mean = Array1::from_shape_fn(d, |_| rng.uniform(-2.0, 2.0));
    let scale = Array1::from_shape_fn(d, |_| rng.uniform(0.5, 3.0));
    Model::from(svm)
        .with_scaler(Standardizer::new(mean, scale).unwrap())
        .unwrap()
}

fn inputs(d: usize, n: usize, seed: u64) -> Array2<f64> {
    Xorshift(seed).matrix(n, d, -4.0, 4.0)
}

fn row(x: &[f64]) -> ArrayView2<'_, f64> {
    ArrayView2::from_shape((1, x.len()), x).unwrap()
}

#[test]
fn sampling_methods_do_not_depend_on_the_batch_split() {
    let model = scaled_rbf_svm(6, 2);
    let explainer = Explainer::new(&model);
    let x = inputs(6, 9, 1);
    for name in ["shapley-sampling", "meaningful-perturbation", "random"] {
        let method = name
            .parse::<Method>()
            .unwrap()
            .with_samples(16)
            .with_seed(42);
        let all = explainer.explain(x.view(), &method).unwrap().relevance;
        let head = explainer
            .explain_from(x.slice(s![..4, ..]), &method, 0)
            .unwrap()
            .relevance;
        let tail = explainer
            .explain_from(x.slice(s![4.., ..]), &method, 4)
            .unwrap()
            .relevance;
        assert_eq!(all.slice(s![..4, ..]), head, "{name}: first batch");
        assert_eq!(all.slice(s![4.., ..]), tail, "{name}: second batch");
    }
    // The row index names the random stream: the tail explained as rows 0.. differs.
    let random: Method = "random".parse().unwrap();
    let all = explainer.explain(x.view(), &random).unwrap().relevance;
    let renumbered = explainer
        .explain(x.slice(s![4.., ..]), &random)
        .unwrap()
        .relevance;
    assert_ne!(all.slice(s![4.., ..]), renumbered);
}

#[test]
fn taylor_expands_at_the_root_point() {
    let model = scaled_rbf_svm(4, 13);
    let explainer = Explainer::new(&model);
    let reference = explainer.reference().to_vec();
    let x = inputs(4, 10, 17);
    let f = explainer.forward(x.view(), None).unwrap().output;
    let target = Target::new(&explainer, None);
    assert!(
        target.output(&reference).unwrap() < 0.0,
        "the test needs an inlier reference"
    );
    let method: Method = "taylor".parse().unwrap();
    let r = explainer.explain(x.view(), &method).unwrap().relevance;
    let mut crossed = 0;
    for (k, x_k) in x.outer_iter().enumerate() {
        let x_k = x_k.to_vec();
        let root = root_point(&target, &x_k, f[k], &reference).unwrap();
        if f[k] > 0.0 {
            crossed += 1;
            let at_root = target.output(&root).unwrap();
            assert!(at_root.abs() < 1e-9, "row {k}: f(root) = {at_root}");
        }
        let g = target.gradients(row(&root)).unwrap();
        for i in 0..4 {
            let expected = g[[0, i]] * (x_k[i] - root[i]);
            assert!(
                (r[[k, i]] - expected).abs() <= 1e-12 * expected.abs().max(1.0),
                "row {k} feature {i}: {} vs {expected}",
                r[[k, i]]
            );
        }
    }
    assert!(crossed > 0, "some rows are outliers");
}
