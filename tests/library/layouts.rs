//! The library boundary: any memory layout gives the row-major result, and no caller data
//! (wrong width, NaN, infinity, zero rows) makes it panic, on every family and method.

use neuralize::ndarray::{s, Array2, ArrayView2, ShapeBuilder};
use neuralize::{load_model, Error, Explainer, Explanation, Method, Model, Technique};
use proptest::prelude::*;

/// Every shipped model with its first `rows` input rows (model feature order).
fn shipped(rows: usize) -> Vec<(String, Model, Array2<f64>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    let mut models: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    models.sort();
    models
        .into_iter()
        .map(|path| {
            let model = load_model(&path).unwrap();
            let input = path.with_extension("input.csv");
            let x = read_rows(&input.to_string_lossy(), &model, rows);
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            (name, model, x)
        })
        .collect()
}

/// The model's feature columns of a plain numeric CSV (by name when the model has names).
fn read_rows(path: &str, model: &Model, rows: usize) -> Array2<f64> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let columns: Vec<usize> = match model.feature_names() {
        Some(names) => names
            .iter()
            .map(|n| header.iter().position(|h| h == n).unwrap())
            .collect(),
        None => (0..model.n_features()).collect(),
    };
    let values: Vec<Vec<f64>> = lines
        .take(rows)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            columns.iter().map(|&c| cells[c].parse().unwrap()).collect()
        })
        .collect();
    let n = values.len();
    Array2::from_shape_vec((n, columns.len()), values.concat()).unwrap()
}

/// Every method, cheap enough for many models (few samples and steps).
fn methods() -> Vec<Method> {
    Technique::all()
        .into_iter()
        .map(|t| Method::of(t).with_samples(4).with_steps(4).with_seed(3))
        .collect()
}

/// The same rows in column-major order.
fn fortran(x: &Array2<f64>) -> Array2<f64> {
    let mut f = Array2::zeros(x.raw_dim().f());
    f.assign(x);
    f
}

/// The same rows as every second column of a twice-as-wide array (a strided view).
fn widened(x: &Array2<f64>) -> Array2<f64> {
    let mut wide = Array2::from_elem((x.nrows(), 2 * x.ncols()), f64::NAN);
    wide.slice_mut(s![.., ..;2]).assign(x);
    wide
}

/// Explain with `method`, or `None` when the method does not apply to the model (an
/// `InvalidParameter` error, e.g. `hybrid` on k-means).
fn explain(e: &Explainer, x: ArrayView2<f64>, method: &Method) -> Option<Explanation> {
    match e.explain(x, method) {
        Ok(explanation) => Some(explanation),
        Err(Error::InvalidParameter { .. }) => None,
        Err(other) => panic!("{method}: {other}"),
    }
}

#[test]
fn every_layout_gives_the_row_major_result_on_every_family_and_method() {
    let mut checked = 0;
    for (name, model, x) in shipped(5) {
        let explainer = Explainer::new(&model);
        let (f, wide) = (fortran(&x), widened(&x));
        assert!(!f.is_standard_layout());
        for method in methods() {
            let Some(expected) = explain(&explainer, x.view(), &method) else {
                continue;
            };
            for (layout, view) in [("F", f.view()), ("strided", wide.slice(s![.., ..;2]))] {
                let got = explainer.explain(view, &method).unwrap();
                assert_eq!(got, expected, "{name}, {method}, {layout}");
            }
            let forward = explainer.forward(f.view(), None).unwrap();
            assert_eq!(
                forward.output,
                explainer.forward(x.view(), None).unwrap().output
            );
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} (model, method) pairs");
}

#[test]
fn bad_rows_are_errors_naming_the_row_and_column_on_every_family_and_method() {
    for (name, model, x) in shipped(4) {
        let explainer = Explainer::new(&model);
        let d = x.ncols();
        for method in methods() {
            if explain(&explainer, x.view(), &method).is_none() {
                continue;
            }
            let case = format!("{name}, {method}");
            for width in [0, d - 1, d + 1] {
                let bad = Array2::<f64>::zeros((3, width));
                let err = explainer.explain(bad.view(), &method).unwrap_err();
                assert!(
                    matches!(err, Error::Input { row: None, .. }),
                    "{case}: {err}"
                );
                assert!(err.to_string().contains(&format!("{d} features")), "{err}");
            }
            for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                let mut bad = fortran(&x);
                bad[[2, d - 1]] = value;
                let err = explainer.explain(bad.view(), &method).unwrap_err();
                assert!(
                    matches!(err, Error::Input { row: Some(2), .. }),
                    "{case}: {err}"
                );
                assert!(
                    err.to_string().contains(&format!("column {}", d - 1)),
                    "{err}"
                );
                assert!(explainer.forward(bad.view(), None).is_err());
            }
            let empty = Array2::<f64>::zeros((0, d));
            let e = explainer.explain(empty.view(), &method).unwrap();
            assert_eq!((e.output.len(), e.relevance.dim()), (0, (0, d)), "{case}");
            assert!(e.prediction.is_empty());
        }
    }
}

#[test]
fn a_cluster_out_of_range_or_on_a_kernel_model_is_an_error() {
    for (name, model, x) in shipped(2) {
        let explainer = Explainer::new(&model);
        let method = Method::default().with_cluster(1_000);
        let err = explainer.explain(x.view(), &method).unwrap_err();
        assert!(
            matches!(err, Error::InvalidParameter { .. }),
            "{name}: {err}"
        );
        assert!(explainer.forward(x.view(), Some(1_000)).is_err(), "{name}");
    }
}

/// A k-means model, a one-class SVM and a kernel density on `d` random features.
fn random_models(d: usize, seed: u64) -> Vec<Model> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
    };
    let mut matrix = |rows: usize| Array2::from_shape_fn((rows, d), |_| next());
    let centroids = matrix(3);
    let support = matrix(5);
    let points = matrix(4);
    vec![
        Model::from(neuralize::KMeans::new(centroids).unwrap()),
        Model::from(
            neuralize::OneClassSvm::new(
                neuralize::Kernel::Rbf { gamma: 0.3 },
                support,
                neuralize::ndarray::Array1::from_elem(5, 0.2),
                0.5,
            )
            .unwrap(),
        ),
        Model::from(neuralize::KernelDensity::new(0.7, points).unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random rows in column-major and strided layouts explain exactly as row-major rows.
    #[test]
    fn random_rows_in_any_layout_explain_as_row_major(
        d in 1usize..6,
        n in 0usize..9,
        seed in 1u64..1_000,
        values in proptest::collection::vec(-50.0f64..50.0, 0..54),
    ) {
        let x = Array2::from_shape_fn((n, d), |(r, c)| {
            values.get(r * d + c).copied().unwrap_or((r + 2 * c) as f64 * 0.37)
        });
        for model in random_models(d, seed) {
            let explainer = Explainer::new(&model);
            for method in [Method::default(), Method::neon()] {
                let expected = explainer.explain(x.view(), &method).unwrap();
                let f = fortran(&x);
                prop_assert_eq!(&explainer.explain(f.view(), &method).unwrap(), &expected);
                let wide = widened(&x);
                let strided = wide.slice(s![.., ..;2]);
                prop_assert_eq!(&explainer.explain(strided, &method).unwrap(), &expected);
                for (row, &output) in expected.relevance.outer_iter().zip(&expected.output) {
                    prop_assert!((row.sum() - output).abs() <= 1e-9 * output.abs().max(1.0));
                }
            }
        }
    }
}

#[test]
fn the_default_method_is_the_one_the_explainer_names() {
    for (name, model, x) in shipped(6) {
        let explainer = Explainer::new(&model);
        let named = explainer.default_method();
        let expected = if model.kind() == "one_class_svm" || model.kind() == "kernel_density" {
            crate::common::kernel_default(&name)
        } else {
            "@auto"
        };
        assert!(named.to_string().ends_with(expected), "{name}: {named}");
        assert_eq!(
            explainer.explain(x.view(), &Method::default()).unwrap(),
            explainer.explain(x.view(), &named).unwrap(),
            "{name}"
        );
        let parsed: Method = named.to_string().parse().unwrap();
        assert_eq!(parsed, named, "{name}");
    }
}
