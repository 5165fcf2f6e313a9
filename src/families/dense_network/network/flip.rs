//! `neon-flip` on a dense network (opt-in): `neon-ref` averaged with a flip-ordered
//! two-piece rescale path, in batch over a chunk of rows.
//!
//! In the standardized space, z the row and r the reference, `neon-ref` gives
//! `nr_i = m_i (z_i - r_i)` (m the rescale multipliers of the segment r -> z, [`super::rooted`])
//! and `R_ref = nr + (f(z) - Σ nr) / d`. The flip-ordered path moves the `g = min(3, d - 1)`
//! features with the largest `nr` first (the set G; ties: the lower index first): with
//! `z1 = z` whose features in G are set to r, `m1` the multipliers of the segment z1 -> z and
//! `m2` those of r -> z1,
//!
//! `flip_i = m1_i (z_i - r_i)` for i in G, `m2_i (z_i - r_i)` otherwise,
//!
//! so `Σ_i flip_i = (f(z) - f(z1)) + (f(z1) - f(r)) = f(z) - f(r)` (up to the path
//! quadrature of pooled targets), and `R_flip = flip + (f(z) - Σ flip) / d`. The relevance is
//! `R = (R_ref + R_flip) / 2`: both sum to `f(z)`, so it conserves. With d = 1 (g = 0) it is
//! `neon-ref`. Cost: a second forward pass (at z1) and two more backward products, about
//! twice `neon-ref` (docs/dense_network.md).

use super::reveal::spread_rest;
use super::{DenseLrp, Pass};
use ndarray::{Array2, ArrayView1, Axis, Zip};

/// Features that move first along the flip-ordered path (at most `d - 1`).
const FLIP_TOP: usize = 3;

impl DenseLrp {
    /// Outputs and `neon-flip` relevances of a chunk (see the module documentation):
    /// `pass` of its rows, `root` of the reference (one row), `targets[r]` the explained
    /// target of row r.
    pub(super) fn explain_flip(
        &self,
        pass: &Pass,
        root: &Pass,
        targets: &[usize],
        reference: ArrayView1<f64>,
    ) -> (Vec<f64>, Array2<f64>) {
        let z = &pass.inputs[0];
        let delta = z - &reference.insert_axis(Axis(0));
        let (m, output) = self.segment_multipliers(pass, root, targets);
        let first = &m * &delta;
        let g = FLIP_TOP.min(z.ncols().saturating_sub(1));
        if g == 0 {
            let relevance = spread_rest(first, &output);
            return (output, relevance);
        }
        // z1: the row with its top g features (by `nr`) at the reference.
        let mut moved = Array2::from_elem(z.raw_dim(), false);
        let mut z1 = z.clone();
        for ((nr, mut moved), mut z1) in first
            .axis_iter(Axis(0))
            .zip(moved.axis_iter_mut(Axis(0)))
            .zip(z1.axis_iter_mut(Axis(0)))
        {
            for i in top_features(nr, g) {
                moved[i] = true;
                z1[i] = reference[i];
            }
        }
        let middle = self.pass(z1.view());
        let (m1, _) = self.segment_multipliers(pass, &middle, targets);
        let (m2, _) = self.segment_multipliers(&middle, root, targets);
        let mut flip = m2;
        Zip::from(&mut flip)
            .and(&m1)
            .and(&moved)
            .and(&delta)
            .for_each(|f, &m1, &moved, &dz| *f = if moved { m1 * dz } else { *f * dz });
        let mut relevance = spread_rest(first, &output);
        relevance += &spread_rest(flip, &output);
        relevance.mapv_inplace(|v| v / 2.0);
        (output, relevance)
    }
}

/// The indices of the `g` largest values, the lower index first among equal ones (a stable
/// descending sort; `-0.0` counts as `0.0`).
fn top_features(values: ArrayView1<f64>, g: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| (values[b] + 0.0).total_cmp(&(values[a] + 0.0)));
    order.truncate(g);
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Largest first, ties broken by the lower index (NumPy's stable argsort of `-nr`).
    #[test]
    fn top_features_are_stable() {
        let v = array![1.0, 3.0, -0.0, 3.0, 0.0, 2.0];
        assert_eq!(top_features(v.view(), 3), vec![1, 3, 5]);
        assert_eq!(top_features(v.view(), 5), vec![1, 3, 5, 0, 2]);
    }
}
