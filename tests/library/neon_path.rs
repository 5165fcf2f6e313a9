//! `neon-path`, the default rule set of laplacian one-class SVMs (rbf kernel models default
//! to `neon-lean`, which re-shares part of it per row): it matches the independent NumPy
//! oracle (scripts/neon_oracle_path.py), conserves, and falls back to `neon-floor` where its
//! numerators are unusable; the kernel models' default method is `neon-lean@1` or
//! `neon-path@1` by kernel, bit for bit.

use crate::common::*;
use ndarray::Axis;
use neuralize::{load_model, Beta, Explainer, Method, RuleSet};

/// The kernel fixtures with a `NAME.expected_path.csv` from the oracle.
const KERNEL_FIXTURES: &[&str] = &[
    "ocsvm_breast_cancer",
    "ocsvm_breast_cancer_raw",
    "ocsvm_digits_laplacian",
    "ocsvm_digits_rbf",
    "ocsvm_blobs",
    "kde_iris",
    "kde_wine",
    "kde_digits",
];

#[test]
fn neon_path_at_beta_1_matches_the_oracle_on_every_kernel_model() {
    for name in KERNEL_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let explainer = Explainer::new(&model);
        let x = input_rows(name);
        let named = Method::rule_set(RuleSet::NeonPath).with_beta(Beta::Value(1.0));
        assert_eq!(named.to_string(), "neon-path@1", "{name}");
        let e = explainer.explain(x.view(), &named).unwrap();
        // `neon-path` without a beta is the published beta, 1 for kernel models.
        let published = Method::rule_set(RuleSet::NeonPath);
        assert_eq!(
            e,
            explainer.explain(x.view(), &published).unwrap(),
            "{name}"
        );
        let expected = read_table(&fixture_path(name, "expected_path.csv"));
        assert_eq!(expected.values.dim().0, x.nrows(), "{name}: rows");
        assert_matches_oracle(&e, &expected, name);
    }
}

/// rbf models default to `neon-pick@1` (oracle: scripts/neon_oracle_pick.py), laplacian
/// ones to `neon-path@1` (scripts/neon_oracle_path.py); the kernel is read from the model
/// file, and the default's relevances equal the named method's bit for bit.
#[test]
fn the_default_of_kernel_models_is_neon_pick_on_rbf_and_neon_path_on_laplacian() {
    let mut seen = Vec::new();
    for name in KERNEL_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let explainer = Explainer::new(&model);
        let x = input_rows(name);
        let expected_name = kernel_default(name);
        let (rule_set, oracle, tol) = match expected_name {
            "neon-pick@1" => (RuleSet::NeonPick, "expected_pick.csv", 1e-10),
            _ => (RuleSet::NeonPath, "expected_path.csv", 1e-8),
        };
        seen.push(rule_set);
        let named = Method::rule_set(rule_set).with_beta(Beta::Value(1.0));
        assert_eq!(named.to_string(), expected_name, "{name}");
        assert_eq!(explainer.default_method(), named, "{name}");
        assert_eq!(explainer.family_default_method(), named, "{name}");
        let reason = explainer.default_method_reason();
        assert!(reason.contains("faithfulness.md"), "{name}: {reason}");
        if rule_set == RuleSet::NeonPick {
            assert!(
                reason.contains("neon-lean@1, still available"),
                "{name}: {reason}"
            );
        }
        let e = explainer.explain(x.view(), &Method::default()).unwrap();
        assert_eq!(e, explainer.explain(x.view(), &named).unwrap(), "{name}");
        let expected = read_table(&fixture_path(name, oracle));
        assert_matches_oracle_within(&e, &expected, tol, &format!("{name} {named}"));
        // An explicit beta still overrides the default's.
        let softer = Method::default().with_beta(Beta::Value(0.5));
        assert_eq!(
            explainer.explain(x.view(), &softer).unwrap(),
            explainer
                .explain(x.view(), &named.with_beta(Beta::Value(0.5)))
                .unwrap(),
            "{name}"
        );
    }
    // Both kernels are covered.
    assert!(seen.contains(&RuleSet::NeonPick) && seen.contains(&RuleSet::NeonPath));
}

/// The default explanation reports the forward pass's own output, bit for bit (what
/// `score` prints), on rbf and laplacian models alike.
#[test]
fn the_default_reports_the_bits_of_the_forward_pass() {
    for name in KERNEL_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let explainer = Explainer::new(&model);
        let x = input_rows(name);
        let e = explainer.explain(x.view(), &Method::default()).unwrap();
        let f = explainer.forward(x.view(), None).unwrap();
        for (r, (a, b)) in e.output.iter().zip(&f.output).enumerate() {
            assert_eq!(a.to_bits(), b.to_bits(), "{name} row {r}: {a} {b}");
        }
    }
}

#[test]
fn neon_path_conserves_at_any_beta_and_far_from_the_model() {
    for name in KERNEL_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let explainer = Explainer::new(&model);
        let x = input_rows(name);
        let rows = probe_rows(&x, &explainer.reference().to_owned());
        for beta in [
            Beta::Auto,
            Beta::Value(0.1),
            Beta::Value(1.0),
            Beta::Value(5.0),
        ] {
            let method = Method::rule_set(RuleSet::NeonPath).with_beta(beta);
            explain_conserving(&explainer, rows.view(), &method, name);
        }
    }
}

#[test]
fn rows_without_a_usable_path_keep_the_neon_floor_relevance() {
    for name in KERNEL_FIXTURES {
        let model = load_model(model_path(name)).unwrap();
        let explainer = Explainer::new(&model);
        // At the reference every numerator is 0: the row keeps neon-floor at the same beta.
        let at_reference = explainer.reference().insert_axis(Axis(0)).to_owned();
        let path = explainer
            .explain(at_reference.view(), &Method::default())
            .unwrap();
        let floor = Method::rule_set(RuleSet::NeonFloor).with_beta(Beta::Value(1.0));
        let floor = explainer.explain(at_reference.view(), &floor).unwrap();
        assert_eq!(path, floor, "{name}");
    }
}

#[test]
fn neon_path_is_refused_on_models_that_do_not_define_it() {
    let err = refusal("gmm_iris_full", &Method::rule_set(RuleSet::NeonPath));
    assert!(
        err.contains("neon-path is not defined for gaussian_mixture"),
        "{err}"
    );
}
