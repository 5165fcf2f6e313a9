//! The KDE trainer: scikit-learn 1.9.1's bandwidth rules and densities on standardized iris.

use crate::common::{fit_path, read_table, standardize};
use neuralize::fit::{fit_kernel_density, Bandwidth, KdeParams};
use neuralize::KernelDensity;

#[test]
fn bandwidths_and_log_densities_match_scikit_learn() {
    let table = read_table(&fit_path("kmeans_iris.train.csv"));
    let (names, x) = (table.header, table.values);
    let sklearn: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fit_path("kde_iris.sklearn.json")).unwrap())
            .unwrap();
    for (rule, bandwidth) in [
        ("scott", Bandwidth::Scott),
        ("silverman", Bandwidth::Silverman),
    ] {
        let params = KdeParams {
            bandwidth,
            standardize: true,
        };
        let model = fit_kernel_density(x.view(), Some(&names), &params).unwrap();
        assert_eq!(model.kind(), "kernel_density");
        let Some(kde) = model.estimator::<KernelDensity>() else {
            panic!("not a KDE")
        };
        assert_eq!(model.feature_names().unwrap(), names.as_slice());
        let b = sklearn[rule]["bandwidth"].as_f64().unwrap();
        let expected_gamma = 1.0 / (2.0 * b * b);
        assert!(
            (kde.gamma() - expected_gamma).abs() <= 1e-14 * expected_gamma,
            "{rule}"
        );
        assert_eq!(kde.points().nrows(), x.nrows());
        let rows = x.slice(ndarray::s![..10, ..]);
        let z = standardize(model.scaler().unwrap(), rows);
        let ours = kde.log_density(z.view()).unwrap();
        let theirs = sklearn[rule]["score_samples"].as_array().unwrap();
        assert_eq!(ours.len(), theirs.len(), "{rule}: rows compared");
        for (o, t) in ours.iter().zip(theirs) {
            let t = t.as_f64().unwrap();
            assert!((o - t).abs() < 1e-8, "{rule}: log density {o} vs {t}");
        }
        assert_eq!(model.provenance().unwrap()["bandwidth"], rule);
    }
}

#[test]
fn bad_input_gets_a_clear_error() {
    let x = ndarray::array![[1.0, 3.0], [2.0, 3.0]];
    let fit = |p: KdeParams| fit_kernel_density(x.view(), None, &p).map(|_| ());
    let e = fit(KdeParams {
        bandwidth: Bandwidth::Value(-1.0),
        standardize: false,
    })
    .unwrap_err();
    assert!(e
        .to_string()
        .contains("bandwidth must be a finite number > 0, got -1"));
    let e = fit(KdeParams {
        bandwidth: Bandwidth::Scott,
        standardize: true,
    })
    .unwrap_err();
    assert!(e.to_string().contains("column 2 is constant"));
    assert!(fit(KdeParams {
        bandwidth: Bandwidth::Scott,
        standardize: false
    })
    .is_ok());
}
