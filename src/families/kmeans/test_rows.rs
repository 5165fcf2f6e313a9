//! Test support shared by the batch-vs-exact tests of the k-means passes: awkward rows, the
//! cases every such test runs, and the comparison of a batch row with its exact per-row form.

use super::network::ClusterNetwork;
use super::path::PathForms;
use crate::method::RuleSet;
use crate::network::NeonRules;
use crate::rng::test_matrix;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

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

/// Every case of a batch-vs-exact test of `rule_set`: a network of 9 seeded centroids in 6
/// features (`seed`), its [`awkward_rows`] (`seed + 1`, reference shifted by `shift`), at a
/// soft and a stiff beta, for the assigned cluster and for cluster 5. Calls
/// `check(network, rows, reference, rules, beta, cluster)`.
pub(super) fn for_each_case(
    seed: u64,
    shift: f64,
    rule_set: RuleSet,
    mut check: impl FnMut(&ClusterNetwork, &Array2<f64>, &Array1<f64>, &NeonRules, f64, Option<usize>),
) {
    let centroids = test_matrix(9, 6, seed);
    let net = ClusterNetwork::new(centroids.clone());
    let (z, reference) = awkward_rows(&centroids, seed + 1, shift);
    for beta in [0.8, 50.0] {
        for cluster in [None, Some(5)] {
            let rules = NeonRules::rooted(rule_set, beta, reference.view());
            check(&net, &z, &reference, &rules, beta, cluster);
        }
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

/// One row of [`assert_batch_agrees_with_exact`], after its exact form ran.
pub(super) struct CheckedRow<'a, 'b, S> {
    /// The network and the rows of the case.
    pub(super) net: &'a ClusterNetwork,
    pub(super) rows: ArrayView2<'a, f64>,
    /// The case's rules and explained cluster.
    pub(super) rules: &'a NeonRules<'b>,
    pub(super) cluster: Option<usize>,
    /// The row's index, its explained logit and its batch relevance.
    pub(super) r: usize,
    pub(super) logit: f64,
    pub(super) batch: ArrayView1<'a, f64>,
    /// The exact form's scratch after the row.
    pub(super) scratch: &'a S,
}

/// The batch pass of a path rule against its exact per-row form on every case of
/// [`for_each_case`]: the same labels and logits (bits), relevances within rounding of the
/// soft-min weights, every row conserving its logit. `on_row` sees each row after that.
pub(super) fn assert_batch_agrees_with_exact<S: 'static>(
    rule_set: RuleSet,
    forms: PathForms<S>,
    mut on_row: impl FnMut(CheckedRow<'_, '_, S>),
) {
    for_each_case(
        31,
        0.3,
        rule_set,
        |net, z, reference, rules, beta, cluster| {
            let batch = net.explain_along_path(z.view(), rules, cluster, forms);
            let candidates = net.candidates(z.view());
            let mut scratch = (forms.scratch)(net);
            let crate::explainer::Prediction::Labels(labels) = &batch.prediction else {
                panic!("labels")
            };
            let mut row = vec![0.0; z.ncols()];
            for (r, zr) in z.outer_iter().enumerate() {
                let zr = zr.as_slice().unwrap();
                let reference = reference.as_slice().unwrap();
                let (label, f) = (forms.exact)(
                    net,
                    zr,
                    candidates[r],
                    cluster,
                    beta,
                    reference,
                    &mut scratch,
                    &mut row,
                );
                assert_eq!(labels[r], label, "row {r}");
                assert_eq!(batch.output[r].to_bits(), f.to_bits(), "row {r}");
                assert_row_agrees(beta, r, batch.relevance.row(r), row[..].into(), f);
                on_row(CheckedRow {
                    net,
                    rows: z.view(),
                    rules,
                    cluster,
                    r,
                    logit: f,
                    batch: batch.relevance.row(r),
                    scratch: &scratch,
                });
            }
        },
    );
}
