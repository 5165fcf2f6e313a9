//! One row against every support vector: distances, kernel values, pair decisions and the
//! vote, computed once and shared by the forward pass, the explanation and the gradient.

use super::model::{pair_index, Pair, Svc};
use crate::network::power::Power;
use ndarray::ArrayView1;

/// Rows whose largest coordinate (or the support vectors' or the reference's) is above this
/// are handled in coordinates divided by that size, so that no difference or square
/// overflows; below it every difference is exact.
const HUGE: f64 = 1e100;

/// A duel `(c, k)`: the decision value of class c against class k is `sign * dec_p`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Duel<'a> {
    pub pair: &'a Pair,
    pub sign: f64,
}

impl<'a> Duel<'a> {
    /// The duel of class `c` against class `k` (different classes).
    pub fn new(svc: &'a Svc, c: usize, k: usize) -> Self {
        let (i, j) = if c < k { (c, k) } else { (k, c) };
        let pair = &svc.pairs()[pair_index(svc.classes().len(), i, j)];
        debug_assert_eq!((pair.first, pair.second), (i, j));
        Duel {
            pair,
            sign: if c == i { 1.0 } else { -1.0 },
        }
    }
}

/// One row seen by the model.
#[derive(Debug)]
pub(super) struct Row {
    /// The coordinate scale s: 1, or the largest magnitude when above [`HUGE`].
    pub scale: f64,
    /// `||z - u_s||_q^q / s^q` of every support vector.
    pub scaled_dist: Vec<f64>,
    /// `gamma ||z - u_s||_q^q` (may be infinite for a huge row).
    pub exponent: Vec<f64>,
    /// `K(z, u_s) = exp(-exponent)`.
    pub kernel: Vec<f64>,
    /// Pair decisions (libsvm sign).
    pub decisions: Vec<f64>,
    /// The one-vs-one vote.
    pub vote: usize,
}

impl Row {
    /// Evaluate row `z` (standardized, finite); `bound` is the largest magnitude among the
    /// support vectors and the reference.
    pub fn new(svc: &Svc, z: ArrayView1<f64>, bound: f64) -> Self {
        let power = svc.kernel().power();
        let gamma = svc.kernel().gamma();
        let z = z.to_vec();
        let size = z.iter().fold(bound, |m, v| m.max(v.abs()));
        let scale = if size > HUGE { size } else { 1.0 };
        let scaled_z: Vec<f64> = z.iter().map(|v| v / scale).collect();
        let n_sv = svc.support_vectors().nrows();
        let mut scaled_dist = Vec::with_capacity(n_sv);
        let mut exponent = Vec::with_capacity(n_sv);
        let mut kernel = Vec::with_capacity(n_sv);
        let unit = match power {
            Power::One => scale,
            Power::Two => scale * scale,
        };
        for u in svc.support_vectors().outer_iter() {
            let u = u.as_slice().expect("owned rows");
            let dist = if scale == 1.0 {
                power.distance(&z, u)
            } else {
                scaled_z
                    .iter()
                    .zip(u)
                    .map(|(a, b)| power.term(a - b / scale))
                    .sum()
            };
            let e = gamma * (dist * unit);
            scaled_dist.push(dist);
            exponent.push(e);
            kernel.push((-e).exp());
        }
        let decisions: Vec<f64> = svc
            .pairs()
            .iter()
            .map(|pair| {
                let sum: f64 = pair
                    .support
                    .iter()
                    .zip(&pair.coef)
                    .map(|(&s, &c)| c * kernel[s])
                    .sum();
                sum + pair.intercept
            })
            .collect();
        let vote = svc.vote(&decisions);
        Row {
            scale,
            scaled_dist,
            exponent,
            kernel,
            decisions,
            vote,
        }
    }

    /// The decision value of a duel.
    pub fn duel_value(&self, svc: &Svc, duel: &Duel<'_>) -> f64 {
        let p = pair_index(svc.classes().len(), duel.pair.first, duel.pair.second);
        duel.sign * self.decisions[p]
    }

    /// `(T_c, the values V(c, k) of every other class k in class order)`, `T_c` their minimum.
    pub fn class_values(&self, svc: &Svc, c: usize) -> (f64, Vec<(usize, f64)>) {
        let values: Vec<(usize, f64)> = (0..svc.classes().len())
            .filter(|&k| k != c)
            .map(|k| (k, self.duel_value(svc, &Duel::new(svc, c, k))))
            .collect();
        let target = values.iter().map(|&(_, v)| v).fold(f64::INFINITY, f64::min);
        (target, values)
    }
}
