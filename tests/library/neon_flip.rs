//! `neon-flip` and `neon-focus` (rbf kernel models, the flip-ordered path mixed with
//! `neon-path` at a fixed or a per-row share): each matches its independent NumPy oracle
//! (scripts/neon_oracle_flip.py, scripts/neon_oracle_focus.py), conserves (also far from
//! the model and at the reference), gives the same bits on any thread count, and is refused
//! where it is not defined.

use crate::common::*;
use neuralize::{load_model, Beta, Explainer, Method, RuleSet};

/// The rule sets of the flip-ordered path, each with the suffix of its oracle's files.
const FLIP_RULES: &[(RuleSet, &str)] = &[
    (RuleSet::NeonFlip, "expected_flip.csv"),
    (RuleSet::NeonFocus, "expected_focus.csv"),
];

#[test]
fn neon_flip_and_focus_match_their_oracles_within_1e_10() {
    for name in RBF_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let explainer = Explainer::new(&model);
        let x = input_rows(name);
        let path = Method::rule_set(RuleSet::NeonPath).with_beta(Beta::Value(1.0));
        let path = explainer.explain(x.view(), &path).unwrap();
        let mut mixes = Vec::new();
        for &(rule_set, oracle) in FLIP_RULES {
            let method = Method::rule_set(rule_set).with_beta(Beta::Value(1.0));
            assert_eq!(method.to_string(), format!("{rule_set}@1"));
            let e = explainer.explain(x.view(), &method).unwrap();
            // Without a beta: the published beta, 1 for kernel models.
            let published = Method::rule_set(rule_set);
            assert_eq!(
                e,
                explainer.explain(x.view(), &published).unwrap(),
                "{name} {rule_set}"
            );
            let expected = read_table(&fixture_path(name, oracle));
            assert_matches_oracle_within(&e, &expected, 1e-10, &format!("{name} {rule_set}"));
            // It is not neon-path: the flip-ordered share changes some rows.
            assert!(
                (&path.relevance - &e.relevance)
                    .iter()
                    .any(|v| v.abs() > 1e-9),
                "{name}: {rule_set} equals neon-path"
            );
            mixes.push(e.relevance);
        }
        // The per-row share is not the fixed one.
        assert!(
            (&mixes[0] - &mixes[1]).iter().any(|v| v.abs() > 1e-9),
            "{name}: neon-focus equals neon-flip"
        );
    }
}

#[test]
fn neon_flip_and_focus_conserve_far_away_and_at_the_reference_without_nan() {
    for name in RBF_FIXTURES {
        for &(rule_set, _) in FLIP_RULES {
            assert_conserves_far_away_and_at_the_reference(name, rule_set);
        }
    }
}

#[test]
fn neon_flip_and_focus_give_the_same_bits_on_one_and_two_threads() {
    for name in ["ocsvm_breast_cancer", "kde_digits"] {
        for &(rule_set, _) in FLIP_RULES {
            let method = Method::rule_set(rule_set).with_beta(Beta::Value(1.0));
            assert_same_bits_on_one_and_two_threads(name, &method);
        }
    }
}

#[test]
fn neon_flip_and_focus_are_refused_on_laplacian_kernels_and_other_families() {
    for name in ["ocsvm_digits_laplacian", "gmm_iris_full"] {
        for &(rule_set, _) in FLIP_RULES {
            let err = refusal(name, &Method::rule_set(rule_set));
            assert!(
                err.contains(&format!("{rule_set} is not defined for")),
                "{name}: {err}"
            );
        }
    }
}
