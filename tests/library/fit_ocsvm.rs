//! The one-class SVM trainer against scikit-learn 1.9.1 (fixtures from
//! scripts/export_fit_fixtures.py): same problem, same solution.

use crate::common::{fit_path, model_space, read_table};
use ndarray::{Array2, ArrayView2};
use neuralize::fit::{fit_one_class_svm, Gamma, KernelKind, OcSvmParams};
use neuralize::OneClassSvm;
use serde_json::Value;

const CASES: [&str; 5] = [
    "ocsvm_breast_cancer",
    "ocsvm_digits",
    "ocsvm_blobs",
    "ocsvm_blobs5",
    "ocsvm_blobs_laplacian",
];

struct Case {
    names: Vec<String>,
    train: Array2<f64>,
    heldout: Array2<f64>,
    sklearn: Value,
}

fn load(case: &str) -> Case {
    let path = |suffix: &str| fit_path(&format!("{case}.{suffix}"));
    let train = read_table(&path("train.csv"));
    let heldout = read_table(&path("heldout.csv"));
    assert_eq!(train.header, heldout.header, "{case}: same columns");
    let sklearn =
        serde_json::from_str(&std::fs::read_to_string(path("sklearn.json")).unwrap()).unwrap();
    Case {
        names: train.header,
        train: train.values,
        heldout: heldout.values,
        sklearn,
    }
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn params(sklearn: &Value, tol: f64) -> OcSvmParams {
    OcSvmParams {
        nu: sklearn["nu"].as_f64().unwrap(),
        gamma: match &sklearn["gamma"] {
            Value::String(s) => s.parse().unwrap(),
            g => Gamma::Value(g.as_f64().unwrap()),
        },
        kernel: sklearn["kernel"].as_str().unwrap().parse().unwrap(),
        tol,
        standardize: sklearn["standardize"].as_bool().unwrap(),
        ..OcSvmParams::default()
    }
}

/// The decision function of a fitted model on input-space rows.
fn decision(model: &neuralize::Model, x: ArrayView2<f64>) -> Vec<f64> {
    let z = model_space(model, x);
    assert_eq!(model.kind(), "one_class_svm");
    let Some(svm) = model.estimator::<OneClassSvm>() else {
        panic!("not an OC-SVM")
    };
    svm.decision_function(z.view()).unwrap().to_vec()
}

/// Sum `values` over groups of identical training rows (duplicates make duals non-unique).
fn group_sums(train: &Array2<f64>, values: &[f64]) -> Vec<f64> {
    let n = train.nrows();
    let first: Vec<usize> = (0..n)
        .map(|i| (0..=i).find(|&j| train.row(j) == train.row(i)).unwrap())
        .collect();
    let mut sums = vec![0.0; n];
    for i in 0..n {
        sums[first[i]] += values[i];
    }
    sums
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// scikit-learn's alphas by training index.
fn sklearn_alpha(c: &Case) -> Vec<f64> {
    let mut alpha = vec![0.0; c.train.nrows()];
    let support = c.sklearn["support"].as_array().unwrap();
    for (i, a) in support.iter().zip(floats(&c.sklearn["dual_coef"])) {
        alpha[i.as_u64().unwrap() as usize] = a;
    }
    alpha
}

/// Max |difference| to scikit-learn at tol = 1e-7: (duals by group, rho, decision values).
fn agreement(case: &str, kernel_f32: bool) -> (f64, f64, f64) {
    let c = load(case);
    let p = OcSvmParams {
        kernel_f32,
        ..params(&c.sklearn, 1e-7)
    };
    let fit = fit_one_class_svm(c.train.view(), Some(&c.names), &p).unwrap();
    let gamma = c.sklearn["gamma_value"].as_f64().unwrap();
    assert!(
        (fit.gamma - gamma).abs() <= 1e-12 * gamma,
        "{case}: gamma {} vs {gamma}",
        fit.gamma
    );
    if kernel_f32 {
        assert_eq!(
            fit.solution.iterations as u64,
            c.sklearn["n_iter"].as_u64().unwrap(),
            "{case}"
        );
    }
    let dual = max_abs_diff(
        &group_sums(&c.train, &fit.solution.alpha),
        &group_sums(&c.train, &sklearn_alpha(&c)),
    );
    let rho = (fit.solution.rho - c.sklearn["rho"].as_f64().unwrap()).abs();
    let values = max_abs_diff(
        &decision(&fit.model, c.heldout.view()),
        &floats(&c.sklearn["decision_function"]),
    );
    eprintln!(
        "{case} (kernel_f32 {kernel_f32}): max |alpha - sklearn| = {dual:.2e}, |rho - sklearn| = {rho:.2e}, max |f - sklearn| = {values:.2e}, iterations {}",
        fit.solution.iterations
    );
    (dual, rho, values)
}

/// Fraction of held-out rows whose label (inlier iff f > 0) equals scikit-learn's at the
/// default tol.
fn label_agreement(case: &str, kernel_f32: bool) -> f64 {
    let c = load(case);
    let p = OcSvmParams {
        kernel_f32,
        ..params(&c.sklearn, 1e-3)
    };
    let fit = fit_one_class_svm(c.train.view(), Some(&c.names), &p).unwrap();
    let ours = decision(&fit.model, c.heldout.view());
    let theirs = c.sklearn["predict_default_tol"].as_array().unwrap();
    let agree = ours
        .iter()
        .zip(theirs)
        .filter(|(f, label)| (if **f > 0.0 { 1 } else { -1 }) == label.as_i64().unwrap())
        .count();
    eprintln!(
        "{case} (kernel_f32 {kernel_f32}): labels agree on {agree}/{} held-out rows",
        ours.len()
    );
    agree as f64 / ours.len() as f64
}

/// With libsvm's f32 kernel values the solver retraces libsvm: same iteration count, same
/// duals, rho and labels up to summation order.
#[test]
fn retraces_libsvm_exactly_with_f32_kernel_values() {
    for case in CASES {
        let (dual, rho, values) = agreement(case, true);
        assert!(
            dual < 1e-12 && rho < 1e-12 && values < 1e-10,
            "{case}: {dual} {rho} {values}"
        );
        assert_eq!(label_agreement(case, true), 1.0, "{case}");
    }
}

/// With f64 kernel values (the default) the solution agrees within 1e-5 (make_blobs data:
/// `ocsvm_blobs5` and `ocsvm_blobs_laplacian`), except the duals of the deliberately
/// ill-conditioned 2-d `ocsvm_blobs`: its kernel matrix on the free support vectors has smallest eigenvalue
/// ~3e-4, so libsvm's f32 rounding alone moves the exact optimum's duals by ~1e-5 (rho and
/// decision values still agree to 1e-7; with f32 values the duals agree bit for bit, above).
#[test]
fn f64_duals_rho_and_decision_values_agree_within_1e_5() {
    for case in CASES {
        let (dual, rho, values) = agreement(case, false);
        assert!(rho < 1e-5, "{case}: rho differs by {rho}");
        assert!(values < 1e-5, "{case}: decision values differ by {values}");
        let dual_bound = if case == "ocsvm_blobs" { 1e-4 } else { 1e-5 };
        assert!(dual < dual_bound, "{case}: duals differ by {dual}");
    }
}

/// At the default tol both solvers stop early; with f64 kernel values their paths part, so a
/// few rows within the stopping tolerance of the boundary may flip. On the ill-conditioned
/// blobs case 2 of 110 do (>= 98%); every other case agrees on >= 99.5%.
#[test]
fn f64_predicted_labels_agree_at_the_default_tol() {
    for case in CASES {
        let rate = label_agreement(case, false);
        let bound = if case == "ocsvm_blobs" { 0.98 } else { 0.995 };
        assert!(rate >= bound, "{case}: labels agree on only {rate}");
    }
}

#[test]
fn the_solution_is_feasible_and_shrinking_does_not_change_it() {
    let c = load("ocsvm_blobs");
    let p = params(&c.sklearn, 1e-7);
    let with = fit_one_class_svm(c.train.view(), None, &p).unwrap();
    let without = fit_one_class_svm(
        c.train.view(),
        None,
        &OcSvmParams {
            shrinking: false,
            ..p.clone()
        },
    )
    .unwrap();
    let alpha = &with.solution.alpha;
    let sum: f64 = alpha.iter().sum();
    assert!(
        (sum - p.nu * c.train.nrows() as f64).abs() < 1e-9,
        "sum alpha = {sum}"
    );
    assert!(alpha.iter().all(|&a| (0.0..=1.0).contains(&a)));
    // blobs is ill-conditioned: duals only agree to ~tol / smallest eigenvalue
    assert!(max_abs_diff(alpha, &without.solution.alpha) < 1e-4);
    assert!((with.solution.rho - without.solution.rho).abs() < 1e-7);
    // a one-column cache (the minimum) gives the same solution
    let tiny = fit_one_class_svm(
        c.train.view(),
        None,
        &OcSvmParams {
            cache_mb: 1e-6,
            ..p
        },
    )
    .unwrap();
    assert!(max_abs_diff(alpha, &tiny.solution.alpha) < 1e-9);
}

#[test]
fn the_model_file_records_reference_scaler_and_provenance() {
    let c = load("ocsvm_breast_cancer");
    let fit = fit_one_class_svm(c.train.view(), Some(&c.names), &params(&c.sklearn, 1e-3)).unwrap();
    let model = neuralize::model_from_json(&neuralize::model_to_json(&fit.model)).unwrap();
    assert_eq!(model.feature_names().unwrap(), c.names.as_slice());
    let mean = c.train.mean_axis(ndarray::Axis(0)).unwrap();
    assert!(
        max_abs_diff(
            model.reference().unwrap().as_slice().unwrap(),
            mean.as_slice().unwrap()
        ) < 1e-9
    );
    assert!(model.scaler().is_some());
    let p = model.provenance().unwrap();
    assert_eq!(p["tool"], "neuralize");
    assert_eq!(p["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["nu"], 0.1);
    assert_eq!(p["gamma"], "scale");
    assert_eq!(p["kernel"], "rbf");
    assert_eq!(p["n_samples"], 250);
    assert_eq!(p["iterations"], fit.solution.iterations);
    for key in ["tol", "cache_mb", "shrinking", "standardize"] {
        assert!(p.get(key).is_some(), "provenance lacks {key}");
    }
}

#[test]
fn bad_input_gets_a_clear_error() {
    let x = ndarray::array![[1.0, 2.0], [1.0, 3.0], [1.0, 5.0]];
    let names = vec!["a".to_string(), "b".to_string()];
    let err = |x: ArrayView2<f64>, p: OcSvmParams| {
        fit_one_class_svm(x, Some(&names), &p)
            .unwrap_err()
            .to_string()
    };
    let base = OcSvmParams::default();
    assert!(err(
        x.view(),
        OcSvmParams {
            nu: 1.5,
            ..base.clone()
        }
    )
    .contains("nu must be in (0, 1], got 1.5"));
    assert!(err(
        x.view(),
        OcSvmParams {
            nu: -0.1,
            ..base.clone()
        }
    )
    .contains("got -0.1"));
    assert!(err(
        x.view(),
        OcSvmParams {
            standardize: true,
            ..base.clone()
        }
    )
    .contains("column 1 (\"a\") is constant"));
    assert!(err(x.slice(ndarray::s![..1, ..]), base.clone())
        .contains("at least 2 training rows, got 1"));
    assert!(err(x.slice(ndarray::s![..0, ..]), base.clone()).contains("got 0"));
    assert!(err(
        x.view(),
        OcSvmParams {
            kernel: KernelKind::Laplacian,
            gamma: Gamma::Value(f64::INFINITY),
            ..base
        }
    )
    .contains("gamma"));
}
