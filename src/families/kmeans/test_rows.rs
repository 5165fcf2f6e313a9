//! Test support shared by the batch-vs-exact tests of the k-means passes: awkward rows and
//! the comparison of a batch row with its exact per-row form.

use crate::method::{LinearRule, RuleSet};
use crate::network::NeonRules;
use crate::rng::test_matrix;
use ndarray::{Array1, Array2, ArrayView1, Axis};

/// 700 seeded rows of `d` features with awkward ones planted: row 10 on the boundary of
/// clusters 1 and 4, row 11 at centroid 2, row 300 scaled by 1e9, row 12 at the reference
/// (the centroids' mean shifted by `shift`). Returns the rows and the reference.
pub(super) fn awkward_rows(
    centroids: &Array2<f64>,
    seed: u64,
    shift: f64,
) -> (Array2<f64>, Array1<f64>) {
    let mut z = test_matrix(700, centroids.ncols(), seed);
    let boundary = (&centroids.row(1) + &centroids.row(4)) * 0.5;
    z.row_mut(10).assign(&boundary);
    z.row_mut(11).assign(&centroids.row(2));
    z.row_mut(300).mapv_inplace(|v| v * 1e9);
    let reference = centroids.mean_axis(Axis(0)).unwrap() + shift;
    z.row_mut(12).assign(&reference);
    (z, reference)
}

/// The rules of `rule_set` at `beta`, rooted at `reference`.
pub(super) fn rules(rule_set: RuleSet, beta: f64, reference: &Array1<f64>) -> NeonRules<'_> {
    NeonRules {
        rule_set,
        beta,
        linear: LinearRule::Midpoint,
        reference: reference.view(),
        bounds: None,
        layer_rules: Default::default(),
    }
}

/// Row `r` of a batch pass (`got`) is within 1e-9 (relative to the row's largest value) of
/// its exact form and conserves the logit `f`.
pub(super) fn assert_row_agrees(
    beta: f64,
    r: usize,
    got: ArrayView1<f64>,
    exact: ArrayView1<f64>,
    f: f64,
) {
    let scale = exact.iter().fold(f.abs(), |m, v| m.max(v.abs()));
    for (i, (a, b)) in got.iter().zip(exact.iter()).enumerate() {
        assert!(
            (a - b).abs() <= 1e-9 * scale,
            "beta {beta} row {r} feature {i}: {a} vs {b}"
        );
    }
    let total: f64 = got.sum();
    assert!((total - f).abs() <= 1e-9 * scale, "row {r}: {total} vs {f}");
}
