//! How far each method is from the best of the others, with a paired bootstrap interval.
//!
//! With `A_m` the mean normalized area of method m over the explained rows (lower = more
//! faithful), the gap of m is
//!
//! `g_m = A_m / min_{b != m} A_b - 1`
//!
//! (negative for the best method: how far it is ahead of the runner-up). Its 95% interval
//! comes from resampling the rows with replacement, the same rows for every method (the
//! methods flip the same rows, so their areas are paired), recomputing every mean and the
//! best of the others in each resample, and taking the 2.5% and 97.5% quantiles of `g_m`.
//! An interval that lies above a margin (say +2%) shows that m is behind by more than it on
//! rows like these; one that straddles it leaves the question open.

use crate::rng::Rng;

/// Bootstrap resamples of [`gaps_to_best_other`].
pub const RESAMPLES: usize = 1000;

/// One method's gap to the best of the other methods (fractions: 0.012 is +1.2%).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gap {
    /// `g_m` on all rows.
    pub point: f64,
    /// The 2.5% quantile over the resamples.
    pub low: f64,
    /// The 97.5% quantile over the resamples.
    pub high: f64,
}

/// The gap of every method (`areas[m]`: its per-row areas, the same rows for every method)
/// to the best of the others, resampling the rows from the stream `seed`. `None` for each
/// method when there are fewer than two methods or no rows, or where the best of the others
/// has a mean area of 0 (nothing to compare against).
pub fn gaps_to_best_other(areas: &[&[f64]], seed: u64) -> Vec<Option<Gap>> {
    let rows = areas.first().map_or(0, |a| a.len());
    debug_assert!(areas.iter().all(|a| a.len() == rows), "paired rows");
    if areas.len() < 2 || rows == 0 {
        return vec![None; areas.len()];
    }
    let mean_over = |picked: &mut dyn Iterator<Item = usize>, a: &[f64]| {
        picked.map(|r| a[r]).sum::<f64>() / rows as f64
    };
    let point_means: Vec<f64> = areas.iter().map(|a| mean_over(&mut (0..rows), a)).collect();
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(RESAMPLES); areas.len()];
    let mut rng = Rng::new(seed ^ 0xB007, 0);
    let mut picked = vec![0usize; rows];
    for _ in 0..RESAMPLES {
        for p in picked.iter_mut() {
            *p = rng.below(rows);
        }
        let means: Vec<f64> = areas
            .iter()
            .map(|a| mean_over(&mut picked.iter().copied(), a))
            .collect();
        for (m, draw) in draws.iter_mut().enumerate() {
            if let Some(g) = gap(&means, m) {
                draw.push(g);
            }
        }
    }
    draws
        .into_iter()
        .enumerate()
        .map(|(m, mut draw)| {
            let point = gap(&point_means, m)?;
            // Resamples whose best other has mean 0 have no gap; with too few left the
            // interval says nothing.
            if draw.len() < RESAMPLES / 2 {
                return None;
            }
            draw.sort_by(f64::total_cmp);
            Some(Gap {
                point,
                low: quantile(&draw, 0.025),
                high: quantile(&draw, 0.975),
            })
        })
        .collect()
}

/// `means[m] / min_{b != m} means[b] - 1`, `None` where that minimum is not positive.
fn gap(means: &[f64], m: usize) -> Option<f64> {
    let best_other = means
        .iter()
        .enumerate()
        .filter(|&(b, _)| b != m)
        .map(|(_, &a)| a)
        .fold(f64::INFINITY, f64::min);
    (best_other > 0.0 && best_other.is_finite()).then(|| means[m] / best_other - 1.0)
}

/// The `q` quantile of sorted values, linear between the neighbouring order statistics
/// (NumPy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let at = q * (sorted.len() - 1) as f64;
    let below = at.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    sorted[below] + (at - below as f64) * (sorted[above] - sorted[below])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_is_ahead_of_the_runner_up_and_the_others_behind_the_best() {
        let a = [0.10, 0.20, 0.30, 0.40];
        let b = [0.20, 0.40, 0.60, 0.80];
        let c = [0.15, 0.30, 0.45, 0.60];
        let gaps = gaps_to_best_other(&[&a, &b, &c], 0);
        let point = |m: usize| gaps[m].unwrap().point;
        // Means 0.25, 0.5, 0.375: a against c, b and c against a.
        assert!((point(0) - (0.25 / 0.375 - 1.0)).abs() < 1e-15);
        assert!((point(1) - 1.0).abs() < 1e-15);
        assert!((point(2) - 0.5).abs() < 1e-15);
        // Every row keeps the ratios, so every resample gives the same gaps.
        for g in gaps.iter().flatten() {
            assert!((g.low - g.point).abs() < 1e-12 && (g.high - g.point).abs() < 1e-12);
        }
    }

    #[test]
    fn noisy_rows_give_an_interval_around_the_point_and_the_seed_fixes_it() {
        let mut rng = Rng::new(3, 1);
        let a: Vec<f64> = (0..200).map(|_| 0.2 + 0.1 * rng.uniform()).collect();
        let b: Vec<f64> = a.iter().map(|v| v * 1.05 + 0.02 * rng.uniform()).collect();
        let gaps = gaps_to_best_other(&[&a, &b], 9);
        let g = gaps[1].unwrap();
        assert!(g.low < g.point && g.point < g.high, "{g:?}");
        assert!(g.low > 0.05 && g.high < 0.15, "{g:?}");
        assert_eq!(gaps, gaps_to_best_other(&[&a, &b], 9));
        assert_ne!(gaps, gaps_to_best_other(&[&a, &b], 10));
    }

    #[test]
    fn nothing_to_compare_gives_no_gap() {
        let a = [0.1, 0.2];
        assert_eq!(gaps_to_best_other(&[&a], 0), vec![None]);
        let empty: [f64; 0] = [];
        assert_eq!(gaps_to_best_other(&[&empty, &empty], 0), vec![None, None]);
        // The best other at 0: no gap for the method it would divide.
        let zero = [0.0, 0.0];
        let gaps = gaps_to_best_other(&[&a, &zero], 0);
        assert_eq!(gaps[0], None);
        assert!(gaps[1].unwrap().point == -1.0);
    }

    #[test]
    fn quantiles_interpolate_as_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert!((quantile(&v, 0.025) - 1.1).abs() < 1e-12);
    }
}
