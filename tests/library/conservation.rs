//! Conservation `|sum_i R_i - output| <= 1e-9 max(1, |output|)` over random models and
//! inputs, d in {1, 2, 7, 64}, for every conserving rule, with and without a scaler.

mod common;

use ndarray::{Array1, Array2};
use neuralize::classical::{Bounds, KMeans, KernelDensity, OneClassSvm, Standardizer};
use neuralize::{Composite, Estimator, Explainer, Kernel, LinearRule, Model, RuleSet};
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

fn check(model: &Model, x: &Array2<f64>, composite: &Composite, cluster: Option<usize>) {
    let e = Explainer::new(model)
        .explain(x.view(), composite, cluster)
        .unwrap();
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
                    let estimator = if kde {
                        Estimator::KernelDensity(KernelDensity::new(gamma, sv).unwrap())
                    } else {
                        let kernel = if laplacian {
                            Kernel::Laplacian { gamma }
                        } else {
                            Kernel::Rbf { gamma }
                        };
                        Estimator::OneClassSvm(
                            OneClassSvm::new(kernel, sv, Array1::from(alpha), rho).unwrap(),
                        )
                    };
                    (with_scaler(Model::new(estimator), scaler), x, beta)
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
                let model = Model::new(Estimator::KMeans(KMeans::new(mu).unwrap()))
                    .with_bounds(bounds)
                    .unwrap();
                (with_scaler(model, scaler), x, beta, cluster)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn kernel_models_conserve((model, x, beta) in kernel_case()) {
        check(&model, &x, &Composite::neon(beta).unwrap(), None);
    }

    #[test]
    fn kernel_models_conserve_with_the_bias_floor((model, x, beta) in kernel_case()) {
        check(&model, &x, &Composite::from_rule_set(RuleSet::NeonFloor, beta).unwrap(), None);
    }

    #[test]
    fn kmeans_conserves_for_every_conserving_rule(
        (model, x, beta, cluster) in kmeans_case(),
        rule in prop::sample::select(vec!["midpoint", "gamma=0.25", "gamma=2", "flat", "w2", "zb"]),
    ) {
        let rule: LinearRule = rule.parse().unwrap();
        prop_assert!(rule.conserves());
        check(&model, &x, &Composite::neon(beta).unwrap().with_linear(rule), cluster);
    }
}
