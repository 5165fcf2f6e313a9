//! Batches larger than one block (16,384 rows) are standardized and explained block by
//! block: every row's output, prediction and relevances are the same bits as when its rows
//! come in small batches (and as the forward pass's), and an error names the row of the
//! whole batch.

use crate::common;
use ndarray::{concatenate, s, Array2, Axis};
use neuralize::{load_model, Error, Explainer, Method, Prediction};

/// More rows than two blocks: the fixture's rows repeated.
fn large_batch(name: &str) -> Array2<f64> {
    let input = common::read_table(&common::fixture_path(name, "input.csv")).values;
    let copies = 2 * 16_384 / input.nrows() + 2;
    concatenate(Axis(0), &vec![input.view(); copies]).unwrap()
}

fn bits(values: impl IntoIterator<Item = f64>) -> Vec<u64> {
    values.into_iter().map(f64::to_bits).collect()
}

fn prediction_bits(p: &Prediction) -> Vec<u64> {
    match p {
        Prediction::Values(v) => bits(v.iter().copied()),
        Prediction::Labels(l) => l.iter().map(|&c| c as u64).collect(),
    }
}

/// Cuts of the batch into small batches, none longer than a block, not on block bounds.
fn small_batches(n: usize) -> Vec<(usize, usize)> {
    let mut cuts = vec![0];
    while *cuts.last().unwrap() < n {
        cuts.push((cuts.last().unwrap() + 5_000).min(n));
    }
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

#[test]
fn a_batch_of_many_blocks_gives_the_bits_of_small_batches() {
    // Every family with a scaler (the block path standardizes per block).
    for name in [
        "ocsvm_breast_cancer",
        "kde_iris",
        "kmeans_wine",
        "gmm_wine_tied",
        "knn_breast_cancer_largest",
        "mlp_iris",
        "svc_iris",
    ] {
        let model = load_model(common::model_path(name)).unwrap();
        let explainer = Explainer::new(&model);
        let x = large_batch(name);
        let method = Method::default();
        let whole = explainer.explain(x.view(), &method).unwrap();
        let forward = explainer.forward(x.view(), None).unwrap();
        assert_eq!(whole.relevance.dim(), x.dim(), "{name}");
        let (mut output, mut relevance, mut prediction) = (vec![], vec![], vec![]);
        for (a, b) in small_batches(x.nrows()) {
            let part = explainer.explain(x.slice(s![a..b, ..]), &method).unwrap();
            output.extend(bits(part.output));
            relevance.extend(bits(part.relevance));
            prediction.extend(prediction_bits(&part.prediction));
        }
        let explained = (
            bits(whole.output.iter().copied()),
            bits(whole.relevance.iter().copied()),
            prediction_bits(&whole.prediction),
        );
        let small = (output, relevance, prediction);
        assert!(
            explained == small,
            "{name}: the batch's bits differ from small batches'"
        );
        let forward_bits = (bits(forward.output), prediction_bits(&forward.prediction));
        assert!(
            forward_bits == (small.0, small.2),
            "{name}: the forward pass's bits differ from small batches'"
        );
    }
}

#[test]
fn an_error_in_a_later_block_names_the_row_of_the_batch() {
    let model = load_model(common::model_path("kde_iris")).unwrap();
    let explainer = Explainer::new(&model);
    let mut x = large_batch("kde_iris");
    let far = 16_384 + 7;
    x[[far, 0]] = 1e200;
    for result in [
        explainer.explain(x.view(), &Method::default()).map(|_| ()),
        explainer.forward(x.view(), None).map(|_| ()),
    ] {
        match result {
            Err(Error::NonFinite { row, .. }) => assert_eq!(row, far),
            other => panic!("expected a non-finite error at row {far}, got {other:?}"),
        }
    }
}
