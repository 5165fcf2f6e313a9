//! The kNN detector's matrix-product search gives the exact scan's scores bit for bit: the
//! network's forward and explained outputs equal `KnnDetector::decision_function` (every
//! distance from exact differences, a full sort) on the shipped Euclidean fixtures, on rows
//! far from the data, and on generated detectors with ties, repeated rows and an offset.

use crate::common::*;
use ndarray::{concatenate, Array2, Axis};
use neuralize::{load_model, Explainer, KnnDetector, KnnMetric, KnnScore, Method, Model};

/// Forward and explained outputs against the plain scores, bit for bit.
fn assert_exact(model: &Model, z: &Array2<f64>, what: &str) {
    let knn = model.estimator::<KnnDetector>().unwrap();
    let truth = knn.decision_function(z.view()).unwrap();
    // The model has no scaler here: inputs are in model space.
    let explainer = Explainer::new(model);
    let forward = explainer.forward(z.view(), None).unwrap();
    let explained = explainer.explain(z.view(), &Method::default()).unwrap();
    for (r, ((f, e), t)) in forward
        .output
        .iter()
        .zip(&explained.output)
        .zip(&truth)
        .enumerate()
    {
        assert!(t.is_finite(), "{what}, row {r}: {t}");
        assert_eq!(
            f.to_bits(),
            t.to_bits(),
            "{what}, row {r}: forward {f} vs {t}"
        );
        assert_eq!(
            e.to_bits(),
            t.to_bits(),
            "{what}, row {r}: explain {e} vs {t}"
        );
    }
}

#[test]
fn shipped_euclidean_fixtures_and_far_rows_match_the_exact_scan() {
    for name in ["knn_breast_cancer_largest", "knn_blobs_largest"] {
        let model = load_model(model_path(name)).unwrap();
        let knn = model.estimator::<KnnDetector>().unwrap();
        assert_eq!(knn.metric(), KnnMetric::Euclidean);
        assert!(knn.points().nrows() >= 64, "{name}: takes the product path");
        let x = read_table(&fixture_path(name, "input.csv")).values;
        let z = model_space(&model, x.view());
        // Rows 1e3 and 1e150 away along the first input row's direction from the mean.
        let mean = knn.points().mean_axis(Axis(0)).unwrap();
        let far: Vec<Array2<f64>> = [1e3, 1e150, -1e150]
            .iter()
            .map(|&s| (&z.slice(ndarray::s![..3, ..]) - &mean) * s + &mean)
            .collect();
        let mut all = vec![z.view()];
        all.extend(far.iter().map(|f| f.view()));
        let rows = concatenate(Axis(0), &all).unwrap();
        let plain = Model::from(knn.clone());
        assert_exact(&plain, &rows, name);
    }
}

#[test]
fn generated_detectors_with_ties_and_offsets_match_the_exact_scan() {
    let mut rng = Rng(0x5eed);
    for (n, d, k, offset) in [(300, 4, 1, 0.0), (900, 7, 12, 0.0), (500, 3, 5, 1e7)] {
        // Coordinates on a grid: many equal distances; the last 40 rows repeat the first.
        let mut points = rng.matrix(n, d, 0.0, 6.0).mapv(|v| v.round() + offset);
        for j in 0..40 {
            let row = points.row(j).to_owned();
            points.row_mut(n - 1 - j).assign(&row);
        }
        let queries = rng.matrix(300, d, -1.0, 7.0).mapv(|v| v + offset);
        let queries = concatenate(
            Axis(0),
            &[queries.view(), points.slice(ndarray::s![..20, ..])],
        )
        .unwrap();
        for score in [KnnScore::Largest, KnnScore::Mean] {
            let knn = KnnDetector::new(points.clone(), k, score, KnnMetric::Euclidean).unwrap();
            assert_exact(
                &Model::from(knn),
                &queries,
                &format!("n {n}, d {d}, k {k}, offset {offset}, {score:?}"),
            );
        }
    }
}
