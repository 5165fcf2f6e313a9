//! The flip-ordered rule sets of dense networks, `neon-drop` (the default) and `neon-flip`
//! (opt-in): the NumPy oracle (`scripts/lrp_dense_oracle.py`, `explain_drop`,
//! `explain_flip`) on every fixture and target, conservation near and far from the
//! reference, the same bits on 1 and 2 threads, one input feature = `neon-ref`, and the
//! default `neon-drop`.

use crate::common::{
    assert_matches_dense_oracle, assert_same_bits_on_one_and_two_threads, explain_conserving,
    fixture_path, input_rows, model_path, probe_rows, read_table, DENSE_FIXTURES,
};
use ndarray::{array, Array2};
use neuralize::{
    load_model, Activation, Beta, ClassTarget, DenseLayer, DenseNetwork, Explainer, Method, Model,
    OutputKind, RuleSet,
};

/// The flip-ordered rule sets.
const FLIP_ORDERED: [RuleSet; 2] = [RuleSet::NeonDrop, RuleSet::NeonFlip];

/// Relevances and outputs equal the oracle's table within 1e-9 (relative to the output).
fn assert_oracle(
    explainer: &Explainer,
    x: &Array2<f64>,
    rule_set: RuleSet,
    file: &str,
    what: &str,
) {
    let want = read_table(&fixture_path(what, file));
    let e = explainer
        .explain(x.view(), &Method::rule_set(rule_set))
        .unwrap();
    assert_matches_dense_oracle(&e, &want, &format!("{what} {file}"));
}

#[test]
fn flip_ordered_rules_match_the_numpy_oracle_on_every_fixture_and_target() {
    for rule_set in FLIP_ORDERED {
        for name in DENSE_FIXTURES {
            let model = load_model(model_path(name)).unwrap();
            let x = input_rows(name);
            let explainer = Explainer::new(&model);
            assert_oracle(
                &explainer,
                &x,
                rule_set,
                &format!("expected_{rule_set}.csv"),
                name,
            );
            if *name == "mlp_diabetes" {
                continue; // a regressor has no log-odds
            }
            // The oracle roots at the model file's reference, as the default explainer does.
            let odds = explainer
                .clone()
                .with_class_target(ClassTarget::LogOdds)
                .unwrap();
            let file = format!("expected_log-odds_{rule_set}.csv");
            assert_oracle(&odds, &x, rule_set, &file, name);
            // It differs from neon-ref wherever the network is not linear.
            let rooted = explainer
                .explain(x.view(), &Method::rule_set(RuleSet::NeonRef))
                .unwrap();
            let mixed = explainer
                .explain(x.view(), &Method::rule_set(rule_set))
                .unwrap();
            let gap = (&rooted.relevance - &mixed.relevance)
                .iter()
                .fold(0.0f64, |m, v| m.max(v.abs()));
            if *name == "mlp_blobs_raw" {
                // identity hidden layer: every segment has the same multipliers, and the top
                // features' drop is their neon-ref share
                assert!(gap <= 1e-12, "{rule_set} {name}: {gap}");
            } else {
                assert!(gap > 1e-3, "{rule_set} {name}: it is neon-ref ({gap})");
            }
        }
    }
}

#[test]
fn flip_ordered_rules_conserve_near_and_far_and_are_thread_count_independent() {
    for rule_set in FLIP_ORDERED {
        let method = Method::rule_set(rule_set);
        for name in DENSE_FIXTURES {
            let model = load_model(model_path(name)).unwrap();
            let explainer = Explainer::new(&model);
            let x = input_rows(name);
            let reference = explainer.reference().to_owned();
            // The rows, 30x further out, the reference itself, then 1e3 and 1e6 away (every
            // feature, then one feature).
            let mut rows = probe_rows(&x, &reference);
            let at = rows.nrows() - 1;
            for far in [1e3, 1e6] {
                rows.push_row((&reference + far).view()).unwrap();
                let mut one = reference.clone();
                one[0] -= far;
                rows.push_row(one.view()).unwrap();
            }
            let e = explain_conserving(&explainer, rows.view(), &method, name);
            // At the reference every term is 0: the output is spread evenly, as by neon-ref.
            let even = e.output[at] / x.ncols() as f64;
            for &v in e.relevance.row(at) {
                assert!(
                    (v - even).abs() <= 1e-12 * even.abs().max(1.0),
                    "{rule_set} {name}"
                );
            }
            assert_same_bits_on_one_and_two_threads(name, &method);
        }
    }
}

#[test]
fn one_feature_is_neon_ref_and_the_default_is_neon_drop() {
    // d = 1: no feature can move first (g = min(3, d - 1) = 0).
    let layers = vec![
        DenseLayer::new(
            array![[1.5, -2.0, 0.5]],
            array![0.1, 0.3, -0.2],
            Some(Activation::Relu),
        ),
        DenseLayer::new(array![[1.0], [-0.7], [2.0]], array![0.05], None),
    ];
    let net = DenseNetwork::new(
        layers,
        OutputKind::Logistic,
        Some(vec!["a".into(), "b".into()]),
    )
    .unwrap();
    let explainer = Explainer::new(&Model::from(net));
    let x = array![[-2.0], [-0.3], [0.0], [0.4], [3.0]];
    let rooted = explainer
        .explain(x.view(), &Method::rule_set(RuleSet::NeonRef))
        .unwrap();
    for rule_set in FLIP_ORDERED {
        let method = Method::rule_set(rule_set);
        assert_eq!(explainer.explain(x.view(), &method).unwrap(), rooted);
    }
    let model = load_model(model_path("mlp_wine")).unwrap();
    let explainer = Explainer::new(&model);
    let x = input_rows("mlp_wine");
    let default = explainer.explain(x.view(), &Method::default()).unwrap();
    let drop = explainer
        .explain(x.view(), &Method::rule_set(RuleSet::NeonDrop))
        .unwrap();
    assert_eq!(default, drop);
    assert_eq!(
        explainer.family_default_method(),
        Method::rule_set(RuleSet::NeonDrop).with_beta(Beta::Auto)
    );
    // Per-layer rules belong to the layer-wise rule sets.
    for rule_set in FLIP_ORDERED {
        let err = explainer
            .explain(
                x.view(),
                &Method::rule_set(rule_set).with_layer_rules("0=flat".parse().unwrap()),
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains(rule_set.name()), "{err}");
    }
}
