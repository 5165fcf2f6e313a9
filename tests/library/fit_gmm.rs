//! The Gaussian-mixture EM trainer against scikit-learn 1.9.1's `GaussianMixture`
//! (models/fit/gmm.sklearn.json, written by scripts/check_fit_gmm.py): same data
//! (standardized), same number of runs, every covariance type.

use crate::common::{fit_path, read_table};
use ndarray::{Array2, Axis};
use neuralize::fit::{fit_gaussian_mixture, GmmFit, GmmParams};
use neuralize::{CovarianceType, Explainer, Method, Prediction};

const TYPES: [CovarianceType; 4] = [
    CovarianceType::Full,
    CovarianceType::Tied,
    CovarianceType::Diag,
    CovarianceType::Spherical,
];

fn sklearn() -> serde_json::Value {
    let path = fit_path("gmm.sklearn.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn load(file: &str) -> (Vec<String>, Array2<f64>) {
    let table = read_table(&fit_path(file));
    (table.header, table.values)
}

fn fit(x: &Array2<f64>, names: &[String], params: &GmmParams) -> GmmFit {
    fit_gaussian_mixture(x.view(), Some(names), params).unwrap()
}

/// Within 0.1% of scikit-learn's mean log-likelihood (relative to max(|theirs|, 1): the
/// per-row log-likelihood of breast_cancer `full` is near 0), on every dataset and type.
#[test]
fn log_likelihood_is_within_a_tenth_of_a_percent_of_scikit_learn() {
    let table = sklearn();
    let n_init = table["n_init"].as_u64().unwrap() as usize;
    let reg_covar = table["reg_covar"].as_f64().unwrap();
    for name in ["iris", "wine", "breast_cancer", "blobs"] {
        let case = &table[name];
        let (names, x) = load(case["train"].as_str().unwrap());
        let components = case["components"].as_u64().unwrap() as usize;
        for kind in TYPES {
            let params = GmmParams {
                covariance: kind,
                reg_covar,
                n_init,
                standardize: true,
                ..GmmParams::new(components)
            };
            let ours = fit(&x, &names, &params);
            let theirs = case[kind.name()]["log_likelihood"].as_f64().unwrap();
            let gap = (ours.log_likelihood - theirs) / theirs.abs().max(1.0);
            eprintln!(
                "{name} {}: {:.6} vs scikit-learn {theirs:.6} ({:+.5}%)",
                kind.name(),
                ours.log_likelihood,
                100.0 * gap
            );
            assert!(
                gap.abs() <= 1e-3,
                "{name} {kind:?}: {} vs {theirs}",
                ours.log_likelihood
            );
            assert!(ours.converged, "{name} {kind:?}");
            assert_eq!(ours.model.kind(), "gaussian_mixture");
            let p = ours.model.provenance().unwrap();
            assert_eq!(p["covariance_type"], kind.name());
            assert_eq!(p["n_samples"], x.nrows());
            assert_eq!(p["log_likelihood"], ours.log_likelihood);
        }
    }
}

/// The fitted file is self-consistent: the network's log-density is the plain mixture's
/// (what `neuralize verify` checks), the explanation conserves, and the reported
/// log-likelihood is the mean log-density of the training rows.
#[test]
fn fitted_model_network_matches_its_mixture_and_conserves() {
    let (names, x) = load("kmeans_wine.train.csv");
    for kind in TYPES {
        let params = GmmParams {
            covariance: kind,
            standardize: true,
            n_init: 2,
            ..GmmParams::new(3)
        };
        let fitted = fit(&x, &names, &params);
        let explainer = Explainer::new(&fitted.model);
        let e = explainer.explain(x.view(), &Method::default()).unwrap();
        let Prediction::Values(log_density) = &e.prediction else {
            panic!("log_density values")
        };
        let mean = log_density.mean().unwrap();
        assert!(
            (mean - fitted.log_likelihood).abs() <= 1e-9 * fitted.log_likelihood.abs().max(1.0),
            "{kind:?}: {mean} vs {}",
            fitted.log_likelihood
        );
        for (o, r) in e.output.iter().zip(e.relevance.sum_axis(Axis(1))) {
            assert!(
                (o - r).abs() <= 1e-9 * o.abs().max(1.0),
                "{kind:?}: {o} vs {r}"
            );
        }
        // The model file round-trips.
        let text = neuralize::model_to_json(&fitted.model);
        let back = neuralize::model_from_json(&text).unwrap();
        assert_eq!(back, fitted.model);
    }
}

#[test]
fn a_seed_fixes_the_model_whatever_the_number_of_threads() {
    let (names, x) = load("gmm_blobs.train.csv");
    let params = GmmParams {
        covariance: CovarianceType::Full,
        n_init: 3,
        seed: 9,
        standardize: true,
        ..GmmParams::new(4)
    };
    let with = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| fit(&x, &names, &params))
    };
    let (one, two, again) = (with(1), with(2), with(2));
    assert_eq!(one.model, two.model, "1 vs 2 threads");
    assert_eq!(two.model, again.model, "same seed, same model");
    assert_eq!(one.log_likelihood.to_bits(), two.log_likelihood.to_bits());
    // More runs never end lower: runs 9..11 are among 9..16.
    let more = fit(
        &x,
        &names,
        &GmmParams {
            n_init: 8,
            ..params.clone()
        },
    );
    assert!(more.lower_bound >= one.lower_bound);
}

#[test]
fn bad_parameters_and_data_get_clear_errors() {
    let x = ndarray::array![[1.0, 5.0], [1.0, 6.0], [2.0, 5.0], [2.0, 5.0]];
    let err = |x: ndarray::ArrayView2<f64>, p: GmmParams| {
        fit_gaussian_mixture(x, None, &p).unwrap_err().to_string()
    };
    let e = err(x.view(), GmmParams::new(5));
    assert!(
        e.contains("components = 5 is greater than the number of training rows (4)"),
        "{e}"
    );
    let e = err(x.view(), GmmParams::new(4));
    assert!(
        e.contains("components = 4 is greater than the number of distinct training rows (3)"),
        "{e}"
    );
    let e = err(
        x.view(),
        GmmParams {
            reg_covar: 0.0,
            ..GmmParams::new(2)
        },
    );
    assert!(e.contains("reg_covar must be a finite number > 0"), "{e}");
    assert!(e.ends_with("got 0"), "{e}");
    assert!(err(x.view(), GmmParams::new(0)).contains("components must be at least 1"));
    let mut nan = x.clone();
    nan[[2, 1]] = f64::NAN;
    let e = err(nan.view(), GmmParams::new(2));
    assert!(e.contains("row 3, column 2: not a finite number"), "{e}");
    assert!(fit_gaussian_mixture(x.view(), None, &GmmParams::new(2)).is_ok());
    assert_eq!(
        "tied".parse::<CovarianceType>().unwrap(),
        CovarianceType::Tied
    );
    let e = "round".parse::<CovarianceType>().unwrap_err().to_string();
    assert!(e.contains("expected full, tied, diag or spherical"), "{e}");
}
