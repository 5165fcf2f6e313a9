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
//!
//! The frame (`neon-ref`'s terms, the top features, the pass at z1 with its first layer as a
//! rank-g update, the mean of the two paths) is shared with `neon-drop` ([`super::drop`]).

use super::reveal::spread_rest;
use super::{DenseLrp, Pass};
use ndarray::{Array2, ArrayView1, Axis};

/// The second path of a flip-ordered rule set, averaged with `neon-ref`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SecondPath {
    /// `neon-flip`: the rescale rule on both pieces, z1 -> z and r -> z1.
    Flip,
    /// `neon-drop` ([`super::drop`]): the first piece taken whole, r -> z1 by the rescale rule.
    Drop,
}

/// Features that move first along the flip-ordered path (at most `d - 1`).
const FLIP_TOP: usize = 3;

/// The start of a flip-ordered path: `neon-ref`'s terms and the state with the top
/// features at the reference.
pub(super) struct FlipStart {
    /// `z - r`, rows x features.
    pub delta: Array2<f64>,
    /// `nr_i = m_i (z_i - r_i)`, `neon-ref`'s terms before the even spread.
    pub first: Array2<f64>,
    /// The explained outputs `f(z)`.
    pub output: Vec<f64>,
    /// How many features move first: `min(FLIP_TOP, d - 1)`.
    pub g: usize,
    /// Each row's top g features by `nr` (ties: the lower index first), in `[..g]`.
    pub top: Vec<[usize; FLIP_TOP]>,
}

impl DenseLrp {
    /// `neon-ref`'s terms of a chunk and each row's top features.
    fn flip_start(
        &self,
        pass: &Pass,
        root: &Pass,
        targets: &[usize],
        reference: ArrayView1<f64>,
    ) -> FlipStart {
        let z = &pass.inputs[0];
        let delta = z - &reference.insert_axis(Axis(0));
        let (m, output) = self.segment_multipliers(pass, root, targets);
        let first = &m * &delta;
        let g = FLIP_TOP.min(z.ncols().saturating_sub(1));
        let top = first
            .axis_iter(Axis(0))
            .map(|nr| top_features(nr, g))
            .collect();
        FlipStart {
            delta,
            first,
            output,
            g,
            top,
        }
    }

    /// The pass at `z1` (the rows with their top g features at the reference): the first
    /// layer's pre-activations as a rank-g update of the row's,
    /// `p(z1) = p(z) - Σ_(i∈G) (z_i - r_i) W_i`, the other layers in full.
    fn middle_pass(&self, pass: &Pass, start: &FlipStart, reference: ArrayView1<f64>) -> Pass {
        let mut z1 = pass.inputs[0].clone();
        let mut first = pass.pre[0].clone();
        let weights = &self.layers[0].weights;
        for (r, row_top) in start.top.iter().enumerate() {
            let mut pre = first.row_mut(r);
            for &i in &row_top[..start.g] {
                pre.scaled_add(-start.delta[[r, i]], &weights.row(i));
                z1[[r, i]] = reference[i];
            }
        }
        self.pass_from_first(z1, first)
    }

    /// Outputs and relevances of a flip-ordered rule set on a chunk: `neon-ref`'s terms,
    /// the pass at z1 and the `second` path's terms; each gets the rest of the output spread
    /// evenly and `R = (R_ref + R_second) / 2`. With no feature to move first (d = 1) it is
    /// `neon-ref`. `pass` of the chunk's rows, `root` of the reference (one row),
    /// `targets[r]` the explained target of row r.
    pub(super) fn explain_flip_ordered(
        &self,
        pass: &Pass,
        root: &Pass,
        targets: &[usize],
        reference: ArrayView1<f64>,
        second: SecondPath,
    ) -> (Vec<f64>, Array2<f64>) {
        let start = self.flip_start(pass, root, targets, reference);
        if start.g == 0 {
            let relevance = spread_rest(start.first, &start.output);
            return (start.output, relevance);
        }
        let middle = self.middle_pass(pass, &start, reference);
        let path = match second {
            SecondPath::Flip => self.flip_path(pass, root, targets, &start, &middle),
            SecondPath::Drop => self.drop_path(root, targets, &start, &middle),
        };
        let mut relevance = spread_rest(start.first, &start.output);
        relevance += &spread_rest(path, &start.output);
        relevance.mapv_inplace(|v| v / 2.0);
        (start.output, relevance)
    }

    /// `neon-flip`'s second path (module documentation): `m1_i (z_i - r_i)` on the top
    /// features, `m2_i (z_i - r_i)` on the rest.
    fn flip_path(
        &self,
        pass: &Pass,
        root: &Pass,
        targets: &[usize],
        start: &FlipStart,
        middle: &Pass,
    ) -> Array2<f64> {
        let (m1, _) = self.segment_multipliers(pass, middle, targets);
        let (m2, _) = self.segment_multipliers(middle, root, targets);
        let mut flip = m2 * &start.delta;
        for (r, row_top) in start.top.iter().enumerate() {
            for &i in &row_top[..start.g] {
                flip[[r, i]] = m1[[r, i]] * start.delta[[r, i]];
            }
        }
        flip
    }
}

/// The indices of the `g <= FLIP_TOP` largest values in `[..g]`, the lower index first
/// among equal ones (a stable descending sort; `-0.0` equals `0.0`; valid input gives
/// finite values). The three largest are kept in registers: the top g of a stable top 3
/// are the stable top g.
fn top_features(values: ArrayView1<f64>, g: usize) -> [usize; FLIP_TOP] {
    const _: () = assert!(FLIP_TOP == 3);
    debug_assert!(g <= FLIP_TOP);
    let (mut v0, mut v1, mut v2) = (f64::NEG_INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    let (mut i0, mut i1, mut i2) = (0, 0, 0);
    let mut visit = |i: usize, v: f64| {
        // v0 >= v1 >= v2, so c0 implies c1 implies c2; strictly larger only, so an equal
        // value stays behind the earlier index. Selects, not branches.
        let (c0, c1, c2) = (v > v0, v > v1, v > v2);
        (v2, i2) = if c1 {
            (v1, i1)
        } else if c2 {
            (v, i)
        } else {
            (v2, i2)
        };
        (v1, i1) = if c0 {
            (v0, i0)
        } else if c1 {
            (v, i)
        } else {
            (v1, i1)
        };
        (v0, i0) = if c0 { (v, i) } else { (v0, i0) };
    };
    match values.as_slice() {
        Some(slice) => slice.iter().enumerate().for_each(|(i, &v)| visit(i, v)),
        None => values.iter().enumerate().for_each(|(i, &v)| visit(i, v)),
    }
    [i0, i1, i2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Largest first, ties broken by the lower index (NumPy's stable argsort of `-nr`).
    #[test]
    fn top_features_are_stable() {
        let v = array![1.0, 3.0, -0.0, 3.0, 0.0, 2.0];
        assert_eq!(top_features(v.view(), 3), [1, 3, 5]);
        assert_eq!(top_features(v.view(), 2)[..2], [1, 3]);
        let w = array![0.0, -1.0, -0.0, 0.5];
        assert_eq!(top_features(w.view(), 3), [3, 0, 2]);
        assert!(top_features(w.view(), 0)[..0].is_empty());
    }
}
