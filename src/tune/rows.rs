//! Which reference rows the candidates are flipped on: the rows the model will be asked to
//! explain look like them.

use super::TuneOptions;
use crate::rng::Rng;

/// How the rows were chosen, for the reason text and `tuned_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Selection {
    /// An anomaly detector: the most outlying rows (largest outlierness).
    MostOutlying,
    /// A clustering or classifier: every row (or a seeded sample).
    All,
}

/// Indices (ascending) of the rows to flip on, out of `outputs.len()` reference rows.
///
/// - `MostOutlying`: the `max(ceil(share n), min(min_rows, n))` rows of largest output
///   (ties: lower index first);
/// - `All`: every row;
///
/// then, if more than `max_rows` remain, a seeded uniform sample of `max_rows` of them.
pub(crate) fn select_rows(
    outputs: &[f64],
    selection: Selection,
    options: &TuneOptions,
) -> Vec<usize> {
    let n = outputs.len();
    let mut pool: Vec<usize> = (0..n).collect();
    if selection == Selection::MostOutlying {
        pool.sort_by(|&a, &b| outputs[b].total_cmp(&outputs[a]).then(a.cmp(&b)));
        let share = (options.share * n as f64).ceil() as usize;
        pool.truncate(share.max(options.min_rows.min(n)).min(n));
    }
    if pool.len() > options.max_rows {
        // Partial Fisher-Yates: the first max_rows entries are a uniform sample.
        let mut rng = Rng::new(options.seed ^ 0x7E57, 0);
        for i in 0..options.max_rows {
            let j = i + rng.below(pool.len() - i);
            pool.swap(i, j);
        }
        pool.truncate(options.max_rows);
    }
    pool.sort_unstable();
    pool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_outlying_share_with_a_minimum_and_a_cap() {
        let outputs: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let options = TuneOptions {
            share: 0.1,
            min_rows: 5,
            max_rows: 1000,
            ..TuneOptions::default()
        };
        let rows = select_rows(&outputs, Selection::MostOutlying, &options);
        assert_eq!(rows, (90..100).collect::<Vec<_>>());
        let options = TuneOptions {
            min_rows: 20,
            ..options
        };
        let rows = select_rows(&outputs, Selection::MostOutlying, &options);
        assert_eq!(rows, (80..100).collect::<Vec<_>>());
        let options = TuneOptions {
            max_rows: 7,
            ..options
        };
        let rows = select_rows(&outputs, Selection::MostOutlying, &options);
        assert_eq!(rows.len(), 7);
        assert!(rows.iter().all(|&r| r >= 80));
        assert_eq!(
            rows,
            select_rows(&outputs, Selection::MostOutlying, &options)
        );
        let all = select_rows(&outputs, Selection::All, &options);
        assert_eq!(all.len(), 7);
        let few = select_rows(&outputs[..3], Selection::MostOutlying, &options);
        assert_eq!(few, vec![0, 1, 2]);
    }
}
