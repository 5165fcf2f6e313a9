//! The k-means trainer (smartcore) against scikit-learn 1.9.1's best-of-10 inertia, and the
//! explained assignments against smartcore's own predictions.

use crate::common::{fit_path, read_table};
use ndarray::Array2;
use neuralize::fit::{fit_kmeans, KMeansParams};
use neuralize::{Explainer, Prediction};

fn load(name: &str) -> (Vec<String>, Array2<f64>) {
    let table = read_table(&fit_path(&format!("kmeans_{name}.train.csv")));
    (table.header, table.values)
}

fn sklearn() -> serde_json::Value {
    let path = fit_path("kmeans.sklearn.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn inertia_is_within_2_percent_of_scikit_learn_and_explained_assignments_match_smartcore() {
    let sklearn = sklearn();
    for name in ["iris", "wine", "digits"] {
        let (names, x) = load(name);
        let k = sklearn[name]["k"].as_u64().unwrap() as usize;
        let params = KMeansParams {
            standardize: true,
            seed: 7,
            ..KMeansParams::new(k)
        };
        let fit = fit_kmeans(x.view(), Some(&names), &params).unwrap();
        let theirs = sklearn[name]["inertia"].as_f64().unwrap();
        let ratio = fit.inertia / theirs;
        eprintln!(
            "{name}: inertia {:.4} vs scikit-learn {theirs:.4} (ratio {ratio:.5})",
            fit.inertia
        );
        assert!(ratio <= 1.02, "{name}: inertia {} vs {theirs}", fit.inertia);

        let forward = Explainer::new(&fit.model).forward(x.view(), None).unwrap();
        assert_eq!(fit.model.kind(), "kmeans");
        let Prediction::Labels(assigned) = &forward.prediction else {
            panic!("not k-means")
        };
        assert_eq!(
            assigned, &fit.labels,
            "{name}: explained assignment != smartcore predict"
        );

        // beta = 1 / mean logit of the assigned cluster, from the network's own outputs
        let mean_logit = forward.output.mean().unwrap();
        let beta = fit.model.beta().unwrap();
        assert!(
            (beta * mean_logit - 1.0).abs() < 1e-9,
            "{name}: beta {beta}, mean logit {mean_logit}"
        );
        let p = fit.model.provenance().unwrap();
        assert_eq!(p["n_samples"], x.nrows());
        assert_eq!(p["k"], k);
        assert_eq!(p["version"], env!("CARGO_PKG_VERSION"));
    }
}

#[test]
fn fixed_seeds_give_the_same_model() {
    let (names, x) = load("iris");
    let params = KMeansParams {
        standardize: true,
        n_init: 3,
        seed: 11,
        ..KMeansParams::new(3)
    };
    let a = fit_kmeans(x.view(), Some(&names), &params).unwrap();
    let b = fit_kmeans(x.view(), Some(&names), &params).unwrap();
    assert_eq!(a.model, b.model);
    // more restarts never do worse: restarts 11..13 are among 11..20
    let more = fit_kmeans(
        x.view(),
        Some(&names),
        &KMeansParams {
            n_init: 10,
            ..params
        },
    )
    .unwrap();
    assert!(more.inertia <= a.inertia);
}

#[test]
fn bad_input_gets_a_clear_error() {
    let x = ndarray::array![[1.0, 5.0], [1.0, 5.0], [2.0, 5.0], [2.0, 5.0]];
    let err = |x: ndarray::ArrayView2<f64>, p: KMeansParams| {
        fit_kmeans(x, None, &p).unwrap_err().to_string()
    };
    let e = err(x.view(), KMeansParams::new(3));
    assert!(
        e.contains("k = 3 is greater than the number of distinct training rows (2)"),
        "{e}"
    );
    assert!(err(x.view(), KMeansParams::new(1)).contains("k must be at least 2, got 1"));
    let e = err(
        x.view(),
        KMeansParams {
            standardize: true,
            ..KMeansParams::new(2)
        },
    );
    assert!(e.contains("column 2 is constant"), "{e}");
    assert!(err(x.slice(ndarray::s![..1, ..]), KMeansParams::new(2))
        .contains("at least 2 training rows"));
    assert!(err(
        x.view(),
        KMeansParams {
            n_init: 0,
            ..KMeansParams::new(2)
        }
    )
    .contains("n_init"));
    assert!(fit_kmeans(x.view(), None, &KMeansParams::new(2)).is_ok());
}
