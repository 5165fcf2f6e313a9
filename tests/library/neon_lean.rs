//! `neon-lean` (rbf kernel models: `neon-path` mixed per row with the path rule whose
//! soft-min weights are frozen at the reference): it matches its independent NumPy oracle
//! (scripts/neon_oracle_lean.py), conserves (also far from the model and at the reference),
//! gives the same bits on any thread count, and is refused where it is not defined.

use crate::common::*;
use neuralize::{load_model, Beta, Explainer, Method, RuleSet};

#[test]
fn neon_lean_matches_its_oracle_within_1e_10() {
    for name in RBF_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let explainer = Explainer::new(&model);
        let x = input_rows(name);
        let method = Method::rule_set(RuleSet::NeonLean).with_beta(Beta::Value(1.0));
        assert_eq!(method.to_string(), "neon-lean@1");
        let e = explainer.explain(x.view(), &method).unwrap();
        // Without a beta: the published beta, 1 for kernel models.
        let published = Method::rule_set(RuleSet::NeonLean);
        assert_eq!(
            e,
            explainer.explain(x.view(), &published).unwrap(),
            "{name}"
        );
        let expected = read_table(&fixture_path(name, "expected_lean.csv"));
        assert_matches_oracle_within(&e, &expected, 1e-10, &format!("{name} neon-lean"));
        // It is not neon-path where the rest has at least 2 features: the reference-pooled
        // share changes some rows. With 4 features the rest is one feature, which keeps
        // its sum: neon-path itself.
        let path = Method::rule_set(RuleSet::NeonPath).with_beta(Beta::Value(1.0));
        let path = explainer.explain(x.view(), &path).unwrap();
        let differs = (&path.relevance - &e.relevance)
            .iter()
            .any(|v| v.abs() > 1e-9);
        assert_eq!(
            differs,
            x.ncols() > 4,
            "{name}: neon-lean against neon-path"
        );
    }
}

#[test]
fn neon_lean_conserves_far_away_and_at_the_reference_without_nan() {
    for name in RBF_FIXTURES {
        assert_conserves_far_away_and_at_the_reference(name, RuleSet::NeonLean);
    }
}

#[test]
fn neon_lean_gives_the_same_bits_on_one_and_two_threads() {
    let method = Method::rule_set(RuleSet::NeonLean).with_beta(Beta::Value(1.0));
    for name in ["ocsvm_breast_cancer", "kde_digits"] {
        assert_same_bits_on_one_and_two_threads(name, &method);
    }
}

#[test]
fn neon_lean_is_refused_on_laplacian_kernels_and_other_families() {
    for name in ["ocsvm_digits_laplacian", "gmm_iris_full"] {
        let err = refusal(name, &Method::rule_set(RuleSet::NeonLean));
        assert!(
            err.contains("neon-lean is not defined for"),
            "{name}: {err}"
        );
    }
}
