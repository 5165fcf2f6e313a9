//! `neon-pick` (rbf kernel models: `neon-lean` whose top 3 places go to the group an exact
//! test prefers): it matches its independent NumPy oracle (scripts/neon_oracle_pick.py), and
//! the test recomputed here from the model file and forward passes; a permutation of `neon-lean`'s values on every row (so it conserves), `neon-lean`
//! itself on narrow kernels, conserving far away, and the same bits on any thread count.

use crate::common::*;
use ndarray::{Array1, Array2, ArrayView1};
use neuralize::{load_model, Beta, Explainer, Explanation, Method, RuleSet};

/// One-class SVMs with `gamma s <= 6.6` (where the test runs) and the narrower rbf fixtures.
const WIDE: &[&str] = &[
    "ocsvm_breast_cancer",
    "ocsvm_breast_cancer_raw",
    "ocsvm_digits_rbf",
];
const NARROW: &[&str] = &["ocsvm_blobs", "kde_iris", "kde_wine", "kde_digits"];

fn at_beta_1(rule_set: RuleSet) -> Method {
    Method::rule_set(rule_set).with_beta(Beta::Value(1.0))
}

/// Fixture `name`'s explainer, input rows and their `neon-lean@1` and `neon-pick@1`
/// explanations.
fn lean_and_pick(name: &str) -> (Explainer, Array2<f64>, Explanation, Explanation) {
    let model = load_model(model_path(name)).unwrap();
    let explainer = Explainer::new(&model);
    let x = input_rows(name);
    let explain = |rule_set| explainer.explain(x.view(), &at_beta_1(rule_set)).unwrap();
    let (lean, pick) = (explain(RuleSet::NeonLean), explain(RuleSet::NeonPick));
    (explainer, x, lean, pick)
}

/// The three largest values' indices (ties: lower index first), as a sorted set.
fn top3(values: ArrayView1<f64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut top = order[..3].to_vec();
    top.sort_unstable();
    top
}

/// A one-class SVM file's network, read here: standardization, units `u_j`, biases
/// `b_j = -ln(alpha_j / rho)` and gamma.
struct Svm {
    mean: Option<Array1<f64>>,
    scale: Option<Array1<f64>>,
    units: Array2<f64>,
    bias: Vec<f64>,
    gamma: f64,
}

impl Svm {
    fn read(name: &str) -> Svm {
        let text = std::fs::read_to_string(model_path(name)).unwrap();
        let file: serde_json::Value = serde_json::from_str(&text).unwrap();
        let numbers = |v: &serde_json::Value| -> Vec<f64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        };
        let rows: Vec<Vec<f64>> = file["support_vectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(numbers)
            .collect();
        let d = rows[0].len();
        let units = Array2::from_shape_vec((rows.len(), d), rows.concat()).unwrap();
        let rho = file["rho"].as_f64().unwrap();
        let bias = numbers(&file["dual_coef"])
            .iter()
            .map(|a| -(a / rho).ln())
            .collect();
        let scaler = &file["scaler"];
        let (mean, scale) = if scaler.is_null() {
            (None, None)
        } else {
            (
                Some(Array1::from(numbers(&scaler["mean"]))),
                Some(Array1::from(numbers(&scaler["scale"]))),
            )
        };
        Svm {
            mean,
            scale,
            units,
            bias,
            gamma: file["kernel"]["rbf"]["gamma"].as_f64().unwrap(),
        }
    }

    fn standardized(&self, x: ArrayView1<f64>) -> Array1<f64> {
        match (&self.mean, &self.scale) {
            (Some(m), Some(s)) => (&x - m) / s,
            _ => x.to_owned(),
        }
    }

    /// `N_row,i = (z_i - r_i)(z_i + r_i - 2 mu_i)`, `mu = softmin(h(z)) U`.
    fn row_split(&self, x: ArrayView1<f64>, reference: ArrayView1<f64>) -> Array1<f64> {
        let (z, r) = (self.standardized(x), self.standardized(reference));
        let h: Vec<f64> = self
            .units
            .outer_iter()
            .zip(&self.bias)
            .map(|(u, b)| self.gamma * (&z - &u).mapv(|v| v * v).sum() + b)
            .collect();
        let low = h.iter().cloned().fold(f64::INFINITY, f64::min);
        let e: Vec<f64> = h.iter().map(|v| (low - v).exp()).collect();
        let total: f64 = e.iter().sum();
        let mut mu = Array1::zeros(z.len());
        for (u, w) in self.units.outer_iter().zip(&e) {
            mu.scaled_add(w / total, &u);
        }
        (&z - &r) * (&z + &r - &mu * 2.0)
    }
}

/// The row with the features of `group` at the reference.
fn moved(x: ArrayView1<f64>, reference: ArrayView1<f64>, group: &[usize]) -> Array2<f64> {
    let mut row = x.to_owned();
    for &i in group {
        row[i] = reference[i];
    }
    row.insert_axis(ndarray::Axis(0))
}

#[test]
fn neon_pick_takes_the_group_whose_joint_removal_lowers_the_output_more() {
    let (mut exchanged, mut kept) = (0, 0);
    for name in WIDE {
        let (explainer, x, lean, pick) = lean_and_pick(name);
        let svm = Svm::read(name);
        assert_eq!(pick.output, lean.output, "{name}");
        let reference = explainer.reference();
        for (r, row) in x.outer_iter().enumerate() {
            let (l, p) = (lean.relevance.row(r), pick.relevance.row(r));
            let mut sorted_l = l.to_vec();
            let mut sorted_p = p.to_vec();
            sorted_l.sort_by(f64::total_cmp);
            sorted_p.sort_by(f64::total_cmp);
            assert_eq!(sorted_l, sorted_p, "{name} row {r}: not a permutation");
            let top = top3(l);
            let tested = top3(svm.row_split(row, reference).view());
            let output = |group: &[usize]| {
                explainer
                    .forward(moved(row, reference, group).view(), None)
                    .unwrap()
                    .output[0]
            };
            let (o_top, o_tested) = (output(&top), output(&tested));
            if top != tested && (o_top - o_tested).abs() < 1e-9 * o_top.abs().max(1.0) {
                continue; // a tie: either group is right
            }
            if top != tested && o_tested < o_top {
                assert_eq!(top3(p), tested, "{name} row {r}: the tested group on top");
                exchanged += 1;
            } else {
                assert_eq!(p, l, "{name} row {r}: neon-lean kept");
                kept += 1;
            }
        }
    }
    // Both outcomes occur on the fixtures.
    assert!(
        exchanged > 10 && kept > 10,
        "{exchanged} exchanged, {kept} kept"
    );
}

#[test]
fn neon_pick_matches_its_oracle_within_1e_10() {
    for name in RBF_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let x = input_rows(name);
        let e = Explainer::new(&model)
            .explain(x.view(), &at_beta_1(RuleSet::NeonPick))
            .unwrap();
        let expected = read_table(&fixture_path(name, "expected_pick.csv"));
        assert_matches_oracle_within(&e, &expected, 1e-10, &format!("{name} neon-pick"));
    }
}

#[test]
fn neon_pick_is_neon_lean_on_narrow_kernels() {
    for name in NARROW {
        let (explainer, _, lean, pick) = lean_and_pick(name);
        assert!(1.0 / explainer.auto_beta() > 6.6, "{name} is narrow");
        assert_eq!(pick, lean, "{name}");
    }
}

#[test]
fn neon_pick_conserves_far_away_and_at_the_reference_without_nan() {
    for name in RBF_FIXTURES {
        assert_conserves_far_away_and_at_the_reference(name, RuleSet::NeonPick);
    }
}

#[test]
fn neon_pick_gives_the_same_bits_on_one_and_two_threads() {
    for name in ["ocsvm_breast_cancer", "ocsvm_digits_rbf"] {
        assert_same_bits_on_one_and_two_threads(name, &at_beta_1(RuleSet::NeonPick));
    }
}

#[test]
fn neon_pick_is_refused_on_laplacian_kernels_and_other_families() {
    for name in ["ocsvm_digits_laplacian", "gmm_iris_full", "kmeans_wine"] {
        let err = refusal(name, &at_beta_1(RuleSet::NeonPick));
        assert!(
            err.contains("neon-pick is not defined for"),
            "{name}: {err}"
        );
    }
}
