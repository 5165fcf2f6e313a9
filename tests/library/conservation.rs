//! Conservation `|sum_i R_i - output| <= 1e-9 max(1, |output|)` over random models and
//! inputs, d in {1, 2, 7, 64}, for every conserving rule, with and without a scaler.

use crate::common;
use ndarray::{Array1, Array2};
use neuralize::{
    Beta, Bounds, Explainer, KMeans, Kernel, KernelDensity, LinearRule, Method, Model, OneClassSvm,
    RuleSet, Standardizer,
};
use proptest::prelude::*;

fn matrix(rows: usize, cols: usize, scale: f64) -> impl Strategy<Value = Array2<f64>> {
    prop::collection::vec(-scale..scale, rows * cols)
        .prop_map(move |v| Array2::from_shape_vec((rows, cols), v).unwrap())
}

fn dims() -> impl Strategy<Value = usize> {
    prop::sample::select(vec![1usize, 2, 7, 64])
}

fn maybe_scaler(d: usize) -> impl Strategy<Value = Option<Standardizer>> {
    prop::option::of(
        (
            prop::collection::vec(-3.0..3.0f64, d),
            prop::collection::vec(0.1..5.0f64, d),
        )
            .prop_map(|(m, s)| Standardizer::new(Array1::from(m), Array1::from(s)).unwrap()),
    )
}

fn with_scaler(model: Model, scaler: Option<Standardizer>) -> Model {
    match scaler {
        Some(s) => model.with_scaler(s).unwrap(),
        None => model,
    }
}

fn check(model: &Model, x: &Array2<f64>, method: &Method) {
    let e = Explainer::new(model).explain(x.view(), method).unwrap();
    assert!(
        e.relevance.iter().all(|v| v.is_finite()),
        "finite relevances"
    );
    common::assert_conserves(&e.relevance, e.output.as_slice().unwrap(), "random model");
}

fn kernel_case() -> impl Strategy<Value = (Model, Array2<f64>, f64)> {
    (dims(), 1usize..12, 1usize..6).prop_flat_map(|(d, m, n)| {
        (
            matrix(m, d, 3.0),
            prop::collection::vec(0.01..1.0f64, m),
            0.01..5.0f64,
            -3.0..1.0f64,
            prop::bool::ANY,
            prop::bool::ANY,
            maybe_scaler(d),
            matrix(n, d, 6.0),
            0.1..10.0f64,
            prop::bool::ANY,
        )
            .prop_map(
                |(sv, alpha, rho, log_gamma, laplacian, kde, scaler, mut x, beta, on_sv)| {
                    if on_sv {
                        // A row that coincides with a center (in the space the model sees).
                        let mut row = sv.row(0).to_owned();
                        if let Some(s) = &scaler {
                            row = &row * &s.scale() + s.mean();
                        }
                        x.row_mut(0).assign(&row);
                    }
                    let gamma = 10f64.powf(log_gamma);
                    let model = if kde {
                        Model::from(KernelDensity::new(gamma, sv).unwrap())
                    } else {
                        let kernel = if laplacian {
                            Kernel::Laplacian { gamma }
                        } else {
                            Kernel::Rbf { gamma }
                        };
                        Model::from(OneClassSvm::new(kernel, sv, Array1::from(alpha), rho).unwrap())
                    };
                    (with_scaler(model, scaler), x, beta)
                },
            )
    })
}

fn kmeans_case() -> impl Strategy<Value = (Model, Array2<f64>, f64, Option<usize>)> {
    (dims(), 2usize..6, 1usize..6).prop_flat_map(|(d, k, n)| {
        (
            matrix(k, d, 3.0),
            maybe_scaler(d),
            matrix(n, d, 6.0),
            0.1..10.0f64,
            prop::option::of(0..k),
        )
            .prop_map(move |(mu, scaler, x, beta, cluster)| {
                let bounds = Bounds {
                    low: Array1::from_elem(d, -7.0),
                    high: Array1::from_elem(d, 7.0),
                };
                let model = Model::from(KMeans::new(mu).unwrap())
                    .with_bounds(bounds)
                    .unwrap();
                (with_scaler(model, scaler), x, beta, cluster)
            })
    })
}

/// The conserving linear rules: a fixed list (with a second gamma) and every conserving rule
/// of the crate's table, so that a new conserving rule is tested without editing this list.
fn conserving_rules() -> Vec<LinearRule> {
    let mut rules: Vec<LinearRule> = ["midpoint", "gamma=0.25", "gamma=2", "flat", "w2", "zb"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    for rule in LinearRule::examples() {
        if rule.conserves() && !rules.contains(&rule) {
            rules.push(rule);
        }
    }
    rules
}

#[test]
fn the_conserving_rules_cover_the_table() {
    let rules = conserving_rules();
    assert!(rules.iter().all(LinearRule::conserves));
    for rule in LinearRule::examples() {
        let name = rule.to_string();
        let name = name.split('=').next().unwrap();
        assert_eq!(
            rule.conserves(),
            rules
                .iter()
                .any(|r| r.to_string().split('=').next() == Some(name)),
            "{rule}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn kernel_models_conserve((model, x, beta) in kernel_case()) {
        check(&model, &x, &Method::neon().with_beta(Beta::Value(beta)));
    }

    #[test]
    fn kernel_models_conserve_with_the_bias_floor((model, x, beta) in kernel_case()) {
        check(&model, &x, &Method::rule_set(RuleSet::NeonFloor).with_beta(Beta::Value(beta)));
    }

    #[test]
    fn kmeans_conserves_for_every_conserving_rule(
        (model, x, beta, cluster) in kmeans_case(),
        rule in prop::sample::select(conserving_rules()),
    ) {
        prop_assert!(rule.conserves());
        let mut method = Method::neon().with_beta(Beta::Value(beta)).with_linear_rule(rule);
        if let Some(c) = cluster {
            method = method.with_cluster(c);
        }
        check(&model, &x, &method);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// What `neuralize explain` does by default is a conserving NEON variant on every family.
    #[test]
    fn the_default_method_conserves_on_kernel_models((model, x, _beta) in kernel_case()) {
        check(&model, &x, &Method::default());
    }

    #[test]
    fn the_default_method_conserves_on_kmeans((model, x, _beta, cluster) in kmeans_case()) {
        let mut method = Method::default();
        if let Some(c) = cluster {
            method = method.with_cluster(c);
        }
        check(&model, &x, &method);
    }
}
